/**
 * Retention (store-and-semantics.md §6): time- and space-triggered deletion of commitlog segments, then of
 * consume-queue and index files that only point below the new commitlog min offset; the disk-full flag.
 * Time comes from the injected clock, so tests move time instead of sleeping.
 */
import * as fs from "node:fs";
import { diskRatios, type MessageStoreConfig } from "../config/store_config.ts";
import type { MappedFileQueue } from "./mapped_file_queue.ts";
import { getLogger } from "../log/logger.ts";

const DELETE_FILES_BATCH_MAX = 10;
const log = getLogger("store.clean");

/** Used fraction of the partition holding `path`, whole-percent precision as upstream; -1 on error. */
export function partitionUsage(path: string): number {
  try {
    const s = fs.statfsSync(path);
    const used = (s.blocks - s.bfree) * s.bsize;
    const usable = s.bavail * s.bsize;
    if (used + usable <= 0) return -1;
    return Math.ceil((used * 100) / (used + usable)) / 100;
  } catch {
    return -1;
  }
}

/** What the cleaner needs from the store. */
export interface CleanTarget {
  config: MessageStoreConfig;
  commitLogQueue: MappedFileQueue;
  commitLogDir: string;
  consumeQueueDir: string;
  clock: () => number;
  diskUsage: (path: string) => number;
  /** Deletes CQ and index files below the new commitlog min offset. */
  cleanLogics(commitLogMinOffset: number): void;
  setDiskFull(full: boolean): void;
}

/** Upstream CleanCommitLogService + the isSpaceFull check. */
export class CleanService {
  readonly #t: CleanTarget;
  #manualDeleteTimes = 0;
  #lastMinOffset = -1;

  constructor(target: CleanTarget) {
    this.#t = target;
  }

  /** Admin "delete expired commitlog": the next 20 passes delete regardless of the hour. */
  executeDeleteFilesManually(): void {
    this.#manualDeleteTimes = 20;
  }

  #isTimeToDelete(): boolean {
    const hour = new Date(this.#t.clock()).getHours();
    return this.#t.config.deleteWhen.split(";").some((h) => h.trim() !== "" && Number(h) === hour);
  }

  /** §6.2 space rule; sets DISK_FULL and returns [spaceToDelete, cleanImmediately]. */
  #checkSpace(): [boolean, boolean] {
    const r = diskRatios(this.#t.config);
    let toDelete = false;
    let immediately = false;
    const cl = this.#t.diskUsage(this.#t.commitLogDir);
    if (cl > r.warning) {
      this.#t.setDiskFull(true);
      immediately = true;
    } else if (cl > r.forcibly) {
      immediately = true;
      this.#t.setDiskFull(false);
    } else {
      this.#t.setDiskFull(false);
    }
    if (cl < 0 || cl > r.maxUsed) toDelete = true;
    const cq = this.#t.diskUsage(this.#t.consumeQueueDir);
    if (cq > r.forcibly) immediately = true;
    if (cq < 0 || cq > r.maxUsed) toDelete = true;
    return [toDelete, immediately];
  }

  /** One cleanup pass: returns the number of commitlog segments deleted. */
  run(): number {
    const [spaceToDelete, immediately] = this.#checkSpace();
    const manual = this.#manualDeleteTimes > 0;
    if (manual) this.#manualDeleteTimes--;
    let deleted = 0;
    if (this.#isTimeToDelete() || spaceToDelete || manual) {
      const cleanAtOnce = this.#t.config.cleanFileForciblyEnable && immediately;
      deleted = this.#deleteExpiredByTime(this.#t.config.fileReservedTime * 3600_000, cleanAtOnce);
    }
    const q = this.#t.commitLogQueue;
    const min = q.minOffset;
    if (min > this.#lastMinOffset) {
      if (this.#lastMinOffset >= 0 || deleted > 0) this.#t.cleanLogics(min);
      this.#lastMinOffset = min;
    }
    return deleted;
  }

  #deleteExpiredByTime(expiredMs: number, cleanAtOnce: boolean): number {
    const q = this.#t.commitLogQueue;
    const now = this.#t.clock();
    let n = 0;
    while (q.files.length > 1 && n < DELETE_FILES_BATCH_MAX) {
      const f = q.first!;
      if (!(now >= f.lastModified() + expiredMs || cleanAtOnce)) break;
      log.info(`Deleting expired commitlog segment "${f.path}"`);
      q.deleteFirst();
      n++;
    }
    return n;
  }
}
