/**
 * Messages pulled from one queue and not yet consumed (upstream ProcessQueue). The consumed offset of
 * a queue is the smallest offset still in flight, so a slow message holds the committed offset back
 * and nothing is skipped after a crash.
 */

import type { ConsumedMessage } from "./message.ts";

/** In-flight messages of one queue, ordered by queue offset. */
export class ProcessQueue {
  /** queueOffset → message. Offsets arrive ascending, so Map insertion order is offset order. */
  readonly #msgs = new Map<number, ConsumedMessage>();
  #maxOffset = -1;
  #bodyBytes = 0;
  /** Set when the queue is no longer ours; pulls and consumption stop. */
  dropped = false;
  /** Orderly consumption: the broker lock is held. */
  locked = false;
  lastLockTimestamp = 0;
  lastPullTimestamp = Date.now();
  /** Orderly consumption: a consume pass is running. */
  consuming = false;
  lastConsumeTimestamp = Date.now();

  /** Adds pulled messages; returns how many were new. */
  putMessages(msgs: readonly ConsumedMessage[]): number {
    let added = 0;
    for (const m of msgs) {
      // Anything at or below the newest offset seen is a duplicate; skipping it keeps keys ascending.
      if (m.queueOffset <= this.#maxOffset) continue;
      this.#msgs.set(m.queueOffset, m);
      this.#bodyBytes += m.body.length;
      if (m.queueOffset > this.#maxOffset) this.#maxOffset = m.queueOffset;
      added++;
    }
    return added;
  }

  /**
   * Removes consumed messages and returns the offset to commit: the smallest offset still in flight,
   * or one past the largest offset ever added when nothing is left. -1 if nothing was ever added.
   */
  removeMessages(msgs: readonly ConsumedMessage[]): number {
    this.lastConsumeTimestamp = Date.now();
    for (const m of msgs) {
      const had = this.#msgs.get(m.queueOffset);
      if (had) {
        this.#msgs.delete(m.queueOffset);
        this.#bodyBytes -= had.body.length;
      }
    }
    if (this.#maxOffset < 0) return -1;
    return this.commitOffset();
  }

  /** The offset that may be committed now. */
  commitOffset(): number {
    // Offsets are inserted ascending (pulls move forward only), so the first key is the smallest.
    const first = this.#msgs.keys().next();
    return first.done ? this.#maxOffset + 1 : first.value;
  }

  /** Orderly consumption: the next `n` messages in offset order (kept until committed). */
  takeMessages(n: number): ConsumedMessage[] {
    const out: ConsumedMessage[] = [];
    for (const m of this.#msgs.values()) {
      if (out.length >= n) break;
      out.push(m);
    }
    return out;
  }

  /** Number of in-flight messages. */
  get count(): number {
    return this.#msgs.size;
  }

  /** Total body bytes in flight. */
  get bytes(): number {
    return this.#bodyBytes;
  }

  /** Smallest in-flight offset, or 0 when empty. */
  get minOffset(): number {
    const first = this.#msgs.keys().next();
    return first.done ? 0 : first.value;
  }

  /** Largest offset ever added, or 0 before any. */
  get maxOffset(): number {
    return Math.max(this.#maxOffset, 0);
  }

  /** Offset span from the oldest to the newest in-flight message. */
  get span(): number {
    const first = this.#msgs.keys().next();
    return first.done ? 0 : this.#maxOffset - first.value;
  }

  /** Forgets everything (queue dropped). */
  clear(): void {
    this.#msgs.clear();
    this.#bodyBytes = 0;
  }
}
