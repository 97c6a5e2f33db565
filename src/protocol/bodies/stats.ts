/**
 * Statistics bodies in fastjson's object-key form (remoting-protocol.md §5.8, §5.9): ConsumeStats,
 * TopicStatsTable, ResetOffsetBody, BrokerStatsData.
 */
import { encodeObjectKeyMap, isEntryMap, type LooseValue, parseLooseJson } from "./object_key_map.ts";
import { type MessageQueue, toMessageQueue } from "./message_queue.ts";

/** Per-queue progress of a consumer group. */
export interface OffsetWrapper {
  brokerOffset: number;
  consumerOffset: number;
  lastTimestamp: number;
}

/** GET_CONSUME_STATS (208) response. */
export interface ConsumeStats {
  consumeTps: number;
  offsetTable: Array<[MessageQueue, OffsetWrapper]>;
}

/** Per-queue bounds of a topic. */
export interface TopicOffset {
  minOffset: number;
  maxOffset: number;
  lastUpdateTimestamp: number;
}

/** GET_TOPIC_STATS_INFO (202) response. */
export interface TopicStatsTable {
  offsetTable: Array<[MessageQueue, TopicOffset]>;
}

function double(n: number): string {
  // fastjson writes doubles with a fraction ("0.0"); Java readers accept either, keep upstream's look.
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

const enc = new TextEncoder();

/** Writes a ConsumeStats body. */
export function encodeConsumeStats(s: ConsumeStats): Uint8Array {
  const table = encodeObjectKeyMap(s.offsetTable.map(([mq, w]) => [mq, {
    brokerOffset: w.brokerOffset,
    consumerOffset: w.consumerOffset,
    lastTimestamp: w.lastTimestamp,
  }]));
  return enc.encode(`{"consumeTps":${double(s.consumeTps)},"offsetTable":${table}}`);
}

/** Writes a TopicStatsTable body. */
export function encodeTopicStatsTable(t: TopicStatsTable): Uint8Array {
  const table = encodeObjectKeyMap(t.offsetTable.map(([mq, o]) => [mq, {
    lastUpdateTimestamp: o.lastUpdateTimestamp,
    maxOffset: o.maxOffset,
    minOffset: o.minOffset,
  }]));
  return enc.encode(`{"offsetTable":${table}}`);
}

/** Writes a ResetOffsetBody: `{"offsetTable":{<MessageQueue>:<offset>,...}}`. */
export function encodeResetOffsetBody(table: Array<[MessageQueue, number]>): Uint8Array {
  return enc.encode(`{"offsetTable":${encodeObjectKeyMap(table)}}`);
}

/** Writes ResetOffsetBodyForC (only for CPP admin requests). */
export function encodeResetOffsetBodyForC(table: Array<[MessageQueue, number]>): Uint8Array {
  return enc.encode(JSON.stringify({
    offsetTable: table.map(([mq, offset]) => ({
      brokerName: mq.brokerName,
      offset,
      queueId: mq.queueId,
      topic: mq.topic,
    })),
  }));
}

function entriesOf(v: LooseValue | undefined): Array<[MessageQueue, LooseValue]> {
  const out: Array<[MessageQueue, LooseValue]> = [];
  if (!isEntryMap(v)) return out;
  for (const [k, val] of v.entries) {
    const mq = toMessageQueue(k);
    if (mq) out.push([mq, val]);
  }
  return out;
}

function field(v: LooseValue, key: string): number {
  const x = typeof v === "object" && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)[key]
    : 0;
  return typeof x === "bigint" ? Number(x) : typeof x === "number" ? x : 0;
}

function top(body: Uint8Array): Record<string, LooseValue> {
  const v = parseLooseJson(new TextDecoder().decode(body));
  return (typeof v === "object" && v !== null ? v : {}) as Record<string, LooseValue>;
}

/** Reads a ResetOffsetBody. */
export function decodeResetOffsetBody(body: Uint8Array): Array<[MessageQueue, number]> {
  return entriesOf(top(body).offsetTable).map((
    [mq, v],
  ) => [mq, typeof v === "bigint" ? Number(v) : Number(v)]);
}

/** Reads a ConsumeStats body. */
export function decodeConsumeStats(body: Uint8Array): ConsumeStats {
  const o = top(body);
  return {
    consumeTps: Number(o.consumeTps ?? 0),
    offsetTable: entriesOf(o.offsetTable).map(([mq, v]) => [mq, {
      brokerOffset: field(v, "brokerOffset"),
      consumerOffset: field(v, "consumerOffset"),
      lastTimestamp: field(v, "lastTimestamp"),
    }]),
  };
}

/** Reads a TopicStatsTable body. */
export function decodeTopicStatsTable(body: Uint8Array): TopicStatsTable {
  return {
    offsetTable: entriesOf(top(body).offsetTable).map(([mq, v]) => [mq, {
      minOffset: field(v, "minOffset"),
      maxOffset: field(v, "maxOffset"),
      lastUpdateTimestamp: field(v, "lastUpdateTimestamp"),
    }]),
  };
}

/** One window of VIEW_BROKER_STATS_DATA (315). */
export interface BrokerStatsItem {
  sum: number;
  tps: number;
  avgpt: number;
}

/** VIEW_BROKER_STATS_DATA (315) response. */
export interface BrokerStatsData {
  statsMinute: BrokerStatsItem;
  statsHour: BrokerStatsItem;
  statsDay: BrokerStatsItem;
}

/** Writes a BrokerStatsData body (doubles with a fraction, as fastjson does). */
export function encodeBrokerStatsData(d: BrokerStatsData): Uint8Array {
  const item = (i: BrokerStatsItem) => `{"avgpt":${double(i.avgpt)},"sum":${i.sum},"tps":${double(i.tps)}}`;
  return enc.encode(
    `{"statsDay":${item(d.statsDay)},"statsHour":${item(d.statsHour)},"statsMinute":${item(d.statsMinute)}}`,
  );
}
