/**
 * TimerMessageService: delivers messages parked in {@link TIMER_TOPIC} at their TIMER_OUT_MS
 * (store-and-semantics.md §7.5), to the millisecond.
 *
 * Design (no upstream timing wheel; the upstream on-disk layout is not part of our contract):
 * - Source of truth: the timer topic's single consume queue in the ordinary store. A timer is identified by
 *   its queue offset there.
 * - Enqueue: a store dispatcher sees each new timer record as it is dispatched and pushes
 *   `(deliverMs, queueOffset, commitLogOffset)` onto a typed-array min-heap (25 bytes a timer, O(log n)).
 *   When the dispatcher sees a gap (start-up, restart) a pump reads the consume queue from `readOffset`.
 *   Nothing is written per timer, so millions pending cost no I/O and do not slow normal sends.
 * - Dequeue: exactly one setTimeout is armed, for the earliest deadline. When it fires, every due timer is
 *   re-read from the commitlog, rebuilt by {@link toDeliveryMessage} and put to its real topic/queue (puts of a
 *   batch are issued back to back, so their order is kept); once the puts are written, the batch's queue
 *   offsets are appended to the delivered log with one write.
 * - Durability ({@link TimerStateFiles}): pending = last snapshot ∪ queue entries from the snapshot's
 *   readOffset − delivered logs. A new snapshot is taken when the operations since the last one reach the
 *   number pending (at least `snapshotMinOps`), so its cost is amortized O(1) per timer, and at shutdown; it
 *   is captured synchronously between delivery batches and written in the background.
 * - Crash window: a put that reached the commitlog but whose offset had not yet been appended to the
 *   delivered log. After an unclean stop, every timer that was due before this start is first looked up in
 *   the index (real topic + UNIQ_KEY) for a record carrying TIMER_DEQUEUE_MS and this timer's TIMER_ENQUEUE_MS;
 *   if found it is not delivered again. What remains: with `messageIndexEnable=false` or a message without
 *   UNIQ_KEY, a crash may deliver the last in-flight batch twice; a power loss can lose the unsynced tail of
 *   the delivered log as it can the commitlog's (ASYNC_FLUSH).
 * - Retention: a timer due more than the roll window (2 days by default) after it was stored is "rolled": at
 *   the window's edge it is written back to the timer topic (TIMER_ROLL_TIMES + 1) instead of delivered, so its
 *   record never gets older than the window. A timer whose record was deleted anyway is logged and dropped.
 *
 * Cancel: a timer message carrying TIMER_DEL_UNIQKEY is not delivered; while it is pending, a timer whose
 * UNIQ_KEY it names is dropped when it fires (send the cancel with the target's delivery time).
 *
 * Runs on the event loop of the store's owner. Call start() after the store's start() and shutdown() before
 * the store's shutdown().
 */
import type { DefaultMessageStore, DispatchRequest, PutMessageResult } from "../store/message_store.ts";
import type { MessageExt } from "../message/message.ts";
import { getTransactionValue, MessageConst, MessageSysFlag } from "../message/message_const.ts";
import { decodeRecord } from "../message/record_codec.ts";
import { getLogger } from "../log/logger.ts";
import { TIMER_TOPIC } from "./timer_rewrite.ts";
import { TimerHeap } from "./timer_heap.ts";
import { isDeliveryOf, toDeliveryMessage, toRollMessage } from "./timer_delivery.ts";
import { TimerSnapshotError, TimerStateFiles } from "./timer_state_files.ts";

const log = getLogger("timer");

/** Consumer group name used for the service's own reads of the timer queue. */
const READER_GROUP = "rmq_sys_timer_reader";
const FLAG_CANCEL = 1;
/** The heap time is the roll time, not the delivery time: write the timer back to the timer topic. */
const FLAG_ROLL = 2;
const MAX_TIMEOUT_MS = 0x7fffffff;
const RETRY_BACKOFF_MS = 1000;
const PUMP_BATCH = 32;
const MAX_BATCHES_IN_FLIGHT = 4;
const PUMP_RETRY_MS = 100;
const INDEX_TIME_SLACK_MS = 1000;

/** Due timers popped for one delivery batch. */
interface DueBatch {
  count: number;
  deliverMs: Float64Array;
  queueOffset: Float64Array;
  phy: Float64Array;
  flags: Uint8Array;
}

