/**
 * Incremental frame splitter for a remoting byte stream (remoting-protocol.md §1.2).
 *
 * A state machine over bytes, no I/O: feed it whatever the socket returned and get back the frames that
 * completed. Each frame is allocated once at its final size as soon as its length is known and filled as
 * bytes arrive, so a large frame spread over many reads costs one copy, never a growing concatenation.
 * Small frames are carved from a shared slab (slab.ts), so they may share their `buffer` with others.
 */

import { SerializeType } from "./command.ts";
import { RemotingCodecError } from "./errors.ts";
import { allocBuffer } from "./slab.ts";

/** Java's `com.rocketmq.remoting.frameMaxLength` default: 4 + totalLength may not exceed 16 MiB. */
export const DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;

/**
 * Splits a byte stream into frames. Returned frames hold the bytes after the 4-byte total length (header
 * word, header, body), as `decodeCommand` expects. Chunks passed to `push` are not retained, so the caller
 * may reuse its read buffer.
 *
 * @example
 * ```ts
 * const decoder = new FrameDecoder();
 * const frames = decoder.push(new Uint8Array([0, 0, 0, 4, 0, 0, 0, 0]));
 * frames.length; // 1
 * ```
 */
export class FrameDecoder {
  /** Collects the 4-byte length field, which may itself arrive split. */
  private readonly lengthBytes = new Uint8Array(4);
  private lengthFilled = 0;
  /** The frame being filled, allocated once its total length is known. */
  private frame: Uint8Array | null = null;
  private frameFilled = 0;
  private failed: RemotingCodecError | null = null;

  constructor(readonly maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH) {}

  /** Bytes still missing from the frame being received; 0 between frames (or while its length is incomplete). */
  get partialRemaining(): number {
    return this.frame === null ? 0 : this.frame.length - this.frameFilled;
  }

  /** True when a frame (or its length field) is partially received. */
  get hasPartialFrame(): boolean {
    return this.lengthFilled > 0 || this.frame !== null;
  }

  /**
   * Consumes `chunk` and returns every frame it completed, in stream order.
   *
   * @throws {RemotingCodecError} on a length outside [4, maxFrameLength − 4], a header length larger
   * than the frame, or an unknown serialize type. The decoder stays failed afterwards: the stream cannot
   * be resynchronised, so the connection must be closed.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failed) throw this.failed;
    const out: Uint8Array[] = [];
    let p = 0;
    const n = chunk.length;
    while (p < n) {
      if (this.frame === null) {
        // Fast path: the whole length field is in this chunk and none is buffered.
        if (this.lengthFilled === 0 && n - p >= 4) {
          const total = ((chunk[p]! << 24) | (chunk[p + 1]! << 16) | (chunk[p + 2]! << 8) | chunk[p + 3]!) |
            0;
          p += 4;
          this.startFrame(total);
        } else {
          this.lengthBytes[this.lengthFilled++] = chunk[p++]!;
          if (this.lengthFilled < 4) continue;
          const b = this.lengthBytes;
          this.lengthFilled = 0;
          this.startFrame(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) | 0);
        }
      }
      const frame = this.frame!;
      const take = Math.min(frame.length - this.frameFilled, n - p);
      const before = this.frameFilled;
      frame.set(chunk.subarray(p, p + take), before);
      p += take;
      this.frameFilled += take;
      if (before < 4 && this.frameFilled >= 4) this.checkHeaderWord(frame);
      if (this.frameFilled === frame.length) {
        out.push(frame);
        this.frame = null;
        this.frameFilled = 0;
      }
    }
    return out;
  }

  private startFrame(totalLength: number): void {
    if (totalLength < 4) this.fail(`Frame length "${totalLength}" is smaller than the 4-byte header word`);
    if (totalLength > this.maxFrameLength - 4) {
      this.fail(`Frame length "${totalLength}" exceeds the maximum of ${this.maxFrameLength - 4} bytes`);
    }
    this.frame = allocBuffer(totalLength);
    this.frameFilled = 0;
  }

  /** Validates the header word as soon as it is in, so a bad frame is rejected before its bulk arrives. */
  private checkHeaderWord(frame: Uint8Array): void {
    const type = frame[0]!;
    if (type !== SerializeType.JSON && type !== SerializeType.ROCKETMQ) {
      this.fail(`Unknown serialize type "${type}" in header word`);
    }
    const headerLength = (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!;
    if (headerLength > frame.length - 4) {
      this.fail(`Header length "${headerLength}" exceeds the ${frame.length - 4} bytes left in the frame`);
    }
  }

  private fail(message: string): never {
    this.frame = null;
    this.failed = new RemotingCodecError(message);
    throw this.failed;
  }
}
