/**
 * DefaultMessageStore: the broker's durable store facade (store-and-semantics.md §1–§6).
 *
 * One owner for all mutable store state, driven from the event loop: putMessage encodes into the commitlog's
 * write buffer synchronously (queue offset assignment included), acks after write() (ASYNC_FLUSH) or group
 * commit (SYNC_FLUSH); the dispatcher builds consume queues and the index from written bytes; services flush,
 * checkpoint and clean on timers.
 */
import { RepeatedErrorLog } from "../log/repeated_error.ts";
import * as fs from "node:fs";
import { type MessageStoreConfig, type StorePaths, storePaths } from "../config/store_config.ts";
import type { MessageExt, MessageExtBrokerInner } from "../message/message.ts";
import { getTransactionValue, MessageConst, MessageSysFlag } from "../message/message_const.ts";
import { checkRecordAt, decodeRecord, encodeRecord, recordSizeOf } from "../message/record_codec.ts";
import { getLogger } from "../log/logger.ts";
import { syncDir } from "../util/atomic_file.ts";
import { checkMessage, emptyPut, isSafeTopicDirName } from "./put_checks.ts";
import { lockStore, unlockStore } from "./store_lock.ts";
import { OffsetMsgIdFormatter } from "./offset_msg_id.ts";
import { PutStats } from "./put_checks.ts";
import { CommitLog } from "./commit_log.ts";
import { abnormalStartIndex, recoverNormally, scanFrom } from "./commit_log_recovery.ts";
import { ConsumeQueueTable } from "./consume_queue_table.ts";
import { IndexService } from "./index_service.ts";
import { StoreCheckpoint } from "./store_checkpoint.ts";
import type { AckOutcome } from "./ack_queue.ts";
import { CleanService, partitionUsage } from "./clean_service.ts";
import { offsetInQueueByTime, readMessages, storeTimeAt } from "./get_message.ts";
import { ReputMessageService } from "./reput_service.ts";
import { dispatchRequestOf, parseDelayLevels } from "./dispatch.ts";
import { QueueOffsetTable } from "./queue_offset_table.ts";
import { ReadBufferPool } from "./read_buffer_pool.ts";
import type {
  DispatchRequest,
  GetMessageResult,
  MessageArrivingListener,
  MessageFilter,
  MessageStoreOptions,
  PutMessageResult,
  PutMessageStatus,
  QueryMessageResult,
} from "./store_types.ts";

export type * from "./store_types.ts";
export { StoreLockedError } from "./store_lock.ts";

const log = getLogger("store");
/** Bytes of released getMessage read buffers kept for reuse (a few dozen pulls in flight). */
const READ_POOL_BYTES = 8 * 1024 * 1024;

/** RunningFlags bits (§6.3). */
const NOT_WRITEABLE = 2, WRITE_LOGICS_QUEUE_ERROR = 4, WRITE_INDEX_FILE_ERROR = 8, DISK_FULL = 16;
const WRITE_BLOCKERS = NOT_WRITEABLE | WRITE_LOGICS_QUEUE_ERROR | WRITE_INDEX_FILE_ERROR | DISK_FULL;

/** The store facade the broker codes against. */
export class DefaultMessageStore {
  readonly config: MessageStoreConfig;
  readonly paths: StorePaths;
  readonly #clock: () => number;
  readonly #diskUsage: (path: string) => number;
  readonly #commitLog: CommitLog;
  readonly #reputService: ReputMessageService;
  readonly #cqs: ConsumeQueueTable;
  /** Next queue offset per topic and queue (upstream topicQueueTable). */
  readonly #queueOffsets = new QueueOffsetTable();
  readonly #index: IndexService;
  readonly #delayLevels: number[];
  readonly #dispatchers: ((req: DispatchRequest) => void)[] = [];
  readonly #cleaner: CleanService;
  readonly #msgIds = new OffsetMsgIdFormatter();
  #checkpoint: StoreCheckpoint | null = null;
  #lockFile: Deno.FsFile | null = null;
  #arriving: MessageArrivingListener | null = null;
  #arrivals: DispatchRequest[] = [];
  #logicsFlush: Promise<void> | null = null;
  #replicaWaiter: ((endOffset: number) => Promise<PutMessageStatus>) | null = null;
  #runningFlags = 0;
  #started = false;
  #shutdown = false;
  #timers: ReturnType<typeof setInterval>[] = [];
  #lastThoroughFlush = 0;
  #lastThoroughCqFlush = 0;
  #lastFlushedStoreTimestamp = 0;
  readonly #commitLogFlushErrors = new RepeatedErrorLog(log, "Commitlog flush");
  readonly #logicsFlushErrors = new RepeatedErrorLog(log, "Consume queue flush");
  readonly #stats = new PutStats();
  /** Span buffers of getMessage disk reads, reused when callers release their results. */
  readonly #readPool = new ReadBufferPool(READ_POOL_BYTES);

