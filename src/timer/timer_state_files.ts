/**
 * The timer service's own files. The timer topic in the commitlog stays the source of truth; these files only
 * say which of its entries are still pending:
 *
 * - `<root>/timerstore/pending.snap`: a snapshot `{readOffset R, pending timers with queue offset < R}`,
 *   replaced atomically (temp file, fsync, rename, fsync dir). Little-endian binary: magic "RMQT" · version ·
 *   R (f64) · count n (f64) · deliverMs[n] (f64) · queueOffset[n] (f64) · phyOffset[n] (f64) · flags[n] (u8) ·
 *   crc32 of everything before (u32).
 * - `<root>/timerstore/delivered-<generation>.log`: queue offsets (f64 each) delivered, appended with one write
 *   per delivery batch. Taking a snapshot first switches to a new generation, then writes the snapshot in the
 *   background, then deletes the older generations. Offsets in any log were delivered, and a delivered offset
 *   is never in a later snapshot, so recovery simply applies every log present.
 * - `<root>/config/timercheck.json`: readable status (R, pending count, whether the last stop was clean).
 *
 * Pending after a restart = snapshot ∪ timer-queue entries from R − delivered log.
 */
import { crc32 } from "../message/crc32.ts";
import { parseJson, stringifyJson } from "../util/json.ts";
import { readTextIfExists, syncDir, writeFileAtomicSync } from "../util/atomic_file.ts";

const MAGIC = 0x544d5152; // "RMQT" read as a little-endian u32
const VERSION = 1;
const HEADER = 24;

/** Columns of pending timers, as {@link TimerHeap.columns} returns them. */
export interface TimerColumns {
  deliverMs: Float64Array;
  queueOffset: Float64Array;
  phyOffset: Float64Array;
  flags: Uint8Array;
}

/** A loaded snapshot. */
export interface TimerSnapshot {
  /** Every timer-queue entry below this offset is either in `pending` or delivered. */
  readOffset: number;
  pending: TimerColumns;
}

/** Contents of `config/timercheck.json`. */
export interface TimerCheckpoint {
  readOffset: number;
  pending: number;
  /** False while the service runs; true after a clean shutdown wrote the final snapshot. */
  cleanShutdown: boolean;
  timestamp: number;
}

/** Thrown when the snapshot file exists but cannot be trusted. */
export class TimerSnapshotError extends Error {
  override name = "TimerSnapshotError";
}

/** Reads and writes the timer service's files under a store root. Not shared: one service owns it. */
export class TimerStateFiles {
  readonly dir: string;
  readonly snapshotPath: string;
  readonly checkpointPath: string;
  #log: Deno.FsFile | null = null;
  #generation = -1;

  constructor(storeRoot: string) {
    const root = storeRoot.replace(/\/+$/, "") || "/";
    this.dir = `${root}/timerstore`;
    this.snapshotPath = `${this.dir}/pending.snap`;
    this.checkpointPath = `${root}/config/timercheck.json`;
  }

  /** The last snapshot, or null when there is none. Throws {@link TimerSnapshotError} when it is damaged. */
  loadSnapshot(): TimerSnapshot | null {
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(this.snapshotPath);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
    const bad = (why: string) => new TimerSnapshotError(`Timer snapshot "${this.snapshotPath}" ${why}`);
    if (bytes.length < HEADER + 4) throw bad(`is too short (${bytes.length} bytes)`);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    if (dv.getUint32(0, true) !== MAGIC) throw bad("has a bad magic number");
    if (dv.getUint32(4, true) !== VERSION) throw bad(`has the unknown version ${dv.getUint32(4, true)}`);
    const readOffset = dv.getFloat64(8, true);
    const n = dv.getFloat64(16, true);
    if (!Number.isSafeInteger(n) || n < 0 || bytes.length !== HEADER + 25 * n + 4) {
      throw bad(`has an inconsistent length (${bytes.length} bytes for ${n} timers)`);
    }
    const end = HEADER + 25 * n;
    if ((crc32(bytes, 0, end) >>> 0) !== dv.getUint32(end, true)) throw bad("fails its checksum");
    // Copy into aligned arrays: the read buffer's offset need not be a multiple of 8.
    const f64 = (at: number) => new Float64Array(bytes.slice(at, at + 8 * n).buffer);
    return {
      readOffset,
      pending: {
        deliverMs: f64(HEADER),
        queueOffset: f64(HEADER + 8 * n),
        phyOffset: f64(HEADER + 16 * n),
        flags: bytes.slice(HEADER + 24 * n, end),
      },
    };
  }

