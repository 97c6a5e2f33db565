/**
 * TopicConfig, DataVersion and TopicConfigSerializeWrapper (remoting-protocol.md §5.5,
 * store-and-semantics.md §10.1.3): the topics.json shape and the GET_ALL_TOPIC_CONFIG body.
 */
import type { JsonValue } from "../../util/json.ts";
// One set of defaults for the broker's topic table and the registration wire form.
import { TOPIC_CONFIG_DEFAULTS } from "../register_broker.ts";

/** One topic's queue layout and permissions. */
export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: string;
  topicSysFlag: number;
  order: boolean;
}

/** A change counter name servers compare to detect new registrations. */
export interface DataVersion {
  counter: number;
  timestamp: number;
}

/** A topic config with upstream's bare defaults (16/16 queues, RW, SINGLE_TAG). */
export function topicConfig(topicName: string, over: Partial<TopicConfig> = {}): TopicConfig {
  return { topicName, ...TOPIC_CONFIG_DEFAULTS, ...over };
}

/** A TopicConfig in fastjson's member order. */
export function topicConfigJson(t: TopicConfig): Record<string, unknown> {
  return {
    order: t.order,
    perm: t.perm,
    readQueueNums: t.readQueueNums,
    topicFilterType: t.topicFilterType,
    topicName: t.topicName,
    topicSysFlag: t.topicSysFlag,
    writeQueueNums: t.writeQueueNums,
  };
}

function n(v: JsonValue | undefined, dflt: number): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  return dflt;
}

/** Reads a TopicConfig object tolerantly; the map key wins over a missing `topicName`. */
export function toTopicConfig(v: JsonValue | undefined, name: string): TopicConfig {
  const o = (typeof v === "object" && v !== null && !Array.isArray(v) ? v : {}) as Record<string, JsonValue>;
  return topicConfig(typeof o.topicName === "string" && o.topicName !== "" ? o.topicName : name, {
    readQueueNums: n(o.readQueueNums, 16),
    writeQueueNums: n(o.writeQueueNums, 16),
    perm: n(o.perm, 6),
    topicFilterType: typeof o.topicFilterType === "string" ? o.topicFilterType : "SINGLE_TAG",
    topicSysFlag: n(o.topicSysFlag, 0),
    order: o.order === true,
  });
}

/** Reads a DataVersion object, defaulting to counter 0. */
export function toDataVersion(v: JsonValue | undefined): DataVersion {
  const o = (typeof v === "object" && v !== null && !Array.isArray(v) ? v : {}) as Record<string, JsonValue>;
  return { counter: n(o.counter, 0), timestamp: n(o.timestamp, 0) };
}

/** The TopicConfigSerializeWrapper JSON: `{"dataVersion":..., "topicConfigTable":{...}}`. */
export function topicConfigWrapperJson(
  table: Iterable<TopicConfig>,
  dataVersion: DataVersion,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const t of table) out[t.topicName] = topicConfigJson(t);
  return {
    dataVersion: { counter: dataVersion.counter, timestamp: dataVersion.timestamp },
    topicConfigTable: out,
  };
}
