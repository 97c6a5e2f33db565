/**
 * Producer-side body compression (remoting-protocol.md §6.7): zlib container, level 5.
 * The broker never calls these; clients do.
 */

import { deflateSync, inflateRawSync, inflateSync } from "node:zlib";

/** Default compression level of Java clients (`rocketmq.message.compressLevel`). */
export const DEFAULT_COMPRESS_LEVEL = 5;

function asPlain(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** zlib (RFC 1950) deflate of `body` at `level` (default 5). */
export function compressBody(body: Uint8Array, level: number = DEFAULT_COMPRESS_LEVEL): Uint8Array {
  return asPlain(deflateSync(body, { level }));
}

/**
 * Inflates a zlib body; falls back to raw deflate when the 2-byte zlib header is missing
 * (some older clients). Throws the zlib error if neither works.
 */
export function decompressBody(body: Uint8Array): Uint8Array {
  // A zlib header has CM = 8 in the low nibble and a header checksum divisible by 31.
  const hasHeader = body.length >= 2 && (body[0]! & 0x0f) === 8 && ((body[0]! << 8) | body[1]!) % 31 === 0;
  if (hasHeader) {
    try {
      return asPlain(inflateSync(body));
    } catch (e) {
      try {
        return asPlain(inflateRawSync(body));
      } catch {
        throw e;
      }
    }
  }
  return asPlain(inflateRawSync(body));
}
