/**
 * The read path over one consume queue and the commitlog: getMessage's batch rules (§2.6) and search by
 * store time (§2.7).
 */
import * as os from "node:os";
import type { MessageStoreConfig } from "../config/store_config.ts";
import { MessageSysFlag } from "../message/message_const.ts";
import type { CommitLog, ReadWindow } from "./commit_log.ts";
import { type ConsumeQueue, CQ_STORE_UNIT_SIZE } from "./consume_queue.ts";
import { getLong } from "./long.ts";
import type { ReadBufferPool } from "./read_buffer_pool.ts";
import type { GetMessageResult, GetMessageStatus, MessageFilter } from "./store_types.ts";

const TOTAL_RAM = os.totalmem();
/** Size field of a pre-blank filler entry (§2.3). */
const BLANK_ENTRY_SIZE = 0x7fffffff;

/** Store timestamp of the record at a commitlog offset, or -1. */
export function storeTimeAt(cl: CommitLog, phy: number): number {
  const head = cl.readView(phy, 76);
  if (!head) return -1;
  const dv = new DataView(head.buffer, head.byteOffset, head.length);
  const pos = 48 + ((dv.getInt32(36) & MessageSysFlag.BORNHOST_V6_FLAG) !== 0 ? 20 : 8);
  return getLong(dv, pos);
}

/** Upstream scans at most 16000 bytes (800 entries) of consume queue per getMessage. */
const CQ_SCAN_ENTRIES = 800;
/**
 * Consume-queue entries of the getMessage in progress. readMessages() is synchronous and done with them before
 * it returns, so one buffer serves every call.
 */
const cqScratch = new Uint8Array(CQ_SCAN_ENTRIES * CQ_STORE_UNIT_SIZE);
/**
 * Records of one queue sit between other queues' records; a gap up to this size is read along rather than
 * paid for with another read(). A producer spreading over N queues leaves (N - 1) records between two of
 * one queue's: 8 queues of 1 KiB messages make gaps of ~8.2 KiB, 16 queues ~17.5 KiB. Copying 32 KiB from
 * the page cache costs about what one more positioned read does, and one read per pull instead of one per
 * record is what keeps a drain from disk near the in-memory rate.
 */
const MAX_SPAN_GAP = 32 * 1024;
/** Upper bound of one span read, so a sparse queue cannot make one pull read megabytes of others' records. */
const MAX_SPAN_BYTES = 1024 * 1024;
/**
 * Disk spans of a getMessage whose caller does not release its results: the records are copied out of it
 * (one allocation of exactly their size) before the next span or the return, so it serves every call.
 */
const spanScratch = new Uint8Array(MAX_SPAN_BYTES);

/**
 * Reads up to `maxMsgNums` records from `offset` (upstream DefaultMessageStore.getMessage). `slaveKeep`:
 * a slave without offsetCheckInSlave answers with the requested offset instead of correcting it.
 *
 * Disk spans: once callers give buffers back (`pool.recycling`), spans are read into pooled buffers (packed
 * one after another, so a pull of scattered records does not take a 64 KiB buffer per record) and the
 * records are views of them, returned by `res.release()`; before that, a span is read into a scratch buffer
 * and the selected records are copied into one exact-size buffer per span.
 *
 * The records selected by the consume queue are read as spans: neighbouring records (gaps up to
 * MAX_SPAN_GAP, within one segment and one hot-cache buffer) come from one read, or one cache view, and each
 * record is a subarray of it — no allocation or syscall per record.
 */
