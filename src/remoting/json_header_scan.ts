/**
 * A hand-written reader for the JSON header object (remoting-protocol.md §1.3) as Java (fastjson), Go and
 * ali-ons peers write it: one flat object with integer and string fields and a flat `extFields` object.
 *
 * Decoding every request with `JSON.parse` built a throwaway document and then walked it again; the
 * header of a send request costs ~2.5 µs that way, most of it in the parser's escape handling for the
 * `\u0001`/`\u0002` separators of the properties string. This scanner makes one pass over the text and
 * builds the command directly. It is exact where it answers and declines (returns null) on anything
 * unusual — fractions, exponents, numbers beyond 15 digits, nested values, `__proto__` keys, invalid
 * JSON — so the callers' slower paths keep the reference behaviour for those.
 */

import { type ExtFields, LANGUAGE_NAMES, type LanguageCode, type RemotingCommand } from "./command.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** Language names by name, so a known one is returned as the canonical (internalized) string. */
const LANGUAGES = new Map<string, LanguageCode>(LANGUAGE_NAMES.map((n) => [n, n]));

/** The characters JSON escapes stand for, by the letter after the backslash. */
const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Single-character extFields keys (SendMessageRequestHeaderV2 uses only these) prebuilt once. */
const ONE_CHAR_KEYS: string[] = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));

/*
 * What the last scanned scalar was: a string (its text in `str`), an integer (in `num`), a boolean or
 * null. Kept in module state rather than returned as an object so a value costs no allocation; the
 * scanner never awaits, so no two scans interleave.
 */
const STR = 0;
const INT = 1;
const TRUE = 2;
const FALSE = 3;
const NULL = 4;
let kind = NULL;
let str = "";
let num = 0;
/** Start of the number just scanned, for extFields (which keep a number's own text). */
let numStart = 0;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(t: string, p: number): number {
  while (p < t.length && isSpace(t.charCodeAt(p))) p++;
  return p;
}

/**
 * Scans the string whose opening quote is at `p - 1`; leaves its value in `str` and returns the index
 * after the closing quote, or -1 when it is not valid JSON.
 */
function scanString(t: string, p: number): number {
  const start = p;
  const n = t.length;
  while (p < n) {
    const c = t.charCodeAt(p);
    if (c === QUOTE) {
      str = t.slice(start, p);
      return p + 1;
    }
    if (c === BACKSLASH) return scanEscaped(t, start, p);
    if (c < 0x20) return -1;
    p++;
  }
  return -1;
}

/** The slow half of {@link scanString}: the string holds escapes, `p` is at the first backslash. */
function scanEscaped(t: string, start: number, p: number): number {
  let out = t.slice(start, p);
  let run = p;
  const n = t.length;
  while (p < n) {
    const c = t.charCodeAt(p);
    if (c === QUOTE) {
      str = out + t.slice(run, p);
      return p + 1;
    }
    if (c < 0x20) return -1;
    if (c !== BACKSLASH) {
      p++;
      continue;
    }
    out += t.slice(run, p);
    const e = t[p + 1];
    if (e === "u") {
      if (p + 6 > n) return -1;
      const code = hex4(t, p + 2);
      if (code < 0) return -1;
      out += String.fromCharCode(code);
      p += 6;
    } else {
      const s = e === undefined ? undefined : SIMPLE_ESCAPES[e];
      if (s === undefined) return -1;
      out += s;
      p += 2;
    }
    run = p;
  }
  return -1;
}

