/**
 * The wire frame of a PULL_MESSAGE success (remoting-protocol.md §1, §4.4) with the store's records copied
 * straight into place after the header, by the codec's `encodeCommandParts`. Building the body first and
 * letting the codec copy it again would touch every pulled byte twice and allocate a throwaway buffer
 * per pull.
 */
import { encodeCommandParts } from "../../remoting/codec.ts";
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
  return encodeCommandParts(resp, records);
}
