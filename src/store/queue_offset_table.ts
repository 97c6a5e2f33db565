/**
 * QueueOffsetTable: the next logical offset of every topic/queue (upstream topicQueueTable). Puts take a
 * queue's cell once and bump it in place, so assigning an offset costs no string key and no second lookup.
 * Owned by the store; called only from the event loop.
 */

/** One queue's next logical offset, mutated in place by puts. */
export interface QueueOffset {
  next: number;
}

/** Next logical offsets by topic and queue id. */
export class QueueOffsetTable {
  readonly #topics = new Map<string, Map<number, QueueOffset>>();

  /**
   * The cell of `topic`/`queueId`, created at 0 on first use.
   *
   * @example table.cell("T", 0).next++ // assigns offset 0, the next put gets 1
   */
  cell(topic: string, queueId: number): QueueOffset {
    let m = this.#topics.get(topic);
    if (!m) {
      m = new Map();
      this.#topics.set(topic, m);
    }
    let q = m.get(queueId);
    if (!q) {
      q = { next: 0 };
      m.set(queueId, q);
    }
    return q;
  }

  /** Forgets one queue (its topic was deleted). */
  delete(topic: string, queueId: number): void {
    this.#topics.get(topic)?.delete(queueId);
  }

  clear(): void {
    this.#topics.clear();
  }
}
