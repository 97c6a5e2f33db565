/**
 * ConsumeQueue: per topic/queue index of 20-byte entries `(commitLogOffset, size, tagsCode)`
 * (store-and-semantics.md §2). Entry `i` lives at logical byte `i * 20`.
 *
 * New entries are buffered in memory and written in batches ({@link ConsumeQueue.writePending}: when a
 * queue has {@link CQ_WRITE_BATCH_BYTES} waiting, at every consume-queue flush and at shutdown); reads
 * serve the buffered entries from memory. Writing per dispatch round instead cost one 20-byte pwrite per
 * queue per round, about half a syscall per message at 16-way sends. Nothing is lost by the wait: the
 * consume queue is derived data, re-dispatched from the commitlog after a crash (the checkpoint's logics
 * timestamp only advances after a flush that wrote the buffer first).
 */
import { MappedFileQueue } from "./mapped_file_queue.ts";
import type { MappedFile } from "./mapped_file.ts";
import { getLogger } from "../log/logger.ts";
import { getLong, setLong } from "./long.ts";

/** Size of one consume-queue entry. */
export const CQ_STORE_UNIT_SIZE = 20;
const log = getLogger("store.cq");
/** Buffered entries worth one write: ~200 entries, still a single page of the file. */
export const CQ_WRITE_BATCH_BYTES = 4000;

/** A window of consecutive entries read from a consume queue. */
export interface CqEntries {
  /** Logical offset of the first entry. */
  startIndex: number;
  count: number;
  view: DataView;
}

/** Size field of a pre-blank filler entry (§2.3). */
const BLANK_ENTRY_SIZE = 0x7fffffff;
const SCAN_CHUNK = 64 * 1024 - (64 * 1024) % CQ_STORE_UNIT_SIZE;

/** Reads `[from, to)` of a segment in entry-aligned chunks: yields [position, view]. */
function* entryChunks(f: MappedFile, from: number, to: number): Generator<[number, DataView]> {
  for (let at = from; at < to; at += SCAN_CHUNK) {
    const data = f.read(at, Math.min(SCAN_CHUNK, to - at));
    if (data.length < CQ_STORE_UNIT_SIZE) return;
    yield [at, new DataView(data.buffer, data.byteOffset, data.length - (data.length % CQ_STORE_UNIT_SIZE))];
  }
}

/** Rounds a configured consume-queue file size up to a multiple of 20, as upstream's getter does. */
export function cqFileSize(configured: number): number {
  return Math.ceil(configured / CQ_STORE_UNIT_SIZE) * CQ_STORE_UNIT_SIZE;
}

/** One consume queue. Owned by the store; called only from the event loop. */
export class ConsumeQueue {
  readonly topic: string;
  readonly queueId: number;
  readonly queue: MappedFileQueue;
  /** End (exclusive) of the last commitlog record indexed here. */
  maxPhysicOffset = -1;
  /** Bytes below this logical byte offset were removed or never existed. */
  minLogicOffset = 0;
  /** Store timestamp of the last dispatched entry (checkpoint logicsMsgTimestamp). */
  lastStoreTimestamp = 0;
  #pending = new Uint8Array(0);
  #pendingView = new DataView(this.#pending.buffer);
  #pendingLen = 0;
  #pendingStart = 0;

  constructor(rootDir: string, topic: string, queueId: number, fileSize: number) {
    this.topic = topic;
    this.queueId = queueId;
    this.queue = new MappedFileQueue(`${rootDir}/${topic}/${queueId}`, cqFileSize(fileSize), {
      deferDirSync: true,
    });
  }

  get perFile(): number {
    return this.queue.fileSize / CQ_STORE_UNIT_SIZE;
  }

