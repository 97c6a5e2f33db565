/**
 * MappedFile: one fixed-size, preallocated store segment (commitlog, consume queue or index file).
 *
 * Deno has no mmap, so a segment is a file descriptor with positioned reads and writes (node:fs
 * `readSync`/`writeSync` with a position: no seek, ~15× faster than seek+read). Callers own the position model
 * (wrote/flushed); this class only moves bytes. Single-threaded: every method is called from the event loop.
 */
import * as fs from "node:fs";

/** Formats a segment start offset as upstream's 20-digit file name. */
export function offsetToFileName(offset: number): string {
  return String(offset).padStart(20, "0");
}

/** Suffix of a segment being created; such leftovers of a crash are deleted at load. */
export const CREATING_SUFFIX = ".creating";

/**
 * Creates `path` with its full length, atomically: the file is sized under a temporary name and then renamed,
 * so a crash can never leave a short segment that would make the next start refuse to load. Returns an fd.
 */
export function createPreallocated(path: string, size: number): number {
  const tmp = path + CREATING_SUFFIX;
  const fd = fs.openSync(tmp, "w+");
  try {
    fs.ftruncateSync(fd, size);
    fs.renameSync(tmp, path);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return fd;
}

/** One segment file on disk. */
export class MappedFile {
  readonly path: string;
  readonly fileFromOffset: number;
  readonly fileSize: number;
  #fd: number;
  #closed = false;
  /** Bytes of valid data in this file (maintained by the owning queue). */
  wrotePosition = 0;
  /** Bytes known to be on stable storage. */
  flushedPosition = 0;

  private constructor(path: string, fileFromOffset: number, fileSize: number, fd: number) {
    this.path = path;
    this.fileFromOffset = fileFromOffset;
    this.fileSize = fileSize;
    this.#fd = fd;
  }

  /** Creates a new zero-filled (sparse) segment of `fileSize` bytes. */
  static create(path: string, fileFromOffset: number, fileSize: number): MappedFile {
    return new MappedFile(path, fileFromOffset, fileSize, createPreallocated(path, fileSize));
  }

  /** Wraps an fd of a segment that was already created at full length (see SegmentPreallocator). */
  static adopt(path: string, fileFromOffset: number, fileSize: number, fd: number): MappedFile {
    return new MappedFile(path, fileFromOffset, fileSize, fd);
  }

  /** Opens an existing segment; its length must equal `fileSize` (upstream refuses to load otherwise). */
  static open(path: string, fileFromOffset: number, fileSize: number): MappedFile {
    const fd = fs.openSync(path, "r+");
    const size = fs.fstatSync(fd).size;
    if (size !== fileSize) {
      fs.closeSync(fd);
      throw new Error(`Segment "${path}" has length ${size}, expected ${fileSize}`);
    }
    return new MappedFile(path, fileFromOffset, fileSize, fd);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes the file can still take. */
  get freeSpace(): number {
    return this.fileSize - this.wrotePosition;
  }

  isFull(): boolean {
    return this.wrotePosition >= this.fileSize;
  }

  /** Writes `data[off, off+len)` at `pos` in one positioned write (looping only on short writes). */
  writeAt(pos: number, data: Uint8Array, off = 0, len = data.length - off): void {
    let done = 0;
    while (done < len) {
      done += fs.writeSync(this.#fd, data, off + done, len - done, pos + done);
    }
  }

  /** Reads up to `len` bytes at `pos` into `target[at..]`; returns the number read. */
  readInto(pos: number, target: Uint8Array, at: number, len: number): number {
    let done = 0;
    while (done < len) {
      const n = fs.readSync(this.#fd, target, at + done, len - done, pos + done);
      if (n <= 0) break;
      done += n;
    }
    return done;
  }

  /** Reads `len` bytes at `pos` into a new buffer (shorter if past the file end). */
  read(pos: number, len: number): Uint8Array {
    const out = new Uint8Array(Math.max(0, Math.min(len, this.fileSize - pos)));
    const n = this.readInto(pos, out, 0, out.length);
    return n === out.length ? out : out.subarray(0, n);
  }

  /** fdatasync on the libuv thread pool, so the event loop keeps accepting work during the sync. */
  sync(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve, reject) => fs.fdatasync(this.#fd, (err) => err ? reject(err) : resolve()));
  }

  syncNow(): void {
    if (!this.#closed) fs.fdatasyncSync(this.#fd);
  }

  /** Zero-fills `[from, fileSize)` so stale bytes past a truncation point can never parse as records. */
  zeroFrom(from: number): void {
    const chunk = new Uint8Array(Math.min(1 << 20, Math.max(0, this.fileSize - from)));
    let pos = from;
    while (pos < this.fileSize) {
      const len = Math.min(chunk.length, this.fileSize - pos);
      // Skip regions that are already zero: a sparse tail costs a read, not a write.
      const n = this.readInto(pos, chunk, 0, len);
      let dirty = false;
      for (let i = 0; i < n; i++) {
        if (chunk[i] !== 0) {
          dirty = true;
          break;
        }
      }
      // Appends are contiguous and every truncation zero-fills, so the first all-zero chunk ends the dirt.
      if (!dirty) break;
      chunk.fill(0, 0, len);
      this.writeAt(pos, chunk, 0, len);
      pos += len;
    }
  }

  /** Last modification time in ms (upstream retention is based on it). */
  lastModified(): number {
    if (this.#closed) return 0;
    return fs.fstatSync(this.#fd).mtimeMs;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    fs.closeSync(this.#fd);
  }

  /** Closes and deletes the file. */
  destroy(): void {
    this.close();
    try {
      fs.unlinkSync(this.path);
    } catch (e) {
      if (!(e instanceof Error && "code" in e && e.code === "ENOENT")) throw e;
    }
  }
}
