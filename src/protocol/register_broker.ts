/**
 * Broker registration bodies (remoting-protocol.md §5.5): DataVersion, TopicConfig (JSON and compact
 * text forms), TopicConfigSerializeWrapper and RegisterBrokerBody in its JSON and zlib-compressed forms.
 *
 * Used by the name server (decoding REGISTER_BROKER / QUERY_DATA_VERSION) and by the broker (encoding
 * them, and GET_ALL_TOPIC_CONFIG's wrapper).
 */
import { deflateSync, inflateSync } from "node:zlib";
import type { JsonValue } from "../util/json.ts";
import {
  asObject,
  BodyDecodeError,
  encodeFastjson,
  type FjValue,
  optArray,
  optBoolean,
  optNumber,
  optObject,
  optString,
  parseBody,
  toFastjson,
} from "./fastjson.ts";

/** A broker's config version: equal versions mean "nothing changed" (§5.5.3). */
export interface DataVersion {
  counter: number;
  timestamp: number;
  /** 5.x only; kept when received so equality stays exact. */
  stateVersion?: number | undefined;
}

/** A fresh version: counter 0, timestamp `now`. */
export function newDataVersion(now: number = Date.now()): DataVersion {
  return { counter: 0, timestamp: now };
}

/** The next version (`nextVersion()` upstream): counter + 1, timestamp `now`. */
export function nextDataVersion(v: DataVersion, now: number = Date.now()): DataVersion {
  return { ...v, counter: v.counter + 1, timestamp: now };
}

/** Field-wise equality, as upstream's `DataVersion.equals`. */
export function dataVersionEquals(a: DataVersion, b: DataVersion): boolean {
  return a.counter === b.counter && a.timestamp === b.timestamp &&
    (a.stateVersion ?? 0) === (b.stateVersion ?? 0);
}

/** The DataVersion as a fastjson bean. */
export function dataVersionToFj(v: DataVersion): FjValue {
  return { counter: v.counter, stateVersion: v.stateVersion, timestamp: v.timestamp };
}

/** Reads a DataVersion member; absent fields default to 0. */
export function dataVersionFromJson(v: JsonValue | undefined): DataVersion {
  const o = optObject(v, "dataVersion");
  const out: DataVersion = {
    counter: optNumber(o.counter, 0, "counter"),
    timestamp: optNumber(o.timestamp, 0, "timestamp"),
  };
  if (o.stateVersion !== undefined && o.stateVersion !== null) {
    out.stateVersion = optNumber(o.stateVersion, 0, "stateVersion");
  }
  return out;
}

/** DataVersion JSON body bytes. */
export function encodeDataVersion(v: DataVersion): Uint8Array {
  return encodeFastjson(dataVersionToFj(v));
}

/** Parses a DataVersion JSON body. */
export function decodeDataVersion(body: Uint8Array | undefined): DataVersion {
  return dataVersionFromJson(parseBody(body, "DataVersion"));
}

/** TopicConfig (§5.5.4). */
export interface TopicConfig {
  topicName: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: "SINGLE_TAG" | "MULTI_TAG";
  topicSysFlag: number;
  order: boolean;
  /** 5.x topic attributes; written only when non-empty. */
  attributes?: Record<string, string> | undefined;
}

/** Upstream's TopicConfig defaults: 16 read and 16 write queues, perm RW, SINGLE_TAG, no flags, unordered. */
export const TOPIC_CONFIG_DEFAULTS = {
  readQueueNums: 16,
  writeQueueNums: 16,
  perm: 6,
  topicFilterType: "SINGLE_TAG",
  topicSysFlag: 0,
  order: false,
} as const satisfies Omit<TopicConfig, "topicName" | "attributes">;

/** A TopicConfig with upstream defaults (16/16 queues, perm RW). */
export function defaultTopicConfig(topicName: string, over: Partial<TopicConfig> = {}): TopicConfig {
  return { topicName, ...TOPIC_CONFIG_DEFAULTS, ...over };
}

/** The TopicConfig as a fastjson bean. */
export function topicConfigToFj(tc: TopicConfig): FjValue {
  const hasAttributes = tc.attributes !== undefined && Object.keys(tc.attributes).length > 0;
  return {
    attributes: hasAttributes ? new Map(Object.entries(tc.attributes ?? {})) : undefined,
    order: tc.order,
    perm: tc.perm,
    readQueueNums: tc.readQueueNums,
    topicFilterType: tc.topicFilterType,
    topicName: tc.topicName,
    topicSysFlag: tc.topicSysFlag,
    writeQueueNums: tc.writeQueueNums,
  };
}

