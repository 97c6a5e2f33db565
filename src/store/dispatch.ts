/**
 * Turns a stored record into a DispatchRequest (upstream checkMessageAndReturnSize's dispatch half, §2.5, §4.7).
 */
import { decodeRecord } from "../message/record_codec.ts";
import { MessageConst } from "../message/message_const.ts";
import { tagsHashCode } from "../message/tags.ts";
import type { DispatchRequest } from "./store_types.ts";

/** Topic holding delayed messages; its tagsCode is the delivery time. */
export const SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";

/**
 * Parses `messageDelayLevel` ("1s 5s 10s 30s 1m ... 2h") into milliseconds per level (index 0 = level 1).
 * Throws on an unknown unit.
 */
export function parseDelayLevels(text: string): number[] {
  const unit: Record<string, number> = { s: 1000, m: 60000, h: 3600000, d: 86400000 };
  return text.trim().split(/\s+/).filter((t) => t.length > 0).map((t) => {
    const m = /^(\d+)([smhd])$/.exec(t);
    if (!m) throw new Error(`Cannot parse delay level "${t}"`);
    return Number(m[1]) * unit[m[2]!]!;
  });
}

/** tagsCode of a record: the TAGS hash, or for SCHEDULE_TOPIC_XXXX the delivery time (§2.2). */
export function computeTagsCode(
  topic: string,
  props: Record<string, string>,
  storeTimestamp: number,
  delayLevels: readonly number[],
): number {
  if (topic === SCHEDULE_TOPIC) {
    const level = Number(props[MessageConst.DELAY] ?? "0");
    if (level > 0) {
      const clamped = Math.min(level, delayLevels.length);
      return storeTimestamp + (delayLevels[clamped - 1] ?? 1000);
    }
  }
  return tagsHashCode(props[MessageConst.TAGS]);
}

/** Decodes the record at `at` (header, topic, properties; no body) into a DispatchRequest. */
export function toDispatchRequest(
  buf: Uint8Array,
  at: number,
  delayLevels: readonly number[],
): DispatchRequest {
  const [m] = decodeRecord(buf, at, { readBody: false });
  return {
    topic: m.topic,
    queueId: m.queueId,
    commitLogOffset: m.commitLogOffset,
    msgSize: m.storeSize,
    tagsCode: computeTagsCode(m.topic, m.properties, m.storeTimestamp, delayLevels),
    storeTimestamp: m.storeTimestamp,
    consumeQueueOffset: m.queueOffset,
    keys: m.properties[MessageConst.KEYS] ?? "",
    uniqKey: m.properties[MessageConst.UNIQ_KEY],
    sysFlag: m.sysFlag,
    preparedTransactionOffset: m.preparedTransactionOffset,
    propertiesMap: m.properties,
  };
}
