/**
 * QUERY_CONSUME_QUEUE (321): its request header (remoting-protocol.md §4.11) and
 * QueryConsumeQueueResponseBody (§5.8), the raw consume-queue entries mqadmin `queryCq` prints.
 */
import type { ExtFields } from "../../remoting/command.ts";
import { optInt, optLong, optStr, reqStr } from "../headers/fields.ts";
import { encodeFastjson, type FjValue, optArray, optObject, parseBody } from "../fastjson.ts";
import type { JsonValue } from "../../util/json.ts";
import { type SubscriptionData, subscriptionDataJson, toSubscriptionData } from "./heartbeat.ts";

/** QueryConsumeQueueRequestHeader. */
export interface QueryConsumeQueueRequestHeader {
  topic: string;
  queueId: number;
  /** First consume-queue index (logical offset) to read. */
  index: number;
  /** How many entries to read. */
  count: number;
  /** A group whose subscription and filter data to report; absent when `-g` was not given. */
  consumerGroup?: string;
}

/** Reads QueryConsumeQueueRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeQueryConsumeQueueRequestHeader(ext: ExtFields): QueryConsumeQueueRequestHeader {
  const h: QueryConsumeQueueRequestHeader = {
    topic: reqStr(ext, "topic"),
    queueId: optInt(ext, "queueId") ?? 0,
    index: optLong(ext, "index") ?? 0,
    count: optInt(ext, "count") ?? 0,
  };
  const group = optStr(ext, "consumerGroup");
  if (group !== undefined) h.consumerGroup = group;
  return h;
}

/**
 * Writes QueryConsumeQueueRequestHeader as extFields, omitting an absent group.
 *
 * @example
 * ```ts
 * encodeQueryConsumeQueueRequestHeader({ topic: "T", queueId: 0, index: 5, count: 10 });
 * // { topic: "T", queueId: "0", index: "5", count: "10" }
 * ```
 */
export function encodeQueryConsumeQueueRequestHeader(h: QueryConsumeQueueRequestHeader): ExtFields {
  const ext: ExtFields = {
    topic: h.topic,
    queueId: String(h.queueId),
    index: String(h.index),
    count: String(h.count),
  };
  if (h.consumerGroup !== undefined) ext.consumerGroup = h.consumerGroup;
  return ext;
}

/** One consume-queue entry (upstream ConsumeQueueData). */
export interface ConsumeQueueData {
  physicOffset: number;
  physicSize: number;
  tagsCode: number;
  /** The consume-queue extension unit as JSON, when the entry has one. */
  extendDataJson?: string;
  /** The extension's filter bit map, when it has one. */
  bitMap?: string;
  /** Whether the group's filter matched the extension unit (false without one). */
  eval: boolean;
  /** Why the extension unit could not be read. */
  msg?: string;
}

/** The QUERY_CONSUME_QUEUE response body. */
export interface QueryConsumeQueueResponseBody {
  /** The asked group's subscription to the topic, when the group is online. */
  subscriptionData?: SubscriptionData;
  /** The group's filter data as pretty JSON ("null" for TAG subscriptions), or why there is none. */
  filterData?: string;
  queueData?: ConsumeQueueData[];
  maxQueueIndex: number;
  minQueueIndex: number;
}

function entryJson(d: ConsumeQueueData): FjValue {
  return {
    bitMap: d.bitMap,
    eval: d.eval,
    extendDataJson: d.extendDataJson,
    msg: d.msg,
    physicOffset: d.physicOffset,
    physicSize: d.physicSize,
    tagsCode: d.tagsCode,
  };
}

/** Writes the body as fastjson does (members sorted, absent ones omitted). */
export function encodeQueryConsumeQueueResponseBody(b: QueryConsumeQueueResponseBody): Uint8Array {
  return encodeFastjson({
    filterData: b.filterData,
    maxQueueIndex: b.maxQueueIndex,
    minQueueIndex: b.minQueueIndex,
    queueData: b.queueData?.map(entryJson),
    subscriptionData: b.subscriptionData ? subscriptionDataJson(b.subscriptionData) as FjValue : undefined,
  });
}

const num = (v: JsonValue | undefined): number => {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
};
const optText = (v: JsonValue | undefined): string | undefined =>
  v === undefined || v === null ? undefined : String(v);

/** Reads the body; throws BodyDecodeError when it is not a JSON object. An empty body reads as all zero. */
export function decodeQueryConsumeQueueResponseBody(
  body: Uint8Array | undefined,
): QueryConsumeQueueResponseBody {
  if (!body || body.length === 0) return { maxQueueIndex: 0, minQueueIndex: 0 };
  const o = optObject(parseBody(body, "QueryConsumeQueueResponseBody"), "QueryConsumeQueueResponseBody");
  const out: QueryConsumeQueueResponseBody = {
    maxQueueIndex: num(o.maxQueueIndex),
    minQueueIndex: num(o.minQueueIndex),
  };
  if (o.subscriptionData !== undefined && o.subscriptionData !== null) {
    out.subscriptionData = toSubscriptionData(o.subscriptionData);
  }
  const filterData = optText(o.filterData);
  if (filterData !== undefined) out.filterData = filterData;
  if (o.queueData !== undefined && o.queueData !== null) {
    out.queueData = optArray(o.queueData, "queueData").map((v) => {
      const e = optObject(v, "ConsumeQueueData");
      const d: ConsumeQueueData = {
        physicOffset: num(e.physicOffset),
        physicSize: num(e.physicSize),
        tagsCode: num(e.tagsCode),
        eval: e.eval === true,
      };
      const ext = optText(e.extendDataJson), bitMap = optText(e.bitMap), msg = optText(e.msg);
      if (ext !== undefined) d.extendDataJson = ext;
      if (bitMap !== undefined) d.bitMap = bitMap;
      if (msg !== undefined) d.msg = msg;
      return d;
    });
  }
  return out;
}

/**
 * One entry as upstream's ConsumeQueueData.toString() prints it (absent strings print as `null`).
 *
 * @example
 * ```ts
 * consumeQueueDataString({ physicOffset: 0, physicSize: 180, tagsCode: 65, eval: false });
 * // "ConsumeQueueData{physicOffset=0, physicSize=180, tagsCode=65, extendDataJson='null', bitMap='null', eval=false, msg='null'}"
 * ```
 */
export function consumeQueueDataString(d: ConsumeQueueData): string {
  return `ConsumeQueueData{physicOffset=${d.physicOffset}, physicSize=${d.physicSize}, ` +
    `tagsCode=${d.tagsCode}, extendDataJson='${d.extendDataJson ?? null}', bitMap='${d.bitMap ?? null}', ` +
    `eval=${d.eval}, msg='${d.msg ?? null}'}`;
}