/** Reads a TopicConfig object; missing members take upstream defaults. */
export function topicConfigFromJson(v: JsonValue | undefined, nameFallback = ""): TopicConfig {
  const o = asObject(v, "topicConfig");
  const tc = defaultTopicConfig(optString(o.topicName, nameFallback), {
    readQueueNums: optNumber(o.readQueueNums, 16, "readQueueNums"),
    writeQueueNums: optNumber(o.writeQueueNums, 16, "writeQueueNums"),
    perm: optNumber(o.perm, 6, "perm"),
    topicFilterType: optString(o.topicFilterType, "SINGLE_TAG") === "MULTI_TAG" ? "MULTI_TAG" : "SINGLE_TAG",
    topicSysFlag: optNumber(o.topicSysFlag, 0, "topicSysFlag"),
    order: optBoolean(o.order, false),
  });
  const attrs = optObject(o.attributes, "attributes");
  if (Object.keys(attrs).length > 0) {
    tc.attributes = Object.fromEntries(Object.entries(attrs).map(([k, x]) => [k, optString(x, "")]));
  }
  return tc;
}

/** The compact text form used inside compressed registrations: `name read write perm filterType`. */
export function encodeTopicConfigText(tc: TopicConfig): string {
  const base = `${tc.topicName} ${tc.readQueueNums} ${tc.writeQueueNums} ${tc.perm} ${tc.topicFilterType}`;
  return tc.attributes && Object.keys(tc.attributes).length > 0
    ? `${base} ${toFastjson(new Map(Object.entries(tc.attributes)))}`
    : base;
}

/** Parses the compact text form; `topicSysFlag` and `order` are not carried by it. */
export function decodeTopicConfigText(text: string): TopicConfig {
  const parts = text.split(" ");
  if (parts.length < 5) throw new BodyDecodeError(`Cannot parse topic config text "${text}"`);
  const num = (i: number, name: string): number => {
    const n = Number(parts[i]);
    if (!Number.isInteger(n)) throw new BodyDecodeError(`Cannot parse ${name} "${parts[i]}" in "${text}"`);
    return n;
  };
  const tc = defaultTopicConfig(parts[0] ?? "", {
    readQueueNums: num(1, "readQueueNums"),
    writeQueueNums: num(2, "writeQueueNums"),
    perm: num(3, "perm"),
    topicFilterType: parts[4] === "MULTI_TAG" ? "MULTI_TAG" : "SINGLE_TAG",
  });
  if (parts.length > 5) {
    const attrs = optObject(parseBody(new TextEncoder().encode(parts.slice(5).join(" ")), "attributes"), "");
    tc.attributes = Object.fromEntries(Object.entries(attrs).map(([k, x]) => [k, optString(x, "")]));
  }
  return tc;
}

/** `{topicConfigTable, dataVersion}`: a broker's topics and the version they belong to. */
export interface TopicConfigSerializeWrapper {
  topicConfigTable: Map<string, TopicConfig>;
  dataVersion: DataVersion;
}

/** The wrapper as a fastjson bean. */
export function topicConfigWrapperToFj(w: TopicConfigSerializeWrapper): FjValue {
  const table = new Map<string, FjValue>();
  for (const [name, tc] of w.topicConfigTable) table.set(name, topicConfigToFj(tc));
  return { dataVersion: dataVersionToFj(w.dataVersion), topicConfigTable: table };
}

/** Reads a wrapper object (5.x static-topic mapping members are ignored). */
export function topicConfigWrapperFromJson(v: JsonValue | undefined): TopicConfigSerializeWrapper {
  const o = optObject(v, "topicConfigSerializeWrapper");
  const table = new Map<string, TopicConfig>();
  for (const [name, tc] of Object.entries(optObject(o.topicConfigTable, "topicConfigTable"))) {
    table.set(name, topicConfigFromJson(tc, name));
  }
  return { topicConfigTable: table, dataVersion: dataVersionFromJson(o.dataVersion) };
}