/**
 * A batch whose puts were issued: `done[0..nDone)` need no put (dropped, cancelled, already delivered);
 * `retry` are batch indexes that failed before their put was issued.
 */
interface IssuedBatch {
  batch: DueBatch;
  done: Float64Array;
  nDone: number;
  puts: { i: number; put: Promise<PutMessageResult | null> }[];
  retry: number[];
}

function newBatch(n: number): DueBatch {
  return {
    count: 0,
    deliverMs: new Float64Array(n),
    queueOffset: new Float64Array(n),
    phy: new Float64Array(n),
    flags: new Uint8Array(n),
  };
}

/** The settings the service reads. */
export interface TimerServiceConfig {
  storePathRootDir: string;
  timerWheelEnable: boolean;
  /** With timerPrecisionMs, the roll window: timers due later than this after their store time are rolled. */
  timerRollWindowSlot?: number;
  timerPrecisionMs?: number;
}

/** Tuning and test hooks. */
export interface TimerServiceOptions {
  /** Milliseconds since the epoch; defaults to the store's clock. */
  clock?: () => number;
  /** Due timers delivered per batch (default 1024). */
  batchSize?: number;
  /** Minimum operations between two snapshots (default 65536). */
  snapshotMinOps?: number;
}

/** Counters for status pages and tests. */
export interface TimerServiceStats {
  pending: number;
  readOffset: number;
  delivered: number;
  cancelled: number;
  skippedAsDuplicate: number;
  dropped: number;
  rolled: number;
  snapshots: number;
}

