/**
 * Building the messages the broker hands to the store: from a send request, from a stored record
 * (send-back, delayed delivery, transaction commit), and the delay-level rewrite into
 * SCHEDULE_TOPIC_XXXX (store-and-semantics.md §7.2).
 */
import type { HostAddress } from "../message/host.ts";
import type { MessageExt, MessageExtBrokerInner } from "../message/message.ts";
import { getTransactionValue, MessageConst, MessageSysFlag } from "../message/message_const.ts";
import { encodeProperties } from "../message/properties.ts";
import { tagsHashCode } from "../message/tags.ts";
import { SystemTopics } from "./topic_validator.ts";

/** Sets `properties` and re-derives `propertiesString` and `tagsCode` from them. */
export function setProperties(msg: MessageExtBrokerInner, props: Record<string, string>): void {
  msg.properties = props;
  msg.propertiesString = encodeProperties(props);
  msg.tagsCode = tagsHashCode(props[MessageConst.TAGS]);
}

/** A copy of a stored record as a new message for `topic`/`queueId` (body and born info kept). */
export function innerFromStored(
  ext: MessageExt,
  topic: string,
  queueId: number,
  props: Record<string, string>,
  storeHost: HostAddress,
): MessageExtBrokerInner {
  const msg: MessageExtBrokerInner = {
    topic,
    queueId,
    flag: ext.flag,
    body: ext.body,
    properties: {},
    propertiesString: "",
    tagsCode: 0,
    sysFlag: ext.sysFlag,
    bornTimestamp: ext.bornTimestamp,
    bornHost: ext.bornHost,
    storeHost,
    reconsumeTimes: ext.reconsumeTimes,
    preparedTransactionOffset: ext.preparedTransactionOffset,
  };
  setProperties(msg, props);
  return msg;
}

/** The delay level of a message (0 = none), clamped to `maxDelayLevel`. */
export function delayLevelOf(props: Record<string, string>, maxDelayLevel: number): number {
  const raw = props[MessageConst.DELAY];
  if (raw === undefined) return 0;
  const level = Number.parseInt(raw, 10);
  if (!Number.isFinite(level) || level <= 0) return 0;
  return Math.min(level, maxDelayLevel);
}

/**
 * Parks a delayed message in SCHEDULE_TOPIC_XXXX queue level−1 with REAL_TOPIC/REAL_QID, as upstream's
 * CommitLog does. Returns true when rewritten. Half messages (PREPARED/ROLLBACK) are left alone.
 */
export function applyDelayRewrite(
  msg: MessageExtBrokerInner,
  delayLevelTable: ReadonlyMap<number, number>,
  maxDelayLevel: number,
  now: number,
): boolean {
  const tx = getTransactionValue(msg.sysFlag);
  if (tx !== MessageSysFlag.TRANSACTION_NOT_TYPE && tx !== MessageSysFlag.TRANSACTION_COMMIT_TYPE) {
    return false;
  }
  const level = delayLevelOf(msg.properties, maxDelayLevel);
  if (level <= 0) return false;
  const props = {
    ...msg.properties,
    [MessageConst.DELAY]: String(level),
    [MessageConst.REAL_TOPIC]: msg.topic,
    [MessageConst.REAL_QID]: String(msg.queueId),
  };
  setProperties(msg, props);
  msg.topic = SystemTopics.SCHEDULE_TOPIC;
  msg.queueId = level - 1;
  // The consume-queue tagsCode of a scheduled record is its delivery time (§2.2).
  msg.tagsCode = now + (delayLevelTable.get(level) ?? 0);
  return true;
}

/**
 * Parses `messageDelayLevel` ("1s 5s 10s 30s 1m ... 2h"): level i+1 = entry i. Units s, m, h, d; a
 * bare number (or "ms" suffix) is milliseconds, which tests use for short levels.
 */
export function parseDelayLevels(text: string): Map<number, number> {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const out = new Map<number, number>();
  const parts = text.trim().split(/\s+/).filter((p) => p !== "");
  parts.forEach((p, i) => {
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(p);
    if (!m) throw new Error(`Cannot parse delay level "${p}" in messageDelayLevel "${text}"`);
    out.set(i + 1, Number(m[1]) * units[m[2] ?? "ms"]!);
  });
  return out;
}
