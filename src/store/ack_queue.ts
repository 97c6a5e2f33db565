/**
 * AckQueue: puts waiting for the commitlog to reach their end offset (write() done, or fdatasync done).
 *
 * Waiters are kept in parallel arrays in append order, so releasing a write batch is one pass over the
 * covered head with no per-waiter object, promise or array allocation. Called only from the event loop.
 */

/** How a wait ended: `true` covered, `false` timed out, an Error if the write or sync failed. */
export type AckOutcome = boolean | Error;

/** Ordered waiters on a growing offset. */
export class AckQueue {
  #ends: number[] = [];
  #deadlines: number[] = [];
  #settles: ((outcome: AckOutcome) => void)[] = [];
  #head = 0;

  /** Waiters not yet settled. */
  get length(): number {
    return this.#ends.length - this.#head;
  }

  /**
   * Adds a waiter for `end`. Ends must not decrease between calls (puts append in commitlog order);
   * `deadline` (clock ms) is checked by {@link expire}.
   *
   * @example q.push(4096, (o) => o === true && ack()); q.release(8192); // acks
   */
  push(end: number, settle: (outcome: AckOutcome) => void, deadline = Infinity): void {
    this.#ends.push(end);
    this.#deadlines.push(deadline);
    this.#settles.push(settle);
  }

  /** Settles, in order, every waiter whose end is at most `offset` with `true`. */
  release(offset: number): void {
    const ends = this.#ends;
    const settles = this.#settles;
    let h = this.#head;
    const start = h;
    while (h < ends.length && ends[h]! <= offset) {
      const s = settles[h]!;
      // Drop the reference first: a settle that throws must not be called again.
      this.#head = ++h;
      s(true);
    }
    if (h !== start) this.#compact();
  }

  /** Settles every waiter whose deadline is at or before `now` with `false` (flush timeout). */
  expire(now: number): void {
    const keepEnds: number[] = [],
      keepDeadlines: number[] = [],
      keepSettles: ((o: AckOutcome) => void)[] = [];
    const expired: ((o: AckOutcome) => void)[] = [];
    for (let i = this.#head; i < this.#ends.length; i++) {
      if (this.#deadlines[i]! <= now) {
        expired.push(this.#settles[i]!);
      } else {
        keepEnds.push(this.#ends[i]!);
        keepDeadlines.push(this.#deadlines[i]!);
        keepSettles.push(this.#settles[i]!);
      }
    }
    if (expired.length === 0) return;
    this.#ends = keepEnds;
    this.#deadlines = keepDeadlines;
    this.#settles = keepSettles;
    this.#head = 0;
    for (const s of expired) s(false);
  }

  /** Settles every waiter with `outcome` (a write error, or the final answer at shutdown). */
  settleAll(outcome: AckOutcome | ((end: number) => AckOutcome)): void {
    const ends = this.#ends.slice(this.#head);
    const settles = this.#settles.slice(this.#head);
    this.#ends = [];
    this.#deadlines = [];
    this.#settles = [];
    this.#head = 0;
    for (let i = 0; i < settles.length; i++) {
      settles[i]!(typeof outcome === "function" ? outcome(ends[i]!) : outcome);
    }
  }

  /** Drops the settled head once it is all of the queue or large enough that keeping it wastes memory. */
  #compact(): void {
    const h = this.#head;
    if (h === this.#ends.length) {
      this.#ends.length = 0;
      this.#deadlines.length = 0;
      this.#settles.length = 0;
      this.#head = 0;
    } else if (h > 1024 && h * 2 > this.#ends.length) {
      this.#ends.splice(0, h);
      this.#deadlines.splice(0, h);
      this.#settles.splice(0, h);
      this.#head = 0;
    }
  }
}
