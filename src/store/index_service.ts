/**
 * IndexService: the ordered set of index files, key extraction on dispatch and query by key (§3).
 */
import * as fs from "node:fs";
import { syncDir } from "../util/atomic_file.ts";
import { IndexFile, indexFileName, topicHashSeed, topicKeyHash } from "./index_file.ts";
import { CREATING_SUFFIX } from "./mapped_file.ts";

/** Index files of one store. */
export class IndexService {
  readonly dir: string;
  readonly #slotNum: number;
  readonly #maxIndexNum: number;
  readonly #clock: () => number;
  readonly files: IndexFile[] = [];
  readonly #syncs = new Set<Promise<void>>();
  #seedTopic = "";
  #seed = topicHashSeed("");
  /** Called with a full file's end timestamp after it was flushed (checkpoint indexMsgTimestamp). */
  onFileFull: (endTimestamp: number) => void = () => {};

  constructor(dir: string, slotNum: number, maxIndexNum: number, clock: () => number) {
    this.dir = dir;
    this.#slotNum = slotNum;
    this.#maxIndexNum = maxIndexNum;
    this.#clock = clock;
  }

  /** Opens index files; after a crash drops those newer than the checkpoint (they are rebuilt by re-dispatch). */
  load(lastExitOK: boolean, indexMsgTimestamp: number): void {
    let names: string[] = [];
    try {
      const all = fs.readdirSync(this.dir);
      for (const n of all) if (n.endsWith(CREATING_SUFFIX)) fs.rmSync(`${this.dir}/${n}`, { force: true });
      names = all.filter((n) => /^\d{17}$/.test(n)).sort();
    } catch { /* no index dir yet */ }
    for (const n of names) {
      const f = IndexFile.open(`${this.dir}/${n}`, this.#slotNum, this.#maxIndexNum);
      if (!lastExitOK && f.endTimestamp > indexMsgTimestamp) {
        f.destroy();
        continue;
      }
      this.files.push(f);
    }
  }

  #writable(): IndexFile {
    const last = this.files[this.files.length - 1];
    if (last && !last.isFull()) return last;
    if (last) {
      last.flush(false);
      last.deactivate();
      const endTs = last.endTimestamp;
      // Only a full file that reached the disk may advance the checkpoint's indexMsgTimestamp.
      const p: Promise<void> = last.syncAsync().then(() => this.onFileFull(endTs)).catch(() => {}).finally(
        () => this.#syncs.delete(p),
      );
      this.#syncs.add(p);
    }
    fs.mkdirSync(this.dir, { recursive: true });
    let t = this.#clock();
    let name = indexFileName(t);
    while (this.files.some((f) => f.path.endsWith(name))) name = indexFileName(++t);
    const f = IndexFile.create(`${this.dir}/${name}`, this.#slotNum, this.#maxIndexNum, last);
    this.files.push(f);
    syncDir(this.dir);
    return f;
  }

  /**
   * Indexes `topic#uniqKey` and each space-separated `topic#key` of a dispatched record (§3.2); the caller
   * skips ROLLBACK records. Records at or below the last indexed offset are skipped (re-dispatch).
   */
  buildIndex(
    topic: string,
    commitLogOffset: number,
    storeTimestamp: number,
    keys: string,
    uniqKey: string | undefined,
  ): void {
    const last = this.files[this.files.length - 1];
    if (last && commitLogOffset < last.endPhyOffset) return;
    // Consecutive records mostly share a topic: hash its prefix once.
    if (topic !== this.#seedTopic) {
      this.#seedTopic = topic;
      this.#seed = topicHashSeed(topic);
    }
    const seed = this.#seed;
    if (uniqKey) this.#put(topicKeyHash(topic, uniqKey, seed), commitLogOffset, storeTimestamp);
    if (keys) {
      for (const k of keys.split(" ")) {
        if (k.length > 0) this.#put(topicKeyHash(topic, k, seed), commitLogOffset, storeTimestamp);
      }
    }
  }

  #put(hash: number, commitLogOffset: number, storeTimestamp: number): void {
    let f = this.#writable();
    if (!f.putHash(hash, commitLogOffset, storeTimestamp)) {
      f = this.#writable();
      f.putHash(hash, commitLogOffset, storeTimestamp);
    }
  }

  /** Offsets (newest files first) of records indexed under `topic#key` within `[begin, end]`. */
  queryOffset(topic: string, key: string, maxNum: number, begin: number, end: number): {
    offsets: number[];
    indexLastUpdateTimestamp: number;
    indexLastUpdatePhyoffset: number;
  } {
    const offsets: number[] = [];
    const newest = this.files[this.files.length - 1];
    for (let i = this.files.length - 1; i >= 0 && offsets.length < maxNum; i--) {
      const f = this.files[i]!;
      if (f.isTimeMatched(begin, end)) f.selectPhyOffset(offsets, `${topic}#${key}`, maxNum, begin, end);
      if (f.beginTimestamp < begin) break;
    }
    return {
      offsets,
      indexLastUpdateTimestamp: newest?.endTimestamp ?? 0,
      indexLastUpdatePhyoffset: newest?.endPhyOffset ?? 0,
    };
  }

  /** Deletes files (never the last) whose end offset is below the commitlog min offset (§6.4). */
  deleteExpired(commitLogMinOffset: number): void {
    while (this.files.length > 1 && this.files[0]!.endPhyOffset < commitLogMinOffset) {
      this.files.shift()!.destroy();
    }
  }

  /** Writes the active file's buffered entries, slot pages and header; `sync` also fdatasyncs it (async). */
  async flush(sync: boolean): Promise<void> {
    const last = this.files[this.files.length - 1];
    if (!last) return;
    last.flush(false);
    if (sync) await last.syncAsync();
  }

  /** Waits for background syncs of filled files (before shutdown closes them). */
  async settle(): Promise<void> {
    while (this.#syncs.size > 0) await Promise.all([...this.#syncs]);
  }

  /** Flushes and syncs the active file (shutdown), then closes every file. */
  close(): void {
    this.files[this.files.length - 1]?.flush(true);
    for (const f of this.files) f.close();
  }
}
