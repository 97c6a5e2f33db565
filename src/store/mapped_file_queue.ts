/**
 * MappedFileQueue: an ordered directory of equally sized segments addressed by a global byte offset
 * (upstream MappedFileQueue). Used by the commitlog and by every consume queue.
 */
import * as fs from "node:fs";
import { dirOf, syncDir, syncDirAsync } from "../util/atomic_file.ts";
import { CREATING_SUFFIX, MappedFile, offsetToFileName } from "./mapped_file.ts";
import { SegmentPreallocator } from "./segment_preallocator.ts";

/** The segments of one store directory. */
export class MappedFileQueue {
  readonly dir: string;
  readonly fileSize: number;
  readonly files: MappedFile[] = [];
  /** Creates the next segment ahead of time (the commitlog's queue only). */
  readonly preallocator: SegmentPreallocator | null;
  /** Directories whose new entries await {@link syncDirs} (queues created with `deferDirSync`). */
  readonly #dirsToSync: Set<string> | null;
  /** The directory syncs started by the last {@link syncDirs}, which later callers wait for too. */
  #dirSyncs: Promise<unknown> = Promise.resolve();

  /**
   * `deferDirSync`: a new segment's directory entry is made durable by the next {@link syncDirs} instead
   * of a synchronous fsync on the event loop. For data that can be rebuilt (consume queues), whose
   * owner calls syncDirs before it records the data as durable; on a slow disk a new topic's queues
   * otherwise stalled every connection for one fsync each.
   */
  constructor(
    dir: string,
    fileSize: number,
    opts: { preallocateNext?: boolean; deferDirSync?: boolean } = {},
  ) {
    this.dir = dir;
    this.fileSize = fileSize;
    this.preallocator = opts.preallocateNext ? new SegmentPreallocator(dir, fileSize) : null;
    this.#dirsToSync = opts.deferDirSync ? new Set() : null;
  }

  /**
   * Makes the directory entries of segments created so far durable (see deferDirSync). Resolves only once
   * syncs an earlier call started have finished too, so no caller counts an entry durable too early.
   */
  async syncDirs(): Promise<void> {
    const dirs = this.#dirsToSync;
    if (dirs !== null && dirs.size > 0) {
      const now = [...dirs];
      dirs.clear();
      this.#dirSyncs = Promise.all([this.#dirSyncs, ...now.map(syncDirAsync)]);
    }
    await this.#dirSyncs;
  }

  /**
   * Opens every 20-digit segment in the directory, all marked full (recovery fixes the tail).
   * A segment of the wrong length aborts loading, as upstream does.
   */
  load(): void {
    let names: string[];
    try {
      const all = fs.readdirSync(this.dir);
      for (const n of all) if (n.endsWith(CREATING_SUFFIX)) fs.rmSync(`${this.dir}/${n}`, { force: true });
      names = all.filter((n) => /^\d{20}$/.test(n)).sort();
    } catch (e) {
      if (e instanceof Error && "code" in e && e.code === "ENOENT") return;
      throw e;
    }
    for (const name of names) {
      const f = MappedFile.open(`${this.dir}/${name}`, Number(name), this.fileSize);
      f.wrotePosition = this.fileSize;
      f.flushedPosition = this.fileSize;
      this.files.push(f);
    }
  }

  get first(): MappedFile | undefined {
    return this.files[0];
  }

  get last(): MappedFile | undefined {
    return this.files[this.files.length - 1];
  }

  /** Offset of the first byte still stored. */
  get minOffset(): number {
    return this.files[0]?.fileFromOffset ?? 0;
  }

  /** Offset just past the last valid byte. */
  get maxOffset(): number {
    const l = this.last;
    return l ? l.fileFromOffset + l.wrotePosition : 0;
  }

  /**
   * Creates the segment starting at `fromOffset` (must be aligned and after the last one), taking the
   * preallocated one when it is ready.
   */
  createFile(fromOffset: number): MappedFile {
    const path = `${this.dir}/${offsetToFileName(fromOffset)}`;
    const fd = this.preallocator?.take(fromOffset, path) ?? null;
    let f: MappedFile;
    if (fd !== null) {
      f = MappedFile.adopt(path, fromOffset, this.fileSize, fd);
    } else {
      const firstCreated = fs.mkdirSync(this.dir, { recursive: true });
      f = MappedFile.create(path, fromOffset, this.fileSize);
      const dirs = this.#dirsToSync;
      if (dirs === null) syncDir(this.dir);
      else {
        dirs.add(this.dir);
        // Directories made just now are entries of their parents, up to the one that existed.
        if (firstCreated !== undefined) {
          for (let d = this.dir; d !== dirOf(firstCreated) && d.length > 1; d = dirOf(d)) dirs.add(dirOf(d));
        }
      }
    }
    this.files.push(f);
    return f;
  }

  /**
   * The last segment if it has room, else a new one following it (or at `startOffset` when empty). With a
   * preallocator, makes sure the segment after the returned one is being prepared.
   */
  lastWritable(startOffset = 0): MappedFile {
    let l = this.last;
    if (!l || l.isFull()) {
      l = this.createFile(l ? l.fileFromOffset + this.fileSize : startOffset - (startOffset % this.fileSize));
    }
    const pre = this.preallocator;
    if (pre) {
      const next = l.fileFromOffset + this.fileSize;
      if (!pre.covers(next)) pre.prepare(next, `${this.dir}/${offsetToFileName(next)}`);
    }
    return l;
  }

  /** The segment holding `offset`, or undefined when it was deleted or never written. */
  findByOffset(offset: number): MappedFile | undefined {
    const first = this.files[0];
    if (!first || offset < first.fileFromOffset) return undefined;
    const idx = Math.floor((offset - first.fileFromOffset) / this.fileSize);
    const f = this.files[idx];
    if (f && offset >= f.fileFromOffset && offset < f.fileFromOffset + this.fileSize) return f;
    return this.files.find((x) => offset >= x.fileFromOffset && offset < x.fileFromOffset + this.fileSize);
  }

  /**
   * Makes `offset` the end of valid data: the containing file's positions move there and its tail is
   * zero-filled (rmq improvement over upstream, §4.7); later files are deleted.
   */
  truncateDirtyFiles(offset: number): void {
    const keep: MappedFile[] = [];
    let removed = false;
    for (const f of this.files) {
      const end = f.fileFromOffset + this.fileSize;
      if (end <= offset) {
        keep.push(f);
      } else if (f.fileFromOffset <= offset) {
        const pos = offset - f.fileFromOffset;
        f.wrotePosition = pos;
        f.flushedPosition = pos;
        f.zeroFrom(pos);
        keep.push(f);
      } else {
        f.destroy();
        removed = true;
      }
    }
    this.files.length = 0;
    this.files.push(...keep);
    if (removed) syncDir(this.dir);
  }

  /** Deletes the first segment (retention). */
  deleteFirst(): MappedFile | undefined {
    const f = this.files.shift();
    if (f) {
      f.destroy();
      syncDir(this.dir);
    }
    return f;
  }

  /** Deletes every segment and the directory itself. */
  destroyAll(): void {
    for (const f of this.files) f.destroy();
    this.files.length = 0;
    try {
      fs.rmSync(this.dir, { recursive: true, force: true });
    } catch { /* already gone */ }
  }

  close(): void {
    for (const f of this.files) f.close();
  }
}
