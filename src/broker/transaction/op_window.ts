/**
 * The part of RMQ_SYS_TRANS_OP_HALF_TOPIC a check pass needs (store-and-semantics.md §9.4): op records from
 * the group CID_RMQ_SYS_TRANS's op offset to the end. Each `d` record names the half queue offsets it
 * resolved (one decimal offset in 4.9.x, a comma-separated list in 5.x). After the pass, the op offset moves
 * over the leading run of records whose halves all lie behind the new half offset, so the next pass re-reads
 * only ops of halves that are still ahead — roughly the last `transactionTimeOut` of traffic.
 */
import type { MessageExt } from "../../message/message.ts";
import { MessageConst } from "../../message/message_const.ts";
import { utf8Decoder } from "../../util/utf8.ts";

/** Upstream's tag on op messages ("d" = delete). */
export const REMOVE_TAG = "d";

/** Op records read by one pass. */
export class OpWindow {
  /** Half queue offsets some op record resolved. */
  readonly resolved = new Set<number>();
  /** Per op record in queue order: its offset and the largest half offset it names (-1 for none). */
  readonly #ops: { offset: number; maxHalf: number }[] = [];
  /** The op offset the window was read from, and the offset just past the last record read. */
  readonly #from: number;
  #end: number;

  constructor(from: number) {
    this.#from = from;
    this.#end = from;
  }

  /** Adds one op record (records arrive in queue order). */
  add(op: MessageExt): void {
    let maxHalf = -1;
    if (op.properties[MessageConst.TAGS] === REMOVE_TAG) {
      for (const part of utf8Decoder.decode(op.body).split(",")) {
        const t = part.trim();
        if (!/^\d{1,16}$/.test(t)) continue;
        const half = Number(t);
        this.resolved.add(half);
        if (half > maxHalf) maxHalf = half;
      }
    }
    this.#ops.push({ offset: op.queueOffset, maxHalf });
    this.#end = op.queueOffset + 1;
  }

  /** Records that reading reached `offset` (gaps and filtered records included). */
  readTo(offset: number): void {
    if (offset > this.#end) this.#end = offset;
  }

  /** The op offset to commit once every half below `halfOffset` has been dealt with. */
  nextOffset(halfOffset: number): number {
    for (const op of this.#ops) {
      if (op.maxHalf >= halfOffset) return Math.max(this.#from, op.offset);
    }
    return this.#end;
  }
}
