/**
 * Tokenizer for SQL92 message selectors (store-and-semantics.md §11.2.1).
 *
 * Mirrors the upstream token rules: keywords and identifiers are case-insensitive for matching keywords,
 * the longest match wins (so `5E` is the number 5 followed by the identifier `E`, and `007` is three
 * decimal tokens), and `--` always opens a line comment.
 */

import { FilterParseError } from "./filter_error.ts";

/** Reserved words; `CONTAINS`, `STARTSWITH` and `ENDSWITH` come from the 5.x grammar. */
export const SQL92_KEYWORDS = [
  "NOT",
  "AND",
  "OR",
  "BETWEEN",
  "IN",
  "TRUE",
  "FALSE",
  "NULL",
  "IS",
  "CONTAINS",
  "STARTSWITH",
  "ENDSWITH",
] as const;

/** One of {@link SQL92_KEYWORDS}. */
export type Sql92Keyword = typeof SQL92_KEYWORDS[number];

/** Punctuation and comparison operators. */
export type Sql92Operator = "=" | "<>" | "<" | "<=" | ">" | ">=" | "(" | ")" | "," | "+" | "-";

/** A lexical token; `pos` is the zero-based offset of its first character. */
export type Sql92Token =
  | { kind: "keyword"; keyword: Sql92Keyword; text: string; pos: number }
  | { kind: "id"; text: string; pos: number }
  | { kind: "string"; value: string; text: string; pos: number }
  | { kind: "decimal"; text: string; pos: number }
  | { kind: "float"; text: string; pos: number }
  | { kind: "op"; op: Sql92Operator; text: string; pos: number }
  | { kind: "eof"; text: ""; pos: number };

const KEYWORD_SET: ReadonlySet<string> = new Set(SQL92_KEYWORDS);

const C_TAB = 9, C_LF = 10, C_FF = 12, C_CR = 13, C_SPACE = 32;
const C_DOLLAR = 36, C_QUOTE = 39, C_STAR = 42, C_MINUS = 45, C_DOT = 46, C_SLASH = 47;
const C_0 = 48, C_9 = 57, C_UNDERSCORE = 95;

function isDigit(c: number): boolean {
  return c >= C_0 && c <= C_9;
}

function isIdStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === C_UNDERSCORE || c === C_DOLLAR;
}

function isIdPart(c: number): boolean {
  return isIdStart(c) || isDigit(c);
}

function isWhitespace(c: number): boolean {
  return c === C_SPACE || c === C_TAB || c === C_LF || c === C_CR || c === C_FF;
}

/** Length of an exponent (`E`, optional sign, digits) starting at `i`, or 0 when there is none. */
function exponentLength(s: string, i: number): number {
  const e = s.charCodeAt(i);
  if (e !== 69 && e !== 101) return 0;
  let j = i + 1;
  const sign = s.charCodeAt(j);
  if (sign === 43 || sign === C_MINUS) j++;
  const digitsStart = j;
  while (isDigit(s.charCodeAt(j))) j++;
  return j > digitsStart ? j - i : 0;
}

/**
 * Splits a selector into tokens, ending with one `eof` token.
 *
 * @throws {FilterParseError} on a character no token can start with, or an unterminated string or comment.
 * @example tokenizeSql92("a > 1").map((t) => t.text) // ["a", ">", "1", ""]
 */
export function tokenizeSql92(s: string): Sql92Token[] {
  const tokens: Sql92Token[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isWhitespace(c)) {
      i++;
      continue;
    }
    if (c === C_MINUS && s.charCodeAt(i + 1) === C_MINUS) {
      // Upstream requires a line break after a line comment; accepting end of input as well is harmless.
      i += 2;
      while (i < n && s.charCodeAt(i) !== C_LF && s.charCodeAt(i) !== C_CR) i++;
      continue;
    }
    if (c === C_SLASH && s.charCodeAt(i + 1) === C_STAR) {
      const close = s.indexOf("*/", i + 2);
      if (close < 0) throw new FilterParseError("Unterminated comment", i, s);
      i = close + 2;
      continue;
    }
    const start = i;
    if (isIdStart(c)) {
      i++;
      while (i < n && isIdPart(s.charCodeAt(i))) i++;
      const text = s.slice(start, i);
      const upper = text.toUpperCase();
      if (KEYWORD_SET.has(upper)) {
        tokens.push({ kind: "keyword", keyword: upper as Sql92Keyword, text, pos: start });
      } else {
        tokens.push({ kind: "id", text, pos: start });
      }
      continue;
    }
    if (isDigit(c) || (c === C_DOT && isDigit(s.charCodeAt(i + 1)))) {
      i = scanNumber(s, start, tokens);
      continue;
    }
    if (c === C_QUOTE) {
      i = scanString(s, start, tokens);
      continue;
    }
    const op = scanOperator(s, i);
    if (op === null) {
      throw new FilterParseError(`Unexpected character ${JSON.stringify(s[i])}`, i, s);
    }
    tokens.push({ kind: "op", op, text: op, pos: start });
    i += op.length;
  }
  tokens.push({ kind: "eof", text: "", pos: n });
  return tokens;
}

function scanNumber(s: string, start: number, out: Sql92Token[]): number {
  let i = start;
  while (isDigit(s.charCodeAt(i))) i++;
  const intDigits = i - start;
  if (s.charCodeAt(i) === C_DOT) {
    i++;
    while (isDigit(s.charCodeAt(i))) i++;
    i += exponentLength(s, i);
    out.push({ kind: "float", text: s.slice(start, i), pos: start });
    return i;
  }
  const exp = exponentLength(s, i);
  if (exp > 0) {
    i += exp;
    out.push({ kind: "float", text: s.slice(start, i), pos: start });
    return i;
  }
  if (s.charCodeAt(start) === C_0) {
    // A decimal literal is `0` or starts with 1-9, so `007` lexes as `0`, `0`, `7` (and `0L` as `0`, `L`).
    out.push({ kind: "decimal", text: "0", pos: start });
    return start + 1;
  }
  i = start + intDigits;
  const suffix = s.charCodeAt(i);
  if (suffix === 76 || suffix === 108) i++;
  out.push({ kind: "decimal", text: s.slice(start, i), pos: start });
  return i;
}

function scanString(s: string, start: number, out: Sql92Token[]): number {
  let value = "";
  let i = start + 1;
  let chunkStart = i;
  for (;;) {
    const q = s.indexOf("'", i);
    if (q < 0) throw new FilterParseError("Unterminated string literal", start, s);
    if (s.charCodeAt(q + 1) === C_QUOTE) {
      value += s.slice(chunkStart, q + 1);
      i = q + 2;
      chunkStart = i;
      continue;
    }
    value += s.slice(chunkStart, q);
    out.push({ kind: "string", value, text: s.slice(start, q + 1), pos: start });
    return q + 1;
  }
}

function scanOperator(s: string, i: number): Sql92Operator | null {
  const c = s[i];
  const next = s[i + 1];
  switch (c) {
    case "<":
      if (next === ">") return "<>";
      return next === "=" ? "<=" : "<";
    case ">":
      return next === "=" ? ">=" : ">";
    case "=":
    case "(":
    case ")":
    case ",":
    case "+":
    case "-":
      return c;
    default:
      return null;
  }
}
