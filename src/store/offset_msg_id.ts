/**
 * Fast offset msgIds for the put path: the host part (IP ‖ port) is formatted once per store host and only
 * the 16 hex digits of the commitlog offset per message. Same text as `createOffsetMsgId`.
 */
import type { HostAddress } from "../message/host.ts";
import { createOffsetMsgId } from "../message/msg_id.ts";

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, "0"));

/** A non-negative safe integer as 16 upper-case hex digits. */
export function hex16(v: number): string {
  const hi = Math.floor(v / 0x100000000), lo = v >>> 0;
  return HEX_BYTE[hi >>> 24]! + HEX_BYTE[(hi >>> 16) & 255]! + HEX_BYTE[(hi >>> 8) & 255]! +
    HEX_BYTE[hi & 255]! +
    HEX_BYTE[lo >>> 24]! + HEX_BYTE[(lo >>> 16) & 255]! + HEX_BYTE[(lo >>> 8) & 255]! + HEX_BYTE[lo & 255]!;
}

/** Caches the host prefix of the last store host seen, and with it the high half of the offset. */
export class OffsetMsgIdFormatter {
  #host: HostAddress | null = null;
  #prefix = "";
  /** High 32 bits of the last offset and `#prefix` + their 8 hex digits: they change once per 4 GiB. */
  #hi = -1;
  #prefixHi = "";

  /** The offset msgId of `offset` stored by `host`. */
  format(host: HostAddress, offset: number): string {
    const h = this.#host;
    if (
      h !== host &&
      !(h && h.port === host.port && h.ip.length === host.ip.length && h.ip.every((b, i) => b === host.ip[i]))
    ) {
      this.#host = host;
      this.#prefix = createOffsetMsgId(host, 0).slice(0, -16);
      this.#hi = -1;
    }
    const hi = Math.floor(offset / 0x100000000), lo = offset >>> 0;
    if (hi !== this.#hi) {
      this.#hi = hi;
      this.#prefixHi = this.#prefix + hex16(hi * 0x100000000).slice(0, 8);
    }
    return this.#prefixHi + HEX_BYTE[lo >>> 24]! + HEX_BYTE[(lo >>> 16) & 255]! +
      HEX_BYTE[(lo >>> 8) & 255]! +
      HEX_BYTE[lo & 255]!;
  }
}
