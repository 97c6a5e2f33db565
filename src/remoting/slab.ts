/**
 * Bump allocation of small frame buffers out of shared 64 KiB slabs.
 *
 * Every frame in and out used to be its own `new Uint8Array`, and in V8 each of those is a separately
 * allocated, zero-filled and later finalized backing store — measured at 2–3 µs per 1.5 KB frame, more
 * than encoding the header. Frames are short-lived (queued, written, dropped; or decoded and handed to a
 * processor that copies what it keeps), so carving them from a slab costs one allocation per slab. A slab
 * is never reused: it is freed by the garbage collector once no frame in it is referenced, so a buffer
 * handed out is never overwritten by a later one.
 */

/** Frames larger than this get their own buffer; a slab would waste its tail on them. */
export const SLAB_MAX_ALLOC = 8 * 1024;
const SLAB_SIZE = 64 * 1024;

let slab = new Uint8Array(SLAB_SIZE);
let used = 0;

/**
 * A zero-filled buffer of `size` bytes. Small ones share an underlying ArrayBuffer with other buffers,
 * so callers must address it through its own `byteOffset`/`byteLength`, never `buffer` alone.
 *
 * @example
 * ```ts
 * const frame = allocBuffer(300);
 * const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
 * ```
 */
export function allocBuffer(size: number): Uint8Array {
  if (size > SLAB_MAX_ALLOC) return new Uint8Array(size);
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
