/**
 * CommitLog recovery (store-and-semantics.md §4.5–§4.7): find where valid data ends after a clean or a
 * crashed shutdown. Reads segments in large windows; validation is `checkRecordAt` from the record codec.
 */
import { checkRecordAt } from "../message/record_codec.ts";
import { MESSAGE_MAGIC_CODE } from "../message/message_const.ts";
import type { MappedFile } from "./mapped_file.ts";
import { getLogger } from "../log/logger.ts";

const WINDOW = 4 * 1024 * 1024;
const log = getLogger("store.recovery");

/** Outcome of scanning one segment. */
export interface SegmentScan {
  /** Position (within the file) just after the last valid record. */
  end: number;
  /** True when the scan stopped at an end-of-file blank record. */
  blank: boolean;
  /** Why the scan stopped when it was neither a blank nor clean zeros. */
  problem?: string;
}

/** Validates records from the start of `file` until a blank, zeros, a torn record or a corrupt record. */
export function scanSegment(file: MappedFile, checkCRC: boolean): SegmentScan {
  let pos = 0;
  let win: Uint8Array = new Uint8Array(0);
  let winStart = 0;
  while (pos < file.fileSize) {
    const rel = pos - winStart;
    const c = checkRecordAt(win, rel, checkCRC);
    if (c.kind === "incomplete") {
      const want = Math.min(file.fileSize - pos, Math.max(WINDOW, c.size));
      if (win.length - rel >= want) return { end: pos, blank: false, problem: "torn record at file end" };
      win = file.read(pos, want);
      winStart = pos;
      if (win.length < 8) return { end: pos, blank: false };
      continue;
    }
    if (c.kind === "blank") return { end: pos, blank: true };
    if (c.kind === "corrupt") {
      const zero = c.size === 0 && win[rel + 4] === 0 && win[rel + 5] === 0;
      return zero
        ? { end: pos, blank: false }
        : { end: pos, blank: false, problem: "corrupt or torn record" };
    }
    pos += c.size;
  }
  return { end: pos, blank: false };
}

/** Scans from file index `from` to the end; returns the global offset where valid data ends. */
export function scanFrom(files: readonly MappedFile[], from: number, checkCRC: boolean): number {
  let processOffset = files[from]?.fileFromOffset ?? 0;
  for (let i = from; i < files.length; i++) {
    const f = files[i]!;
    const s = scanSegment(f, checkCRC);
    processOffset = f.fileFromOffset + s.end;
    if (s.problem) log.warn(`Recovery stops at offset ${processOffset}: ${s.problem}; the tail is truncated`);
    if (s.blank || s.end === f.fileSize) {
      if (i + 1 < files.length) continue;
      break;
    }
    break;
  }
  return processOffset;
}

/** §4.5: normal recovery starts at the third-from-last segment. */
export function recoverNormally(files: readonly MappedFile[], checkCRC: boolean): number {
  if (files.length === 0) return 0;
  return scanFrom(files, Math.max(0, files.length - 3), checkCRC);
}

/** Store timestamp of the first record of a segment, or 0 when it does not start with a message. */
export function firstRecordStoreTimestamp(file: MappedFile): number {
  const head = file.read(0, 96);
  if (head.length < 96) return 0;
  const dv = new DataView(head.buffer, head.byteOffset, head.length);
  if (dv.getInt32(4) !== MESSAGE_MAGIC_CODE) return 0;
  const sysFlag = dv.getInt32(36);
  const bornHostLen = (sysFlag & 16) !== 0 ? 20 : 8;
  const pos = 48 + bornHostLen;
  return dv.getInt32(pos) * 0x100000000 + dv.getUint32(pos + 4);
}

/**
 * §4.6: abnormal recovery re-scans from the newest segment whose first record is older than the
 * checkpoint's durable time; returns that file's index (dispatch restarts at its first byte).
 */
export function abnormalStartIndex(files: readonly MappedFile[], minTimestamp: number): number {
  for (let i = files.length - 1; i >= 0; i--) {
    const ts = firstRecordStoreTimestamp(files[i]!);
    if (ts !== 0 && ts <= minTimestamp) return i;
  }
  return 0;
}
