/**
 * TopicRouteData, QueueData and BrokerData (remoting-protocol.md §5.2): the GET_ROUTEINFO_BY_TOPIC body.
 *
 * Two encodings exist and the name server picks one per request (§5.2.3): fastjson's default form with
 * bare integer keys in `brokerAddrs` for old clients, and the "standard JSON" form (quoted, sorted keys,
 * non-ASCII escaped) for clients at V4_9_4 or later. Both are compact: the Go client splits the raw text
 * of `brokerAddrs` on `,` and `:` and cannot cope with whitespace.
 */
import type { JsonValue } from "../util/json.ts";
import {
  asObject,
  encodeFastjson,
  type FastjsonOptions,
  type FjValue,
  IntKeyMap,
  optArray,
  optBoolean,
  optNumber,
  optObject,
  optString,
  parseBody,
} from "./fastjson.ts";

/** One broker's share of a topic. */
export interface QueueData {
  brokerName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicSysFlag: number;
}

/** A broker group: its cluster and the address of each member (id 0 = master). */
export interface BrokerData {
  cluster: string;
  brokerName: string;
  brokerAddrs: Map<number, string>;
}

/** The route of one topic. */
export interface TopicRouteData {
  orderTopicConf?: string | undefined;
  queueDatas: QueueData[];
  brokerDatas: BrokerData[];
  /** brokerAddr → filter server addresses; always empty for rmq. */
  filterServerTable: Map<string, string[]>;
}

/** QueueData as a fastjson bean. */
export function queueDataToFj(q: QueueData): FjValue {
  return {
    brokerName: q.brokerName,
    perm: q.perm,
    readQueueNums: q.readQueueNums,
    topicSysFlag: q.topicSysFlag,
    writeQueueNums: q.writeQueueNums,
  };
}

/** BrokerData as a fastjson bean; `brokerAddrs` keeps Java's long-keyed map semantics. */
export function brokerDataToFj(b: BrokerData): FjValue {
  const addrs = [...b.brokerAddrs.entries()].sort((x, y) => x[0] - y[0]);
  return { brokerAddrs: new IntKeyMap(addrs), brokerName: b.brokerName, cluster: b.cluster };
}

/** TopicRouteData as a fastjson bean. */
export function topicRouteDataToFj(r: TopicRouteData): FjValue {
  const filters = new Map<string, FjValue>();
  for (const [addr, list] of r.filterServerTable) filters.set(addr, list);
  return {
    brokerDatas: r.brokerDatas.map(brokerDataToFj),
    filterServerTable: filters,
    orderTopicConf: r.orderTopicConf,
    queueDatas: r.queueDatas.map(queueDataToFj),
  };
}

/**
 * Encodes a route body.
 * `standardJson` selects quoted, sorted map keys with non-ASCII escaped (request version ≥ 401 or
 * `acceptStandardJsonOnly`); otherwise fastjson's default form with bare integer keys.
 */
export function encodeTopicRouteData(r: TopicRouteData, standardJson: boolean): Uint8Array {
  const opts: FastjsonOptions = { browserCompatible: standardJson };
  return encodeFastjson(topicRouteDataToFj(r), opts);
}

/** Reads a QueueData object (pre-4.9 `topicSynFlag` accepted). */
export function queueDataFromJson(v: JsonValue | undefined): QueueData {
  const o = asObject(v, "queueData");
  return {
    brokerName: optString(o.brokerName, ""),
    readQueueNums: optNumber(o.readQueueNums, 0, "readQueueNums"),
    writeQueueNums: optNumber(o.writeQueueNums, 0, "writeQueueNums"),
    perm: optNumber(o.perm, 0, "perm"),
    topicSysFlag: optNumber(o.topicSysFlag ?? o.topicSynFlag, 0, "topicSysFlag"),
  };
}

/** Reads a BrokerData object; keys of `brokerAddrs` may be quoted or bare. */
export function brokerDataFromJson(v: JsonValue | undefined): BrokerData {
  const o = asObject(v, "brokerData");
  const addrs = new Map<number, string>();
  for (const [k, a] of Object.entries(optObject(o.brokerAddrs, "brokerAddrs"))) {
    addrs.set(Number(k), optString(a, ""));
  }
  // 5.x members (enableActingMaster, zoneName) are read for tolerance but not kept.
  optBoolean(o.enableActingMaster, false);
  return { cluster: optString(o.cluster, ""), brokerName: optString(o.brokerName, ""), brokerAddrs: addrs };
}

/** Parses a GET_ROUTEINFO_BY_TOPIC body in either encoding. */
export function decodeTopicRouteData(body: Uint8Array | undefined): TopicRouteData {
  const o = asObject(parseBody(body, "TopicRouteData"), "TopicRouteData");
  const filters = new Map<string, string[]>();
  for (const [addr, list] of Object.entries(optObject(o.filterServerTable, "filterServerTable"))) {
    filters.set(addr, optArray(list, "filterServerTable").map((x) => optString(x, "")));
  }
  const route: TopicRouteData = {
    queueDatas: optArray(o.queueDatas, "queueDatas").map(queueDataFromJson),
    brokerDatas: optArray(o.brokerDatas, "brokerDatas").map(brokerDataFromJson),
    filterServerTable: filters,
  };
  if (typeof o.orderTopicConf === "string") route.orderTopicConf = o.orderTopicConf;
  return route;
}

/** Deep copy of a BrokerData (route answers must not share the name server's live maps). */
export function cloneBrokerData(b: BrokerData): BrokerData {
  return { cluster: b.cluster, brokerName: b.brokerName, brokerAddrs: new Map(b.brokerAddrs) };
}