  /** Logical byte end including entries not yet written. */
  get #endBytes(): number {
    return this.#pendingLen > 0 ? this.#pendingStart + this.#pendingLen : this.queue.maxOffset;
  }

  /** Next logical offset to be written. */
  get maxOffset(): number {
    return this.#endBytes / CQ_STORE_UNIT_SIZE;
  }

  get minOffset(): number {
    return Math.floor(this.minLogicOffset / CQ_STORE_UNIT_SIZE);
  }

  get hasPending(): boolean {
    return this.#pendingLen > 0;
  }

  /** Bytes of entries buffered and not yet written. */
  get pendingBytes(): number {
    return this.#pendingLen;
  }

  load(): void {
    this.queue.load();
    if (this.queue.first) this.minLogicOffset = this.queue.first.fileFromOffset;
  }

  /** §4.4: scan from the third-from-last file; the first invalid (zero) entry ends the data. */
  recover(): void {
    const files = this.queue.files;
    if (files.length === 0) return;
    let idx = Math.max(0, files.length - 3);
    let end = files[idx]!.fileFromOffset;
    let maxPhy = -1;
    for (; idx < files.length; idx++) {
      const f = files[idx]!;
      let pos = 0;
      let stopped = false;
      // Chunked, stopping at the first zero entry: a mostly empty 6 MB file costs one small read.
      for (const [at, dv] of entryChunks(f, 0, f.fileSize)) {
        for (let p = 0; p + CQ_STORE_UNIT_SIZE <= dv.byteLength; p += CQ_STORE_UNIT_SIZE) {
          const phy = getLong(dv, p);
          const size = dv.getInt32(p + 8);
          if (phy < 0 || size <= 0) {
            pos = at + p;
            stopped = true;
            break;
          }
          if (size !== BLANK_ENTRY_SIZE) maxPhy = phy + size;
        }
        if (stopped) break;
        pos = at + dv.byteLength;
      }
      end = f.fileFromOffset + pos;
      if (pos < f.fileSize) break;
    }
    this.queue.truncateDirtyFiles(end);
    this.maxPhysicOffset = maxPhy;
  }

  /**
   * Appends the entry for logical offset `cqOffset` (§2.4). Re-dispatch of an already indexed record is a
   * silent no-op, which makes recovery idempotent.
   */
  putEntry(phy: number, size: number, tagsCode: number, cqOffset: number, storeTimestamp: number): void {
    if (phy + size <= this.maxPhysicOffset) return;
    const expected = cqOffset * CQ_STORE_UNIT_SIZE;
    const end = this.#endBytes;
    if (expected < end && cqOffset !== 0) return;
    if (end === 0 && this.queue.files.length === 0 && expected > 0) {
      // First entry of a queue that starts mid-stream: pre-fill its file with blank entries (§2.3).
      const fileStart = expected - (expected % this.queue.fileSize);
      this.#pendingStart = fileStart;
      this.minLogicOffset = expected;
      for (let b = fileStart; b < expected; b += CQ_STORE_UNIT_SIZE) this.#push(0, 0x7fffffff, 0);
    } else if (expected > end) {
      log.warn(`Consume queue ${this.topic}-${this.queueId} gap: expected byte ${expected}, end ${end}`);
      for (let b = end; b < expected; b += CQ_STORE_UNIT_SIZE) this.#push(0, 0x7fffffff, 0);
    }
    this.#push(phy, size, tagsCode);
    this.maxPhysicOffset = phy + size;
    this.lastStoreTimestamp = storeTimestamp;
  }

  #push(phy: number, size: number, tagsCode: number): void {
    if (this.#pendingLen === 0) {
      this.#pendingStart = this.#pendingStart > this.queue.maxOffset
        ? this.#pendingStart
        : this.queue.maxOffset;
    }
    if (this.#pendingLen + CQ_STORE_UNIT_SIZE > this.#pending.length) {
      const next = new Uint8Array(Math.max(1024, this.#pending.length * 2));
      next.set(this.#pending.subarray(0, this.#pendingLen));
      this.#pending = next;
      this.#pendingView = new DataView(next.buffer);
    }
    const dv = this.#pendingView;
    const at = this.#pendingLen;
    setLong(dv, at, phy);
    dv.setInt32(at + 8, size);
    setLong(dv, at + 12, tagsCode);
    this.#pendingLen += CQ_STORE_UNIT_SIZE;
  }

  /** Writes buffered entries (one write per segment touched). */
  writePending(): void {
    let off = 0;
    while (off < this.#pendingLen) {
      const at = this.#pendingStart + off;
      const file = this.queue.lastWritable(at);
      const pos = at - file.fileFromOffset;
      const n = Math.min(this.#pendingLen - off, file.fileSize - pos);
      file.writeAt(pos, this.#pending, off, n);
      file.wrotePosition = pos + n;
      off += n;
    }
    this.#pendingStart += this.#pendingLen;
    this.#pendingLen = 0;
  }

  /**
   * Reads up to `maxCount` entries starting at logical offset `index`, within one segment. With `into`, the
   * entries are read into that buffer (at most `into.length` bytes' worth) instead of a new one, so a caller
   * that consumes them before its next call allocates nothing.
   */
  getEntries(index: number, maxCount: number, into?: Uint8Array): CqEntries | null {
    const byteOff = index * CQ_STORE_UNIT_SIZE;
    if (byteOff < this.minLogicOffset || byteOff >= this.#endBytes) return null;
    const room = into ? into.length - (into.length % CQ_STORE_UNIT_SIZE) : Infinity;
    const want = Math.min(maxCount * CQ_STORE_UNIT_SIZE, room);
    if (this.#pendingLen > 0 && byteOff >= this.#pendingStart) return this.#pendingEntries(index, want, into);
    const f = this.queue.findByOffset(byteOff);
    if (!f || f.closed) return null;
    const pos = byteOff - f.fileFromOffset;
    const len = Math.min(want, f.wrotePosition - pos);
    if (len <= 0) return null;
    // Entries buffered right after the written ones in this segment come along: a short result means the
    // queue's or the segment's end, so stopping at the written end would cut pulls (and filtered scans) short.
    const tail = this.#pendingLen > 0 && this.#pendingStart === f.fileFromOffset + f.wrotePosition
      ? Math.min(want - len, this.#pendingLen, f.fileSize - f.wrotePosition)
      : 0;
    const buf = into ?? new Uint8Array(len + tail);
    const n = f.readInto(pos, buf, 0, len);
    if (n === len && tail > 0) buf.set(this.#pending.subarray(0, tail), len);
    const data = buf.subarray(0, n === len ? len + tail : n);
    const count = Math.floor(data.length / CQ_STORE_UNIT_SIZE);
    if (count === 0) return null;
    return {
      startIndex: index,
      count,
      view: new DataView(data.buffer, data.byteOffset, count * CQ_STORE_UNIT_SIZE),
    };
  }

  /**
   * Up to `want` bytes of buffered entries from logical offset `index` (at or past #pendingStart), within
   * its segment.
   */
  #pendingEntries(index: number, want: number, into?: Uint8Array): CqEntries | null {
    const byteOff = index * CQ_STORE_UNIT_SIZE;
    const from = byteOff - this.#pendingStart;
    const segmentLeft = this.queue.fileSize - (byteOff % this.queue.fileSize);
    const len = Math.min(want, this.#pendingLen - from, segmentLeft);
    if (len <= 0) return null;
    // A copy, not a view: the buffer is reused once written, and callers may hold the entries a while.
    const data = into ?? new Uint8Array(len);
    data.set(this.#pending.subarray(from, from + len));
    return {
      startIndex: index,
      count: len / CQ_STORE_UNIT_SIZE,
      view: new DataView(data.buffer, data.byteOffset, len),
    };
  }

  /** Reads one entry; null if absent. */
  getEntry(index: number): { phy: number; size: number; tagsCode: number } | null {
    const e = this.getEntries(index, 1);
    if (!e) return null;
    return {
      phy: getLong(e.view, 0),
      size: e.view.getInt32(8),
      tagsCode: getLong(e.view, 12),
    };
  }

  /** First logical offset of the segment after the one holding `index`. */
  rollNextFile(index: number): number {
    const per = this.perFile;
    return index + per - (index % per);
  }

  /** Moves the min offset to the first entry whose record is still in the commitlog (§2.3). */
  correctMinOffset(commitLogMinOffset: number): void {
    if (this.#pendingLen > 0) this.writePending();
    const f = this.queue.first;
    if (!f) return;
    for (const [at, dv] of entryChunks(f, 0, f.wrotePosition)) {
      for (let p = 0; p + CQ_STORE_UNIT_SIZE <= dv.byteLength; p += CQ_STORE_UNIT_SIZE) {
        if (dv.getInt32(p + 8) !== BLANK_ENTRY_SIZE && getLong(dv, p) >= commitLogMinOffset) {
          this.minLogicOffset = Math.max(this.minLogicOffset, f.fileFromOffset + at + p);
          return;
        }
      }
    }
    this.minLogicOffset = Math.max(this.minLogicOffset, f.fileFromOffset + f.wrotePosition);
  }

  /** Drops entries whose record starts at or after `phyOffset` (commitlog truncated by recovery, §4.5). */
  truncateDirtyLogicFiles(phyOffset: number): void {
    if (this.#pendingLen > 0) this.writePending();
    // Every record indexed here ends at or before phyOffset, so none starts at or after it.
    if (this.maxPhysicOffset <= phyOffset) return;
    const files = this.queue.files;
    let end = this.queue.maxOffset;
    let maxPhy = -1;
    for (let i = files.length - 1; i >= 0; i--) {
      const f = files[i]!;
      const data = f.read(0, f.wrotePosition);
      const dv = new DataView(data.buffer, data.byteOffset, data.length);
      let keep = 0;
      for (let pos = 0; pos + CQ_STORE_UNIT_SIZE <= data.length; pos += CQ_STORE_UNIT_SIZE) {
        const phy = Number(dv.getBigInt64(pos));
        const size = dv.getInt32(pos + 8);
        if (size !== 0x7fffffff && phy >= phyOffset) break;
        keep = pos + CQ_STORE_UNIT_SIZE;
        if (size !== 0x7fffffff) maxPhy = phy + size;
      }
      end = f.fileFromOffset + keep;
      if (keep > 0 || i === 0) break;
    }
    this.queue.truncateDirtyFiles(end);
    this.maxPhysicOffset = maxPhy;
    this.#pendingStart = this.queue.maxOffset;
  }

  /** Deletes leading segments whose last entry points below the commitlog min offset (§6.4). */
  deleteExpiredFiles(commitLogMinOffset: number): number {
    if (this.#pendingLen > 0) this.writePending();
    let n = 0;
    while (this.queue.files.length > 1) {
      const f = this.queue.first!;
      const last = f.read(f.fileSize - CQ_STORE_UNIT_SIZE, CQ_STORE_UNIT_SIZE);
      if (last.length < CQ_STORE_UNIT_SIZE) break;
      const phy = Number(new DataView(last.buffer, last.byteOffset, 20).getBigInt64(0));
      if (phy >= commitLogMinOffset) break;
      this.queue.deleteFirst();
      n++;
    }
    if (n > 0) this.minLogicOffset = Math.max(this.minLogicOffset, this.queue.minOffset);
    this.correctMinOffset(commitLogMinOffset);
    return n;
  }

  /** Writes buffered entries and makes everything written durable, new segments' directory entries too. */
  async flush(): Promise<void> {
    if (this.#pendingLen > 0) this.writePending();
    await Promise.all([
      ...this.queue.files.filter((f) => f.flushedPosition < f.wrotePosition).map(async (f) => {
        const w = f.wrotePosition;
        await f.sync();
        f.flushedPosition = w;
      }),
      this.queue.syncDirs(),
    ]);
  }

  close(): void {
    try {
      if (this.#pendingLen > 0) this.writePending();
    } finally {
      this.queue.close();
    }
  }

  destroy(): void {
    this.#pendingLen = 0;
    this.queue.destroyAll();
  }
}
