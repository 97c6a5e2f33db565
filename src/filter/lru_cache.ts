/**
 * A small least-recently-used cache on top of `Map` insertion order.
 */

/**
 * Keeps at most `capacity` entries; reading an entry makes it the most recent.
 *
 * @example
 * ```ts
 * const c = new LruCache<string, number>(2);
 * c.set("a", 1); c.set("b", 2); c.get("a"); c.set("c", 3); // evicts "b"
 * ```
 */
export class LruCache<K, V> {
  readonly #map = new Map<K, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cache capacity "${capacity}" must be a positive integer`);
    }
    this.#capacity = capacity;
  }

  /** Number of cached entries. */
  get size(): number {
    return this.#map.size;
  }

  /** The cached value, refreshed as most recently used, or undefined. */
  get(key: K): V | undefined {
    const map = this.#map;
    if (!map.has(key)) return undefined;
    const value = map.get(key) as V;
    map.delete(key);
    map.set(key, value);
    return value;
  }

  /** Whether `key` is cached (does not refresh it). */
  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** Stores `value`, evicting the least recently used entry when full. */
  set(key: K, value: V): void {
    const map = this.#map;
    map.delete(key);
    map.set(key, value);
    if (map.size > this.#capacity) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
  }

  /** Removes every entry. */
  clear(): void {
    this.#map.clear();
  }
}
