/**
 * SegmentPreallocator: creates the next segment of a queue ahead of time, off the append path (upstream's
 * AllocateMappedFileService). Creating a segment costs an open, a truncate to full length and a directory
 * fsync; done when a segment fills, that is a latency spike for every put waiting behind the roll.
 *
 * The prepared file keeps its `.creating` name until it is taken, so a crash never leaves an extra
 * segment for recovery to consider: load() deletes `.creating` leftovers. Taking it is a rename; the
 * directory fsync that makes the new name durable runs on the thread pool, and {@link dirSynced} lets the
 * commitlog's flush wait for it before acking SYNC_FLUSH puts stored in the new segment.
 * Called only from the event loop.
 */
import * as fs from "node:fs";
import { getLogger } from "../log/logger.ts";
import { syncDirAsync } from "../util/atomic_file.ts";
import { CREATING_SUFFIX } from "./mapped_file.ts";

const log = getLogger("store.prealloc");

function openAsync(path: string): Promise<number> {
  return new Promise((res, rej) => fs.open(path, "w+", (e, fd) => e ? rej(e) : res(fd)));
}

function ftruncateAsync(fd: number, size: number): Promise<void> {
  return new Promise((res, rej) => fs.ftruncate(fd, size, (e) => e ? rej(e) : res()));
}

function closeQuietly(fd: number, path: string): void {
  try {
    fs.closeSync(fd);
    fs.rmSync(path, { force: true });
  } catch { /* best effort: a leftover `.creating` file is deleted at the next load */ }
}

/** One prepared (or being prepared) segment per queue. */
export class SegmentPreallocator {
  readonly #dir: string;
  readonly #fileSize: number;
  #ready: { from: number; fd: number; tmp: string } | null = null;
  #pending: Promise<void> | null = null;
  #pendingFrom = -1;
  #dirSync: Promise<void> | null = null;
  #closed = false;

  constructor(dir: string, fileSize: number) {
    this.#dir = dir;
    this.#fileSize = fileSize;
  }

  /** True if the segment starting at `from` is prepared or being prepared. */
  covers(from: number): boolean {
    return this.#ready?.from === from || this.#pendingFrom === from;
  }

  /** Starts creating the segment at `from` in the background (no-op if it is already covered). */
  prepare(from: number, path: string): void {
    if (this.#closed || this.#pending || this.#ready?.from === from) return;
    if (this.#ready) {
      closeQuietly(this.#ready.fd, this.#ready.tmp);
      this.#ready = null;
    }
    const tmp = path + CREATING_SUFFIX;
    this.#pendingFrom = from;
    this.#pending = (async () => {
      let fd = -1;
      try {
        fs.mkdirSync(this.#dir, { recursive: true });
        fd = await openAsync(tmp);
        await ftruncateAsync(fd, this.#fileSize);
        if (this.#closed) closeQuietly(fd, tmp);
        else this.#ready = { from, fd, tmp };
      } catch (e) {
        // The append path falls back to creating the segment itself.
        log.warn(`Cannot preallocate segment "${path}": ${e}`);
        if (fd >= 0) closeQuietly(fd, tmp);
      }
    })().finally(() => {
      this.#pending = null;
      this.#pendingFrom = -1;
    });
  }

  /**
   * The prepared segment at `from`, renamed to `path`, as an fd; null if none is ready (the caller creates
   * the segment itself). Starts the directory fsync that {@link dirSynced} waits for.
   */
  take(from: number, path: string): number | null {
    const r = this.#ready;
    if (!r || r.from !== from) return null;
    this.#ready = null;
    try {
      fs.renameSync(r.tmp, path);
    } catch (e) {
      log.warn(`Cannot rename preallocated segment "${r.tmp}": ${e}`);
      closeQuietly(r.fd, r.tmp);
      return null;
    }
    const prev = this.#dirSync ?? Promise.resolve();
    const p: Promise<void> = prev.then(() => syncDirAsync(this.#dir)).finally(() => {
      if (this.#dirSync === p) this.#dirSync = null;
    });
    this.#dirSync = p;
    return r.fd;
  }

  /** Resolves once every segment name taken so far is durable in the directory. */
  dirSynced(): Promise<void> | null {
    return this.#dirSync;
  }

  /** Stops preparing: waits for work in flight and deletes an unused prepared file. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#pending;
    await this.#dirSync;
    if (this.#ready) closeQuietly(this.#ready.fd, this.#ready.tmp);
    this.#ready = null;
  }

  /** Synchronous close for paths that cannot await (a failed start): in-flight work cleans up after itself. */
  closeNow(): void {
    this.#closed = true;
    if (this.#ready) closeQuietly(this.#ready.fd, this.#ready.tmp);
    this.#ready = null;
  }
}
