/**
 * Writing and reading JSON bodies the way fastjson does (remoting-protocol.md §5.1).
 *
 * Emission: bean-like objects (plain JS objects) get their members in alphabetical order with `null` /
 * `undefined` members omitted; `Map`s keep their entry order; `IntKeyMap`s are Java maps with long keys,
 * which the default mode writes with bare numeric keys (`{0:"a"}`) and the browser-compatible mode with
 * quoted, sorted keys. Reading: small lenient accessors over `parseJson` output, accepting numbers given
 * as strings and strings given as numbers like fastjson's parser does.
 */
import { type JsonValue, parseJson } from "../util/json.ts";

/** A Java `Map<Long, V>` / `Map<Integer, V>`: keys are written bare in the default fastjson mode. */
export class IntKeyMap<V extends FjValue = FjValue> {
  constructor(readonly entries: ReadonlyArray<readonly [number, V]>) {}
}

/** A Java double: written like `Double.toString` (`0.0`, `12.5`). */
export class JavaDouble {
  constructor(readonly value: number) {}
}

/** Values `toFastjson` can write. */
export type FjValue =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | JavaDouble
  | IntKeyMap
  | ReadonlyMap<string, FjValue>
  | readonly FjValue[]
  | { readonly [key: string]: FjValue };

/** How to write: fastjson's default, or the name server's BrowserCompatible + MapSortField mode. */
export interface FastjsonOptions {
  /** Quote and sort integer map keys, sort all map keys, escape non-ASCII, quote longs beyond 2^53. */
  browserCompatible?: boolean;
  /** fastjson's PrettyFormat: one member per line, tab indentation. */
  pretty?: boolean;
}

/**
 * Serializes `value` like fastjson.
 *
 * @example
 * ```ts
 * toFastjson({ b: 1, a: new IntKeyMap([[0, "x"]]) }); // '{"a":{0:"x"},"b":1}'
 * ```
 */
export function toFastjson(value: FjValue, opts: FastjsonOptions = {}): string {
  const w = new Writer(opts.browserCompatible ?? false, opts.pretty ?? false);
  w.value(value);
  return w.out;
}

