/**
 * IndexFile: a hash index from `topic#key` to commitlog offsets in upstream's layout (store-and-semantics.md §3).
 *
 * The active file keeps its slot table in memory and buffers appended entries; {@link IndexFile.flush} writes
 * the header, the dirty slot pages and the new entries, so indexing costs no syscall per message.
 */
import * as fs from "node:fs";
import { javaStringHashCode } from "../message/tags.ts";
import { getLong, setLong } from "./long.ts";
import { createPreallocated } from "./mapped_file.ts";

const HEADER_SIZE = 40;
const ENTRY_SIZE = 20;
const SLOT_SIZE = 4;
const SLOT_PAGE = 4096;
/** Clean slot pages a run of dirty ones may bridge (rewriting 4 KiB costs less than another syscall). */
const SLOT_RUN_GAP = 8;
/** Pages per slot-table write at most (1 MiB). */
const SLOT_RUN_MAX = 256;

/** Non-negative key hash as upstream computes it (Java's Math.abs leaves MIN_VALUE negative, mapped to 0). */
export function indexKeyHash(key: string): number {
  return positiveHash(javaStringHashCode(key));
}

/** The Java string hash state after `topic + "#"`: the seed {@link topicKeyHash} continues from. */
export function topicHashSeed(topic: string): number {
  let h = 0;
  for (let i = 0; i < topic.length; i++) h = (Math.imul(31, h) + topic.charCodeAt(i)) | 0;
  return (Math.imul(31, h) + 0x23) | 0;
}

/**
 * `indexKeyHash(topic + "#" + key)` without building the string: the put path indexes every message, and a
 * concatenated key would be allocated and flattened only to be hashed. Pass `seed` (from
 * {@link topicHashSeed}) to skip rehashing a topic seen before.
 *
 * @example topicKeyHash("T", "k") === indexKeyHash("T#k") // true
 */
export function topicKeyHash(topic: string, key: string, seed = topicHashSeed(topic)): number {
  let h = seed;
  for (let i = 0; i < key.length; i++) h = (Math.imul(31, h) + key.charCodeAt(i)) | 0;
  return positiveHash(h);
}

function positiveHash(h: number): number {
  return h === -0x80000000 ? 0 : Math.abs(h);
}