  constructor(config: MessageStoreConfig, opts: MessageStoreOptions = {}) {
    this.config = config;
    this.paths = storePaths(config);
    this.#cqs = new ConsumeQueueTable(this.paths.consumeQueue, config.mappedFileSizeConsumeQueue);
    this.#clock = opts.clock ?? Date.now;
    this.#diskUsage = opts.diskUsage ?? partitionUsage;
    this.#delayLevels = parseDelayLevels(config.messageDelayLevel);
    this.#commitLog = new CommitLog({
      dir: this.paths.commitLog,
      fileSize: config.mappedFileSizeCommitLog,
      syncFlush: config.flushDiskType === "SYNC_FLUSH",
      syncFlushTimeout: config.syncFlushTimeout,
      writeBatchBytes: config.writeBatchBytes,
      hotTailCacheBytes: config.hotTailCacheBytes,
      onDispatchable: (end) => this.#reput(end),
      onFlushed: (ts) => {
        if (ts > this.#lastFlushedStoreTimestamp) this.#lastFlushedStoreTimestamp = ts;
        if (this.#checkpoint && ts > 0) this.#checkpoint.physicMsgTimestamp = ts;
      },
      clock: this.#clock,
    });
    this.#reputService = new ReputMessageService(
      this.#commitLog,
      this.#delayLevels,
      (r) => this.#dispatch(r),
    );
    this.#index = new IndexService(this.paths.index, config.maxHashSlotNum, config.maxIndexNum, this.#clock);
    this.#index.onFileFull = (endTs) => {
      if (!this.#checkpoint) return;
      this.#checkpoint.indexMsgTimestamp = endTs;
      this.#checkpoint.flush();
    };
    this.#cleaner = new CleanService({
      config,
      commitLogQueue: this.#commitLog.queue,
      commitLogDir: this.paths.commitLog,
      consumeQueueDir: this.paths.consumeQueue,
      clock: this.#clock,
      diskUsage: (p) => this.#diskUsage(p),
      cleanLogics: (min) => this.#cleanLogics(min),
      setDiskFull: (full) => {
        if (full && !(this.#runningFlags & DISK_FULL)) log.warn("Disk is full; new messages are refused");
        this.#runningFlags = full ? this.#runningFlags | DISK_FULL : this.#runningFlags & ~DISK_FULL;
      },
    });
  }

  /** Current time from the injected clock. */
  now(): number {
    return this.#clock();
  }

  // ---------------------------------------------------------------- lifecycle

  /** Locks the store dir (fails if another process holds it), recovers, starts flush/reput/cleanup services. */
  async start(): Promise<void> {
    if (this.#started) throw new Error("The message store was already started");
    fs.mkdirSync(this.paths.root, { recursive: true });
    this.#lockFile = lockStore(this.paths.root, this.paths.lock);
    try {
      this.#recover();
    } catch (e) {
      this.#closeFiles();
      unlockStore(this.#lockFile);
      this.#lockFile = null;
      throw e;
    }
    // Catch up dispatch before accepting traffic (§2.5): consume queues must match the commitlog.
    this.#reput(this.#commitLog.maxOffset);
    this.#rebuildTopicQueueTable();
    for (const cq of this.#cqs.all()) cq.correctMinOffset(this.#commitLog.minOffset);
    // Durable before any append: after a power loss the next start must still see an unclean exit.
    const abortFd = fs.openSync(this.paths.abort, "w");
    fs.fsyncSync(abortFd);
    fs.closeSync(abortFd);
    syncDir(this.paths.root);
    this.#startServices();
    this.#started = true;
    await Promise.resolve();
  }

  /** Closes every open file without flushing (a failed start). */
  #closeFiles(): void {
    this.#commitLog.close();
    for (const cq of this.#cqs.all()) cq.queue.close();
    for (const f of this.#index.files) f.close();
    this.#checkpoint?.close();
    this.#checkpoint = null;
  }

  #recover(): void {
    const lastExitOK = !fs.existsSync(this.paths.abort);
    if (!lastExitOK) {
      log.warn(`The store "${this.paths.root}" was not shut down cleanly; running abnormal recovery`);
    }
    this.#commitLog.load();
    this.#cqs.load();
    this.#checkpoint = new StoreCheckpoint(this.paths.checkpoint);
    this.#index.load(lastExitOK, this.#checkpoint.indexMsgTimestamp);
    let maxPhyOfCq = -1;
    for (const cq of this.#cqs.all()) {
      cq.recover();
      maxPhyOfCq = Math.max(maxPhyOfCq, cq.maxPhysicOffset);
    }
    const files = this.#commitLog.queue.files;
    const checkCRC = this.config.checkCRCOnRecover;
    if (files.length === 0) {
      this.#cqs.destroyAll();
      this.#commitLog.setRecoveredEnd(0);
      this.#reputService.reputFrom = 0;
      return;
    }
    let processOffset: number;
    if (lastExitOK) {
      processOffset = recoverNormally(files, checkCRC);
      this.#reputService.reputFrom = Math.max(maxPhyOfCq, files[0]!.fileFromOffset);
    } else {
      const cp = this.#checkpoint;
      const minTs = this.config.messageIndexEnable && this.config.messageIndexSafe
        ? cp.minTimestampIndex
        : cp.minTimestamp;
      const startIdx = abnormalStartIndex(files, minTs);
      processOffset = scanFrom(files, startIdx, checkCRC);
      // Re-dispatch everything from the start file: consume queue and index writes are idempotent.
      this.#reputService.reputFrom = files[startIdx]!.fileFromOffset;
    }
    this.#commitLog.setRecoveredEnd(processOffset);
    if (maxPhyOfCq >= processOffset) {
      for (const cq of this.#cqs.all()) cq.truncateDirtyLogicFiles(processOffset);
    }
    this.#reputService.reputFrom = Math.min(this.#reputService.reputFrom, processOffset);
    log.info(
      `Recovered commitlog to offset ${processOffset}; dispatching from ${this.#reputService.reputFrom}`,
    );
  }

  #rebuildTopicQueueTable(): void {
    this.#queueOffsets.clear();
    for (const cq of this.#cqs.all()) this.#queueOffsets.cell(cq.topic, cq.queueId).next = cq.maxOffset;
  }

  #startServices(): void {
    const c = this.config;
    const now = this.#clock();
    this.#lastThoroughFlush = now;
    this.#lastThoroughCqFlush = now;
    if (c.flushDiskType === "ASYNC_FLUSH") {
      this.#timers.push(setInterval(() => {
        const t = this.#clock();
        const thorough = t - this.#lastThoroughFlush >= c.flushCommitLogThoroughInterval;
        if (thorough) this.#lastThoroughFlush = t;
        this.#commitLog.flushIfDue(thorough ? 0 : c.flushCommitLogLeastPages, thorough).then(
          () => this.#commitLogFlushErrors.succeeded(),
          (e) => this.#commitLogFlushErrors.failed(e),
        );
      }, c.flushIntervalCommitLog));
    }
    this.#timers.push(setInterval(() => {
      if (this.#logicsFlush) return; // the previous flush (maybe a slow thorough one) is still running
      this.#logicsFlush = this.flushLogics(false)
        .then(() => this.#logicsFlushErrors.succeeded(), (e) => this.#logicsFlushErrors.failed(e))
        .finally(() => this.#logicsFlush = null);
    }, c.flushIntervalConsumeQueue));
    this.#timers.push(setInterval(() => this.runCleanPass(), c.cleanResourceInterval));
  }

  /**
   * Writes buffered consume-queue and index entries; syncs them and the checkpoint when `thorough`
   * (or every flushConsumeQueueThoroughInterval).
   */
  async flushLogics(thorough: boolean): Promise<void> {
    this.#writeDirtyCqs();
    const t = this.#clock();
    const doThorough = thorough ||
      t - this.#lastThoroughCqFlush >= this.config.flushConsumeQueueThoroughInterval;
    if (!doThorough) {
      await this.#index.flush(false);
      return;
    }
    this.#lastThoroughCqFlush = t;
    let logicsTs = 0;
    for (const cq of this.#cqs.all()) logicsTs = Math.max(logicsTs, cq.lastStoreTimestamp);
    await Promise.all([...[...this.#cqs.all()].map((cq) => cq.flush()), this.#index.flush(true)]);
    if (this.#checkpoint && !this.#shutdown) {
      if (logicsTs > 0) this.#checkpoint.logicsMsgTimestamp = logicsTs;
      this.#checkpoint.flush();
    }
  }

  /** Flushes everything, writes checkpoint, removes the abort file, releases the lock. */
  async shutdown(): Promise<void> {
    if (!this.#started || this.#shutdown) return;
    this.#shutdown = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.#logicsFlush;
    // Best effort from here on: a failing disk must not stop the steps after the one that failed. What
    // did not make it to disk is rebuilt from the commitlog at the next start, because the abort file
    // stays and the checkpoint claims nothing that was not written.
    let failed = false;
    const step = async (what: string, run: () => unknown): Promise<boolean> => {
      try {
        await run();
        return true;
      } catch (e) {
        failed = true;
        log.error(`Store shutdown: ${what} failed; the next start recovers from the commitlog`, e);
        return false;
      }
    };
    await step("commitlog flush", () => this.#commitLog.flushAll());
    this.#reput(this.#commitLog.maxOffset);
    await step("commitlog close", () => this.#commitLog.close());
    this.#writeDirtyCqs();
    const logicsDurable = await step(
      "consume queue flush",
      () => Promise.all([...this.#cqs.all()].map((cq) => cq.flush())),
    );
    await step("index flush", async () => {
      await this.#index.settle();
      this.#index.close();
    });
    for (const cq of this.#cqs.all()) {
      await step(`closing consume queue ${cq.topic}-${cq.queueId}`, () => cq.close());
    }
    const cp = this.#checkpoint!;
    let logicsTs = 0;
    for (const cq of this.#cqs.all()) logicsTs = Math.max(logicsTs, cq.lastStoreTimestamp);
    if (logicsDurable && logicsTs > 0) cp.logicsMsgTimestamp = logicsTs;
    // Only advanced by flushes that completed, so it is true even when the last one failed.
    if (this.#lastFlushedStoreTimestamp > 0) cp.physicMsgTimestamp = this.#lastFlushedStoreTimestamp;
    await step("checkpoint", () => {
      try {
        cp.flush();
      } finally {
        cp.close();
      }
    });
    this.#checkpoint = null;
    const clean = !failed && (this.#runningFlags & WRITE_BLOCKERS & ~DISK_FULL) === 0 &&
      this.#commitLog.writeError === null &&
      this.#reputService.reputFrom >= this.#commitLog.maxOffset;
    if (clean) fs.rmSync(this.paths.abort, { force: true });
    unlockStore(this.#lockFile);
    this.#lockFile = null;
  }

  // ---------------------------------------------------------------- write path

  #checkStoreStatus(): PutMessageResult | null {
    if (!this.#started || this.#shutdown) {
      return emptyPut("SERVICE_NOT_AVAILABLE", "The message store is shut down");
    }
    if (this.config.brokerRole === "SLAVE") {
      return emptyPut("SERVICE_NOT_AVAILABLE", "The message store is a slave and refuses writes");
    }
    if ((this.#runningFlags & WRITE_BLOCKERS) !== 0 || this.#commitLog.writeError) {
      const u = (p: string) => this.#diskUsage(p);
      return emptyPut(
        "SERVICE_NOT_AVAILABLE",
        `The message store is not writeable (disk full or write error). CL: ${u(this.paths.commitLog)} CQ: ${
          u(this.paths.consumeQueue)
        } INDEX: ${u(this.paths.index)}`,
      );
    }
    return null;
  }

  /**
   * Appends one message. Queue offset assignment and the copy into the write buffer happen synchronously
   * inside the call; resolves after write() (ASYNC_FLUSH) or the group-commit sync (SYNC_FLUSH).
   */
  putMessage(msg: MessageExtBrokerInner): Promise<PutMessageResult> {
    const bad = this.#checkStoreStatus() ?? checkMessage(msg);
    if (bad) return Promise.resolve(bad);
    if (msg.body.length > this.config.maxMessageSize) {
      return Promise.resolve(
        emptyPut("MESSAGE_ILLEGAL", `Message body of ${msg.body.length} bytes exceeds maxMessageSize`),
      );
    }
    return this.#append([msg], msg.properties[MessageConst.WAIT] !== "false");
  }

  /** A batch (all items share topic/queueId): one contiguous append, consecutive queue offsets. */
  putMessages(msgs: MessageExtBrokerInner[]): Promise<PutMessageResult> {
    const bad = this.#checkStoreStatus();
    if (bad) return Promise.resolve(bad);
    const first = msgs[0];
    if (!first) return Promise.resolve(emptyPut("MESSAGE_ILLEGAL", "The batch is empty"));
    let bodies = 0;
    for (const m of msgs) {
      const why = checkMessage(m);
      if (why) return Promise.resolve(why);
      if (m.topic !== first.topic || m.queueId !== first.queueId) {
        return Promise.resolve(emptyPut("MESSAGE_ILLEGAL", "Batch messages must share one topic and queue"));
      }
      if (getTransactionValue(m.sysFlag) !== 0 || Number(m.properties[MessageConst.DELAY] ?? "0") > 0) {
        return Promise.resolve(
          emptyPut("MESSAGE_ILLEGAL", "Batch messages cannot be transactional or delayed"),
        );
      }
      bodies += m.body.length;
    }
    if (bodies > this.config.maxMessageSize) {
      return Promise.resolve(
        emptyPut("MESSAGE_ILLEGAL", `Batch body of ${bodies} bytes exceeds maxMessageSize`),
      );
    }
    return this.#append(msgs, first.properties[MessageConst.WAIT] !== "false");
  }

  /**
   * Encodes `msgs` (one message, or a batch sharing topic and queue) into the commitlog's write buffer with
   * consecutive queue offsets, synchronously; the returned promise settles when the commitlog acks the end
   * offset (write() for ASYNC_FLUSH and WAIT=false, fdatasync for SYNC_FLUSH). No await runs on this path:
   * one promise per put, settled straight from the commitlog's ack queue.
   */
  #append(msgs: MessageExtBrokerInner[], waitStore: boolean): Promise<PutMessageResult> {
    const n = msgs.length;
    const first = msgs[0]!;
    const sizes: number[] = new Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += sizes[i] = recordSizeOf(msgs[i]!);
    const tran = getTransactionValue(first.sysFlag);
    const skipsQueue = tran === MessageSysFlag.TRANSACTION_PREPARED_TYPE ||
      tran === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
    const queue = skipsQueue ? null : this.#queueOffsets.cell(first.topic, first.queueId);
    const storeTimestamp = this.#clock();
    const cl = this.#commitLog;
    let wroteOffset: number;
    try {
      wroteOffset = cl.beginAppend(total);
    } catch (e) {
      this.#stats.failed++;
      log.error(`Cannot append to the commitlog: ${e}`);
      return Promise.resolve(
        emptyPut("CREATE_MAPPED_FILE_FAILED", "create mapped file failed, server is busy or broken."),
      );
    }
    if (wroteOffset < 0) {
      return Promise.resolve(
        emptyPut("MESSAGE_ILLEGAL", `A record of ${total} bytes does not fit in a commitlog segment`),
      );
    }
    // The put lock: from the reservation to commitAppend nothing awaits, so queue offsets follow commitlog order.
    const queueOffset = queue ? queue.next : 0;
    let single: DispatchRequest | null = null;
    const batch: DispatchRequest[] | null = n > 1 ? [] : null;
    try {
      const target = cl.appendTarget;
      let pos = cl.appendAt;
      let p = wroteOffset;
      for (let i = 0; i < n; i++) {
        const m = msgs[i]!;
        m.storeTimestamp = storeTimestamp;
        const qo = queue ? queueOffset + i : 0;
        pos += encodeRecord(m, qo, p, target, pos);
        const req = dispatchRequestOf(m, p, sizes[i]!, qo, storeTimestamp, this.#delayLevels);
        if (batch) batch.push(req);
        else single = req;
        p += sizes[i]!;
      }
    } catch (e) {
      cl.abortAppend();
      this.#stats.failed++;
      return Promise.resolve(emptyPut("UNKNOWN_ERROR", `Cannot encode the record: ${e}`));
    }
    // Only a fully encoded append publishes its offsets and dispatch requests.
    if (queue) queue.next = queueOffset + n;
    if (single) this.#reputService.remember(single);
    else for (const r of batch!) this.#reputService.remember(r);
    cl.commitAppend(storeTimestamp);
    let msgId: string;
    if (n === 1) {
      msgId = this.#msgIds.format(first.storeHost, wroteOffset);
    } else {
      const ids: string[] = [];
      for (let i = 0, p = wroteOffset; i < n; p += sizes[i++]!) {
        ids.push(this.#msgIds.format(msgs[i]!.storeHost, p));
      }
      msgId = ids.join(",");
    }
    this.#stats.times += n;
    this.#stats.bytes += total;
    const result: PutMessageResult = {
      status: "PUT_OK",
      wroteOffset,
      wroteBytes: total,
      msgId,
      queueOffset,
      msgNum: n,
      storeTimestamp,
    };
    const end = wroteOffset + total;
    const syncWait = waitStore && this.config.flushDiskType === "SYNC_FLUSH";
    const acked = new Promise<PutMessageResult>((resolve) => {
      const settle = (o: AckOutcome) => resolve(this.#ackResult(result, o));
      if (syncWait) this.#commitLog.whenFlushed(end, settle);
      else this.#commitLog.whenWritten(end, settle);
    });
    if (this.config.brokerRole === "SYNC_MASTER" && waitStore) {
      return acked.then((r) => this.#waitReplica(r, end));
    }
    return acked;
  }

  /** The put's answer once the commitlog settled its wait. */
  #ackResult(result: PutMessageResult, outcome: AckOutcome): PutMessageResult {
    if (outcome === true) return result;
    if (outcome === false) {
      result.status = "FLUSH_DISK_TIMEOUT";
      return result;
    }
    this.#stats.failed++;
    return { ...result, status: "UNKNOWN_ERROR", remark: `Writing the commitlog failed: ${outcome}` };
  }

  /** SYNC_MASTER: a flushed put also waits for the slave (§12.3). */
  async #waitReplica(result: PutMessageResult, end: number): Promise<PutMessageResult> {
    if (result.status !== "PUT_OK") return result;
    // Without a replication hook there is no slave to wait for: upstream answers SLAVE_NOT_AVAILABLE.
    try {
      result.status = this.#replicaWaiter ? await this.#replicaWaiter(end) : "SLAVE_NOT_AVAILABLE";
    } catch (e) {
      log.warn(`Waiting for the slave failed: ${e}`);
      result.status = "SLAVE_NOT_AVAILABLE";
    }
    return result;
  }

  // ---------------------------------------------------------------- dispatch

  /** Dispatches `[reputFrom, end)`, writes the touched consume queues, then wakes long polls (§2.5). */
  #reput(end: number): void {
    try {
      this.#reputService.run(end);
    } catch (e) {
      // A read error must not escape into the write loop; the next round retries from the same offset.
      log.error(`Dispatch failed at offset ${this.#reputService.reputFrom}: ${e}`);
    }
    this.#writeDirtyCqs(false);
    // Long-poll wake-ups go out after the consume queues were written, once per round.
    const arrivals = this.#arrivals;
    if (arrivals.length === 0 || !this.#arriving) return;
    this.#arrivals = [];
    for (const r of arrivals) {
      try {
        this.#arriving(
          r.topic,
          r.queueId,
          r.consumeQueueOffset + 1,
          r.tagsCode,
          r.storeTimestamp,
          r.propertiesMap,
        );
      } catch (e) {
        log.error(`The message arriving listener failed: ${e}`);
      }
    }
  }

  #dispatch(req: DispatchRequest): void {
    const tran = getTransactionValue(req.sysFlag);
    const queued = tran === MessageSysFlag.TRANSACTION_NOT_TYPE ||
      tran === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
    if (queued && !isSafeTopicDirName(req.topic)) {
      log.error(
        `Record at ${req.commitLogOffset} has topic "${req.topic}", unusable as a directory; not queued`,
      );
    } else if (queued) {
      const cq = this.#cqs.findOrCreate(req.topic, req.queueId);
      cq.putEntry(req.commitLogOffset, req.msgSize, req.tagsCode, req.consumeQueueOffset, req.storeTimestamp);
      this.#cqs.markDirty(cq);
    }
    if (this.config.messageIndexEnable && tran !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      try {
        this.#index.buildIndex(req.topic, req.commitLogOffset, req.storeTimestamp, req.keys, req.uniqKey);
      } catch (e) {
        log.error(`Index write failed: ${e}`);
        this.#runningFlags |= WRITE_INDEX_FILE_ERROR;
      }
    }
    for (const d of this.#dispatchers) {
      try {
        d(req);
      } catch (e) {
        log.error(`A dispatcher failed: ${e}`);
      }
    }
    if (queued && this.#arriving && this.config.brokerRole !== "SLAVE" && this.#started) {
      this.#arrivals.push(req);
    }
  }

  /** Writes buffered consume-queue entries: a batch's worth per queue, or everything with `all`. */
  #writeDirtyCqs(all = true): void {
    this.#cqs.writeDirty(all, (cq, e) => {
      // The first failure names its queue; repeats show up in the flush's own (rate-limited) report.
      if ((this.#runningFlags & WRITE_LOGICS_QUEUE_ERROR) === 0) {
        log.error(
          `Consume queue write failed for ${cq.topic}-${cq.queueId}; the store stops taking writes: ${e}`,
        );
      }
      this.#runningFlags |= WRITE_LOGICS_QUEUE_ERROR;
    });
  }

  // ---------------------------------------------------------------- read path

  /** Reads up to `maxMsgNums` records of a queue starting at logical `offset` (§2.6). */
  getMessage(
    _group: string,
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    maxTotalBytes: number,
    filter?: MessageFilter,
  ): Promise<GetMessageResult> {
    const cq = this.#cqs.find(topic, queueId);
    const slaveKeep = this.config.brokerRole === "SLAVE" && !this.config.offsetCheckInSlave;
    const r = readMessages(
      cq,
      this.#commitLog,
      this.config,
      offset,
      maxMsgNums,
      maxTotalBytes,
      filter,
      slaveKeep,
      this.#readPool,
    );
    return Promise.resolve(r);
  }

  /** Logical max offset = next offset to be written. */
  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.#cqs.find(topic, queueId)?.maxOffset ?? 0;
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.#cqs.find(topic, queueId)?.minOffset ?? 0;
  }

  /** Logical offset whose store time is nearest `timestamp` (first exact match wins), 0 if none (§2.7). */
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): Promise<number> {
    const cq = this.#cqs.find(topic, queueId);
    return Promise.resolve(cq ? offsetInQueueByTime(cq, this.#commitLog, timestamp) : 0);
  }

  getEarliestMessageTime(topic: string, queueId: number): Promise<number> {
    const cq = this.#cqs.find(topic, queueId);
    if (!cq) return Promise.resolve(-1);
    return this.getMessageStoreTimeStamp(topic, queueId, cq.minOffset);
  }

  getMessageStoreTimeStamp(topic: string, queueId: number, consumeQueueOffset: number): Promise<number> {
    const e = this.#cqs.find(topic, queueId)?.getEntry(consumeQueueOffset);
    return Promise.resolve(e ? storeTimeAt(this.#commitLog, e.phy) : -1);
  }

  getCommitLogOffsetInQueue(topic: string, queueId: number, consumeQueueOffset: number): Promise<number> {
    const e = this.#cqs.find(topic, queueId)?.getEntry(consumeQueueOffset);
    return Promise.resolve(e ? e.phy : 0);
  }

  /** Decodes the record at a commitlog offset (body included), or null. */
  async lookMessageByOffset(commitLogOffset: number): Promise<MessageExt | null> {
    const rec = await this.selectOneMessageByOffset(commitLogOffset);
    if (!rec) return null;
    try {
      return decodeRecord(rec, 0, { checkCRC: true })[0];
    } catch {
      return null;
    }
  }

  /** Raw bytes of the record at a commitlog offset; null if absent or not a valid record. */
  selectOneMessageByOffset(commitLogOffset: number, size?: number): Promise<Uint8Array | null> {
    let len = size;
    if (len === undefined) {
      const head = this.#commitLog.readView(commitLogOffset, 4);
      if (!head) return Promise.resolve(null);
      len = new DataView(head.buffer, head.byteOffset, 4).getInt32(0);
    }
    if (len <= 0 || len > this.config.maxMessageSize + 64 * 1024 * 1024) return Promise.resolve(null);
    const rec = this.#commitLog.read(commitLogOffset, len);
    if (!rec || checkRecordAt(rec, 0, false).kind !== "message") return Promise.resolve(null);
    return Promise.resolve(rec);
  }

  /** Records indexed under `topic#key` stored within `[begin, end]` (§3.4). */
  queryMessage(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<QueryMessageResult> {
    const q = this.#index.queryOffset(topic, key, Math.min(maxNum, this.config.maxMsgsNumBatch), begin, end);
    const records: Uint8Array[] = [];
    for (const off of [...q.offsets].sort((a, b) => a - b)) {
      const head = this.#commitLog.readView(off, 4);
      if (!head) continue;
      const rec = this.#commitLog.read(off, new DataView(head.buffer, head.byteOffset, 4).getInt32(0));
      if (rec && checkRecordAt(rec, 0, false).kind === "message") records.push(rec);
    }
    return Promise.resolve({
      records,
      indexLastUpdateTimestamp: q.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: q.indexLastUpdatePhyoffset,
    });
  }

  getMinPhyOffset(): number {
    return this.#commitLog.minOffset;
  }

  getMaxPhyOffset(): number {
    return this.#commitLog.maxOffset;
  }

  getConfirmOffset(): number {
    return this.#commitLog.maxOffset;
  }

  /** Listener for long polling: called after a message is dispatched to its consume queue. */
  setMessageArrivingListener(listener: MessageArrivingListener): void {
    this.#arriving = listener;
  }

  /**
   * HA hook for SYNC_MASTER (§12.3): called after a stored put with the commitlog offset the slave must reach;
   * resolves PUT_OK, FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE.
   */
  setReplicaWaiter(waiter: ((endOffset: number) => Promise<PutMessageStatus>) | null): void {
    this.#replicaWaiter = waiter;
  }

  /** Extra dispatchers (e.g. the broker's schedule/transaction services) see every dispatched record. */
  addDispatcher(dispatcher: (req: DispatchRequest) => void): void {
    this.#dispatchers.push(dispatcher);
  }

  async deleteTopics(topics: Iterable<string>): Promise<void> {
    for (const t of topics) {
      for (const queueId of this.#cqs.deleteTopic(t)) this.#queueOffsets.delete(t, queueId);
    }
    await Promise.resolve();
  }

  /** Queues that have a consume queue. */
  getTopicQueueIds(topic: string): number[] {
    return this.#cqs.queueIds(topic);
  }

  /** For HA: raw commitlog bytes from an offset (up to its segment's end). */
  getCommitLogData(offset: number, maxBytes: number): Promise<Uint8Array | null> {
    return Promise.resolve(this.#commitLog.readChunk(offset, maxBytes));
  }

  /** For HA slaves: appends raw bytes at the end; false if `startOffset` is not the current end. */
  async appendToCommitLog(startOffset: number, data: Uint8Array): Promise<boolean> {
    if (this.#shutdown || !this.#started) return false;
    const wasEmpty = this.#commitLog.queue.files.length === 0;
    if (!this.#commitLog.appendRaw(startOffset, data)) return false;
    if (wasEmpty) this.#reputService.reputFrom = startOffset;
    await this.#commitLog.waitWritten(startOffset + data.length);
    return true;
  }

  // ---------------------------------------------------------------- retention

  /** One retention pass now (also runs every cleanResourceInterval). */
  runCleanPass(): number {
    try {
      return this.#cleaner.run();
    } catch (e) {
      log.error(`Cleanup pass failed: ${e}`);
      return 0;
    }
  }

  /** Admin "delete expired commitlog": the next passes ignore deleteWhen. */
  executeDeleteFilesManually(): void {
    this.#cleaner.executeDeleteFilesManually();
  }

  #cleanLogics(commitLogMinOffset: number): void {
    this.#commitLog.dropCacheBelow(commitLogMinOffset);
    this.#writeDirtyCqs();
    for (const cq of this.#cqs.all()) cq.deleteExpiredFiles(commitLogMinOffset);
    this.#index.deleteExpired(commitLogMinOffset);
  }

  /** True while writes are refused because the disk is full. */
  isDiskFull(): boolean {
    return (this.#runningFlags & DISK_FULL) !== 0;
  }

  // ---------------------------------------------------------------- stats

  /** KV of runtime stats for GET_BROKER_RUNTIME_INFO (names as the operations spec gives them). */
  getRuntimeInfo(): Record<string, string> {
    const cl = this.#commitLog;
    return {
      commitLogDiskRatio: String(this.#diskUsage(this.paths.commitLog)),
      consumeQueueDiskRatio: String(this.#diskUsage(this.paths.consumeQueue)),
      commitLogMinOffset: String(cl.minOffset),
      commitLogMaxOffset: String(cl.maxOffset),
      dispatchBehindBytes: String(this.#reputService.behindBytes()),
      remainHowManyDataToFlush: String(Math.max(0, cl.maxOffset - cl.flushedOffset)),
      remainHowManyDataToCommit: "0",
      remainTransientStoreBufferNumbs: "0",
      pageCacheLockTimeMills: "0",
      earliestMessageTimeStamp: String(this.#earliestCommitLogTime()),
      ...this.#stats.toRuntimeInfo(),
    };
  }

  #earliestCommitLogTime(): number {
    const f = this.#commitLog.queue.first;
    return f ? storeTimeAt(this.#commitLog, f.fileFromOffset) : -1;
  }

  /**
   * rmq extra (benchmarks, diagnostics, durability tests): how well commitlog writes and syncs are batched,
   * and how many bytes the read path fetched from disk.
   * `syncCalls` counts completed fdatasyncs; `flushedOffset` is the end of the bytes the last completed one
   * covered (every byte below it was written before that fdatasync started).
   */
  getWriteStats(): {
    writeCalls: number;
    syncCalls: number;
    bytesWritten: number;
    flushedOffset: number;
    spanReadBytes: number;
  } {
    const cl = this.#commitLog;
    return {
      spanReadBytes: cl.spanReadBytes,
      writeCalls: cl.writeCalls,
      syncCalls: cl.syncCalls,
      bytesWritten: cl.maxOffset - cl.minOffset,
      flushedOffset: cl.flushedOffset,
    };
  }

  /** The store never blocks in its put critical section, so the page cache is never "busy". */
  isOSPageCacheBusy(): boolean {
    return false;
  }

  /** Bytes written but not yet dispatched to consume queues. */
  dispatchBehindBytes(): number {
    return this.#reputService.behindBytes();
  }
}
