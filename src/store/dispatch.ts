/**
 * Turns a stored record into a DispatchRequest (upstream checkMessageAndReturnSize's dispatch half, §2.5, §4.7).
 */
import { MESSAGE_MAGIC_CODE_V2, MessageConst, MessageSysFlag } from "../message/message_const.ts";
import { decodeProperties } from "../message/properties.ts";
import { decodeUtf8 } from "../util/utf8.ts";
import { tagsHashCode } from "../message/tags.ts";
import type { MessageExtBrokerInner } from "../message/message.ts";
import { normalizedSysFlag } from "../message/record_codec.ts";
import type { DispatchRequest } from "./store_types.ts";

/** Topic holding delayed messages; its tagsCode is the delivery time. */
export const SCHEDULE_TOPIC = "SCHEDULE_TOPIC_XXXX";

/**
 * Parses `messageDelayLevel` ("1s 5s 10s 30s 1m ... 2h") into milliseconds per level (index 0 = level 1).
 * Units ms, s, m, h, d; a bare number is milliseconds (as the broker's parser accepts). Throws on anything else.
 */
export function parseDelayLevels(text: string): number[] {
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
  return text.trim().split(/\s+/).filter((t) => t.length > 0).map((t) => {
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(t);
    if (!m) throw new Error(`Cannot parse delay level "${t}" in messageDelayLevel`);
    return Number(m[1]) * unit[m[2] ?? "ms"]!;
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
  const tags = props[MessageConst.TAGS];
  if (tags === undefined) return 0;
  // Tag strings repeat across messages; hashing each one once saves a loop per message.
  let code = TAG_CODES.get(tags);
  if (code === undefined) {
    code = tagsHashCode(tags);
    if (TAG_CODES.size >= 4096) TAG_CODES.clear();
    TAG_CODES.set(tags, code);
  }
  return code;
}

const TAG_CODES = new Map<string, number>();

/**
 * Reads what dispatch needs from the (already validated) record at `at`: fixed fields by offset, then topic
 * and properties. Unlike a full decode it skips the body, the hosts and the msgId.
 */
export function toDispatchRequest(
  buf: Uint8Array,
  at: number,
  delayLevels: readonly number[],
): DispatchRequest {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const long = (p: number) => dv.getInt32(p) * 0x100000000 + dv.getUint32(p + 4);
  const sysFlag = dv.getInt32(at + 36);
  const bornLen = (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0 ? 20 : 8;
  const storeLen = (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) !== 0 ? 20 : 8;
  const tsPos = at + 48 + bornLen;
  const afterHost = tsPos + 8 + storeLen;
  const bodyLen = dv.getInt32(afterHost + 12);
  let p = afterHost + 16 + bodyLen;
  const v2 = dv.getInt32(at + 4) === MESSAGE_MAGIC_CODE_V2;
  const topicLen = v2 ? dv.getInt16(p) : buf[p]!;
  p += v2 ? 2 : 1;
  const topic = decodeUtf8(buf, p, p + topicLen);
  p += topicLen;
  const propsLen = dv.getInt16(p);
  const props = propsLen > 0 ? decodeProperties(decodeUtf8(buf, p + 2, p + 2 + propsLen)) : {};
  const storeTimestamp = long(tsPos);
  return {
    topic,
    queueId: dv.getInt32(at + 12),
    commitLogOffset: long(at + 28),
    msgSize: dv.getInt32(at),
    tagsCode: computeTagsCode(topic, props, storeTimestamp, delayLevels),
    storeTimestamp,
    consumeQueueOffset: long(at + 20),
    keys: props[MessageConst.KEYS] ?? "",
    uniqKey: props[MessageConst.UNIQ_KEY],
    sysFlag,
    preparedTransactionOffset: long(afterHost + 4),
    propertiesMap: props,
  };
}

/**
 * The DispatchRequest of a message this process is appending, built from the message itself: the dispatcher
 * then never re-parses bytes that were just encoded.
 */
export function dispatchRequestOf(
  m: MessageExtBrokerInner,
  phy: number,
  size: number,
  consumeQueueOffset: number,
  storeTimestamp: number,
  delayLevels: readonly number[],
): DispatchRequest {
  return {
    topic: m.topic,
    queueId: m.queueId,
    commitLogOffset: phy,
    msgSize: size,
    tagsCode: computeTagsCode(m.topic, m.properties, storeTimestamp, delayLevels),
    storeTimestamp,
    consumeQueueOffset,
    keys: m.properties[MessageConst.KEYS] ?? "",
    uniqKey: m.properties[MessageConst.UNIQ_KEY],
    sysFlag: normalizedSysFlag(m),
    preparedTransactionOffset: m.preparedTransactionOffset,
    propertiesMap: m.properties,
  };
}
