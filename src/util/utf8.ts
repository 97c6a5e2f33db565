/** Shared UTF-8 helpers for the codecs. */

/** A process-wide encoder; TextEncoder is stateless so sharing is safe. */
export const utf8Encoder: TextEncoder = new TextEncoder();
/** A process-wide lenient decoder (bad bytes become U+FFFD, as in Java). */
export const utf8Decoder: TextDecoder = new TextDecoder();

const NON_ASCII = /[\u0080-\uffff]/;

/** Byte length of `s` in UTF-8 without allocating (lone surrogates count 3, as TextEncoder writes U+FFFD). */
export function utf8ByteLength(s: string): number {
  // Topics and properties are nearly always ASCII: one native scan beats the loop below by ~5x.
  if (!NON_ASCII.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

const ASCII_CHARS: readonly string[] = Array.from({ length: 0x80 }, (_, c) => String.fromCharCode(c));

/**
 * Decodes `buf[start, end)`. Short plain-ASCII text (header fields, topics) is built from a table of
 * one-character strings, which avoids a TextDecoder call per field; anything else goes to TextDecoder.
 */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let s = "";
    for (let i = start; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return utf8Decoder.decode(buf.subarray(start, end));
      s += ASCII_CHARS[c]!;
    }
    return s;
  }
  return utf8Decoder.decode(buf.subarray(start, end));
}

/**
 * Writes `s` as UTF-8 at `target[pos]` and returns the bytes written, or -1 if they do not fit.
 *
 * Topics, properties and header fields are nearly always ASCII, and for strings this short a charCodeAt
 * loop costs a fraction of a TextEncoder.encodeInto() call (which also needs a subarray). The first
 * non-ASCII unit hands the rest of the string to encodeInto, so the bytes are exactly what TextEncoder
 * writes (lone surrogates become U+FFFD). Cutting there is safe: the unit before it is ASCII, so no pair is
 * split.
 */
export function writeUtf8(s: string, target: Uint8Array, pos: number): number {
  const n = s.length;
  // Every UTF-16 unit takes at least one byte, so a string longer than the room never fits.
  if (pos + n > target.length) return -1;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    target[pos + i] = c;
  }
  if (i === n) return n;
  const rest = utf8Encoder.encodeInto(i === 0 ? s : s.slice(i), target.subarray(pos + i));
  return rest.read === n - i ? i + rest.written : -1;
}
