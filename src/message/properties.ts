/**
 * The message properties string (store-and-semantics.md §1.4, remoting-protocol.md §6.4):
 * `name \u0001 value` pairs joined by `\u0002`.
 */

import { NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR } from "./message_const.ts";

/**
 * Encodes properties the 4.9 way: no trailing separator. Null/undefined values are skipped.
 *
 * @example encodeProperties({ TAGS: "A", KEYS: "k" }) // "TAGS\u0001A\u0002KEYS\u0001k"
 */
export function encodeProperties(props: Record<string, string>): string {
  let out = "";
  for (const name in props) {
    const value = props[name];
    if (value === undefined || value === null) continue;
    if (out.length > 0) out += PROPERTY_SEPARATOR;
    out += name + NAME_VALUE_SEPARATOR + value;
  }
  return out;
}

/**
 * Decodes a properties string; accepts a trailing separator (5.x writers) and silently drops
 * segments with an empty name or value, like the Java reader. Later duplicates win.
 */
export function decodeProperties(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.length === 0) return out;
  let start = 0;
  while (start < s.length) {
    let end = s.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = s.length;
    if (end - start >= 3) {
      const sep = s.indexOf(NAME_VALUE_SEPARATOR, start);
      if (sep > start && sep < end - 1) out[s.slice(start, sep)] = s.slice(sep + 1, end);
    }
    start = end + 1;
  }
  return out;
}

/**
 * Appends batch-level properties to an entry's own properties string the way the broker does for
 * SEND_BATCH_MESSAGE: a `\u0002` goes between them unless the first already ends with one.
 */
export function joinPropertiesStrings(own: string, extra: string): string {
  if (own.length === 0) return extra;
  if (extra.length === 0) return own;
  return own.endsWith(PROPERTY_SEPARATOR) ? own + extra : own + PROPERTY_SEPARATOR + extra;
}
