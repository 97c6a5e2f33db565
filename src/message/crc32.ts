/**
 * CRC-32 (IEEE / zlib polynomial, the `java.util.zip.CRC32` algorithm) and the masked variant the
 * commit log stores as BODYCRC (store-and-semantics.md §0).
 *
 * Every appended body is checksummed, so speed matters: inputs of a useful size go to zlib's native
 * crc32 (about 15x faster than JS here); short inputs, and runtimes without it, use slicing-by-8 tables
 * (eight lookups per 8 bytes instead of one per byte).
 */

import * as zlib from "node:zlib";

type NativeCrc32 = (data: Uint8Array, value?: number) => number;
const nativeCrc32: NativeCrc32 | undefined = (zlib as unknown as { crc32?: NativeCrc32 }).crc32;
/** Below this many bytes the call into native code costs more than the table loop. */
const NATIVE_MIN_BYTES = 64;

const TABLES: Uint32Array[] = (() => {
  const tables: Uint32Array[] = [];
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  tables.push(t0);
  for (let t = 1; t < 8; t++) {
    const prev = tables[t - 1]!;
    const cur = new Uint32Array(256);
    for (let n = 0; n < 256; n++) cur[n] = (prev[n]! >>> 8) ^ t0[prev[n]! & 0xff]!;
    tables.push(cur);
  }
  return tables;
})();
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
  Uint32Array,
];

/**
 * Standard CRC-32 of `bytes[start, end)` as an unsigned number.
 *
 * @example crc32(new TextEncoder().encode("123456789")) // 0xCBF43926
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (nativeCrc32 !== undefined && end - start >= NATIVE_MIN_BYTES) {
    return nativeCrc32(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end)) >>> 0;
  }
  return crc32Tables(bytes, start, end);
}

/** The pure-JS table implementation (exported for tests that compare both paths). */
export function crc32Tables(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  let i = start;
  const end8 = end - ((end - start) & 7);
  while (i < end8) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c = T7[c & 0xff]! ^ T6[(c >>> 8) & 0xff]! ^ T5[(c >>> 16) & 0xff]! ^ T4[c >>> 24]! ^
      T3[bytes[i + 4]!]! ^ T2[bytes[i + 5]!]! ^ T1[bytes[i + 6]!]! ^ T0[bytes[i + 7]!]!;
    i += 8;
  }
  while (i < end) c = T0[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The BODYCRC value: CRC-32 masked with 0x7FFFFFFF (always non-negative); 0 for an empty body. */
export function bodyCrc(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (end <= start) return 0;
  return crc32(bytes, start, end) & 0x7fffffff;
}
