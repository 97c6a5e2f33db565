/**
 * Runs the application's listener over pulled messages and turns its verdicts into offset commits and
 * retries: concurrently (upstream ConsumeMessageConcurrentlyService) or one queue at a time in offset
 * order (ConsumeMessageOrderlyService).
 */

import { getLogger } from "../log/logger.ts";
import { MessageConst } from "../message/message_const.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import type { ConsumedMessage } from "./message.ts";
import type { OffsetStore } from "./offset_store.ts";
import type { ProcessQueue } from "./process_queue.ts";
import { isLockValid, type MessageModel, type RebalanceImpl } from "./rebalance.ts";
import { type Sleeper, TaskLimiter } from "./sleeper.ts";
import type { ConsumeReturn, ConsumeTracer } from "./trace/consume_trace.ts";

const log = getLogger("consumer");

/**
 * Verdict of a concurrent listener (upstream ConsumeConcurrentlyStatus).
 *
 * A listener may return the string itself. TypeScript widens a lone string literal returned from an
 * `async` function whose expected return is `T | Promise<T>` to `string`, so an async listener with a
 * single `return "CONSUME_SUCCESS"` needs the constant (`ConsumeConcurrentlyStatus.CONSUME_SUCCESS`, as
 * upstream's enum reads) or a `Promise<ConsumeConcurrentlyStatus>` return annotation; see
 * tests/client/listener_typing_test.ts for every form that type-checks.
 */
export type ConsumeConcurrentlyStatus = "CONSUME_SUCCESS" | "RECONSUME_LATER";
/**
 * The concurrent verdicts as constants, so listeners can read like upstream's
 * `return ConsumeConcurrentlyStatus.CONSUME_SUCCESS`.
 *
 * @example
 * ```ts
 * consumer.registerMessageListener(async (msgs) => {
 *   await handle(msgs);
 *   return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
 * });
 * ```
 */
export const ConsumeConcurrentlyStatus = {
  CONSUME_SUCCESS: "CONSUME_SUCCESS",
  RECONSUME_LATER: "RECONSUME_LATER",
} as const;

/**
 * Verdict of an orderly listener (upstream ConsumeOrderlyStatus). `COMMIT` and `ROLLBACK` are upstream's
 * deprecated verdicts; with automatic offset commits (the only mode here, upstream's default) upstream
 * treats both as SUCCESS, and so do we.
 */
export type ConsumeOrderlyStatus = "SUCCESS" | "SUSPEND_CURRENT_QUEUE_A_MOMENT" | "COMMIT" | "ROLLBACK";
/** The orderly verdicts as constants (see ConsumeConcurrentlyStatus for why they help async listeners). */
export const ConsumeOrderlyStatus = {
  SUCCESS: "SUCCESS",
  SUSPEND_CURRENT_QUEUE_A_MOMENT: "SUSPEND_CURRENT_QUEUE_A_MOMENT",
  /** @deprecated Upstream's; acts as SUCCESS. */
  COMMIT: "COMMIT",
  /** @deprecated Upstream's; acts as SUCCESS under automatic offset commits. */
  ROLLBACK: "ROLLBACK",
} as const;

/** Whether an orderly verdict lets the queue move on (SUCCESS and its deprecated aliases). */
export function isOrderlySuccess(status: ConsumeOrderlyStatus): boolean {
  // Anything unexpected from an untyped caller suspends, as a missing verdict does upstream.
  return status === "SUCCESS" || status === "COMMIT" || status === "ROLLBACK";
}

/** Passed to a concurrent listener; it may change the retry delay level or ack only a prefix. */
export interface ConsumeConcurrentlyContext {
  messageQueue: MessageQueue;
  /** 0 lets the broker choose (3 + reconsume times); -1 sends straight to the DLQ. */
  delayLevelWhenNextConsume: number;
  /** Index of the last successfully consumed message when returning CONSUME_SUCCESS. */
  ackIndex: number;
}

/** Passed to an orderly listener. */
export interface ConsumeOrderlyContext {
  messageQueue: MessageQueue;
  suspendCurrentQueueTimeMillis: number;
}

/** Application callback of a concurrent consumer; throwing counts as RECONSUME_LATER. */
export type ConcurrentListener = (
  msgs: ConsumedMessage[],
  ctx: ConsumeConcurrentlyContext,
) => ConsumeConcurrentlyStatus | Promise<ConsumeConcurrentlyStatus>;

/** Application callback of an orderly consumer; throwing counts as SUSPEND_CURRENT_QUEUE_A_MOMENT. */
export type OrderlyListener = (
  msgs: ConsumedMessage[],
  ctx: ConsumeOrderlyContext,
) => ConsumeOrderlyStatus | Promise<ConsumeOrderlyStatus>;