/** `toFastjson` as UTF-8 bytes, ready to be a RemotingCommand body. */
export function encodeFastjson(value: FjValue, opts: FastjsonOptions = {}): Uint8Array {
  return new TextEncoder().encode(toFastjson(value, opts));
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

class Writer {
  out = "";
  private depth = 0;
  constructor(private readonly compat: boolean, private readonly pretty: boolean) {}

  private newline(): void {
    if (this.pretty) this.out += "\n" + "\t".repeat(this.depth);
  }

  private str(s: string): void {
    let q = JSON.stringify(s);
    if (this.compat) {
      q = q.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    }
    this.out += q;
  }

  /**
   * Writes an object. In pretty mode fastjson puts a bean's first member on a new line but a map's
   * first entry right after the brace (`"brokerAddrs":{0:"…"` then a newline before `}`).
   */
  private members(entries: Array<readonly [string, FjValue]>, bareKeys: boolean, isMap: boolean): void {
    const present = entries.filter(([, v]) => v !== undefined && v !== null);
    if (present.length === 0) {
      this.out += "{}";
      return;
    }
    this.out += "{";
    this.depth++;
    present.forEach(([k, v], i) => {
      if (i > 0) this.out += ",";
      if (i > 0 || !isMap) this.newline();
      if (bareKeys) this.out += k;
      else this.str(k);
      this.out += ":";
      this.value(v);
    });
    this.depth--;
    this.newline();
    this.out += "}";
  }

  value(v: FjValue): void {
    if (v === null || v === undefined) this.out += "null";
    else if (typeof v === "string") this.str(v);
    else if (typeof v === "boolean") this.out += v ? "true" : "false";
    else if (typeof v === "number") this.out += Number.isFinite(v) ? String(v) : "null";
    else if (typeof v === "bigint") {
      const big = v > MAX_SAFE || v < -MAX_SAFE;
      this.out += this.compat && big ? `"${v}"` : String(v);
    } else if (v instanceof JavaDouble) this.out += javaDoubleString(v.value);
    else if (v instanceof IntKeyMap) {
      const entries = [...v.entries];
      if (this.compat) entries.sort((a, b) => a[0] - b[0]);
      this.members(entries.map(([k, x]) => [String(k), x] as const), !this.compat, true);
    } else if (v instanceof Map) {
      const entries = [...(v as ReadonlyMap<string, FjValue>).entries()];
      if (this.compat) entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.members(entries, false, true);
    } else if (Array.isArray(v)) this.array(v as readonly FjValue[]);
    else {
      const obj = v as { readonly [key: string]: FjValue };
      this.members(Object.keys(obj).sort().map((k) => [k, obj[k]] as const), false, false);
    }
  }

  private array(items: readonly FjValue[]): void {
    if (items.length === 0) {
      this.out += "[]";
      return;
    }
    this.out += "[";
    this.depth++;
    items.forEach((x, i) => {
      if (i > 0) this.out += ",";
      this.newline();
      this.value(x);
    });
    this.depth--;
    this.newline();
    this.out += "]";
  }
}

/** Java's `Double.toString` for the values bodies carry (integral values keep a `.0`). */
export function javaDoubleString(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity";
  return Number.isInteger(n) && Math.abs(n) < 1e7 ? n.toFixed(1) : String(n);
}

// ---------------------------------------------------------------------------------------------------
// Lenient reading

/** A body could not be read: not JSON, or a member has the wrong shape. */
export class BodyDecodeError extends Error {
  override name = "BodyDecodeError";
}

/** A parsed JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Parses a UTF-8 JSON body (fastjson bare keys and 64-bit integers tolerated). */
export function parseBody(body: Uint8Array | undefined, what: string): JsonValue {
  if (!body || body.length === 0) throw new BodyDecodeError(`The ${what} body is empty`);
  try {
    return parseJson(new TextDecoder().decode(body));
  } catch (e) {
    throw new BodyDecodeError(`Cannot parse the ${what} body: ${(e as Error).message}`);
  }
}

/** The value as an object, or an error naming `what`. */
export function asObject(v: JsonValue | undefined, what: string): JsonObject {
  if (v === null || v === undefined || typeof v !== "object" || Array.isArray(v)) {
    throw new BodyDecodeError(`Expected an object for "${what}", got ${describe(v)}`);
  }
  return v;
}

/** The value as an object, or an empty object when absent/null. */
export function optObject(v: JsonValue | undefined, what: string): JsonObject {
  return v === null || v === undefined ? {} : asObject(v, what);
}

/** The value as an array, or an empty array when absent/null. */
export function optArray(v: JsonValue | undefined, what: string): JsonValue[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new BodyDecodeError(`Expected an array for "${what}", got ${describe(v)}`);
  return v;
}

/** A string member (numbers and booleans are stringified, as fastjson does), or `fallback`. */
export function optString(v: JsonValue | undefined, fallback: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return fallback;
}

/** A numeric member (numeric strings accepted), or `fallback` when absent. */
export function optNumber(v: JsonValue | undefined, fallback: number, what: string): number {
  if (v === null || v === undefined) return fallback;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  throw new BodyDecodeError(`Expected a number for "${what}", got ${describe(v)}`);
}

/** A 64-bit member that keeps every digit: safe integers as number, larger ones as bigint. */
export function optLong(v: JsonValue | undefined, fallback: number, what: string): number | bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "string" && /^-?\d{16,}$/.test(v.trim())) {
    const b = BigInt(v.trim());
    return b > MAX_SAFE || b < -MAX_SAFE ? b : Number(b);
  }
  return optNumber(v, fallback, what);
}

/** A boolean member (`"true"` strings accepted), or `fallback`. */
export function optBoolean(v: JsonValue | undefined, fallback: boolean): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") return v.toLowerCase() === "true";
  if (typeof v === "number") return v !== 0;
  return fallback;
}

function describe(v: JsonValue | undefined): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(String(v))}`;
}