/** Formats a time as the `yyyyMMddHHmmssSSS` local-time file name. */
export function indexFileName(t: number): string {
  const d = new Date(t);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${
    p(d.getSeconds())
  }${p(d.getMilliseconds(), 3)}`;
}

/** One index file. */
export class IndexFile {
  readonly path: string;
  readonly slotNum: number;
  readonly maxIndexNum: number;
  beginTimestamp = 0;
  endTimestamp = 0;
  beginPhyOffset = 0;
  endPhyOffset = 0;
  hashSlotCount = 0;
  indexCount = 1;
  /** Slot-table write() calls so far (stats and tests). */
  slotWriteCalls = 0;
  #fd: number;
  #closed = false;
  /**
   * The slot table of the active file, kept in the file's own big-endian layout so dirty pages are written
   * straight from it: encoding the table on every flush stalled the event loop for tens of milliseconds.
   */
  #slots: DataView | null = null;
  #dirtyPages = new Set<number>();
  #pending = new Uint8Array(0);
  #pendingView = new DataView(this.#pending.buffer);
  #pendingLen = 0;
  #pendingFirst = 1;

  private constructor(path: string, slotNum: number, maxIndexNum: number, fd: number) {
    this.path = path;
    this.slotNum = slotNum;
    this.maxIndexNum = maxIndexNum;
    this.#fd = fd;
  }

  static fileSize(slotNum: number, maxIndexNum: number): number {
    return HEADER_SIZE + slotNum * SLOT_SIZE + maxIndexNum * ENTRY_SIZE;
  }

  static create(path: string, slotNum: number, maxIndexNum: number, prev?: IndexFile): IndexFile {
    const fd = createPreallocated(path, IndexFile.fileSize(slotNum, maxIndexNum));
    const f = new IndexFile(path, slotNum, maxIndexNum, fd);
    if (prev) {
      f.beginTimestamp = f.endTimestamp = prev.endTimestamp;
      f.beginPhyOffset = f.endPhyOffset = prev.endPhyOffset;
    }
    f.#slots = new DataView(new ArrayBuffer(slotNum * SLOT_SIZE));
    return f;
  }

  static open(path: string, slotNum: number, maxIndexNum: number): IndexFile {
    const fd = fs.openSync(path, "r+");
    if (fs.fstatSync(fd).size !== IndexFile.fileSize(slotNum, maxIndexNum)) {
      fs.closeSync(fd);
      throw new Error(`Index file "${path}" does not match maxHashSlotNum/maxIndexNum`);
    }
    const f = new IndexFile(path, slotNum, maxIndexNum, fd);
    const h = new Uint8Array(HEADER_SIZE);
    fs.readSync(fd, h, 0, HEADER_SIZE, 0);
    const dv = new DataView(h.buffer);
    f.beginTimestamp = Number(dv.getBigInt64(0));
    f.endTimestamp = Number(dv.getBigInt64(8));
    f.beginPhyOffset = Number(dv.getBigInt64(16));
    f.endPhyOffset = Number(dv.getBigInt64(24));
    f.hashSlotCount = dv.getInt32(32);
    f.indexCount = Math.max(1, dv.getInt32(36));
    f.#pendingFirst = f.indexCount;
    return f;
  }

  isFull(): boolean {
    return this.indexCount >= this.maxIndexNum;
  }

  /** Loads the slot table so this file can take appends. */
  makeActive(): void {
    if (this.#slots) return;
    const buf = new Uint8Array(this.slotNum * SLOT_SIZE);
    fs.readSync(this.#fd, buf, 0, buf.length, HEADER_SIZE);
    this.#slots = new DataView(buf.buffer);
  }

  /** Adds one key (§3.3). Returns false when the file is full. */
  putKey(key: string, phyOffset: number, storeTimestamp: number): boolean {
    return this.putHash(indexKeyHash(key), phyOffset, storeTimestamp);
  }

  /** Adds one key by its {@link indexKeyHash}. Returns false when the file is full. */
  putHash(hash: number, phyOffset: number, storeTimestamp: number): boolean {
    if (this.isFull()) return false;
    this.makeActive();
    const slots = this.#slots!;
    const slot = hash % this.slotNum;
    let prev = slots.getInt32(slot * SLOT_SIZE);
    if (prev <= 0 || prev > this.indexCount) prev = 0;
    let timeDiff = this.beginTimestamp > 0 ? Math.floor((storeTimestamp - this.beginTimestamp) / 1000) : 0;
    timeDiff = Math.min(0x7fffffff, Math.max(0, timeDiff));
    if (this.#pendingLen + ENTRY_SIZE > this.#pending.length) {
      const next = new Uint8Array(Math.max(4096, this.#pending.length * 2));
      next.set(this.#pending.subarray(0, this.#pendingLen));
      this.#pending = next;
      this.#pendingView = new DataView(next.buffer);
    }
    const dv = this.#pendingView;
    const at = this.#pendingLen;
    dv.setInt32(at, hash);
    setLong(dv, at + 4, phyOffset);
    dv.setInt32(at + 12, timeDiff);
    dv.setInt32(at + 16, prev);
    this.#pendingLen += ENTRY_SIZE;
    slots.setInt32(slot * SLOT_SIZE, this.indexCount);
    this.#dirtyPages.add(Math.floor((slot * SLOT_SIZE) / SLOT_PAGE));
    if (this.indexCount <= 1) {
      this.beginPhyOffset = phyOffset;
      this.beginTimestamp = storeTimestamp;
    }
    if (prev === 0) this.hashSlotCount++;
    this.indexCount++;
    this.endPhyOffset = phyOffset;
    this.endTimestamp = storeTimestamp;
    return true;
  }

  #slot(slot: number): number {
    if (this.#slots) return this.#slots.getInt32(slot * SLOT_SIZE);
    const b = new Uint8Array(4);
    fs.readSync(this.#fd, b, 0, 4, HEADER_SIZE + slot * SLOT_SIZE);
    return new DataView(b.buffer).getInt32(0);
  }

  #entry(n: number): DataView {
    if (n >= this.#pendingFirst) {
      return new DataView(this.#pending.buffer, (n - this.#pendingFirst) * ENTRY_SIZE, ENTRY_SIZE);
    }
    const b = new Uint8Array(ENTRY_SIZE);
    fs.readSync(this.#fd, b, 0, ENTRY_SIZE, HEADER_SIZE + this.slotNum * SLOT_SIZE + n * ENTRY_SIZE);
    return new DataView(b.buffer);
  }

  /** True if this file's time range intersects `[begin, end]`. */
  isTimeMatched(begin: number, end: number): boolean {
    return (begin < this.beginTimestamp && end > this.endTimestamp) ||
      (begin >= this.beginTimestamp && begin <= this.endTimestamp) ||
      (end >= this.beginTimestamp && end <= this.endTimestamp);
  }

  /** Collects offsets for `key` with store time in `[begin, end]` into `out` (§3.4). */
  selectPhyOffset(out: number[], key: string, maxNum: number, begin: number, end: number): void {
    if (this.indexCount <= 1) return;
    const hash = indexKeyHash(key);
    let cur = this.#slot(hash % this.slotNum);
    if (cur <= 0 || cur >= this.indexCount) return;
    while (out.length < maxNum) {
      const e = this.#entry(cur);
      const timeDiff = e.getInt32(12);
      const prev = e.getInt32(16);
      if (timeDiff < 0) break;
      const t = this.beginTimestamp + timeDiff * 1000;
      if (t < begin) break;
      if (e.getInt32(0) === hash && t <= end) out.push(getLong(e, 4));
      if (prev <= 0 || prev >= this.indexCount || prev === cur) break;
      cur = prev;
    }
  }

  /** Writes entries, dirty slot pages and the header (header last, so a torn flush is ignored). */
  flush(sync: boolean): void {
    if (this.#pendingLen > 0) {
      const pos = HEADER_SIZE + this.slotNum * SLOT_SIZE + this.#pendingFirst * ENTRY_SIZE;
      fs.writeSync(this.#fd, this.#pending, 0, this.#pendingLen, pos);
      this.#pendingFirst += this.#pendingLen / ENTRY_SIZE;
      this.#pendingLen = 0;
    }
    if (this.#slots && this.#dirtyPages.size > 0) {
      this.#writeSlotRuns(this.#slots);
      this.#dirtyPages.clear();
    }
    const h = new Uint8Array(HEADER_SIZE);
    const dv = new DataView(h.buffer);
    dv.setBigInt64(0, BigInt(this.beginTimestamp));
    dv.setBigInt64(8, BigInt(this.endTimestamp));
    dv.setBigInt64(16, BigInt(this.beginPhyOffset));
    dv.setBigInt64(24, BigInt(this.endPhyOffset));
    dv.setInt32(32, this.hashSlotCount);
    dv.setInt32(36, this.indexCount);
    fs.writeSync(this.#fd, h, 0, HEADER_SIZE, 0);
    if (sync) fs.fdatasyncSync(this.#fd);
  }

  /**
   * Writes the dirty slot pages as runs: random key hashes dirty pages all over the table, and one write per
   * page cost a syscall per message. Pages up to SLOT_RUN_GAP apart join one run (the clean pages between are
   * rewritten with the same bytes), and a run stops at SLOT_RUN_MAX pages to bound each write.
   */
  #writeSlotRuns(slots: DataView): void {
    const pages = Int32Array.from(this.#dirtyPages).sort();
    const table = new Uint8Array(slots.buffer, slots.byteOffset, slots.byteLength);
    for (let i = 0; i < pages.length;) {
      const firstPage = pages[i]!;
      let lastPage = firstPage;
      let j = i + 1;
      while (
        j < pages.length && pages[j]! - lastPage <= SLOT_RUN_GAP + 1 && pages[j]! - firstPage < SLOT_RUN_MAX
      ) lastPage = pages[j++]!;
      const from = firstPage * SLOT_PAGE;
      const to = Math.min((lastPage + 1) * SLOT_PAGE, table.length);
      let done = from;
      while (done < to) done += fs.writeSync(this.#fd, table, done, to - done, HEADER_SIZE + done);
      this.slotWriteCalls++;
      i = j;
    }
  }

  /** fdatasync on the libuv thread pool (a large index file can take a while; the event loop keeps going). */
  syncAsync(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve, reject) => fs.fdatasync(this.#fd, (e) => e ? reject(e) : resolve()));
  }

  /** Drops the in-memory slot table once the file is full and flushed. */
  deactivate(): void {
    this.#slots = null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    fs.closeSync(this.#fd);
  }

  destroy(): void {
    this.close();
    fs.rmSync(this.path, { force: true });
  }
}