/** What the consume services need from their consumer. */
export interface ConsumeHost {
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly offsetStore: OffsetStore;
  readonly sleeper: Sleeper;
  readonly rebalance: RebalanceImpl;
  readonly consumeMessageBatchMaxSize: number;
  readonly maxReconsumeTimes: number;
  readonly suspendCurrentQueueTimeMillis: number;
  readonly stopped: boolean;
  /** Trace hooks when message tracing is on. */
  readonly tracer: ConsumeTracer | null;
  /** CONSUMER_SEND_MSG_BACK; resolves false when the broker did not take the message. */
  sendMessageBack(msg: ConsumedMessage, delayLevel: number): Promise<boolean>;
}

/** The interface both services offer the pull loop. */
export interface ConsumeService {
  /** Newly pulled messages of `mq`, already added to `pq`. */
  submit(mq: MessageQueue, pq: ProcessQueue, msgs: ConsumedMessage[]): void;
  /** Waits for running listener calls (new ones are not started). */
  shutdown(): Promise<void>;
  /** CONSUME_MESSAGE_DIRECTLY: runs the listener on one message outside the queues. */
  consumeDirectly(msg: ConsumedMessage, mq: MessageQueue): Promise<ConsumeMessageDirectlyResult>;
}

/** The ConsumeMessageDirectlyResult body (remoting-protocol.md §5.10), fastjson member order. */
export interface ConsumeMessageDirectlyResult {
  autoCommit: boolean;
  consumeResult:
    | "CR_SUCCESS"
    | "CR_LATER"
    | "CR_ROLLBACK"
    | "CR_COMMIT"
    | "CR_THROW_EXCEPTION"
    | "CR_RETURN_NULL";
  order: boolean;
  remark: string;
  spentTimeMills: number;
}

async function runDirect(
  order: boolean,
  call: () => Promise<string | undefined | null>,
  success: string,
  others: Readonly<Record<string, ConsumeMessageDirectlyResult["consumeResult"]>> = {},
): Promise<ConsumeMessageDirectlyResult> {
  const start = Date.now();
  let consumeResult: ConsumeMessageDirectlyResult["consumeResult"];
  let remark = "";
  try {
    const status = await call();
    consumeResult = status === undefined || status === null
      ? "CR_RETURN_NULL"
      : status === success
      ? "CR_SUCCESS"
      : (Object.hasOwn(others, status) ? others[status] : undefined) ?? "CR_LATER";
  } catch (e) {
    consumeResult = "CR_THROW_EXCEPTION";
    remark = String(e);
  }
  return { autoCommit: true, consumeResult, order, remark, spentTimeMills: Date.now() - start };
}

function stampStart(msgs: ConsumedMessage[]): void {
  const now = String(Date.now());
  for (const m of msgs) m.properties[MessageConst.CONSUME_START_TIME] = now;
}

/** Concurrent consumption: batches run in parallel up to `concurrency`. */
export class ConcurrentConsumeService implements ConsumeService {
  readonly #limiter: TaskLimiter;

  constructor(
    private readonly host: ConsumeHost,
    private readonly listener: ConcurrentListener,
    concurrency: number,
  ) {
    this.#limiter = new TaskLimiter(concurrency);
  }

  submit(mq: MessageQueue, pq: ProcessQueue, msgs: ConsumedMessage[]): void {
    const size = Math.max(1, this.host.consumeMessageBatchMaxSize);
    for (let i = 0; i < msgs.length; i += size) {
      const batch = msgs.slice(i, i + size);
      this.#limiter.submit(() => this.#consume(mq, pq, batch));
    }
  }

  async #consume(mq: MessageQueue, pq: ProcessQueue, msgs: ConsumedMessage[]): Promise<void> {
    if (pq.dropped || this.host.stopped) return;
    const ctx: ConsumeConcurrentlyContext = {
      messageQueue: mq,
      delayLevelWhenNextConsume: 0,
      ackIndex: msgs.length - 1,
    };
    stampStart(msgs);
    const traced = this.host.tracer?.before(msgs) ?? null;
    let status: ConsumeConcurrentlyStatus;
    let how: ConsumeReturn = "SUCCESS";
    try {
      status = await this.listener(msgs, ctx);
    } catch (e) {
      log.warn(`Listener of group "${this.host.group}" threw: ${e}`);
      status = "RECONSUME_LATER";
      how = "EXCEPTION";
    }
    if (status !== "CONSUME_SUCCESS" && status !== "RECONSUME_LATER") {
      status = "RECONSUME_LATER";
      how = "RETURNNULL";
    }
    if (how === "SUCCESS" && status === "RECONSUME_LATER") how = "FAILED";
    this.host.tracer?.after(traced, status === "CONSUME_SUCCESS", how);
    if (pq.dropped) return; // Queue is no longer ours: the new owner consumes from the committed offset.
    const ackIndex = status === "CONSUME_SUCCESS" ? Math.min(ctx.ackIndex, msgs.length - 1) : -1;
    const failed = msgs.slice(ackIndex + 1);
    const retryLocally: ConsumedMessage[] = [];
    if (failed.length > 0) {
      if (this.host.messageModel === "BROADCASTING") {
        for (const m of failed) log.warn(`Broadcast message "${m.msgId}" failed and is dropped`);
      } else {
        for (const m of failed) {
          const ok = await this.host.sendMessageBack(m, ctx.delayLevelWhenNextConsume);
          if (!ok) {
            m.reconsumeTimes++;
            retryLocally.push(m);
          }
        }
      }
    }
    const done = retryLocally.length === 0 ? msgs : msgs.filter((m) => !retryLocally.includes(m));
    const offset = pq.removeMessages(done);
    if (offset >= 0 && !pq.dropped) this.host.offsetStore.updateOffset(mq, offset, true);
    if (retryLocally.length > 0 && !this.host.stopped) {
      // The broker would not take them back: consume them again here a little later.
      this.host.sleeper.sleep(5000).then(() => {
        if (!pq.dropped && !this.host.stopped) this.submit(mq, pq, retryLocally);
      });
    }
  }

  async shutdown(): Promise<void> {
    this.#limiter.clearPending();
    await this.#limiter.idle();
  }

  consumeDirectly(msg: ConsumedMessage, mq: MessageQueue): Promise<ConsumeMessageDirectlyResult> {
    const ctx: ConsumeConcurrentlyContext = { messageQueue: mq, delayLevelWhenNextConsume: 0, ackIndex: 0 };
    return runDirect(false, async () => await this.listener([msg], ctx), "CONSUME_SUCCESS");
  }
}

