/**
 * CommitLog: the append-only record log shared by every topic (store-and-semantics.md §1, §5).
 *
 * Write path: `append()` reserves the physical range and lets the caller encode the record straight into an
 * in-memory write buffer, synchronously (this is upstream's put lock: no await between offset assignment and
 * the copy). A drain scheduled once per event-loop turn writes each accumulated buffer with one positioned
 * write(), then acks. SYNC_FLUSH waiters are released by group commit: one fdatasync covers every waiter up to
 * the offset written when it started. Recently written buffers stay in a hot tail cache, so consumers and the
 * dispatcher reading near the end never touch the disk.
 */
import { BLANK_MAGIC_CODE } from "../message/message_const.ts";
import { MappedFileQueue } from "./mapped_file_queue.ts";
import type { MappedFile } from "./mapped_file.ts";
import { type AckOutcome, AckQueue } from "./ack_queue.ts";

const OS_PAGE_SIZE = 4096;
/**
 * Disk reads on the read path fetch up to this many times the bytes asked for (capped at READ_AHEAD_MAX)
 * and keep the last READ_AHEAD_WINDOWS of them. Consumers draining a backlog of interleaved queues read
 * overlapping spans (each pull's span holds every other queue's records between its own), so without the
 * windows each byte was read once per queue: 8 queues made 8x the pread copying, a third of the broker's
 * CPU in a drain. The factor bounds the waste for random readers.
 */
const READ_AHEAD_FACTOR = 4;
/** Smaller spans (a sparse queue's single records) are packed into pooled buffers by the reader instead. */
const READ_AHEAD_MIN = 32 * 1024;
const READ_AHEAD_MAX = 1024 * 1024;
const READ_AHEAD_WINDOWS = 8;
/** Window buffers kept for reuse once no reader holds a view (see leaseWindow). */
const FREE_WINDOWS = 4;

/** A read-ahead window: `bytes` views a READ_AHEAD_MAX buffer that is reused only when nobody views it. */
export interface ReadWindow {
  start: number;
  bytes: Uint8Array;
  /** Readers holding views of it (each returns it through {@link CommitLog.returnWindow}). */
  leases: number;
  /** A reader kept views without a way to return them: the buffer is left to the GC, never reused. */
  pinned: boolean;
  evicted: boolean;
}
/** Period of the SYNC_FLUSH timeout check. */
const WATCHDOG_MS = 10;
/** Evicted write buffers kept for reuse: eviction and new batches alternate, so a few suffice. */
const FREE_WRITE_BUFFERS = 8;
/** A record must leave room for this end-of-file blank marker (§1.6). */
export const END_FILE_MIN_BLANK_LENGTH = 8;

/** Options the store passes to its commitlog. */
export interface CommitLogOptions {
  dir: string;
  fileSize: number;
  syncFlush: boolean;
  syncFlushTimeout: number;
  writeBatchBytes: number;
  hotTailCacheBytes: number;
  /** Called after bytes up to `end` became dispatchable (written, or flushed under SYNC_FLUSH). */
  onDispatchable: (end: number) => void;
  /** Called with the store time of the last flushed record after each flush. */
  onFlushed: (storeTimestamp: number) => void;
  clock: () => number;
}

interface Batch {
  file: MappedFile;
  filePos: number;
  start: number;
  buf: Uint8Array;
  len: number;
  /** Bytes of `buf` already handed to write(); an open batch keeps filling after a partial write. */
  writtenLen: number;
  lastStoreTimestamp: number;
  /** This batch's hot-cache entry once any of it was written. */
  cached: CacheEntry | null;
}

interface CacheEntry {
  start: number;
  bytes: Uint8Array;
  buf: Uint8Array;
  /** A view of this buffer was handed out by {@link CommitLog.readSpan}: never recycle it for writes. */
  lent: boolean;
}

/** Result of reserving space for an append. */
export type AppendOutcome = { ok: true; offset: number } | { ok: false; reason: "too_large" };

