/**
 * Length-prefixed frames for the TCP ceiling measurement: `int32 length ‖ int32 replyLength ‖ padding`.
 * The same framing cost as remoting's 4-byte length field, and nothing else, so the figure is what this
 * machine's loopback and Deno's TCP can do, not what a codec can.
 */

/** Bytes of the frame header: the length field plus the reply-length word. */
export const FRAME_HEADER = 8;

/**
 * Counts whole frames in a byte stream that arrives in arbitrary chunks; reports each frame's
 * reply-length word.
 */
export class FrameCounter {
  readonly #head = new Uint8Array(FRAME_HEADER);
  readonly #headView = new DataView(this.#head.buffer);
  #headFill = 0;
  /** Body bytes still to skip in the current frame. */
  #remaining = 0;

  /** Feeds `chunk`; calls `onFrame(replyLength)` per completed frame and returns how many completed. */
  push(chunk: Uint8Array, onFrame?: (replyLength: number) => void): number {
    let at = 0;
    let done = 0;
    while (at < chunk.length) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, chunk.length - at);
        this.#remaining -= take;
        at += take;
        if (this.#remaining === 0) done++;
        continue;
      }
      const take = Math.min(FRAME_HEADER - this.#headFill, chunk.length - at);
      this.#head.set(chunk.subarray(at, at + take), this.#headFill);
      this.#headFill += take;
      at += take;
      if (this.#headFill < FRAME_HEADER) break;
      this.#headFill = 0;
      const length = this.#headView.getInt32(0);
      onFrame?.(this.#headView.getInt32(4));
      this.#remaining = Math.max(0, length - 4);
      if (this.#remaining === 0) done++;
    }
    return done;
  }
}

/** One frame of `size` bytes in total (header included) asking for a reply of `replySize` bytes. */
export function makeFrame(size: number, replySize: number): Uint8Array {
  const total = Math.max(FRAME_HEADER, size);
  const frame = new Uint8Array(total);
  const view = new DataView(frame.buffer);
  view.setInt32(0, total - 4);
  view.setInt32(4, replySize);
  return frame;
}

/** `n` copies of `frame` back to back, for one write. */
export function repeatFrame(frame: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(frame.length * n);
  for (let i = 0; i < n; i++) out.set(frame, i * frame.length);
  return out;
}
