/**
 * JSON as RocketMQ peers write it.
 *
 * Two departures from `JSON.parse` matter on the wire and on disk (remoting-protocol.md §5.1,
 * store-and-semantics.md §10.1.2):
 * - integers beyond 2^53 (a Go client's subVersion, 64-bit ids) must keep every digit: they come back
 *   as `bigint`;
 * - fastjson writes maps with integer keys unquoted (`{0:{...}}`): such keys are accepted.
 *
 * The native parser is used whenever it gives the same answer, so the common case stays fast.
 */

export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

export class JsonSyntaxError extends SyntaxError {
  override name = "JsonSyntaxError";
}

const LONG_DIGITS = /\d{16,}/;

/** Parses JSON text; unsafe integers become bigint, bare (unquoted) object keys are accepted. */
export function parseJson(text: string): JsonValue {
  if (!LONG_DIGITS.test(text)) {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      // Not standard JSON: maybe fastjson's bare keys. The tolerant parser decides.
    }
  }
  return new TolerantParser(text).parseDocument();
}

class TolerantParser {
  private pos = 0;
  constructor(private readonly s: string) {}

  parseDocument(): JsonValue {
    const v = this.value();
    this.ws();
    if (this.pos !== this.s.length) this.fail("unexpected trailing characters");
    return v;
  }

  private fail(why: string): never {
    throw new JsonSyntaxError(`Invalid JSON at position ${this.pos}: ${why}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private value(): JsonValue {
    this.ws();
    const c = this.s[this.pos];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    if (this.s.startsWith("true", this.pos)) return this.pos += 4, true;
    if (this.s.startsWith("false", this.pos)) return this.pos += 5, false;
    if (this.s.startsWith("null", this.pos)) return this.pos += 4, null;
    return this.fail(
      c === undefined ? "unexpected end of input" : `unexpected character ${JSON.stringify(c)}`,
    );
  }

  private object(): JsonValue {
    this.pos++; // {
    const out: { [key: string]: JsonValue } = {};
    this.ws();
    if (this.s[this.pos] === "}") return this.pos++, out;
    for (;;) {
      this.ws();
      const key = this.s[this.pos] === '"' ? this.string() : this.bareKey();
      this.ws();
      if (this.s[this.pos] !== ":") this.fail("expected ':'");
      this.pos++;
      out[key] = this.value();
      this.ws();
      const c = this.s[this.pos++];
      if (c === "}") return out;
      if (c !== ",") this.fail("expected ',' or '}'");
    }
  }

  private bareKey(): string {
    const m = /^[A-Za-z0-9_$.-]+/.exec(this.s.slice(this.pos, this.pos + 256));
    if (!m) this.fail("expected an object key");
    this.pos += m[0].length;
    return m[0];
  }

  private array(): JsonValue {
    this.pos++; // [
    const out: JsonValue[] = [];
    this.ws();
    if (this.s[this.pos] === "]") return this.pos++, out;
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s[this.pos++];
      if (c === "]") return out;
      if (c !== ",") this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++; // opening quote
    const s = this.s;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === "\\") this.pos += 2;
      else if (c === '"') {
        this.pos++;
        return JSON.parse(s.slice(start, this.pos)) as string;
      } else this.pos++;
    }
    return this.fail("unterminated string");
  }

  private number(): number | bigint {
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (!m) return this.fail("bad number");
    this.pos += m[0].length;
    const text = m[0];
    if (m[1] === undefined && m[2] === undefined) {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    return Number(text);
  }
}

/**
 * Serializes like JSON.stringify but writes bigint values as bare integers (exact digits), so values
 * parsed by `parseJson` round-trip.
 */
export function stringifyJson(value: unknown): string {
  if (!containsBigint(value)) return JSON.stringify(value);
  // A private-use character cannot occur in a value we produce ourselves, so the marker cannot collide.
  const marker = "\uE000bigint:";
  const text = JSON.stringify(value, (_k, v) => typeof v === "bigint" ? `${marker}${v}` : v);
  return text.replace(/"\uE000bigint:(-?\d+)"/g, "$1");
}

function containsBigint(v: unknown): boolean {
  if (typeof v === "bigint") return true;
  if (v === null || typeof v !== "object") return false;
  if (Array.isArray(v)) return v.some(containsBigint);
  for (const x of Object.values(v)) if (containsBigint(x)) return true;
  return false;
}
