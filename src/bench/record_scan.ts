/**
 * A cheap walk over a pull body (stored records back to back, store-and-semantics.md §1.2) that reads
 * only what the consumer benchmark needs — each record's born and store timestamps — without decoding
 * topics, properties or bodies, so the benchmark measures the broker rather than its own decoder.
 */
import { MessageSysFlag } from "../message/message_const.ts";

const OFF_SYS_FLAG = 36;
const OFF_BORN_TIMESTAMP = 40;
const OFF_BORN_HOST = 48;
/** Bytes a record has at least up to its store timestamp with IPv4 hosts. */
const MIN_PREFIX = OFF_BORN_HOST + 8 + 8;

function getLong(view: DataView, at: number): number {
  return view.getUint32(at) * 4294967296 + view.getUint32(at + 4);
}

/**
 * Calls `visit(bornTimestamp, storeTimestamp)` for every whole record in `body` and returns how many
 * there were. Stops at the first record whose size does not fit, as the Java client's decoder does.
 *
 * @example
 * ```ts
 * const n = scanRecords(res.body, (born) => hist.record(Date.now() - born));
 * ```
 */
export function scanRecords(body: Uint8Array, visit?: (born: number, stored: number) => void): number {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  let n = 0;
  while (body.length - at >= MIN_PREFIX) {
    const size = view.getInt32(at);
    if (size < MIN_PREFIX || size > body.length - at) break;
    if (visit) {
      const sysFlag = view.getInt32(at + OFF_SYS_FLAG);
      const bornHostLen = (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0 ? 20 : 8;
      visit(getLong(view, at + OFF_BORN_TIMESTAMP), getLong(view, at + OFF_BORN_HOST + bornHostLen));
    }
    n++;
    at += size;
  }
  return n;
}
