/**
 * ReputMessageService: walks the commitlog from `reputFrom` and hands every record to the dispatchers
 * (store-and-semantics.md §2.5). Records this process appended carry a pre-built DispatchRequest, so the hot
 * path does not re-parse bytes it just encoded; recovery, restarts and HA appends parse the stored bytes.
 */
import { checkRecordAt } from "../message/record_codec.ts";
import { getLogger } from "../log/logger.ts";
import type { CommitLog } from "./commit_log.ts";
import { toDispatchRequest } from "./dispatch.ts";
import type { DispatchRequest } from "./store_types.ts";

const REPUT_WINDOW = 4 * 1024 * 1024;
const log = getLogger("store.reput");

/** The dispatch cursor over the commitlog. Called only from the event loop. */
export class ReputMessageService {
  /** Next commitlog offset to dispatch. */
  reputFrom = 0;
  readonly #cl: CommitLog;
  readonly #delayLevels: readonly number[];
  readonly #dispatch: (req: DispatchRequest) => void;
  #fast: DispatchRequest[] = [];
  #head = 0;

  constructor(cl: CommitLog, delayLevels: readonly number[], dispatch: (req: DispatchRequest) => void) {
    this.#cl = cl;
    this.#delayLevels = delayLevels;
    this.#dispatch = dispatch;
  }

  /** Remembers the request for a record being appended now (in commitlog order). */
  remember(req: DispatchRequest): void {
    this.#fast.push(req);
  }

  /** Bytes written but not yet dispatched. */
  behindBytes(): number {
    return Math.max(0, this.#cl.maxOffset - this.reputFrom);
  }

  #takeFast(offset: number): DispatchRequest | undefined {
    const q = this.#fast;
    let h = this.#head;
    while (h < q.length && q[h]!.commitLogOffset < offset) h++;
    const r = q[h];
    const hit = r !== undefined && r.commitLogOffset === offset;
    if (hit) h++;
    if (h >= q.length) {
      q.length = 0;
      h = 0;
    } else if (h > 4096) {
      q.splice(0, h);
      h = 0;
    }
    this.#head = h;
    return hit ? r : undefined;
  }

  /** Dispatches every record in `[reputFrom, end)`; stops early at an invalid record. */
  run(end: number): void {
    const cl = this.#cl;
    if (this.reputFrom < cl.minOffset) this.reputFrom = cl.minOffset;
    while (this.reputFrom < end) {
      const chunk = cl.readChunk(this.reputFrom, REPUT_WINDOW, end, false);
      if (!chunk) break;
      let at = 0;
      let stop = false;
      while (at < chunk.length) {
        const fast = this.#takeFast(this.reputFrom + at);
        if (fast && fast.msgSize <= chunk.length - at) {
          this.#dispatch(fast);
          at += fast.msgSize;
          continue;
        }
        const c = checkRecordAt(chunk, at, false);
        if (c.kind === "message") {
          this.#dispatch(toDispatchRequest(chunk, at, this.#delayLevels));
          at += c.size;
        } else if (c.kind === "blank") {
          this.reputFrom = cl.rollNextFile(this.reputFrom + at);
          at = -1;
          break;
        } else if (c.kind === "incomplete") {
          // A record straddling two cached buffers: read it whole.
          if (at > 0) break;
          const whole = c.size > 0 ? cl.readView(this.reputFrom, c.size, end) : null;
          if (!whole) break;
          this.#dispatch(toDispatchRequest(whole, 0, this.#delayLevels));
          at += c.size;
        } else {
          log.error(
            `Dispatch found an invalid record at offset ${this.reputFrom + at}; dispatch stops there`,
          );
          stop = true;
          break;
        }
      }
      if (at > 0) this.reputFrom += at;
      if (stop || at === 0) break;
    }
  }
}
