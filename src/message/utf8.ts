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

/** Decodes `buf[start, end)`; plain ASCII takes a fast path that avoids TextDecoder call overhead. */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len <= 0) return "";
  if (len < 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (buf[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
  }
  return utf8Decoder.decode(buf.subarray(start, end));
}