export function readMessages(
  cq: ConsumeQueue | undefined,
  cl: CommitLog,
  c: MessageStoreConfig,
  offset: number,
  maxMsgNums: number,
  maxTotalBytes: number,
  filter: MessageFilter | undefined,
  slaveKeep: boolean,
  pool?: ReadBufferPool,
): GetMessageResult {
  const res: GetMessageResult = {
    status: "NO_MATCHED_LOGIC_QUEUE",
    nextBeginOffset: 0,
    minOffset: 0,
    maxOffset: 0,
    records: [],
    bufferTotalSize: 0,
    messageCount: 0,
    suggestPullingFromSlave: false,
    msgCount4Commercial: 0,
  };
  if (!cq) return res;
  const min = cq.minOffset, max = cq.maxOffset;
  res.minOffset = min;
  res.maxOffset = max;
  const status = (s: GetMessageStatus, next: number): GetMessageResult => {
    res.status = s;
    res.nextBeginOffset = slaveKeep && s !== "NO_MESSAGE_IN_QUEUE" ? offset : next;
    return res;
  };
  if (max === 0) return status("NO_MESSAGE_IN_QUEUE", 0);
  if (offset < min) return status("OFFSET_TOO_SMALL", min);
  if (offset === max) return status("OFFSET_OVERFLOW_ONE", offset);
  if (offset > max) return status("OFFSET_OVERFLOW_BADLY", max);
  const maxPhy = cl.maxOffset;
  const memLimit = TOTAL_RAM * c.accessMessageInMemoryMaxRatio / 100;
  /** Whether a record at `phy` may be taken as message number `n + 1`, making the batch `bytes` long. */
  const fits = (n: number, bytes: number, phy: number): boolean => {
    if (n >= maxMsgNums) return false;
    // The first message is always taken; later ones must fit the hot or cold transfer limits.
    if (n === 0) return true;
    if (bytes > maxTotalBytes) return false;
    if (maxPhy - phy > memLimit) {
      return bytes <= c.maxTransferBytesOnMessageInDisk && n <= c.maxTransferCountOnMessageInDisk - 1;
    }
    return bytes <= c.maxTransferBytesOnMessageInMemory && n <= c.maxTransferCountOnMessageInMemory - 1;
  };
  const scanLimit = Math.max(CQ_SCAN_ENTRIES, maxMsgNums);
  let st: GetMessageStatus = "NO_MATCHED_MESSAGE";
  let scanned = 0;
  let skipBelow = -1;
  let lastPhy = 0;
  let span: Uint8Array | null = null;
  let spanStart = 0, spanEnd = 0;
  let owned: Uint8Array[] | undefined;
  /** Read-ahead windows the records view, returned with the pooled buffers on release. */
  let windows: ReadWindow[] | undefined;
  /** The pooled buffer spans of this call are packed into (from `arenaUsed`), so sparse spans share one. */
  let arena: Uint8Array | null = null;
  let arenaUsed = 0;
  // Pooled buffers only pay once callers release them; until then spans go through the scratch buffer.
  const recycle = pool?.recycling === true;
  let inScratch = false;
  /** Index of the first record still viewing spanScratch, or -1. */
  let scratchFrom = -1;
  scan: while (scanned < scanLimit) {
    // Most pulls take the first few entries: the first window is sized to the request, not to the scan limit.
    const want = Math.min(
      scanLimit - scanned,
      scanned === 0 ? Math.max(64, maxMsgNums + 16) : CQ_SCAN_ENTRIES,
    );
    const entries = cq.getEntries(offset + scanned, want, cqScratch);
    if (!entries) {
      if (scanned === 0) return status("OFFSET_FOUND_NULL", cq.rollNextFile(offset));
      break;
    }
    const v = entries.view, count = entries.count;
    for (let i = 0; i < count; i++) {
      const phy = getLong(v, i * 20);
      const size = v.getInt32(i * 20 + 8);
      lastPhy = phy;
      if (!fits(res.messageCount, res.bufferTotalSize + size, phy)) break scan;
      scanned++;
      if (size === BLANK_ENTRY_SIZE || phy < skipBelow) continue;
      if (filter && !filter.isMatchedByConsumeQueue(getLong(v, i * 20 + 12))) continue;
      if (span === null || phy < spanStart || phy + size > spanEnd) {
        const end = planSpan(v, i, count, cl.spanEnd(phy), res.messageCount, res.bufferTotalSize, fits);
        if (scratchFrom >= 0) scratchFrom = compactRecords(res.records, scratchFrom);
        let into: Uint8Array | undefined;
        // Spans served from memory or read ahead into a window of their own need no buffer from here.
        if (!cl.isCached(phy) && !cl.readsAhead(end - phy)) {
          if (recycle) {
            const need = end - phy;
            if (arena === null || arenaUsed + need > arena.length) {
              arena = pool!.take(need);
              (owned ??= []).push(arena);
              arenaUsed = 0;
            }
            into = arenaUsed === 0 ? arena : arena.subarray(arenaUsed);
            arenaUsed += need;
          } else if (end - phy <= spanScratch.length) {
            into = spanScratch;
          }
        }
        span = cl.readSpan(phy, end - phy, into);
        // A read-ahead window is shared with other readers: lease it for as long as the records view it.
        const w = span !== null && into === undefined ? cl.leaseWindow(span, recycle) : null;
        if (w !== null && recycle) (windows ??= []).push(w);
        inScratch = span !== null && into === spanScratch;
        spanStart = phy;
        spanEnd = span ? end : 0;
        if (!span) {
          if (res.messageCount === 0) st = "MESSAGE_WAS_REMOVING";
          skipBelow = cl.rollNextFile(phy);
          continue;
        }
      }
      const rec = span.subarray(phy - spanStart, phy - spanStart + size);
      if (filter?.isMatchedByCommitLog && !filter.isMatchedByCommitLog(rec)) continue;
      if (inScratch && scratchFrom < 0) scratchFrom = res.records.length;
      res.records.push(rec);
      res.bufferTotalSize += size;
      res.messageCount++;
      st = "FOUND";
    }
    // A short window ends at the queue's written end or its segment's end; the next pull moves on.
    if (count < want || (offset + scanned) % cq.perFile === 0) break;
  }
  if (scratchFrom >= 0) compactRecords(res.records, scratchFrom);
  if (pool && res.messageCount > 0) res.release = releaser(owned ?? [], pool, windows, cl);
  else if (windows) { for (const w of windows) cl.returnWindow(w); }
  res.suggestPullingFromSlave = maxPhy - lastPhy > memLimit;
  res.msgCount4Commercial = res.messageCount;
  return status(st, offset + scanned);
}