function hex4(t: string, p: number): number {
  let v = 0;
  for (let i = p; i < p + 4; i++) {
    const c = t.charCodeAt(i);
    let d: number;
    if (c >= ZERO && c <= NINE) d = c - ZERO;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * Scans an integer starting at `p`; leaves it in `num` and returns the index after it, or -1 for
 * anything that is not a plain integer of at most 15 digits (always a safe integer) or reads as -0.
 */
function scanInt(t: string, p: number): number {
  numStart = p;
  let neg = false;
  if (t.charCodeAt(p) === MINUS) {
    neg = true;
    p++;
  }
  const first = p;
  let v = 0;
  while (p < t.length) {
    const c = t.charCodeAt(p);
    if (c < ZERO || c > NINE) break;
    v = v * 10 + (c - ZERO);
    p++;
  }
  const digits = p - first;
  if (digits === 0 || digits > 15) return -1;
  // A leading zero is invalid JSON; "-0" would not read back as its own text.
  if (t.charCodeAt(first) === ZERO && (digits > 1 || neg)) return -1;
  const c = t.charCodeAt(p);
  if (c === 0x2e || c === 0x65 || c === 0x45) return -1;
  num = neg ? -v : v;
  return p;
}

/** Scans one scalar at `p` (spaces skipped) into `kind`; returns the index after it, or -1 to decline. */
function scanScalar(t: string, p: number): number {
  const c = t.charCodeAt(p);
  if (c === QUOTE) {
    kind = STR;
    return scanString(t, p + 1);
  }
  if (c === MINUS || (c >= ZERO && c <= NINE)) {
    kind = INT;
    return scanInt(t, p);
  }
  if (t.startsWith("true", p)) {
    kind = TRUE;
    return p + 4;
  }
  if (t.startsWith("false", p)) {
    kind = FALSE;
    return p + 5;
  }
  kind = NULL;
  return t.startsWith("null", p) ? p + 4 : -1;
}

/** The extFields object whose `{` is at `p - 1`; returns the index after its `}`, or -1 to decline. */
function scanExtFields(t: string, p: number, out: ExtFields): number {
  p = skipSpace(t, p);
  if (t.charCodeAt(p) === CLOSE_BRACE) return p + 1;
  for (;;) {
    if (t.charCodeAt(p) !== QUOTE) return -1;
    let key: string;
    // One-character keys without escapes are the common case (SendMessageRequestHeaderV2).
    const k0 = t.charCodeAt(p + 1);
    if (t.charCodeAt(p + 2) === QUOTE && k0 < 0x80 && k0 >= 0x20 && k0 !== BACKSLASH && k0 !== QUOTE) {
      key = ONE_CHAR_KEYS[k0]!;
      p += 3;
    } else {
      p = scanString(t, p + 1);
      if (p < 0) return -1;
      key = str;
      // An own "__proto__" property cannot be made by assignment; let the general path have it.
      if (key === "__proto__") return -1;
    }
    p = skipSpace(t, p);
    if (t.charCodeAt(p) !== COLON) return -1;
    p = skipSpace(t, p + 1);
    const next = scanScalar(t, p);
    if (next < 0) return -1;
    // Java binds every value to a String: numbers and booleans by their text, nulls are absent.
    if (kind === STR) out[key] = str;
    else if (kind === INT) out[key] = t.slice(numStart, next);
    else if (kind === TRUE) out[key] = "true";
    else if (kind === FALSE) out[key] = "false";
    else delete out[key];
    p = skipSpace(t, next);
    const c = t.charCodeAt(p);
    if (c === CLOSE_BRACE) return p + 1;
    if (c !== COMMA) return -1;
    p = skipSpace(t, p + 1);
  }
}

/**
 * Decodes a JSON header in one pass, or returns null when the header holds anything beyond the plain
 * shape peers send (the caller then takes a general path). Same results as `decodeJsonHeaderFast` where
 * both answer. The serialize type is left for the caller to set; the result has no body.
 *
 * @example
 * ```ts
 * scanJsonHeader('{"code":105,"extFields":{"topic":"T1"},"opaque":7}')?.extFields; // { topic: "T1" }
 * ```
 */
export function scanJsonHeader(t: string): RemotingCommand | null {
  let p = skipSpace(t, 0);
  if (t.charCodeAt(p) !== OPEN_BRACE) return null;
  let code: number | undefined;
  let version = 0;
  let opaque = 0;
  let flag = 0;
  let language: LanguageCode = "JAVA";
  let remark: string | undefined;
  let extFields: ExtFields = {};
  p = skipSpace(t, p + 1);
  if (t.charCodeAt(p) === CLOSE_BRACE) return null;
  for (;;) {
    if (t.charCodeAt(p) !== QUOTE) return null;
    p = scanString(t, p + 1);
    if (p < 0) return null;
    const key = str;
    p = skipSpace(t, p);
    if (t.charCodeAt(p) !== COLON) return null;
    p = skipSpace(t, p + 1);
    if (key === "extFields" && t.charCodeAt(p) === OPEN_BRACE) {
      // A repeated extFields replaces the earlier one, as with JSON.parse.
      extFields = {};
      p = scanExtFields(t, p + 1, extFields);
      if (p < 0) return null;
    } else {
      const next = scanScalar(t, p);
      if (next < 0) return null;
      p = next;
      switch (key) {
        case "code":
          if (kind !== INT) return null;
          code = num;
          break;
        case "opaque":
        case "flag":
        case "version": {
          let v: number;
          if (kind === INT) v = num | 0;
          else if (kind === NULL) v = 0;
          else return null;
          if (key === "opaque") opaque = v;
          else if (key === "flag") flag = v;
          else version = v;
          break;
        }
        case "language":
          if (kind === STR) language = LANGUAGES.get(str) ?? "OTHER";
          else if (kind === INT) language = LANGUAGE_NAMES[num] ?? "OTHER";
          else if (kind === NULL) language = "JAVA";
          else return null;
          break;
        case "remark":
          if (kind === STR) remark = str;
          else if (kind === NULL) remark = undefined;
          else return null;
          break;
        case "extFields":
          if (kind !== NULL) return null;
          extFields = {};
          break;
        default:
          // serializeTypeCurrentRPC and anything else a peer adds: scalars are skipped.
          break;
      }
    }
    p = skipSpace(t, p);
    const c = t.charCodeAt(p);
    if (c === CLOSE_BRACE) break;
    if (c !== COMMA) return null;
    p = skipSpace(t, p + 1);
  }
  if (skipSpace(t, p + 1) !== t.length || code === undefined) return null;
  return { code: code | 0, language, version, opaque, flag, remark, extFields, serializeType: 0 };
}
