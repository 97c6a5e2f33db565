/**
 * A parser for upstream's config files, which are java.util.Properties text (operations.md §4.1).
 *
 * Pure: text in, entries out. Rules kept from Java: `#`/`!` comment lines (no end-of-line comments),
 * `key=value`, `key:value` and `key value`, leading blanks of the value dropped but trailing blanks kept
 * (the loader trims and warns), a line ending in an odd number of backslashes continues on the next
 * line, escapes `\t \n \r \f \uXXXX` and `\x` → `x`, the last of repeated keys wins.
 *
 * One deliberate difference: callers hand in decoded text, and the CLI decodes files as UTF-8 rather
 * than ISO-8859-1, so modern files with non-ASCII values load as written.
 */
import { ConfigError } from "./schema.ts";

/** One `key=value` pair with the 1-based line its logical line starts on. */
export interface PropertyEntry {
  key: string;
  value: string;
  line: number;
}

/** A properties file that cannot be parsed (only a malformed `\uXXXX` escape is fatal, as in Java). */
export class PropertiesSyntaxError extends ConfigError {
  override name = "PropertiesSyntaxError";
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

const BLANK = new Set([" ", "\t", "\f"]);

interface LogicalLine {
  text: string;
  line: number;
}

/** Splits text into logical lines: comments and blank lines dropped, continuations joined. */
function logicalLines(text: string): LogicalLine[] {
  const natural = text.split(/\r\n|\r|\n/);
  const out: LogicalLine[] = [];
  for (let i = 0; i < natural.length; i++) {
    const start = i;
    let cur = stripLeading(natural[i] ?? "");
    if (cur === "" || cur[0] === "#" || cur[0] === "!") continue;
    while (endsWithOddBackslashes(cur) && i + 1 < natural.length) {
      i++;
      cur = cur.slice(0, -1) + stripLeading(natural[i] ?? "");
    }
    // A backslash at end of file continues into nothing; Java drops it.
    if (endsWithOddBackslashes(cur)) cur = cur.slice(0, -1);
    out.push({ text: cur, line: start + 1 });
  }
  return out;
}

function stripLeading(s: string): string {
  let i = 0;
  while (i < s.length && BLANK.has(s[i] as string)) i++;
  return s.slice(i);
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === "\\"; i--) n++;
  return n % 2 === 1;
}

/** Resolves backslash escapes in a key or value. */
function unescape(s: string, line: number): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = s[++i];
    if (e === undefined) break;
    switch (e) {
      case "t":
        out += "\t";
        break;
      case "n":
        out += "\n";
        break;
      case "r":
        out += "\r";
        break;
      case "f":
        out += "\f";
        break;
      case "u": {
        const hex = s.slice(i + 1, i + 5);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          throw new PropertiesSyntaxError(`Malformed \\uXXXX escape "\\u${hex}" on line ${line}`, line);
        }
        out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        break;
      }
      default:
        out += e;
    }
  }
  return out;
}

/** Splits one logical line into raw (still escaped) key and value. */
function splitKeyValue(text: string): [string, string] {
  let keyEnd = text.length;
  let valueStart = text.length;
  let hasSeparator = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\\") {
      i++; // the escaped character is part of the key
      continue;
    }
    if (c === "=" || c === ":") {
      keyEnd = i;
      valueStart = i + 1;
      hasSeparator = true;
      break;
    }
    if (BLANK.has(c)) {
      keyEnd = i;
      valueStart = i + 1;
      break;
    }
  }
  while (valueStart < text.length) {
    const c = text[valueStart] as string;
    if (BLANK.has(c)) {
      valueStart++;
    } else if (!hasSeparator && (c === "=" || c === ":")) {
      hasSeparator = true;
      valueStart++;
    } else {
      break;
    }
  }
  return [text.slice(0, keyEnd), text.slice(valueStart)];
}

/**
 * Parses properties text into entries in file order; repeated keys appear once per occurrence.
 *
 * @example
 * ```ts
 * parsePropertiesEntries("# broker\nbrokerName = broker-a\n");
 * // [{ key: "brokerName", value: "broker-a", line: 2 }]
 * ```
 * @throws {PropertiesSyntaxError} on a malformed `\uXXXX` escape.
 */
export function parsePropertiesEntries(text: string): PropertyEntry[] {
  return logicalLines(text).map(({ text: l, line }) => {
    const [k, v] = splitKeyValue(l);
    return { key: unescape(k, line), value: unescape(v, line), line };
  });
}

/**
 * Parses properties text into an ordered map; the last of repeated keys wins.
 *
 * @example
 * ```ts
 * parseProperties("listenPort:9876").get("listenPort"); // "9876"
 * ```
 */
export function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of parsePropertiesEntries(text)) map.set(e.key, e.value);
  return map;
}

/**
 * Renders `key=value` lines the way upstream's MixAll.properties2String does (no escaping; the form
 * GET_BROKER_CONFIG / GET_NAMESRV_CONFIG bodies use).
 */
export function formatProperties(entries: Iterable<readonly [string, unknown]>): string {
  let out = "";
  for (const [k, v] of entries) {
    if (v === null || v === undefined) continue;
    out += `${k}=${String(v)}\n`;
  }
  return out;
}