/** Delivers timer messages; see the module comment for the design. */
export class TimerMessageService {
  readonly #store: DefaultMessageStore;
  readonly #cfg: TimerServiceConfig;
  readonly #clock: () => number;
  readonly #files: TimerStateFiles;
  readonly #batchSize: number;
  readonly #snapshotMinOps: number;
  readonly #rollWindowMs: number;
  #heap = new TimerHeap();
  #readOffset = 0;
  #running = false;
  /** True once start-up recovery finished: only then may a snapshot replace the delivered log. */
  #recovered = false;
  #dispatcherAdded = false;
  /** Set during start-up: offsets the delivered log names, filtered out while catching up. */
  #recoveryDelivered: Set<number> | null = null;
  /** After an unclean stop: timers due before this time may already have been delivered. */
  #checkBefore = 0;
  #pumpRun: Promise<void> | null = null;
  #pumpAgain = false;
  #pumpRetryTimer: ReturnType<typeof setTimeout> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedAt = Infinity;
  #firing: Promise<void> | null = null;
  #inflight = 0;
  #retryAt = 0;
  #opsSinceSnapshot = 0;
  #snapshotTimer: ReturnType<typeof setTimeout> | undefined;
  #snapshotting: Promise<void> | null = null;
  readonly #cancels = new Map<string, number>();
  readonly #stats = {
    delivered: 0,
    cancelled: 0,
    skippedAsDuplicate: 0,
    dropped: 0,
    rolled: 0,
    snapshots: 0,
  };

  constructor(store: DefaultMessageStore, cfg: TimerServiceConfig, opts: TimerServiceOptions = {}) {
    this.#store = store;
    this.#cfg = cfg;
    this.#clock = opts.clock ?? (() => store.now());
    this.#files = new TimerStateFiles(cfg.storePathRootDir);
    this.#batchSize = Math.max(1, opts.batchSize ?? 1024);
    this.#snapshotMinOps = Math.max(1, opts.snapshotMinOps ?? 65536);
    this.#rollWindowMs = (cfg.timerRollWindowSlot ?? 172800) * (cfg.timerPrecisionMs ?? 1000);
  }

  /** Timers parked and not yet delivered (including a batch being delivered right now). */
  pendingCount(): number {
    return this.#heap.size + this.#inflight;
  }

  /** Counters since start. */
  stats(): TimerServiceStats {
    return { pending: this.pendingCount(), readOffset: this.#readOffset, ...this.#stats };
  }

  /** Recovers pending timers, catches up with the timer queue and arms delivery. */
  async start(): Promise<void> {
    if (this.#running) throw new Error("The timer message service was already started");
    if (!this.#cfg.timerWheelEnable) {
      log.info("Timer messages are disabled (timerWheelEnable=false); the timer service does not run");
      return;
    }
    if (this.#store.config.brokerRole === "SLAVE") {
      log.info("The store is a slave; timer messages are delivered by the master");
      return;
    }
    this.#recover();
    this.#running = true;
    if (!this.#dispatcherAdded) {
      this.#store.addDispatcher((req) => this.#onDispatch(req));
      this.#dispatcherAdded = true;
    }
    try {
      await this.#pump();
      await this.#restoreCancels();
    } finally {
      this.#recoveryDelivered = null;
    }
    if (!this.#running) return;
    this.#recovered = true;
    // On failure the previous snapshot and every delivered log stay valid; delivery can go on.
    await this.#snapshot(false).catch((e) => log.error(`Cannot write the timer snapshot: ${e}`));
    log.info(
      `Timer service started: ${this.#heap.size} pending, timer queue read up to offset ${this.#readOffset}`,
    );
    this.#arm();
  }

  /** Stops delivery, waits for the batch in flight and writes a final snapshot. */
  async shutdown(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#snapshotTimer !== undefined) clearTimeout(this.#snapshotTimer);
    this.#snapshotTimer = undefined;
    if (this.#pumpRetryTimer !== undefined) clearTimeout(this.#pumpRetryTimer);
    this.#pumpRetryTimer = undefined;
    await this.#firing;
    await this.#pumpRun;
    await this.#snapshotting;
    if (this.#recovered) {
      await this.#snapshot(true).catch((e) => log.error(`Cannot write the timer snapshot at shutdown: ${e}`));
    }
    this.#files.close();
  }

  // ---------------------------------------------------------------- recovery

  #recover(): void {
    const cp = this.#files.readCheckpoint();
    const queueMax = this.#store.getMaxOffsetInQueue(TIMER_TOPIC, 0);
    let clean = cp ? cp.cleanShutdown : queueMax === 0;
    let snap = null;
    try {
      snap = this.#files.loadSnapshot();
    } catch (e) {
      if (!(e instanceof TimerSnapshotError)) throw e;
      log.error(`${e.message}; rebuilding pending timers from the timer queue`);
      clean = false;
    }
    const delivered = this.#files.readDelivered();
    if (snap && snap.readOffset > 0 && this.#store.getMaxPhyOffset() === 0) {
      // Most likely a store that was not started yet; going on would throw the pending timers away.
      throw new Error(
        `The timer snapshot expects timer queue offset ${snap.readOffset} but the store is empty; start the store first`,
      );
    }
    if (snap) {
      this.#heap = TimerHeap.from(snap.pending, (q) => delivered.has(q));
      this.#readOffset = snap.readOffset;
    } else {
      this.#heap = new TimerHeap();
      this.#readOffset = this.#store.getMinOffsetInQueue(TIMER_TOPIC, 0);
      if (queueMax > 0 && cp) clean = false;
    }
    this.#recoveryDelivered = delivered;
    this.#checkBefore = clean ? 0 : this.#clock();
    if (!clean) {
      log.warn("The timer service did not stop cleanly; due timers are checked for earlier delivery");
    }
  }

  /** Pending cancel requests are only in the heap; their target keys are in their records. */
  async #restoreCancels(): Promise<void> {
    const cols = this.#heap.columns();
    const phys: number[] = [];
    for (let i = 0; i < cols.flags.length; i++) {
      if (cols.flags[i]! & FLAG_CANCEL) phys.push(cols.phyOffset[i]!);
    }
    for (const phy of phys) {
      const ext = await this.#store.lookMessageByOffset(phy);
      const key = ext?.properties[MessageConst.TIMER_DEL_UNIQKEY];
      if (key !== undefined) this.#cancels.set(key, (this.#cancels.get(key) ?? 0) + 1);
    }
  }

  // ---------------------------------------------------------------- enqueue

  #onDispatch(req: DispatchRequest): void {
    if (req.topic !== TIMER_TOPIC || req.queueId !== 0 || !this.#running) return;
    const tran = getTransactionValue(req.sysFlag);
    if (tran !== MessageSysFlag.TRANSACTION_NOT_TYPE && tran !== MessageSysFlag.TRANSACTION_COMMIT_TYPE) {
      return;
    }
    const q = req.consumeQueueOffset;
    if (q === this.#readOffset && this.#pumpRun === null) {
      this.#ingest(q, req.commitLogOffset, req.propertiesMap, req.storeTimestamp);
      this.#maybeSnapshot();
    } else if (q >= this.#readOffset) {
      // A gap, or a read in progress: read the consume queue once the store finished this dispatch round.
      queueMicrotask(() => void this.#pump());
    }
  }

  /** Reads the timer queue from readOffset to its end (one run at a time; a request during a run repeats it). */
  #pump(): Promise<void> {
    if (this.#pumpRun) {
      this.#pumpAgain = true;
      return this.#pumpRun;
    }
    this.#pumpRun = (async () => {
      do {
        this.#pumpAgain = false;
        await this.#readQueueToEnd();
      } while (this.#pumpAgain && this.#running);
    })().catch((e) => log.error(`Reading the timer queue failed: ${e}`)).finally(() => {
      this.#pumpRun = null;
      this.#maybeSnapshot();
    });
    return this.#pumpRun;
  }

  async #readQueueToEnd(): Promise<void> {
    const store = this.#store;
    let rounds = 0;
    while (this.#running) {
      const min = store.getMinOffsetInQueue(TIMER_TOPIC, 0);
      const max = store.getMaxOffsetInQueue(TIMER_TOPIC, 0);
      if (this.#readOffset < min) {
        log.error(
          `Timer queue entries ${this.#readOffset}..${
            min - 1
          } were deleted before they were read; those timers are lost`,
        );
        this.#readOffset = min;
      }
      if (this.#readOffset > max) {
        // The commitlog lost its tail (power loss) after our snapshot: forget timers past the new end, their
        // queue offsets will be reused by new timers.
        log.warn(`The timer queue ends at ${max}, before the recorded read offset ${this.#readOffset}`);
        this.#heap = TimerHeap.from(this.#heap.columns(), (q) => q >= max);
        this.#readOffset = max;
      }
      if (this.#readOffset >= max) return;
      const from = this.#readOffset;
      const r = await store.getMessage(READER_GROUP, TIMER_TOPIC, 0, from, PUMP_BATCH, 64 * 1024 * 1024);
      for (const rec of r.records) {
        let m: MessageExt;
        try {
          m = decodeRecord(rec, 0, { readBody: false })[0];
        } catch (e) {
          log.error(`Skipping an undecodable timer record: ${e}`);
          continue;
        }
        if (m.queueOffset < this.#readOffset) continue;
        this.#ingest(m.queueOffset, m.commitLogOffset, m.properties, m.storeTimestamp);
      }
      if (r.nextBeginOffset > this.#readOffset) this.#readOffset = r.nextBeginOffset;
      if (this.#readOffset <= from) {
        // No progress (entries not readable yet): try again a little later rather than spin.
        this.#schedulePumpRetry();
        return;
      }
      // Let sends and deliveries run between rounds of a long catch-up.
      if (++rounds % 64 === 0) await new Promise((res) => setTimeout(res, 0));
    }
  }

  #schedulePumpRetry(): void {
    if (!this.#running || this.#pumpRetryTimer !== undefined) return;
    this.#pumpRetryTimer = setTimeout(() => {
      this.#pumpRetryTimer = undefined;
      void this.#pump();
    }, PUMP_RETRY_MS);
  }

  #ingest(
    queueOffset: number,
    phyOffset: number,
    props: Record<string, string>,
    storeTimestamp: number,
  ): void {
    this.#readOffset = queueOffset + 1;
    if (this.#recoveryDelivered?.has(queueOffset)) return;
    const out = Number(props[MessageConst.TIMER_OUT_MS]);
    let deliverMs = Number.isFinite(out) ? out : 0;
    let flags = 0;
    const cancelKey = props[MessageConst.TIMER_DEL_UNIQKEY];
    if (cancelKey !== undefined) {
      flags |= FLAG_CANCEL;
      this.#cancels.set(cancelKey, (this.#cancels.get(cancelKey) ?? 0) + 1);
    } else if (deliverMs - storeTimestamp > this.#rollWindowMs) {
      // Keep the record younger than the commitlog retention: rewrite it at the window's edge.
      flags |= FLAG_ROLL;
      deliverMs = storeTimestamp + this.#rollWindowMs;
    }
    this.#heap.push(deliverMs, queueOffset, phyOffset, flags);
    this.#opsSinceSnapshot++;
    if (deliverMs < this.#armedAt) this.#arm();
  }

  // ---------------------------------------------------------------- dequeue

  #arm(): void {
    if (!this.#running || this.#firing || this.#recoveryDelivered) return;
    const next = Math.max(this.#heap.peekDeliverMs(), this.#retryAt);
    if (next === Infinity) return;
    if (this.#timer !== undefined) {
      if (this.#armedAt <= next) return;
      clearTimeout(this.#timer);
    }
    this.#armedAt = next;
    const delay = Math.min(MAX_TIMEOUT_MS, Math.max(0, next - this.#clock()));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#armedAt = Infinity;
      this.#firing = this.#fire().catch((e) => log.error(`Timer delivery failed: ${e}`)).finally(() => {
        this.#firing = null;
        this.#maybeSnapshot();
        this.#arm();
      });
    }, delay);
  }

  async #fire(): Promise<void> {
    const e = { deliverMs: 0, queueOffset: 0, phyOffset: 0, flags: 0 };
    // Batches are issued one after another (so puts keep delivery order) while earlier batches still wait for
    // their writes: a few batches in flight keep the commitlog writer busy.
    const inflight: Promise<void>[] = [];
    try {
      while (this.#running) {
        const now = this.#clock();
        if (now < this.#retryAt) break;
        const b = newBatch(this.#batchSize);
        while (b.count < this.#batchSize && this.#heap.peekDeliverMs() <= now && this.#heap.pop(e)) {
          b.deliverMs[b.count] = e.deliverMs;
          b.queueOffset[b.count] = e.queueOffset;
          b.phy[b.count] = e.phyOffset;
          b.flags[b.count] = e.flags;
          b.count++;
        }
        if (b.count === 0) break;
        this.#inflight += b.count;
        const issued = await this.#issueBatch(b);
        inflight.push(this.#completeBatch(issued).finally(() => this.#inflight -= b.count));
        if (inflight.length >= MAX_BATCHES_IN_FLIGHT) await inflight.shift();
      }
    } finally {
      await Promise.all(inflight);
    }
  }

  /** Reads each due timer's record and issues its put; decides the timers that need no put. */
  async #issueBatch(b: DueBatch): Promise<IssuedBatch> {
    const issued: IssuedBatch = { batch: b, done: new Float64Array(b.count), nDone: 0, puts: [], retry: [] };
    for (let i = 0; i < b.count; i++) {
      try {
        const pending = await this.#prepare(b, i);
        if (pending) issued.puts.push({ i, put: pending.put });
        else issued.done[issued.nDone++] = b.queueOffset[i]!;
      } catch (e) {
        log.error(`Cannot prepare the delivery of timer ${b.queueOffset[i]}: ${e}`);
        issued.retry.push(i);
      }
    }
    return issued;
  }

  /**
   * Issues the put for due timer `i` of a batch (wrapped, so awaiting this does not wait for the write), or
   * returns null when it needs none (and is done).
   */
  async #prepare(b: DueBatch, i: number): Promise<{ put: Promise<PutMessageResult | null> } | null> {
    const q = b.queueOffset[i]!;
    const ext = await this.#store.lookMessageByOffset(b.phy[i]!);
    if (!ext || ext.topic !== TIMER_TOPIC || ext.queueOffset !== q) {
      log.error(`Timer ${q} (commitlog offset ${b.phy[i]}) is no longer in the commitlog; it is dropped`);
      this.#stats.dropped++;
      return null;
    }
    if (b.flags[i]! & FLAG_CANCEL) {
      this.#releaseCancel(ext.properties[MessageConst.TIMER_DEL_UNIQKEY]);
      return null;
    }
    const uniq = ext.properties[MessageConst.UNIQ_KEY];
    if (uniq !== undefined && this.#cancels.has(uniq)) {
      this.#stats.cancelled++;
      return null;
    }
    const roll = (b.flags[i]! & FLAG_ROLL) !== 0;
    if (b.deliverMs[i]! < this.#checkBefore && await this.#alreadyDelivered(ext, roll)) {
      this.#stats.skippedAsDuplicate++;
      return null;
    }
    const msg = roll ? toRollMessage(ext, this.#clock()) : toDeliveryMessage(ext, this.#clock());
    if (typeof msg === "string") {
      log.error(`${msg}; it is dropped`);
      this.#stats.dropped++;
      return null;
    }
    return { put: this.#store.putMessage(msg).catch(() => null) };
  }

  /** Waits for a batch's puts, records the delivered offsets with one write and re-queues failures. */
  async #completeBatch(issued: IssuedBatch): Promise<void> {
    const { batch: b, done, puts } = issued;
    let nDone = issued.nDone;
    const results = await Promise.all(puts.map((p) => p.put));
    const retry = issued.retry;
    for (let k = 0; k < puts.length; k++) {
      const { i } = puts[k]!;
      const status = results[k]?.status;
      if (
        status === "PUT_OK" || status === "FLUSH_DISK_TIMEOUT" || status === "FLUSH_SLAVE_TIMEOUT" ||
        status === "SLAVE_NOT_AVAILABLE"
      ) {
        if (b.flags[i]! & FLAG_ROLL) this.#stats.rolled++;
        else this.#stats.delivered++;
        done[nDone++] = b.queueOffset[i]!;
      } else if (status === "MESSAGE_ILLEGAL" || status === "PROPERTIES_SIZE_EXCEEDED") {
        log.error(`Timer ${b.queueOffset[i]} cannot be stored in its real topic (${status}); it is dropped`);
        this.#stats.dropped++;
        done[nDone++] = b.queueOffset[i]!;
      } else {
        retry.push(i);
      }
    }
    if (retry.length > 0) {
      log.warn(`${retry.length} due timers could not be stored; retrying in ${RETRY_BACKOFF_MS} ms`);
      this.#requeue(b, retry);
      this.#retryAt = this.#clock() + RETRY_BACKOFF_MS;
    }
    try {
      this.#files.appendDelivered(done, nDone);
    } catch (e) {
      // Without the record a crash would re-check these timers (and could deliver them again).
      log.error(`Cannot append to the timer delivered log: ${e}`);
    }
    this.#opsSinceSnapshot += nDone;
  }

  #requeue(b: DueBatch, indexes: number[]): void {
    for (const i of indexes) this.#heap.push(b.deliverMs[i]!, b.queueOffset[i]!, b.phy[i]!, b.flags[i]!);
  }

  #releaseCancel(key: string | undefined): void {
    if (key === undefined) return;
    const n = this.#cancels.get(key) ?? 0;
    if (n <= 1) this.#cancels.delete(key);
    else this.#cancels.set(key, n - 1);
  }

  /** After a crash: was this timer's delivery (or roll) already stored? (index lookup by topic + UNIQ_KEY) */
  async #alreadyDelivered(parked: MessageExt, roll: boolean): Promise<boolean> {
    const uniq = parked.properties[MessageConst.UNIQ_KEY];
    const real = roll ? TIMER_TOPIC : parked.properties[MessageConst.REAL_TOPIC];
    if (uniq === undefined || real === undefined || !this.#store.config.messageIndexEnable) return false;
    // The index keeps store times in whole seconds relative to its file: widen the window by a second.
    const since = parked.storeTimestamp - INDEX_TIME_SLACK_MS;
    const found = await this.#store.queryMessage(real, uniq, 64, since, Number.MAX_SAFE_INTEGER);
    for (const rec of found.records) {
      try {
        const [m] = decodeRecord(rec, 0, { readBody: false });
        if (m.topic === real && isDeliveryOf(m.properties, parked)) return true;
      } catch {
        // An unreadable candidate is not proof of delivery.
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- snapshots

  #maybeSnapshot(): void {
    if (!this.#running || this.#snapshotTimer !== undefined || this.#snapshotting) return;
    if (this.#opsSinceSnapshot < Math.max(this.#snapshotMinOps, this.#heap.size)) return;
    this.#snapshotTimer = setTimeout(() => {
      this.#snapshotTimer = undefined;
      // Timers popped for a batch in flight are in neither the heap nor the delivered log: wait for it.
      if (!this.#running || this.#firing || this.#pumpRun || !this.#recovered || this.#snapshotting) return;
      this.#snapshotting = this.#snapshot(false)
        .catch((e) => log.error(`Cannot write the timer snapshot: ${e}`))
        .finally(() => this.#snapshotting = null);
    }, 0);
  }

  /**
   * Writes a snapshot of the heap as it is now (captured synchronously; the file is written in the
   * background) and then the status file.
   */
  async #snapshot(clean: boolean): Promise<void> {
    const readOffset = this.#readOffset, pending = this.#heap.size;
    const written = this.#files.writeSnapshot(readOffset, this.#heap.columns());
    this.#opsSinceSnapshot = 0;
    await written;
    this.#files.writeCheckpoint({ readOffset, pending, cleanShutdown: clean, timestamp: this.#clock() });
    this.#stats.snapshots++;
  }
}