/** The commitlog: segments, write buffer, flush services and hot tail cache. */
export class CommitLog {
  readonly queue: MappedFileQueue;
  readonly #o: CommitLogOptions;
  #cur: Batch | null = null;
  #sealed: Batch[] = [];
  #drainScheduled = false;
  #writtenOffset = 0;
  #flushedOffset = 0;
  #writtenStoreTimestamp = 0;
  /** Waiters released by write() (ASYNC_FLUSH puts, WAIT=false puts, HA appends). */
  readonly #writtenWaiters = new AckQueue();
  /** SYNC_FLUSH waiters, released by group commit. */
  readonly #syncWaiters = new AckQueue();
  #syncing = false;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  /** Deadline for SYNC waiters added until the next watchdog tick. */
  #deadline = 0;
  #cache: CacheEntry[] = [];
  /** Write buffers evicted from the hot cache, reused so steady-state appends allocate nothing. */
  #free: Uint8Array[] = [];
  #cacheBytes = 0;
  /** Recent read-ahead windows of older data (see READ_AHEAD_FACTOR), oldest first. */
  #windows: ReadWindow[] = [];
  #freeWindows: Uint8Array[] = [];
  #writeError: Error | null = null;
  /** Time of the last completed flush. */
  lastFlushTimestamp = 0;
  /** Where the bytes reserved by the last {@link beginAppend} go (a write buffer and an index into it). */
  appendTarget: Uint8Array = new Uint8Array(0);
  appendAt = 0;
  #appendFile: MappedFile | null = null;
  #appendSize = 0;
  /** write() and fdatasync calls so far (stats and benchmarks). */
  writeCalls = 0;
  syncCalls = 0;
  /** Bytes the read path fetched from disk (spans and read-ahead windows), for diagnostics and tests. */
  spanReadBytes = 0;

  constructor(opts: CommitLogOptions) {
    this.#o = opts;
    this.queue = new MappedFileQueue(opts.dir, opts.fileSize, { preallocateNext: true });
  }

  /** Loads segments (all marked full until recovery sets the real end via {@link setRecoveredEnd}). */
  load(): void {
    this.queue.load();
  }

