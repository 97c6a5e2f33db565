/**
 * ReadBufferPool: recycled buffers for commitlog span reads on the getMessage path, so a backlog drain does
 * not allocate a fresh buffer per pull and leave the GC to find them (which lets external memory climb by
 * tens of MiB between collections). Bounded: buffers returned beyond `maxPooledBytes` are dropped.
 * Single-threaded: called from the event loop only.
 */

/** Smallest buffer handed out; spans are rounded up to a power of two from here, so buffers are reusable. */
const MIN_BUFFER = 64 * 1024;

/** A bounded free list of power-of-two read buffers. */
export class ReadBufferPool {
  readonly maxPooledBytes: number;
  readonly #free = new Map<number, Uint8Array[]>();
  #pooledBytes = 0;
  #recycling = false;

  constructor(maxPooledBytes: number) {
    this.maxPooledBytes = maxPooledBytes;
  }

  /**
   * True once any buffer came back: callers release their buffers, so handing out pooled buffers pays.
   * Until then a reader should not take from the pool (nothing would come back; see get_message.ts).
   */
  get recycling(): boolean {
    return this.#recycling;
  }

  /** Bytes currently held for reuse. */
  get pooledBytes(): number {
    return this.#pooledBytes;
  }

  /**
   * A buffer of at least `size` bytes (contents undefined).
   *
   * @example
   * ```ts
   * const pool = new ReadBufferPool(8 << 20);
   * const buf = pool.take(100_000); // 128 KiB
   * pool.give(buf);
   * ```
   */
  take(size: number): Uint8Array {
    let cap = MIN_BUFFER;
    while (cap < size) cap *= 2;
    const buf = this.#free.get(cap)?.pop();
    if (buf) {
      this.#pooledBytes -= cap;
      return buf;
    }
    return new Uint8Array(cap);
  }

  /**
   * Returns buffers from {@link take} (possibly none: a caller releasing a result that needed no pooled
   * buffer still shows that its callers release); the caller must hold no view of them any more.
   */
  giveAll(bufs: readonly Uint8Array[]): void {
    this.#recycling = true;
    for (const b of bufs) this.give(b);
  }

  /** Returns a buffer from {@link take}; the caller must hold no view of it any more. */
  give(buf: Uint8Array): void {
    this.#recycling = true;
    const cap = buf.length;
    if (cap < MIN_BUFFER || (cap & (cap - 1)) !== 0 || this.#pooledBytes + cap > this.maxPooledBytes) return;
    let list = this.#free.get(cap);
    if (!list) {
      list = [];
      this.#free.set(cap, list);
    }
    list.push(buf);
    this.#pooledBytes += cap;
  }
}
