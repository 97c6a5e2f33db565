/**
 * Store-level message checks done before an append (store-and-semantics.md §1.7 step 1 and 5), and the put
 * counters they feed.
 */
import type { MessageExtBrokerInner } from "../message/message.ts";
import { validateForRecord } from "../message/record_codec.ts";
import type { PutMessageResult, PutMessageStatus } from "./store_types.ts";

/** A result for a message that was not stored. */
export function emptyPut(status: PutMessageStatus, remark?: string): PutMessageResult {
  const r: PutMessageResult = {
    status,
    wroteOffset: 0,
    wroteBytes: 0,
    msgId: "",
    queueOffset: 0,
    msgNum: 0,
    storeTimestamp: 0,
  };
  if (remark !== undefined) r.remark = remark;
  return r;
}

/** True if `topic` can safely be a consume-queue directory name (no path separators, not "." or ".."). */
export function isSafeTopicDirName(topic: string): boolean {
  if (SAFE_TOPICS.has(topic)) return true;
  const ok = topic.length > 0 && topic !== "." && topic !== ".." && !/[/\\\0]/.test(topic);
  // Topics repeat endlessly on the put path; remember the good ones (bounded).
  if (ok && SAFE_TOPICS.size < 10_000) SAFE_TOPICS.add(topic);
  return ok;
}

const SAFE_TOPICS = new Set<string>();

/** Why `msg` cannot be stored as a record (MESSAGE_ILLEGAL / PROPERTIES_SIZE_EXCEEDED), or null. */
export function checkMessage(msg: MessageExtBrokerInner): PutMessageResult | null {
  if (msg.topic.length > 127) {
    return emptyPut("MESSAGE_ILLEGAL", `Topic "${msg.topic}" is longer than 127 characters`);
  }
  if (msg.propertiesString.length > 32767) {
    return emptyPut("MESSAGE_ILLEGAL", "Message properties are longer than 32767 characters");
  }
  if (!isSafeTopicDirName(msg.topic)) {
    return emptyPut("MESSAGE_ILLEGAL", `Topic "${msg.topic}" cannot name a consume queue directory`);
  }
  // UTF-8 needs at most 3 bytes per UTF-16 unit: short strings cannot exceed the byte limits, so the
  // byte-exact (and costlier) validation only runs for long ones.
  const hostsOk = (msg.bornHost.ip.length === 4 || msg.bornHost.ip.length === 16) &&
    (msg.storeHost.ip.length === 4 || msg.storeHost.ip.length === 16);
  if (hostsOk && msg.topic.length * 3 <= 127 && msg.propertiesString.length * 3 <= 32767) return null;
  const why = validateForRecord(msg);
  if (why !== null) {
    return emptyPut(why.startsWith("Properties") ? "PROPERTIES_SIZE_EXCEEDED" : "MESSAGE_ILLEGAL", why);
  }
  return null;
}

/** Put counters for GET_BROKER_RUNTIME_INFO (upstream key names). */
export class PutStats {
  times = 0;
  bytes = 0;
  failed = 0;

  toRuntimeInfo(): Record<string, string> {
    return {
      putMessageTimesTotal: String(this.times),
      putMessageSizeTotal: String(this.bytes),
      putMessageFailedTimes: String(this.failed),
      putMessageAverageSize: String(this.times ? this.bytes / this.times : 0),
    };
  }
}