/** Wrapper JSON bytes (GET_ALL_TOPIC_CONFIG body, pre-3.0.11 registration body). */
export function encodeTopicConfigWrapper(w: TopicConfigSerializeWrapper): Uint8Array {
  return encodeFastjson(topicConfigWrapperToFj(w));
}

/** Parses wrapper JSON bytes. */
export function decodeTopicConfigWrapper(body: Uint8Array | undefined): TopicConfigSerializeWrapper {
  return topicConfigWrapperFromJson(parseBody(body, "TopicConfigSerializeWrapper"));
}

/** REGISTER_BROKER body for request version ≥ 37 (§5.5.1). */
export interface RegisterBrokerBody {
  topicConfigSerializeWrapper: TopicConfigSerializeWrapper;
  filterServerList: string[];
}

/** What the name server answers a registration with (§5.5.5): header fields plus the order-topic KV table. */
export interface RegisterBrokerResult {
  haServerAddr?: string | undefined;
  masterAddr?: string | undefined;
  /** `ORDER_TOPIC_CONFIG` namespace, when the name server has it. */
  kvTable?: Map<string, string> | undefined;
}

/** Encodes a RegisterBrokerBody as JSON or, with `compressed`, as the zlib binary form (§5.5.2). */
export function encodeRegisterBrokerBody(body: RegisterBrokerBody, compressed: boolean): Uint8Array {
  if (!compressed) {
    return encodeFastjson({
      filterServerList: body.filterServerList,
      topicConfigSerializeWrapper: topicConfigWrapperToFj(body.topicConfigSerializeWrapper),
    });
  }
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  const withLength = (bytes: Uint8Array): void => {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setInt32(0, bytes.length);
    chunks.push(len, bytes);
  };
  const w = body.topicConfigSerializeWrapper;
  withLength(encodeDataVersion(w.dataVersion));
  const count = new Uint8Array(4);
  new DataView(count.buffer).setInt32(0, w.topicConfigTable.size);
  chunks.push(count);
  for (const tc of w.topicConfigTable.values()) withLength(enc.encode(encodeTopicConfigText(tc)));
  withLength(enc.encode(toFastjson(body.filterServerList)));
  const plain = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    plain.set(c, at);
    at += c.length;
  }
  const z = deflateSync(plain, { level: 9 });
  return new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
}

/** Decodes a RegisterBrokerBody in either form; throws BodyDecodeError on malformed input. */
export function decodeRegisterBrokerBody(bytes: Uint8Array, compressed: boolean): RegisterBrokerBody {
  if (!compressed) {
    const o = asObject(parseBody(bytes, "RegisterBrokerBody"), "RegisterBrokerBody");
    return {
      topicConfigSerializeWrapper: topicConfigWrapperFromJson(o.topicConfigSerializeWrapper),
      filterServerList: optArray(o.filterServerList, "filterServerList").map((x) => optString(x, "")),
    };
  }
  let plain: Uint8Array;
  try {
    const z = inflateSync(bytes);
    plain = new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
  } catch (e) {
    throw new BodyDecodeError(`Cannot inflate the compressed RegisterBrokerBody: ${(e as Error).message}`);
  }
  const view = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
  const dec = new TextDecoder();
  let at = 0;
  const readInt = (): number => {
    if (at + 4 > plain.length) throw new BodyDecodeError("The compressed RegisterBrokerBody is truncated");
    const n = view.getInt32(at);
    at += 4;
    return n;
  };
  const readChunk = (): Uint8Array => {
    const n = readInt();
    if (n < 0 || at + n > plain.length) {
      throw new BodyDecodeError(`Bad chunk length ${n} in the compressed RegisterBrokerBody`);
    }
    const c = plain.subarray(at, at + n);
    at += n;
    return c;
  };
  const dataVersion = decodeDataVersion(readChunk());
  const count = readInt();
  if (count < 0) throw new BodyDecodeError(`Bad topic count ${count} in the compressed RegisterBrokerBody`);
  const table = new Map<string, TopicConfig>();
  for (let i = 0; i < count; i++) {
    const tc = decodeTopicConfigText(dec.decode(readChunk()));
    table.set(tc.topicName, tc);
  }
  const filterServerList = at < plain.length
    ? optArray(parseBody(readChunk(), "filterServerList"), "filterServerList").map((x) => optString(x, ""))
    : [];
  return { topicConfigSerializeWrapper: { topicConfigTable: table, dataVersion }, filterServerList };
}