/**
 * Copies `records[from..]` (views of spanScratch) into one new buffer of exactly their size, so a result
 * nobody releases holds only its own bytes, not a whole span of other queues' records. Returns -1.
 */
function compactRecords(records: Uint8Array[], from: number): number {
  let total = 0;
  for (let k = from; k < records.length; k++) total += records[k]!.length;
  const out = new Uint8Array(total);
  for (let k = from, at = 0; k < records.length; k++) {
    const r = records[k]!;
    out.set(r, at);
    records[k] = out.subarray(at, at + r.length);
    at += r.length;
  }
  return -1;
}

/** Gives `owned` back to `pool` once; later calls do nothing. */
function releaser(
  owned: Uint8Array[],
  pool: ReadBufferPool,
  windows: ReadWindow[] | undefined,
  cl: CommitLog,
): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    pool.giveAll(owned);
    if (windows) { for (const w of windows) cl.returnWindow(w); }
  };
}

/**
 * End of the commitlog span to read for entry `i` of `v`: it covers the following entries the batch will
 * probably take, as long as each gap stays under MAX_SPAN_GAP and the span under `limit` and MAX_SPAN_BYTES.
 * Always covers entry `i` itself. Filters are not consulted here: each is called once per entry, in entry
 * order, by the caller (filters may keep state between their two calls), so the plan assumes all match.
 */
function planSpan(
  v: DataView,
  i: number,
  count: number,
  limit: number,
  taken: number,
  takenBytes: number,
  fits: (n: number, bytes: number, phy: number) => boolean,
): number {
  const first = getLong(v, i * 20);
  let end = first + v.getInt32(i * 20 + 8);
  const cap = Math.min(limit, first + MAX_SPAN_BYTES);
  if (end > cap) return end;
  let n = taken + 1, bytes = takenBytes + end - first;
  for (let j = i + 1; j < count; j++) {
    const phy = getLong(v, j * 20);
    const size = v.getInt32(j * 20 + 8);
    if (size === BLANK_ENTRY_SIZE) continue;
    if (!fits(n, bytes + size, phy)) break;
    if (phy < end || phy - end > MAX_SPAN_GAP || phy + size > cap) break;
    end = phy + size;
    n++;
    bytes += size;
  }
  return end;
}

/**
 * Logical offset whose store time is nearest `timestamp` (the first exact match wins; ties between
 * neighbours go left), 0 if the queue holds nothing readable. Store times are non-decreasing along the
 * commitlog, so a binary search over the queue is exact.
 */
export function offsetInQueueByTime(cq: ConsumeQueue, cl: CommitLog, timestamp: number): number {
  const timeOf = (i: number): number => {
    const e = cq.getEntry(i);
    return e && e.size !== BLANK_ENTRY_SIZE && e.phy >= cl.minOffset ? storeTimeAt(cl, e.phy) : -1;
  };
  let lo = cq.minOffset;
  const hi = cq.maxOffset - 1;
  while (lo <= hi && timeOf(lo) < 0) lo++;
  if (lo > hi) return 0;
  let left = -1, right = -1;
  let a = lo, b = hi;
  while (a <= b) {
    const mid = (a + b) >> 1;
    if (timeOf(mid) < timestamp) {
      left = mid;
      a = mid + 1;
    } else {
      right = mid;
      b = mid - 1;
    }
  }
  if (right >= 0 && timeOf(right) === timestamp) return right;
  if (left < 0) return right;
  if (right < 0) return left;
  return timestamp - timeOf(left) <= timeOf(right) - timestamp ? left : right;
}
