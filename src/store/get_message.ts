/**
 * The read path over one consume queue and the commitlog: getMessage's batch rules (§2.6) and search by
 * store time (§2.7).
 */
import * as os from "node:os";
import type { MessageStoreConfig } from "../config/store_config.ts";
import { MessageSysFlag } from "../message/message_const.ts";
import type { CommitLog } from "./commit_log.ts";
import type { ConsumeQueue } from "./consume_queue.ts";
import { getLong } from "./long.ts";
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

/**
 * Reads up to `maxMsgNums` records from `offset` (upstream DefaultMessageStore.getMessage). `slaveKeep`:
 * a slave without offsetCheckInSlave answers with the requested offset instead of correcting it.
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
  const entries = cq.getEntries(offset, Math.max(800, maxMsgNums));
  if (!entries) return status("OFFSET_FOUND_NULL", cq.rollNextFile(offset));
  const maxPhy = cl.maxOffset;
  const memLimit = TOTAL_RAM * c.accessMessageInMemoryMaxRatio / 100;
  let st: GetMessageStatus = "NO_MATCHED_MESSAGE";
  let scanned = 0;
  let skipBelow = -1;
  let lastPhy = 0;
  const v = entries.view;
  for (let i = 0; i < entries.count; i++) {
    const phy = getLong(v, i * 20);
    const size = v.getInt32(i * 20 + 8);
    const tagsCode = getLong(v, i * 20 + 12);
    lastPhy = phy;
    const n = res.messageCount;
    if (n >= maxMsgNums) break;
    if (n > 0) {
      // The first message is always taken; later ones must fit the hot or cold transfer limits.
      const bytes = res.bufferTotalSize + size;
      if (bytes > maxTotalBytes) break;
      if (maxPhy - phy > memLimit) {
        if (bytes > c.maxTransferBytesOnMessageInDisk || n > c.maxTransferCountOnMessageInDisk - 1) break;
      } else if (bytes > c.maxTransferBytesOnMessageInMemory || n > c.maxTransferCountOnMessageInMemory - 1) {
        break;
      }
    }
    scanned = i + 1;
    if (size === BLANK_ENTRY_SIZE || phy < skipBelow) continue;
    if (filter && !filter.isMatchedByConsumeQueue(tagsCode)) continue;
    const rec = cl.read(phy, size);
    if (!rec) {
      if (res.messageCount === 0) st = "MESSAGE_WAS_REMOVING";
      skipBelow = cl.rollNextFile(phy);
      continue;
    }
    if (filter?.isMatchedByCommitLog && !filter.isMatchedByCommitLog(rec)) continue;
    res.records.push(rec);
    res.bufferTotalSize += size;
    res.messageCount++;
    st = "FOUND";
  }
  res.suggestPullingFromSlave = maxPhy - lastPhy > memLimit;
  res.msgCount4Commercial = res.messageCount;
  return status(st, offset + scanned);
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
