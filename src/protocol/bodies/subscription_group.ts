/**
 * SubscriptionGroupConfig (remoting-protocol.md §5.10, store-and-semantics.md §10.1.5): the
 * subscriptionGroup.json entries and the UPDATE_AND_CREATE_SUBSCRIPTIONGROUP body.
 */
import { type JsonValue, parseJson } from "../../util/json.ts";

/** A consumer group's broker-side settings. */
export interface SubscriptionGroupConfig {
  groupName: string;
  consumeEnable: boolean;
  consumeFromMinEnable: boolean;
  consumeBroadcastEnable: boolean;
  retryQueueNums: number;
  retryMaxTimes: number;
  brokerId: number;
  whichBrokerWhenConsumeSlowly: number;
  notifyConsumerIdsChangedEnable: boolean;
}

/** Upstream defaults (§14.4). */
export function subscriptionGroupConfig(
  groupName: string,
  over: Partial<SubscriptionGroupConfig> = {},
): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: true,
    consumeFromMinEnable: true,
    consumeBroadcastEnable: true,
    retryQueueNums: 1,
    retryMaxTimes: 16,
    brokerId: 0,
    whichBrokerWhenConsumeSlowly: 1,
    notifyConsumerIdsChangedEnable: true,
    ...over,
  };
}

/** fastjson member order. */
export function subscriptionGroupConfigJson(g: SubscriptionGroupConfig): Record<string, unknown> {
  return {
    brokerId: g.brokerId,
    consumeBroadcastEnable: g.consumeBroadcastEnable,
    consumeEnable: g.consumeEnable,
    consumeFromMinEnable: g.consumeFromMinEnable,
    groupName: g.groupName,
    notifyConsumerIdsChangedEnable: g.notifyConsumerIdsChangedEnable,
    retryMaxTimes: g.retryMaxTimes,
    retryQueueNums: g.retryQueueNums,
    whichBrokerWhenConsumeSlowly: g.whichBrokerWhenConsumeSlowly,
  };
}

function b(v: JsonValue | undefined, dflt: boolean): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") return v.toLowerCase() === "true";
  return dflt;
}

function n(v: JsonValue | undefined, dflt: number): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  return dflt;
}

/** Reads a SubscriptionGroupConfig object; missing members take the defaults. */
export function toSubscriptionGroupConfig(v: JsonValue | undefined, name = ""): SubscriptionGroupConfig {
  const o = (typeof v === "object" && v !== null && !Array.isArray(v) ? v : {}) as Record<string, JsonValue>;
  const d = subscriptionGroupConfig(
    typeof o.groupName === "string" && o.groupName !== "" ? o.groupName : name,
  );
  return {
    groupName: d.groupName,
    consumeEnable: b(o.consumeEnable, d.consumeEnable),
    consumeFromMinEnable: b(o.consumeFromMinEnable, d.consumeFromMinEnable),
    consumeBroadcastEnable: b(o.consumeBroadcastEnable, d.consumeBroadcastEnable),
    retryQueueNums: n(o.retryQueueNums, d.retryQueueNums),
    retryMaxTimes: n(o.retryMaxTimes, d.retryMaxTimes),
    brokerId: n(o.brokerId, d.brokerId),
    whichBrokerWhenConsumeSlowly: n(o.whichBrokerWhenConsumeSlowly, d.whichBrokerWhenConsumeSlowly),
    notifyConsumerIdsChangedEnable: b(o.notifyConsumerIdsChangedEnable, d.notifyConsumerIdsChangedEnable),
  };
}

/** Reads an UPDATE_AND_CREATE_SUBSCRIPTIONGROUP body. */
export function decodeSubscriptionGroupConfig(body: Uint8Array): SubscriptionGroupConfig {
  return toSubscriptionGroupConfig(parseJson(new TextDecoder().decode(body)));
}

/** Writes an UPDATE_AND_CREATE_SUBSCRIPTIONGROUP body. */
export function encodeSubscriptionGroupConfig(g: SubscriptionGroupConfig): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(subscriptionGroupConfigJson(g)));
}
