/**
 * HeartbeatData (remoting-protocol.md §5.4): the HEART_BEAT body. Readers are tolerant of what real
 * clients send: Go writes `codeSet` entries as strings and `subVersion` in nanoseconds (beyond 2^53),
 * ali-ons omits `expressionType`, Go may send `""` for it.
 */
import { type JsonValue, parseJson } from "../../util/json.ts";

/** One subscription of a consumer group to a topic. */
export interface SubscriptionData {
  classFilterMode: boolean;
  topic: string;
  subString: string;
  tagsSet: string[];
  codeSet: number[];
  subVersion: number;
  expressionType: string;
}

/** A consumer group hosted by the heartbeating client. */
export interface ConsumerData {
  groupName: string;
  consumeType: string;
  messageModel: string;
  consumeFromWhere: string;
  subscriptionDataSet: SubscriptionData[];
  unitMode: boolean;
}

/** A producer group hosted by the heartbeating client. */
export interface ProducerData {
  groupName: string;
}

/** The HEART_BEAT request body. */
export interface HeartbeatData {
  clientID: string;
  producerDataSet: ProducerData[];
  consumerDataSet: ConsumerData[];
}

/** A heartbeat or subscription body could not be understood. */
export class BodyDecodeError extends Error {
  override name = "BodyDecodeError";
}

type Obj = { [key: string]: JsonValue };

function obj(v: JsonValue | undefined, what: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new BodyDecodeError(`Expected ${what} to be an object`);
  }
  return v as Obj;
}

function str(v: JsonValue | undefined, dflt = ""): string {
  return typeof v === "string" ? v : v === undefined || v === null ? dflt : String(v);
}

function num(v: JsonValue | undefined, dflt = 0): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return dflt;
}

function arr(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : [];
}

/** The split of a TAG expression: trimmed non-empty parts of `a || b`; empty for `*` or "". */
export function splitTags(subString: string): string[] {
  const s = subString.trim();
  if (s === "" || s === "*") return [];
  return s.split("||").map((t) => t.trim()).filter((t) => t !== "");
}

/** Reads a SubscriptionData object. */
export function toSubscriptionData(v: JsonValue | undefined): SubscriptionData {
  const o = obj(v, "subscriptionData");
  const subString = str(o.subString, "*");
  const tagsSet = Array.isArray(o.tagsSet) ? o.tagsSet.map((t) => str(t)) : splitTags(subString);
  return {
    classFilterMode: o.classFilterMode === true,
    topic: str(o.topic),
    subString,
    tagsSet,
    codeSet: arr(o.codeSet).map((c) => num(c) | 0),
    subVersion: num(o.subVersion),
    expressionType: str(o.expressionType, "TAG") || "TAG",
  };
}

/** Reads a HeartbeatData body. Throws BodyDecodeError on malformed input. */
export function decodeHeartbeatData(body: Uint8Array | undefined): HeartbeatData {
  if (!body || body.length === 0) throw new BodyDecodeError("Heartbeat body is empty");
  const o = obj(parseJson(new TextDecoder().decode(body)), "heartbeat body");
  return {
    clientID: str(o.clientID),
    producerDataSet: arr(o.producerDataSet).map((p) => ({
      groupName: str(obj(p, "producerData").groupName),
    })),
    consumerDataSet: arr(o.consumerDataSet).map((c) => {
      const d = obj(c, "consumerData");
      return {
        groupName: str(d.groupName),
        consumeType: str(d.consumeType, "CONSUME_PASSIVELY"),
        messageModel: str(d.messageModel, "CLUSTERING"),
        consumeFromWhere: str(d.consumeFromWhere, "CONSUME_FROM_LAST_OFFSET"),
        subscriptionDataSet: arr(d.subscriptionDataSet).map(toSubscriptionData),
        unitMode: d.unitMode === true,
      };
    }),
  };
}

/** Writes a HeartbeatData body (fastjson member order). */
export function encodeHeartbeatData(h: HeartbeatData): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    clientID: h.clientID,
    consumerDataSet: h.consumerDataSet.map((c) => ({
      consumeFromWhere: c.consumeFromWhere,
      consumeType: c.consumeType,
      groupName: c.groupName,
      messageModel: c.messageModel,
      subscriptionDataSet: c.subscriptionDataSet.map(subscriptionDataJson),
      unitMode: c.unitMode,
    })),
    producerDataSet: h.producerDataSet.map((p) => ({ groupName: p.groupName })),
  }));
}

/** A SubscriptionData in fastjson's member order, ready for JSON.stringify. */
export function subscriptionDataJson(s: SubscriptionData): Record<string, unknown> {
  return {
    classFilterMode: s.classFilterMode,
    codeSet: s.codeSet,
    expressionType: s.expressionType,
    subString: s.subString,
    subVersion: s.subVersion,
    tagsSet: s.tagsSet,
    topic: s.topic,
  };
}

/** CHECK_CLIENT_CONFIG (46) body. */
export interface CheckClientRequestBody {
  clientId: string;
  group: string;
  subscriptionData: SubscriptionData | null;
}

/** Reads a CHECK_CLIENT_CONFIG body. */
export function decodeCheckClientRequestBody(body: Uint8Array | undefined): CheckClientRequestBody {
  if (!body || body.length === 0) throw new BodyDecodeError("Check client config body is empty");
  const o = obj(parseJson(new TextDecoder().decode(body)), "check client body");
  return {
    clientId: str(o.clientId),
    group: str(o.group),
    subscriptionData: o.subscriptionData ? toSubscriptionData(o.subscriptionData) : null,
  };
}

/** Writes a CHECK_CLIENT_CONFIG body. */
export function encodeCheckClientRequestBody(b: CheckClientRequestBody): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    clientId: b.clientId,
    group: b.group,
    subscriptionData: b.subscriptionData ? subscriptionDataJson(b.subscriptionData) : null,
  }));
}
