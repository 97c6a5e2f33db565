/**
 * Message ids (remoting-protocol.md §7.1–§7.2): the broker's offset msg id and the client's UNIQ_KEY.
 */

import type { HostAddress } from "./host.ts";

/** Error for an id text that cannot be decoded. */
export class MessageIdError extends Error {
  override name = "MessageIdError";
}

const HEX = "0123456789ABCDEF";
/** Upper-case hex of every byte value: ids are built per message, one lookup per byte is cheapest. */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => HEX[b >> 4]! + HEX[b & 0xf]!);

function hexOf(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX_BYTE[bytes[i]!]!;
  return s;
}

function bytesOfHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Store host IP ‖ port (int32) ‖ commit-log offset (int64), upper-case hex: 32 chars for IPv4,
 * 56 for IPv6.
 *
 * @example createOffsetMsgId({ ip: new Uint8Array([10, 0, 0, 1]), port: 10911 }, 3884)
 * // "0A00000100002A9F0000000000000F2C"
 */
export function createOffsetMsgId(storeHost: HostAddress, commitLogOffset: number): string {
  // Called for every decoded record: built from 32-bit halves, without BigInt or a scratch buffer.
  const hi = Math.floor(commitLogOffset / 0x100000000);
  return hexOf(storeHost.ip) + hex32(storeHost.port) + hex32(hi) + hex32(commitLogOffset >>> 0);
}

/** 8 upper-case hex digits of the low 32 bits of `v`. */
function hex32(v: number): string {
  return HEX_BYTE[(v >>> 24) & 0xff]! + HEX_BYTE[(v >>> 16) & 0xff]! + HEX_BYTE[(v >>> 8) & 0xff]! +
    HEX_BYTE[v & 0xff]!;
}

/** Decodes an offset msg id; the text length (32 or 56) decides IPv4 vs IPv6. Throws MessageIdError. */
export function decodeOffsetMsgId(id: string): { host: HostAddress; offset: number } {
  const ipLen = id.length === 32 ? 4 : id.length === 56 ? 16 : -1;
  const bytes = ipLen < 0 ? null : bytesOfHex(id);
  if (bytes === null) throw new MessageIdError(`Cannot decode offset message id "${id}"`);
  const view = new DataView(bytes.buffer);
  const offset = Number(view.getBigInt64(ipLen + 4));
  return { host: { ip: bytes.slice(0, ipLen), port: view.getInt32(ipLen) }, offset };
}

/** The first 12 bytes of every UNIQ_KEY this process makes (ip ‖ pid ‖ loader hash), hex. */
let fixPrefix: string | null = null;
let counter = 0;
let monthStart = 0;
let nextMonthStart = 0;

function localIp(): Uint8Array {
  // Always 4 bytes so ids stay 32 chars (what every client and our tests expect); an IPv6-only host
  // falls back to loopback, and uniqueness still comes from pid, the random hash and time.
  try {
    for (const ni of Deno.networkInterfaces()) {
      if (ni.family === "IPv4" && !ni.address.startsWith("127.")) {
        return new Uint8Array(ni.address.split(".").map(Number));
      }
    }
  } catch {
    // No --allow-sys permission: loopback.
  }
  return new Uint8Array([127, 0, 0, 1]);
}

function prefix(): string {
  if (fixPrefix === null) {
    const bytes = new Uint8Array(10);
    bytes.set(localIp().subarray(0, 4), 0);
    const view = new DataView(bytes.buffer);
    view.setInt16(4, Deno.pid & 0xffff);
    // Java uses the class loader's identity hash; a random int plays the same role per process.
    view.setInt32(6, (Math.random() * 0x100000000) | 0);
    fixPrefix = hexOf(bytes);
  }
  return fixPrefix;
}

function refreshMonth(now: number): void {
  const d = new Date(now);
  monthStart = new Date(d.getFullYear(), d.getMonth(), 1).getTime();
  nextMonthStart = new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
}

/**
 * A client UNIQ_KEY (§7.2): ip (4) ‖ pid (2) ‖ loader hash (4) ‖ ms since the start of the month in
 * local time (4) ‖ counter (2), as 32 upper-case hex chars.
 */
export function createUniqId(now: number = Date.now()): string {
  if (now >= nextMonthStart || now < monthStart) refreshMonth(now);
  counter = (counter + 1) & 0xffff;
  // Built from lookups: a scratch buffer and DataView per id cost ~8% of a sending client's CPU.
  return prefix() + hex32((now - monthStart) | 0) + HEX_BYTE[counter >>> 8]! + HEX_BYTE[counter & 0xff]!;
}

/** The creation time encoded in a UNIQ_KEY, relative to the month that contains `reference`. */
export function uniqIdTimestamp(id: string, reference: number = Date.now()): number | null {
  const bytes = bytesOfHex(id);
  if (bytes === null || bytes.length < 16) return null;
  const elapsed = new DataView(bytes.buffer).getInt32(bytes.length - 6);
  const d = new Date(reference);
  return new Date(d.getFullYear(), d.getMonth(), 1).getTime() + elapsed;
}

/** Upper-case hex of `bytes`. */
export function bytesToHex(bytes: Uint8Array): string {
  return hexOf(bytes);
}
