/**
 * Bump allocation of small frame buffers out of shared 64 KiB slabs.
 *
 * Every frame in and out used to be its own `new Uint8Array`, and in V8 each of those is a separately
 * allocated, zero-filled and later finalized backing store — measured at 2–3 µs per 1.5 KB frame, more
 * than encoding the header. Frames are short-lived (queued, written, dropped; or decoded and handed to a
 * processor that copies what it keeps), so carving them from a slab costs one allocation per slab. A slab
 * is never reused: it is freed by the garbage collector once no frame in it is referenced, so a buffer
 * handed out is never overwritten by a later one.
 *
 * Large buffers (pull responses of tens of KiB, the joined writes of a connection) come from a small pool
 * instead, and go back to it only through {@link releaseBuffer} by an owner that knows nothing else views
 * them (a connection, once the bytes were copied or written). In a backlog drain, allocating and
 * collecting them was a fifth of the broker's CPU.
 */

/** Frames larger than this get their own buffer; a slab would waste its tail on them. */
export const SLAB_MAX_ALLOC = 8 * 1024;
const SLAB_SIZE = 64 * 1024;

let slab = new Uint8Array(SLAB_SIZE);
let used = 0;

/** Pooled large buffers: power-of-two capacities from LARGE_MIN to LARGE_MAX; larger ones are never pooled. */
const LARGE_MIN = 16 * 1024;
const LARGE_MAX = 1024 * 1024;
/** Bytes kept for reuse at most: a few drains' worth of in-flight responses. */
const LARGE_POOL_MAX_BYTES = 16 * 1024 * 1024;
const largeFree = new Map<number, ArrayBuffer[]>();
let largeFreeBytes = 0;
/** Buffers this module handed out from the pool classes; only those may come back. */
const largeOrigin = new WeakSet<ArrayBuffer>();

function takeLarge(size: number): Uint8Array {
  if (size > LARGE_MAX) return new Uint8Array(size);
  let cap = LARGE_MIN;
  while (cap < size) cap *= 2;
  let buf = largeFree.get(cap)?.pop();
  if (buf) largeFreeBytes -= cap;
  else {
    buf = new ArrayBuffer(cap);
    largeOrigin.add(buf);
  }
  return new Uint8Array(buf, 0, size);
}

/**
 * Gives a buffer from {@link allocBuffer} back for reuse. Only its owner may call
 * this, once nothing views its bytes any more; buffers that did not come from the pool are ignored.
 */
export function releaseBuffer(buf: Uint8Array): void {
  const ab = buf.buffer as ArrayBuffer;
  if (buf.byteOffset !== 0 || !largeOrigin.has(ab)) return;
  const cap = ab.byteLength;
  if (largeFreeBytes + cap > LARGE_POOL_MAX_BYTES) return;
  let list = largeFree.get(cap);
  if (!list) largeFree.set(cap, list = []);
  list.push(ab);
  largeFreeBytes += cap;
}

/**
 * A buffer of `size` bytes for a frame: zero-filled when small; a large one may be recycled, so the caller
 * must write every byte. Small ones share an underlying ArrayBuffer with other buffers, so callers must
 * address it through its own `byteOffset`/`byteLength`, never `buffer` alone.
 *
 * @example
 * ```ts
 * const frame = allocBuffer(300);
 * const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
 * ```
 */
export function allocBuffer(size: number): Uint8Array {
  if (size > SLAB_MAX_ALLOC) return takeLarge(size);
  if (used + size > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  const out = slab.subarray(used, used + size);
  // Keep every buffer 8-byte aligned so typed views over it stay cheap.
  used += (size + 7) & ~7;
  return out;
}

/**
 * Space for a buffer whose final size is known only once it is written (a header encoded straight into
 * its frame): returns the slab's free space as a view of at least `maxSize` bytes, or null when `maxSize`
 * exceeds {@link SLAB_MAX_ALLOC} (allocate exactly with `allocBuffer` instead). With `skip`, the view
 * starts that many bytes in (room for a prefix written afterwards, such as a length field). Nothing is
 * handed out until {@link commitBuffer}, and no other allocation may come in between (the codec never
 * awaits). Write only the bytes you commit: the rest stays zero for the next buffer.
 *
 * @example
 * ```ts
 * const space = reserveBuffer(100)!;
 * space.set([1, 2, 3]);
 * const buf = commitBuffer(3); // Uint8Array [1, 2, 3]
 * ```
 */
export function reserveBuffer(maxSize: number, skip = 0): Uint8Array | null {
  if (maxSize > SLAB_MAX_ALLOC) return null;
  if (used + maxSize > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  return slab.subarray(used + skip, used + maxSize);
}

/** Hands out the first `size` bytes of the space the last {@link reserveBuffer} returned. */
export function commitBuffer(size: number): Uint8Array {
  const out = slab.subarray(used, used + size);
  used += (size + 7) & ~7;
  return out;
}