  /**
   * Atomically replaces the snapshot with `cols` as they are at the call (they are copied before the first
   * await, and later deliveries go to a new log generation), then deletes the older delivered logs.
   */
  async writeSnapshot(readOffset: number, cols: TimerColumns): Promise<void> {
    const bytes = encodeSnapshot(readOffset, cols);
    const keepFrom = this.#rotateLog();
    const tmp = `${this.snapshotPath}.tmp`;
    const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      let off = 0;
      while (off < bytes.length) off += await f.write(bytes.subarray(off));
      await f.sync();
    } finally {
      f.close();
    }
    await Deno.rename(tmp, this.snapshotPath);
    syncDir(this.dir);
    for (const [gen, path] of this.#logFiles()) {
      if (gen < keepFrom) await Deno.remove(path).catch(() => {});
    }
  }

  /** Queue offsets recorded as delivered in every log generation present (a torn last entry is ignored). */
  readDelivered(): Set<number> {
    const out = new Set<number>();
    for (const [, path] of this.#logFiles()) {
      const bytes = Deno.readFileSync(path);
      const n = Math.floor(bytes.length / 8);
      const dv = new DataView(bytes.buffer, bytes.byteOffset, n * 8);
      for (let i = 0; i < n; i++) out.add(dv.getFloat64(i * 8, true));
    }
    return out;
  }

  /**
   * Appends `count` delivered queue offsets with one write. Not fsynced: like the commitlog under ASYNC_FLUSH
   * it survives a process crash, not a power loss.
   */
  appendDelivered(offsets: Float64Array, count: number): void {
    if (count === 0) return;
    if (!this.#log) this.#rotateLog();
    const bytes = new Uint8Array(count * 8);
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < count; i++) dv.setFloat64(i * 8, offsets[i]!, true);
    let off = 0;
    while (off < bytes.length) off += this.#log!.writeSync(bytes.subarray(off));
  }

  /** The status file, or null when missing or unreadable. */
  readCheckpoint(): TimerCheckpoint | null {
    const text = readTextIfExists(this.checkpointPath);
    if (text === null) return null;
    try {
      const v = parseJson(text) as unknown as Partial<TimerCheckpoint> | null;
      if (!v || typeof v !== "object") return null;
      return {
        readOffset: Number(v.readOffset ?? 0),
        pending: Number(v.pending ?? 0),
        cleanShutdown: v.cleanShutdown === true,
        timestamp: Number(v.timestamp ?? 0),
      };
    } catch {
      return null;
    }
  }

  /** Atomically replaces the status file. */
  writeCheckpoint(cp: TimerCheckpoint): void {
    writeFileAtomicSync(this.checkpointPath, stringifyJson(cp));
  }

  /** Closes the delivered log. */
  close(): void {
    this.#log?.close();
    this.#log = null;
  }

  /** Starts a new delivered-log generation; returns its number. */
  #rotateLog(): number {
    this.#log?.close();
    this.#log = null;
    Deno.mkdirSync(this.dir, { recursive: true });
    if (this.#generation < 0) {
      for (const [gen] of this.#logFiles()) this.#generation = Math.max(this.#generation, gen);
    }
    this.#generation++;
    this.#log = Deno.openSync(this.logPath(this.#generation), { write: true, create: true, truncate: true });
    return this.#generation;
  }

  /** Path of one delivered-log generation. */
  logPath(generation: number): string {
    return `${this.dir}/delivered-${generation}.log`;
  }

  /** Existing delivered logs as [generation, path], oldest first. */
  #logFiles(): [number, string][] {
    const out: [number, string][] = [];
    try {
      for (const e of Deno.readDirSync(this.dir)) {
        const m = /^delivered-(\d+)\.log$/.exec(e.name);
        if (m && e.isFile) out.push([Number(m[1]), `${this.dir}/${e.name}`]);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return out.sort((a, b) => a[0] - b[0]);
  }
}

function encodeSnapshot(readOffset: number, cols: TimerColumns): Uint8Array {
  const n = cols.deliverMs.length;
  const end = HEADER + 25 * n;
  const buf = new ArrayBuffer(end + 4);
  const dv = new DataView(buf);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, VERSION, true);
  dv.setFloat64(8, readOffset, true);
  dv.setFloat64(16, n, true);
  new Float64Array(buf, HEADER, n).set(cols.deliverMs);
  new Float64Array(buf, HEADER + 8 * n, n).set(cols.queueOffset);
  new Float64Array(buf, HEADER + 16 * n, n).set(cols.phyOffset);
  const bytes = new Uint8Array(buf);
  bytes.set(cols.flags, HEADER + 24 * n);
  dv.setUint32(end, crc32(bytes, 0, end) >>> 0, true);
  return bytes;
}
