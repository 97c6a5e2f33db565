/**
 * Pending timers as a binary min-heap over parallel typed arrays, ordered by delivery time and then by
 * timer-queue offset (so timers due in the same millisecond fire in send order).
 *
 * 25 bytes per pending timer and no object per entry: a million pending timers cost ~25 MB and no GC work;
 * push and pop are O(log n).
 */

/** One pending timer. `flags` is free for the service (e.g. "is a cancel request"). */
export interface TimerEntry {
  deliverMs: number;
  queueOffset: number;
  phyOffset: number;
  flags: number;
}

const INITIAL_CAPACITY = 1024;

/** A growable min-heap of {@link TimerEntry}. */
export class TimerHeap {
  #deliver: Float64Array;
  #queue: Float64Array;
  #phy: Float64Array;
  #flags: Uint8Array;
  #size = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    const c = Math.max(16, capacity);
    this.#deliver = new Float64Array(c);
    this.#queue = new Float64Array(c);
    this.#phy = new Float64Array(c);
    this.#flags = new Uint8Array(c);
  }

  /** Number of pending timers. */
  get size(): number {
    return this.#size;
  }

  /** Delivery time of the earliest timer, or Infinity when empty. */
  peekDeliverMs(): number {
    return this.#size > 0 ? this.#deliver[0]! : Infinity;
  }

  /** Adds a timer. */
  push(deliverMs: number, queueOffset: number, phyOffset: number, flags = 0): void {
    if (this.#size === this.#deliver.length) this.#grow(this.#size * 2);
    const i = this.#size++;
    this.#deliver[i] = deliverMs;
    this.#queue[i] = queueOffset;
    this.#phy[i] = phyOffset;
    this.#flags[i] = flags;
    this.#siftUp(i);
  }

  /** Removes the earliest timer into `out`; false when empty. */
  pop(out: TimerEntry): boolean {
    if (this.#size === 0) return false;
    out.deliverMs = this.#deliver[0]!;
    out.queueOffset = this.#queue[0]!;
    out.phyOffset = this.#phy[0]!;
    out.flags = this.#flags[0]!;
    const last = --this.#size;
    if (last > 0) {
      this.#move(last, 0);
      this.#siftDown(0);
    }
    return true;
  }

  /** Views of the live part of the storage arrays (heap order), valid until the next mutation. */
  columns(): {
    deliverMs: Float64Array;
    queueOffset: Float64Array;
    phyOffset: Float64Array;
    flags: Uint8Array;
  } {
    const n = this.#size;
    return {
      deliverMs: this.#deliver.subarray(0, n),
      queueOffset: this.#queue.subarray(0, n),
      phyOffset: this.#phy.subarray(0, n),
      flags: this.#flags.subarray(0, n),
    };
  }

  /**
   * Builds a heap from columns in any order in O(n), skipping entries for which `drop(queueOffset)` is true.
   * The columns are copied.
   */
  static from(
    cols: { deliverMs: Float64Array; queueOffset: Float64Array; phyOffset: Float64Array; flags: Uint8Array },
    drop: (queueOffset: number) => boolean = () => false,
  ): TimerHeap {
    const n = cols.deliverMs.length;
    const h = new TimerHeap(Math.max(INITIAL_CAPACITY, n + (n >> 2)));
    let k = 0;
    for (let i = 0; i < n; i++) {
      const q = cols.queueOffset[i]!;
      if (drop(q)) continue;
      h.#deliver[k] = cols.deliverMs[i]!;
      h.#queue[k] = q;
      h.#phy[k] = cols.phyOffset[i]!;
      h.#flags[k] = cols.flags[i]!;
      k++;
    }
    h.#size = k;
    for (let i = (k >> 1) - 1; i >= 0; i--) h.#siftDown(i);
    return h;
  }

  #less(a: number, b: number): boolean {
    const da = this.#deliver[a]!, db = this.#deliver[b]!;
    return da < db || (da === db && this.#queue[a]! < this.#queue[b]!);
  }

  #swap(a: number, b: number): void {
    const d = this.#deliver[a]!, q = this.#queue[a]!, p = this.#phy[a]!, f = this.#flags[a]!;
    this.#move(b, a);
    this.#deliver[b] = d;
    this.#queue[b] = q;
    this.#phy[b] = p;
    this.#flags[b] = f;
  }

  #move(from: number, to: number): void {
    this.#deliver[to] = this.#deliver[from]!;
    this.#queue[to] = this.#queue[from]!;
    this.#phy[to] = this.#phy[from]!;
    this.#flags[to] = this.#flags[from]!;
  }

  #siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(i, parent)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #siftDown(i: number): void {
    const n = this.#size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && this.#less(r, l) ? r : l;
      if (!this.#less(c, i)) return;
      this.#swap(i, c);
      i = c;
    }
  }

  #grow(capacity: number): void {
    const d = new Float64Array(capacity), q = new Float64Array(capacity), p = new Float64Array(capacity);
    const f = new Uint8Array(capacity);
    d.set(this.#deliver);
    q.set(this.#queue);
    p.set(this.#phy);
    f.set(this.#flags);
    this.#deliver = d;
    this.#queue = q;
    this.#phy = p;
    this.#flags = f;
  }
}