  /** After recovery: valid data ends at `offset`; the tail beyond it is truncated and zero-filled. */
  setRecoveredEnd(offset: number): void {
    // Leased windows keep their buffers (left to the GC); only the lookup is dropped.
    for (const w of this.#windows) w.pinned = true;
    this.#windows = [];
    this.queue.truncateDirtyFiles(offset);
    this.#writtenOffset = offset;
    this.#flushedOffset = this.#writtenOffset;
  }

  get fileSize(): number {
    return this.#o.fileSize;
  }

  get minOffset(): number {
    return this.queue.files.length ? this.queue.minOffset : this.#writtenOffset;
  }

  /** End of bytes handed to write(): what readers and HA may see. */
  get maxOffset(): number {
    return this.#writtenOffset;
  }

  /** End of all reserved bytes, including those still in the write buffer. */
  get reservedOffset(): number {
    return this.queue.files.length ? this.queue.maxOffset : this.#writtenOffset;
  }

  get flushedOffset(): number {
    return this.#flushedOffset;
  }

  /** Dispatch may read up to here (written; flushed under SYNC_FLUSH, §15.5). */
  get dispatchableOffset(): number {
    return this.#o.syncFlush ? this.#flushedOffset : this.#writtenOffset;
  }

  get writeError(): Error | null {
    return this.#writeError;
  }

  /**
   * Reserves `size` contiguous bytes and calls `encode(target, at, physicalOffset)` to fill them, all
   * synchronously. Writes an end-of-file blank and rolls to a new segment when the record does not fit.
   * Throws when a segment cannot be created (the caller reports CREATE_MAPPED_FILE_FAILED).
   */
  append(
    size: number,
    storeTimestamp: number,
    encode: (target: Uint8Array, at: number, phy: number) => void,
  ): AppendOutcome {
    const phy = this.beginAppend(size);
    if (phy < 0) return { ok: false, reason: "too_large" };
    try {
      encode(this.appendTarget, this.appendAt, phy);
    } catch (e) {
      this.abortAppend();
      throw e;
    }
    this.commitAppend(storeTimestamp);
    return { ok: true, offset: phy };
  }

  /**
   * The closure-free form of {@link append} for the put path: reserves `size` contiguous bytes (rolling to a
   * new segment behind an end-of-file blank when needed) and returns their physical offset, or -1 when no
   * segment can hold `size` bytes. The caller encodes into `appendTarget` at `appendAt`, then calls
   * {@link commitAppend} or, if encoding failed, {@link abortAppend} — with nothing else in between.
   * Throws when a segment cannot be created (the caller reports CREATE_MAPPED_FILE_FAILED).
   */
  beginAppend(size: number): number {
    if (size + END_FILE_MIN_BLANK_LENGTH > this.#o.fileSize) return -1;
    let file = this.queue.lastWritable(this.#writtenOffset);
    if (size + END_FILE_MIN_BLANK_LENGTH > file.freeSpace) {
      this.#reserve(file, END_FILE_MIN_BLANK_LENGTH);
      const blank = this.appendTarget;
      const dv = new DataView(blank.buffer, blank.byteOffset);
      dv.setInt32(this.appendAt, file.freeSpace + END_FILE_MIN_BLANK_LENGTH);
      dv.setInt32(this.appendAt + 4, BLANK_MAGIC_CODE);
      // The blank declares the rest of the file consumed; the bytes after it are already zero (preallocated).
      file.wrotePosition = file.fileSize;
      this.#seal();
      file = this.queue.lastWritable();
    }
    this.#appendFile = file;
    this.#appendSize = size;
    return this.#reserve(file, size);
  }

  /** Publishes the bytes reserved by {@link beginAppend}; they are written at the end of this turn. */
  commitAppend(storeTimestamp: number): void {
    const cur = this.#cur!;
    cur.lastStoreTimestamp = storeTimestamp;
    if (cur.len >= this.#o.writeBatchBytes) this.#seal();
    this.#scheduleDrain();
  }

  /** Gives back the bytes reserved by {@link beginAppend} (encoding failed). */
  abortAppend(): void {
    // Nothing ran since the reservation, so it is still the tail: give the bytes back, or stale bytes of a
    // recycled buffer would be written as if they were a record.
    this.#cur!.len -= this.#appendSize;
    this.#appendFile!.wrotePosition -= this.#appendSize;
  }

  /** Reserves `size` bytes at the end of `file`; sets appendTarget/appendAt and returns the physical offset. */
  #reserve(file: MappedFile, size: number): number {
    const phy = file.fileFromOffset + file.wrotePosition;
    let cur = this.#cur;
    if (cur && (cur.file !== file || cur.start + cur.len !== phy || cur.len + size > cur.buf.length)) {
      this.#seal();
      cur = null;
    }
    if (!cur) {
      const cap = Math.max(this.#o.writeBatchBytes, size);
      cur = {
        file,
        filePos: file.wrotePosition,
        start: phy,
        buf: size <= this.#o.writeBatchBytes ? this.#free.pop() ?? new Uint8Array(cap) : new Uint8Array(cap),
        len: 0,
        writtenLen: 0,
        lastStoreTimestamp: 0,
        cached: null,
      };
      this.#cur = cur;
    }
    this.appendTarget = cur.buf;
    this.appendAt = cur.len;
    cur.len += size;
    file.wrotePosition += size;
    return phy;
  }

  #seal(): void {
    if (this.#cur && this.#cur.len > this.#cur.writtenLen) {
      if (this.#cur.lastStoreTimestamp === 0) this.#cur.lastStoreTimestamp = this.#writtenStoreTimestamp;
      this.#sealed.push(this.#cur);
    }
    this.#cur = null;
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    queueMicrotask(() => this.drain());
  }

  /** Writes every buffered batch (one write() each), then acks ASYNC waiters and wakes dispatch/group commit. */
  drain(): void {
    this.#drainScheduled = false;
    const batches = this.#sealed;
    const cur = this.#cur;
    // The open batch is written too but stays open: later appends fill the rest of its buffer, so small
    // bursts do not each cost a fresh write buffer.
    if (cur && cur.len > cur.writtenLen) batches.push(cur);
    if (batches.length === 0) return;
    this.#sealed = [];
    for (const b of batches) {
      const n = b.len - b.writtenLen;
      try {
        b.file.writeAt(b.filePos + b.writtenLen, b.buf, b.writtenLen, n);
        this.writeCalls++;
      } catch (e) {
        // A failed write leaves a hole; nothing after it may be acked or served.
        this.#failAll(e);
        return;
      }
      b.writtenLen = b.len;
      this.#writtenOffset = b.start + b.len;
      if (b.lastStoreTimestamp) this.#writtenStoreTimestamp = b.lastStoreTimestamp;
      this.#cacheWritten(b);
    }
    const w = this.#writtenOffset;
    this.#writtenWaiters.release(w);
    if (this.#o.syncFlush) this.#kickGroupCommit();
    else this.#o.onDispatchable(w);
  }

  /**
   * Calls `settle(true)` once the bytes before `end` were handed to write() (process-crash safe), or with the
   * write error. Settles synchronously when `end` is already written. One waiter costs no allocation here.
   */
  whenWritten(end: number, settle: (outcome: AckOutcome) => void): void {
    if (end <= this.#writtenOffset) settle(true);
    else if (this.#writeError) settle(this.#writeError);
    else this.#writtenWaiters.push(end, settle);
  }

  /**
   * SYNC_FLUSH: calls `settle(true)` once an fdatasync that started after `end` was written completed,
   * `settle(false)` after syncFlushTimeout (FLUSH_DISK_TIMEOUT), or with the write/sync error.
   */
  whenFlushed(end: number, settle: (outcome: AckOutcome) => void): void {
    if (end <= this.#flushedOffset) return settle(true);
    if (this.#writeError) return settle(this.#writeError);
    if (this.#watchdog === undefined) {
      this.#refreshDeadline();
      this.#watchdog = setInterval(() => this.#expireWaiters(), WATCHDOG_MS);
    }
    this.#syncWaiters.push(end, settle, this.#deadline);
    this.#kickGroupCommit();
  }

  /**
   * The deadline given to new SYNC waiters, refreshed every watchdog tick rather than read from the clock per
   * put: a waiter may time out up to one tick late, never early.
   */
  #refreshDeadline(): void {
    this.#deadline = this.#o.clock() + this.#o.syncFlushTimeout + WATCHDOG_MS;
  }

  /** Resolves once the bytes before `end` were handed to write() (process-crash safe). */
  waitWritten(end: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.whenWritten(end, (o) => o instanceof Error ? reject(o) : resolve())
    );
  }

  /** SYNC_FLUSH: resolves true once `end` is on disk, false after syncFlushTimeout (FLUSH_DISK_TIMEOUT). */
  waitFlushed(end: number): Promise<boolean> {
    return new Promise((resolve, reject) =>
      this.whenFlushed(end, (o) => o instanceof Error ? reject(o) : resolve(o))
    );
  }

  #expireWaiters(): void {
    this.#syncWaiters.expire(this.#o.clock());
    this.#refreshDeadline();
    // Stopped only from an idle tick, so a busy store does not re-arm the timer for every group commit.
    if (this.#syncWaiters.length === 0) this.#stopWatchdog();
  }

  #stopWatchdog(): void {
    if (this.#watchdog !== undefined) clearInterval(this.#watchdog);
    this.#watchdog = undefined;
  }

  #kickGroupCommit(): void {
    if (this.#syncing || this.#flushedOffset >= this.#writtenOffset) return;
    void this.#groupCommit();
  }

  async #groupCommit(): Promise<void> {
    this.#syncing = true;
    try {
      while (this.#flushedOffset < this.#writtenOffset) {
        await this.flushTo(this.#writtenOffset);
        const f = this.#flushedOffset;
        this.#syncWaiters.release(f);
        if (this.#o.syncFlush) this.#o.onDispatchable(f);
      }
    } catch (e) {
      this.#failAll(e);
    } finally {
      this.#syncing = false;
    }
  }

  /** A failed write or sync: nothing at or after it may be acked (the store stops accepting writes). */
  #failAll(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    this.#writeError = err;
    this.#writtenWaiters.settleAll(err);
    this.#syncWaiters.settleAll(err);
    this.#stopWatchdog();
  }

  /** fdatasync of every segment holding bytes in `[flushed, target)`; advances the flushed offset. */
  async flushTo(target: number): Promise<void> {
    const from = this.#flushedOffset;
    if (target <= from) return;
    const ts = this.#writtenStoreTimestamp;
    const files = this.queue.files.filter((f) =>
      f.fileFromOffset + f.fileSize > from && f.fileFromOffset < target
    );
    // A segment taken from the preallocator is only durable once its directory entry is.
    await Promise.all([...files.map((f) => f.sync()), this.queue.preallocator?.dirSynced()]);
    this.syncCalls += files.length;
    if (target > this.#flushedOffset) this.#flushedOffset = target;
    this.lastFlushTimestamp = this.#o.clock();
    this.#o.onFlushed(ts);
  }

  /** ASYNC_FLUSH service tick: flush when enough dirty pages accumulated or `thorough` is set (§5.3). */
  async flushIfDue(leastPages: number, thorough: boolean): Promise<void> {
    if (this.#syncing) return;
    const w = this.#writtenOffset;
    const dirtyPages = Math.floor(w / OS_PAGE_SIZE) - Math.floor(this.#flushedOffset / OS_PAGE_SIZE);
    if (w <= this.#flushedOffset) return;
    if (!thorough && leastPages > 0 && dirtyPages < leastPages) return;
    this.#syncing = true;
    try {
      await this.flushTo(w);
    } finally {
      this.#syncing = false;
    }
  }

  #cacheWritten(b: Batch): void {
    if (this.#o.hotTailCacheBytes <= 0) return;
    if (b.cached) {
      b.cached.bytes = b.buf.subarray(0, b.len);
      return;
    }
    b.cached = { start: b.start, bytes: b.buf.subarray(0, b.len), buf: b.buf, lent: false };
    this.#cache.push(b.cached);
    this.#cacheBytes += b.buf.length;
    while (this.#cacheBytes > this.#o.hotTailCacheBytes && this.#cache.length > 1) {
      this.#evictOldest();
    }
  }

  #evictOldest(): void {
    const e = this.#cache.shift()!;
    this.#cacheBytes -= e.buf.length;
    // A lent buffer is left to the GC: a reader may still hold a view of it, so it must never be rewritten.
    if (!e.lent && e.buf.length === this.#o.writeBatchBytes && this.#free.length < FREE_WRITE_BUFFERS) {
      this.#free.push(e.buf);
    }
  }

  #cacheEntryEnd(offset: number): number {
    const c = this.#cache;
    if (c.length === 0 || offset < c[0]!.start) return -1;
    let lo = 0, hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    const e = c[lo]!;
    return e.start + e.bytes.length;
  }

  #fromCache(offset: number, size: number, lend = false): Uint8Array | null {
    const c = this.#cache;
    if (c.length === 0 || offset < c[0]!.start) return null;
    let lo = 0, hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    const e = c[lo]!;
    const rel = offset - e.start;
    if (rel + size > e.bytes.length) return null;
    if (lend) e.lent = true;
    return e.bytes.subarray(rel, rel + size);
  }

  /**
   * Reads `size` bytes at `offset` within one segment; null if not (yet / any more) readable. The result is
   * the caller's to keep (cache hits are copied, because cache buffers are recycled for later writes).
   */
  read(offset: number, size: number, limit = this.#writtenOffset): Uint8Array | null {
    return this.#read(offset, size, limit, true);
  }

  /** Like {@link read} but may return a view into a recycled cache buffer: use it before the next append. */
  readView(offset: number, size: number, limit = this.#writtenOffset): Uint8Array | null {
    return this.#read(offset, size, limit, false);
  }

  #read(offset: number, size: number, limit: number, copy: boolean): Uint8Array | null {
    if (size <= 0 || offset < this.minOffset || offset + size > limit) return null;
    const hit = this.#fromCache(offset, size);
    if (hit) return copy ? hit.slice() : hit;
    const f = this.queue.findByOffset(offset);
    if (!f || f.closed) return null;
    const pos = offset - f.fileFromOffset;
    if (pos + size > f.fileSize) return null;
    const out = f.read(pos, size);
    return out.length === size ? out : null;
  }

  /** True when the byte at `offset` is in memory (a {@link readSpan} there costs no read). */
  isCached(offset: number): boolean {
    return this.#cacheEntryEnd(offset) > offset || this.#windowAt(offset) !== null;
  }

  /** True when a {@link readSpan} miss of `size` bytes reads ahead into a new window (no `into` needed). */
  readsAhead(size: number): boolean {
    return size >= READ_AHEAD_MIN && size < READ_AHEAD_MAX;
  }

  #windowAt(offset: number): ReadWindow | null {
    const ws = this.#windows;
    for (let i = ws.length - 1; i >= 0; i--) {
      const w = ws[i]!;
      if (offset >= w.start && offset < w.start + w.bytes.length) return w;
    }
    return null;
  }

  /**
   * End (exclusive) of the bytes one {@link readSpan} from `offset` can serve: the end of `offset`'s segment,
   * of the readable data (`limit`), and of the hot-cache buffer holding `offset` when it is cached.
   */
  spanEnd(offset: number, limit = this.#writtenOffset): number {
    const size = this.#o.fileSize;
    let end = Math.min(limit, offset - (offset % size) + size);
    const cached = this.#cacheEntryEnd(offset);
    if (cached > offset) return Math.min(end, cached);
    // Within a read-ahead window, stop at its end: the records after it start the next window.
    const w = this.#windowAt(offset);
    if (w) end = Math.min(end, w.start + w.bytes.length);
    return end;
  }

  /**
   * Reads `[offset, offset + size)` (within one segment, see {@link spanEnd}) for the read path, without a
   * copy when cached: a hot-cache hit is a view of the cache buffer, which is then never recycled for writes;
   * a miss is one positioned read into a fresh buffer. Either way the bytes stay valid for as long as the
   * caller holds them. A miss reads into `into` when given (at least `size` bytes long; the result is then a
   * view of it). Null if not (yet / any more) readable.
   */
  readSpan(offset: number, size: number, into?: Uint8Array, limit = this.#writtenOffset): Uint8Array | null {
    if (size <= 0 || offset < this.minOffset || offset + size > limit) return null;
    const hit = this.#fromCache(offset, size, true);
    if (hit) return hit;
    const w = this.#windowAt(offset);
    if (w && offset + size <= w.start + w.bytes.length) {
      return w.bytes.subarray(offset - w.start, offset - w.start + size);
    }
    const f = this.queue.findByOffset(offset);
    if (!f || f.closed) return null;
    const pos = offset - f.fileFromOffset;
    if (pos + size > f.fileSize) return null;
    if (!into && this.readsAhead(size)) return this.#readAhead(f, pos, offset, size, limit);
    this.spanReadBytes += size;
    if (into) return f.readInto(pos, into, 0, size) === size ? into.subarray(0, size) : null;
    const out = f.read(pos, size);
    return out.length === size ? out : null;
  }

  /**
   * Reads `[offset, offset + size)` plus what follows (see READ_AHEAD_FACTOR) into a new window and returns
   * the asked-for part. A window's buffer is reused only once evicted and no lease on it is left (see
   * leaseWindow), so views held by readers stay valid.
   */
  #readAhead(f: MappedFile, pos: number, offset: number, size: number, limit: number): Uint8Array | null {
    const len = Math.max(
      size,
      Math.min(size * READ_AHEAD_FACTOR, READ_AHEAD_MAX, f.fileSize - pos, limit - offset),
    );
    const buf = this.#freeWindows.pop() ?? new Uint8Array(READ_AHEAD_MAX);
    const n = f.readInto(pos, buf, 0, len);
    this.spanReadBytes += n;
    if (n < size) {
      this.#freeWindows.push(buf);
      return null;
    }
    this.#windows.push({
      start: offset,
      bytes: buf.subarray(0, n),
      leases: 0,
      pinned: false,
      evicted: false,
    });
    if (this.#windows.length > READ_AHEAD_WINDOWS) {
      const old = this.#windows.shift()!;
      old.evicted = true;
      this.#recycleWindow(old);
    }
    return buf.subarray(0, size);
  }

  /**
   * The read-ahead window a {@link readSpan} result views, if any, now leased by the caller: with
   * `returnable`, the caller promises {@link returnWindow} once it holds no view of it; otherwise the
   * window's buffer is never reused. Null when `span` is not a window view (nothing to do).
   */
  leaseWindow(span: Uint8Array, returnable: boolean): ReadWindow | null {
    const ws = this.#windows;
    for (let i = ws.length - 1; i >= 0; i--) {
      const w = ws[i]!;
      if (w.bytes.buffer !== span.buffer) continue;
      if (returnable) w.leases++;
      else w.pinned = true;
      return w;
    }
    return null;
  }

  /** Ends a lease from {@link leaseWindow}. */
  returnWindow(w: ReadWindow): void {
    w.leases--;
    this.#recycleWindow(w);
  }

  #recycleWindow(w: ReadWindow): void {
    if (!w.evicted || w.pinned || w.leases > 0 || this.#freeWindows.length >= FREE_WINDOWS) return;
    // Mark it so a second call (another lease ending) cannot free the buffer twice.
    w.pinned = true;
    this.#freeWindows.push(new Uint8Array(w.bytes.buffer, 0, READ_AHEAD_MAX));
  }

  /**
   * Bytes from `offset` to the end of its segment's written data (at most `maxBytes`), for HA and reput.
   * `copy=false` returns a short-lived view (see {@link readView}).
   */
  readChunk(offset: number, maxBytes: number, limit = this.#writtenOffset, copy = true): Uint8Array | null {
    const f = this.queue.findByOffset(offset);
    if (!f || offset >= limit) return null;
    const fileEnd = f.fileFromOffset + f.fileSize;
    let end = Math.min(limit, fileEnd, offset + maxBytes);
    const cached = this.#cacheEntryEnd(offset);
    // Serve what one cached buffer holds rather than a disk read spanning several buffers.
    if (cached > offset) end = Math.min(end, cached);
    return end > offset ? this.#read(offset, end - offset, limit, copy) : null;
  }

  /** Start of the segment after the one holding `offset` (upstream rollNextFile). */
  rollNextFile(offset: number): number {
    const fs = this.#o.fileSize;
    return offset + fs - (offset % fs);
  }

  /** Slave append: raw bytes at `startOffset`, which must equal the current end. */
  appendRaw(startOffset: number, data: Uint8Array): boolean {
    if (this.queue.files.length === 0 && this.#writtenOffset === 0 && startOffset > 0) {
      // An empty slave joins mid-stream: its first segment starts where the master's data does.
      const f = this.queue.lastWritable(startOffset);
      f.wrotePosition = f.flushedPosition = startOffset - f.fileFromOffset;
      this.#writtenOffset = this.#flushedOffset = startOffset;
    }
    if (startOffset !== this.reservedOffset) return false;
    let pos = 0;
    while (pos < data.length) {
      const file = this.queue.lastWritable(startOffset + pos);
      const n = Math.min(file.freeSpace, data.length - pos);
      this.#reserve(file, n);
      this.appendTarget.set(data.subarray(pos, pos + n), this.appendAt);
      if (this.#cur!.len >= this.#o.writeBatchBytes) this.#seal();
      pos += n;
    }
    this.#scheduleDrain();
    return true;
  }

  /** Drops cached bytes below `offset` (after retention deleted their segment). */
  dropCacheBelow(offset: number): void {
    while (this.#cache.length && this.#cache[0]!.start + this.#cache[0]!.bytes.length <= offset) {
      this.#evictOldest();
    }
  }

  /** Writes and syncs everything (shutdown); pending SYNC waiters are released. */
  async flushAll(): Promise<void> {
    this.drain();
    while (this.#syncing) await new Promise((r) => setTimeout(r, 1));
    if (!this.#writeError) await this.flushTo(this.#writtenOffset);
    const flushed = this.#flushedOffset;
    this.#syncWaiters.settleAll((end) => flushed >= end);
    this.#stopWatchdog();
    await this.queue.preallocator?.close();
  }

  close(): void {
    this.#stopWatchdog();
    this.queue.preallocator?.closeNow();
    this.queue.close();
  }
}
