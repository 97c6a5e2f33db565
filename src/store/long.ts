/**
 * 64-bit big-endian integers as JS numbers (safe-integer range), without BigInt allocation on hot paths.
 */

/** Writes `v` (a safe integer, may be negative) as a big-endian int64 at `pos`. */
export function setLong(dv: DataView, pos: number, v: number): void {
  const hi = Math.floor(v / 0x100000000);
  dv.setInt32(pos, hi);
  dv.setUint32(pos + 4, v - hi * 0x100000000);
}

/** Reads a big-endian int64 at `pos` as a number (exact within the safe-integer range). */
export function getLong(dv: DataView, pos: number): number {
  return dv.getInt32(pos) * 0x100000000 + dv.getUint32(pos + 4);
}
