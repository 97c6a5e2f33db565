/**
 * The wire frame of a PULL_MESSAGE success (remoting-protocol.md §1, §4.4) with the store's records copied
 * straight into place: the header is encoded by the codec without a body, then the records follow it in
 * one buffer. Building the body first and letting the codec copy it again would touch every pulled byte
 * twice and allocate a throwaway buffer per pull.
 */
import { encodeCommand } from "../../remoting/codec.ts";
import type { RemotingCommand } from "../../remoting/command.ts";

/**
 * Encodes `resp` (which must have no body of its own) followed by `records` as its body.
 *
 * @example
 * ```ts
 * const frame = encodePullResponseFrame(createResponse(req, ResponseCode.SUCCESS, "FOUND", ext), records);
 * channel.sendFrame(frame);
 * ```
 */
export function encodePullResponseFrame(resp: RemotingCommand, records: readonly Uint8Array[]): Uint8Array {
  let bodyLength = 0;
  for (const r of records) bodyLength += r.length;
  const head = encodeCommand(resp);
  const frame = new Uint8Array(head.length + bodyLength);
  frame.set(head, 0);
  // The leading length word counts everything after itself: header word, header and now the body too.
  new DataView(frame.buffer).setInt32(0, head.length - 4 + bodyLength);
  let at = head.length;
  for (const r of records) {
    frame.set(r, at);
    at += r.length;
  }
  return frame;
}
