/**
 * fastjson's object-keyed maps (remoting-protocol.md §5.1, §5.8, §5.9): `Map<MessageQueue, Long>` is
 * written as `{{"brokerName":"b","queueId":0,"topic":"T"}:12}` — not JSON. Java admin tools, Java
 * clients and Go's hand-rolled reader expect exactly this compact form, so rmq writes it and can read it
 * back.
 */
import { JsonSyntaxError, type JsonValue } from "../../util/json.ts";

/** One map entry whose key may be any JSON value (usually a MessageQueue object). */
export type ObjectKeyEntry = [key: unknown, value: unknown];

/** Writes entries as a fastjson object-keyed map: compact, keys as JSON values, no whitespace. */
export function encodeObjectKeyMap(entries: Iterable<ObjectKeyEntry>): string {
  const parts: string[] = [];
  for (const [k, v] of entries) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{${parts.join(",")}}`;
}

/** A parsed document where maps with non-string keys keep their entries in order. */
export type LooseValue =
  | JsonValue
  | { readonly entries: Array<[LooseValue, LooseValue]> }
  | LooseValue[]
  | { [key: string]: LooseValue };

/** Marks maps that had at least one non-string key. */
export interface EntryMap {
  readonly entries: Array<[LooseValue, LooseValue]>;
}

/** True when `v` is a map parsed from the object-keyed form. */
export function isEntryMap(v: unknown): v is EntryMap {
  return typeof v === "object" && v !== null && Array.isArray((v as { entries?: unknown }).entries) &&
    Object.getPrototypeOf(v) === EntryMapProto;
}

const EntryMapProto = { kind: "entryMap" };

/**
 * Parses JSON that may contain object-keyed maps (and fastjson's bare integer keys). Maps whose keys
 * are all strings/numbers come back as plain objects; others as `EntryMap`.
 */
export function parseLooseJson(text: string): LooseValue {
  let pos = 0;
  const fail = (why: string): never => {
    throw new JsonSyntaxError(`Invalid JSON at position ${pos}: ${why}`);
  };
  const ws = () => {
    while (pos < text.length && " \t\r\n".includes(text[pos]!)) pos++;
  };
  const value = (): LooseValue => {
    ws();
    const c = text[pos];
    if (c === "{") return object();
    if (c === "[") {
      pos++;
      const out: LooseValue[] = [];
      ws();
      if (text[pos] === "]") return pos++, out;
      for (;;) {
        out.push(value());
        ws();
        const d = text[pos++];
        if (d === "]") return out;
        if (d !== ",") fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(pos, pos + 400));
    if (!m) return fail("unexpected character");
    pos += m[0].length;
    if (m[0] === "true") return true;
    if (m[0] === "false") return false;
    if (m[0] === "null") return null;
    const n = Number(m[0]);
    return m[2] === undefined && m[3] === undefined && !Number.isSafeInteger(n) ? BigInt(m[0]) : n;
  };
  const string = (): string => {
    const start = pos++;
    while (pos < text.length) {
      const c = text[pos];
      if (c === "\\") pos += 2;
      else if (c === '"') return JSON.parse(text.slice(start, ++pos)) as string;
      else pos++;
    }
    return fail("unterminated string");
  };
  const object = (): LooseValue => {
    pos++;
    const entries: Array<[LooseValue, LooseValue]> = [];
    let plain = true;
    ws();
    if (text[pos] === "}") return pos++, {};
    for (;;) {
      ws();
      let key: LooseValue;
      const c = text[pos];
      if (c === '"' || c === "{" || c === "[") key = value();
      else {
        const m = /^[A-Za-z0-9_$.-]+/.exec(text.slice(pos, pos + 256));
        if (!m) return fail("expected an object key");
        pos += m[0].length;
        key = m[0];
      }
      if (typeof key !== "string") plain = false;
      ws();
      if (text[pos++] !== ":") fail("expected ':'");
      entries.push([key, value()]);
      ws();
      const d = text[pos++];
      if (d === "}") break;
      if (d !== ",") fail("expected ',' or '}'");
    }
    if (plain) {
      const out: { [key: string]: LooseValue } = {};
      for (const [k, v] of entries) out[k as string] = v;
      return out;
    }
    const map = Object.create(EntryMapProto) as { entries: Array<[LooseValue, LooseValue]> };
    map.entries = entries;
    return map;
  };
  const v = value();
  ws();
  if (pos !== text.length) fail("unexpected trailing characters");
  return v;
}