/** Orderly consumption: one pass per queue at a time, in offset order, under the broker lock. */
export class OrderlyConsumeService implements ConsumeService {
  readonly #running = new Set<Promise<void>>();

  constructor(private readonly host: ConsumeHost, private readonly listener: OrderlyListener) {}

  submit(mq: MessageQueue, pq: ProcessQueue, _msgs: ConsumedMessage[]): void {
    if (pq.consuming) return; // The running pass will pick the new messages up.
    pq.consuming = true;
    const run = this.#drain(mq, pq).finally(() => {
      pq.consuming = false;
      this.#running.delete(run);
    });
    this.#running.add(run);
  }

  async #drain(mq: MessageQueue, pq: ProcessQueue): Promise<void> {
    const clustering = this.host.messageModel === "CLUSTERING";
    while (!pq.dropped && !this.host.stopped && pq.count > 0) {
      if (clustering && !isLockValid(pq)) {
        if (!(await this.host.rebalance.lock(mq, pq))) {
          await this.host.sleeper.sleep(1000);
          continue;
        }
      }
      const msgs = pq.takeMessages(Math.max(1, this.host.consumeMessageBatchMaxSize));
      const ctx: ConsumeOrderlyContext = {
        messageQueue: mq,
        suspendCurrentQueueTimeMillis: this.host.suspendCurrentQueueTimeMillis,
      };
      stampStart(msgs);
      const traced = this.host.tracer?.before(msgs) ?? null;
      let status: ConsumeOrderlyStatus;
      let how: ConsumeReturn = "SUCCESS";
      try {
        status = await this.listener(msgs, ctx);
      } catch (e) {
        log.warn(`Orderly listener of group "${this.host.group}" threw: ${e}`);
        status = "SUSPEND_CURRENT_QUEUE_A_MOMENT";
        how = "EXCEPTION";
      }
      const success = isOrderlySuccess(status);
      if (how === "SUCCESS" && !success) how = "FAILED";
      this.host.tracer?.after(traced, success, how);
      if (pq.dropped) return;
      if (success) {
        const offset = pq.removeMessages(msgs);
        if (offset >= 0) this.host.offsetStore.updateOffset(mq, offset, false);
        continue;
      }
      // Suspend: retry the same messages after a pause; past the limit they go to the DLQ.
      const exhausted = msgs.filter((m) => m.reconsumeTimes >= this.host.maxReconsumeTimes);
      for (const m of msgs) m.reconsumeTimes++;
      if (exhausted.length > 0 && clustering) {
        const sent: ConsumedMessage[] = [];
        for (const m of exhausted) if (await this.host.sendMessageBack(m, -1)) sent.push(m);
        if (sent.length > 0) {
          const offset = pq.removeMessages(sent);
          if (offset >= 0) this.host.offsetStore.updateOffset(mq, offset, false);
        }
      }
      await this.host.sleeper.sleep(ctx.suspendCurrentQueueTimeMillis);
    }
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.#running]);
  }

  consumeDirectly(msg: ConsumedMessage, mq: MessageQueue): Promise<ConsumeMessageDirectlyResult> {
    const ctx: ConsumeOrderlyContext = {
      messageQueue: mq,
      suspendCurrentQueueTimeMillis: this.host.suspendCurrentQueueTimeMillis,
    };
    return runDirect(true, async () => await this.listener([msg], ctx), "SUCCESS", {
      COMMIT: "CR_COMMIT",
      ROLLBACK: "CR_ROLLBACK",
    });
  }
}
