/**
 * The lite pull consumer (upstream DefaultLitePullConsumer): background pulls fill a buffer, the
 * application takes messages with `poll()`. Queues come from `subscribe` (rebalanced within the group)
 * or `assign` (chosen by the application); `seek` moves a queue's position.
 */

import { getLogger } from "../log/logger.ts";
import type { ConsumerData } from "../protocol/bodies/heartbeat.ts";
import { type MessageQueue, mqKey } from "../protocol/bodies/message_queue.ts";
import { allocateAveragely, type AllocateStrategy } from "./allocate.ts";
import type { ClientConfig } from "./client_config.ts";
import { MQClientError } from "./errors.ts";
import type { ConsumedMessage } from "./message.ts";
import { type ConsumerMember, MQClientInstance } from "./mq_client_instance.ts";
import { createOffsetStore, memoryOffsetsOf, type OffsetStore } from "./offset_store.ts";
import { ProcessQueue } from "./process_queue.ts";
import { pullKernel, pullRetryDelayMs } from "./pull_wrapper.ts";
import type { ConsumeFromWhere } from "./push_consumer.ts";
import {
  buildSubscription,
  checkClientInBroker,
  type MessageSelector,
  type Subscription,
} from "./subscription.ts";
import { type MessageModel, RebalanceImpl } from "./rebalance.ts";
import { describeQueue, topicRouteToSubscribeInfo } from "./route_info.ts";
import { Sleeper } from "./sleeper.ts";
import { consumerRunningInfo } from "./running_info.ts";
import { createTraceDispatcher } from "./producer.ts";
import type { AsyncTraceDispatcher } from "./trace/trace_dispatcher.ts";
import { ConsumeTracer } from "./trace/consume_trace.ts";

const log = getLogger("lite-pull");

/** Lite pull consumer settings (upstream names and defaults). */
export interface LitePullConsumerOptions extends ClientConfig {
  group: string;
  messageModel?: MessageModel;
  consumeFromWhere?: ConsumeFromWhere;
  consumeTimestamp?: number;
  allocateStrategy?: AllocateStrategy;
  /** Messages per pull. Default 10. */
  pullBatchSize?: number;
  /** Commit polled offsets automatically. Default true. */
  autoCommit?: boolean;
  /** Auto-commit period (ms). Default 5 000. */
  autoCommitIntervalMillis?: number;
  /** Default poll wait (ms). Default 5 000. */
  pollTimeoutMillis?: number;
  /** Stop pulling while this many messages are buffered in total. Default 10 000. */
  pullThresholdForAll?: number;
  /** Broker hold time of a pull (ms). Default 20 000. */
  brokerSuspendMaxTimeMillis?: number;
  /** Client timeout of a held pull (ms). Default 30 000. */
  consumerTimeoutMillisWhenSuspend?: number;
  offsetStoreDir?: string;
  clientInstance?: MQClientInstance;
  /** Emit SubBefore/SubAfter trace records for every non-empty poll. Default false. */
  enableMsgTrace?: boolean;
  /** Topic of the trace records. Default RMQ_SYS_TRACE_TOPIC. */
  customizedTraceTopic?: string;
}

interface QueueState {
  mq: MessageQueue;
  pq: ProcessQueue;
  nextOffset: number;
  /** Set by seek(): the pull loop restarts from here. */
  seekOffset: number | undefined;
  paused: boolean;
}

interface Buffered {
  state: QueueState;
  /** The process queue the messages were pulled into; a seek replaces it and orphans them. */
  pq: ProcessQueue;
  msgs: ConsumedMessage[];
}

/** A lite pull consumer. */
export class LitePullConsumer implements ConsumerMember {
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly allocate: AllocateStrategy;
  readonly instance: MQClientInstance;
  readonly orderly = false;
  readonly rebalance: RebalanceImpl;
  readonly #opts: LitePullConsumerOptions;
  readonly #ownsInstance: boolean;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #queues = new Map<string, QueueState>();
  readonly #buffer: Buffered[] = [];
  readonly #bufferWaiters = new Set<() => void>();
  readonly #loops = new Set<Promise<void>>();
  readonly #sleeper = new Sleeper();
  #assigned: MessageQueue[] | null = null;
  #offsetStore: OffsetStore | null = null;
  #bufferedCount = 0;
  #lastCommit = Date.now();
  #state: "created" | "running" | "stopped" = "created";
  #startTimestamp = Date.now();
  readonly #traceDispatcher: AsyncTraceDispatcher | null;
  readonly #tracer: ConsumeTracer | null;

  constructor(opts: LitePullConsumerOptions) {
    this.group = opts.group;
    this.#opts = opts;
    this.messageModel = opts.messageModel ?? "CLUSTERING";
    this.allocate = opts.allocateStrategy ?? allocateAveragely;
    this.#ownsInstance = opts.clientInstance === undefined;
    this.instance = opts.clientInstance ?? new MQClientInstance(opts);
    this.rebalance = new RebalanceImpl(this);
    this.#traceDispatcher = opts.enableMsgTrace
      ? createTraceDispatcher(opts, opts.customizedTraceTopic)
      : null;
    this.#tracer = this.#traceDispatcher ? new ConsumeTracer(this.#traceDispatcher, this.group) : null;
  }

  get #store(): OffsetStore {
    if (!this.#offsetStore) throw new MQClientError(`Consumer "${this.group}" is not started`);
    return this.#offsetStore;
  }

  get stopped(): boolean {
    return this.#state === "stopped";
  }

  /**
   * Subscribes (group-rebalanced mode) with a TAG expression or a selector such as
   * `MessageSelector.bySql("a > 1")`. Cannot be mixed with assign().
   */
  subscribe(topic: string, expr: string | MessageSelector = "*"): void {
    if (this.#assigned) throw new MQClientError("Cannot subscribe after assign()");
    this.#subscriptions.set(topic, buildSubscription(topic, expr));
    if (this.#state === "running") {
      this.instance.activateSubscription(topic).catch((e) =>
        log.warn(`Subscribing to "${topic}" failed: ${e}`)
      );
    }
  }

  /** Consumes exactly these queues (no rebalancing). */
  assign(mqs: MessageQueue[]): void {
    if (this.#subscriptions.size > 0 && !this.#assigned) {
      throw new MQClientError("Cannot assign after subscribe()");
    }
    this.#assigned = [...mqs];
    for (const mq of mqs) {
      if (!this.#subscriptions.has(mq.topic)) {
        this.#subscriptions.set(mq.topic, buildSubscription(mq.topic, "*"));
      }
    }
    if (this.#state === "running") this.#applyAssignment().catch((e) => log.warn(`Assign failed: ${e}`));
  }

  /** Readable queues of `topic`. */
  async fetchMessageQueues(topic: string): Promise<MessageQueue[]> {
    await this.instance.updateTopicRouteInfoFromNameServer(topic);
    const route = this.instance.topicRoute(topic);
    if (!route) throw new MQClientError(`No route info of topic "${topic}"`);
    return topicRouteToSubscribeInfo(topic, route);
  }

  async start(): Promise<void> {
    if (this.#state !== "created") throw new MQClientError(`Consumer "${this.group}" cannot start twice`);
    this.#offsetStore = createOffsetStore(
      this.instance,
      this.group,
      this.messageModel,
      this.#opts.offsetStoreDir,
    );
    await this.#offsetStore.load();
    this.instance.registerConsumer(this);
    this.instance.start();
    this.#state = "running";
    this.#startTimestamp = Date.now();
    await this.#traceDispatcher?.start();
    for (const topic of this.#subscriptions.keys()) {
      await this.instance.updateTopicRouteInfoFromNameServer(topic).catch(() => false);
    }
    try {
      await checkClientInBroker(this.instance, this.group, this.#subscriptions.values());
    } catch (e) {
      await this.shutdown();
      throw e;
    }
    await this.instance.sendHeartbeatToAllBrokers();
    if (this.#assigned) await this.#applyAssignment();
    else await this.instance.doRebalance();
  }

  async #applyAssignment(): Promise<void> {
    const byTopic = new Map<string, MessageQueue[]>();
    for (const mq of this.#assigned ?? []) byTopic.set(mq.topic, [...(byTopic.get(mq.topic) ?? []), mq]);
    for (const topic of new Set([...byTopic.keys(), ...this.rebalance.ownedQueues().map((q) => q.topic)])) {
      await this.rebalance.updateProcessQueueTable(topic, byTopic.get(topic) ?? []);
    }
  }

  /**
   * Waits up to `timeoutMs` for messages and returns the next buffered batch (possibly empty). With
   * auto-commit, offsets of earlier polls are committed as part of polling.
   */
  async poll(timeoutMs: number = this.#opts.pollTimeoutMillis ?? 5000): Promise<ConsumedMessage[]> {
    if (this.#state !== "running") throw new MQClientError(`Consumer "${this.group}" is not running`);
    if (
      (this.#opts.autoCommit ?? true) &&
      Date.now() - this.#lastCommit >= (this.#opts.autoCommitIntervalMillis ?? 5000)
    ) {
      await this.commitSync();
    }
    const end = Date.now() + timeoutMs;
    while (this.#state === "running") {
      const next = this.#buffer.shift();
      if (next) {
        this.#bufferedCount -= next.msgs.length;
        if (next.pq.dropped || next.pq !== next.state.pq || next.state.seekOffset !== undefined) continue;
        const offset = next.pq.removeMessages(next.msgs);
        if (offset >= 0) this.#store.updateOffset(next.state.mq, offset, true);
        // Upstream traces a poll as a consumption that succeeded the moment it was handed over.
        if (this.#tracer) this.#tracer.after(this.#tracer.before(next.msgs), true, "SUCCESS");
        return next.msgs;
      }
      const left = end - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.#bufferWaiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, left);
        this.#bufferWaiters.add(done);
      });
    }
    return [];
  }

  /** Persists the offsets of everything polled so far. */
  async commitSync(): Promise<void> {
    this.#lastCommit = Date.now();
    await this.#store.persistAll(this.rebalance.ownedQueues());
  }

  /** The offset that would be committed for `mq`. */
  committed(mq: MessageQueue): Promise<number> {
    return this.#store.readOffset(mq, "memoryThenStore");
  }

  /** Moves `mq` (which must be owned) so the next messages come from `offset`. */
  seek(mq: MessageQueue, offset: number): void {
    const st = this.#queues.get(mqKey(mq));
    if (!st) {
      throw new MQClientError(
        `Queue ${mq.topic}:${mq.brokerName}:${mq.queueId} is not assigned to this consumer`,
      );
    }
    st.seekOffset = offset;
    st.pq.clear();
    this.#store.updateOffset(mq, offset, false);
  }

  /** Seeks to the oldest available message. */
  async seekToBegin(mq: MessageQueue): Promise<void> {
    this.seek(mq, await this.#queueOffset(mq, "min"));
  }

  /** Seeks past the newest message. */
  async seekToEnd(mq: MessageQueue): Promise<void> {
    this.seek(mq, await this.#queueOffset(mq, "max"));
  }

  /** Stops pulling `mqs` until resume(). */
  pause(mqs: MessageQueue[]): void {
    for (const mq of mqs) {
      const st = this.#queues.get(mqKey(mq));
      if (st) st.paused = true;
    }
  }

  resume(mqs: MessageQueue[]): void {
    for (const mq of mqs) {
      const st = this.#queues.get(mqKey(mq));
      if (st) st.paused = false;
    }
  }

  async #queueOffset(mq: MessageQueue, which: "min" | "max"): Promise<number> {
    const addr = this.instance.findBrokerAddressInSubscribe(mq.brokerName);
    if (!addr) throw new MQClientError(`The broker "${mq.brokerName}" does not exist`);
    return await this.instance.api.getQueueOffset(addr, which, mq, this.instance.config.requestTimeoutMs);
  }

  async shutdown(): Promise<void> {
    if (this.#state !== "running") return;
    if (this.#opts.autoCommit ?? true) await this.commitSync();
    this.#state = "stopped";
    this.#sleeper.wakeAll();
    for (const w of [...this.#bufferWaiters]) w();
    this.instance.unregisterConsumer(this.group);
    await this.#traceDispatcher?.shutdown();
    const addrs = new Set<string>();
    for (const mq of this.rebalance.ownedQueues()) {
      const a = this.instance.findBrokerAddressInPublish(mq.brokerName);
      if (a) addrs.add(a);
    }
    await this.instance.unregisterFromBrokers(addrs, { consumerGroup: this.group });
    if (this.#ownsInstance) await this.instance.shutdown();
    await Promise.all([...this.#loops]);
  }

  // ---- ConsumerMember ----

  consumerData(): ConsumerData {
    return {
      groupName: this.group,
      consumeType: "CONSUME_ACTIVELY",
      messageModel: this.messageModel,
      consumeFromWhere: this.#opts.consumeFromWhere ?? "CONSUME_FROM_LAST_OFFSET",
      subscriptionDataSet: this.#assigned ? [] : [...this.#subscriptions.values()].map((s) => s.data),
      unitMode: false,
    };
  }

  subscribedTopics(): string[] {
    return [...this.#subscriptions.keys()];
  }

  updateSubscribeInfo(topic: string, mqs: MessageQueue[]): void {
    this.rebalance.topicSubscribeInfo.set(topic, mqs);
  }

  async doRebalance(): Promise<void> {
    // Assigned queues are the application's choice; only subscriptions are rebalanced.
    if (this.#state !== "running" || this.#assigned) return;
    await this.rebalance.doRebalanceRetryingRoutes(this.#sleeper);
  }

  async persistConsumerOffset(): Promise<void> {
    if (this.#state === "running" && (this.#opts.autoCommit ?? true)) await this.commitSync();
  }

  resetOffset(topic: string, table: Array<[MessageQueue, number]>): Promise<void> {
    for (const [mq, offset] of table) {
      if (mq.topic === topic && this.#queues.has(mqKey(mq))) this.seek(mq, offset);
    }
    return Promise.resolve();
  }

  runningInfo(): Promise<Uint8Array> {
    return consumerRunningInfo({
      group: this.group,
      messageModel: this.messageModel,
      consumeFromWhere: this.#opts.consumeFromWhere ?? "CONSUME_FROM_LAST_OFFSET",
      namesrvAddr: this.#opts.namesrvAddr,
      consumeType: "CONSUME_ACTIVELY",
      orderly: false,
      threadPoolCoreSize: 1,
      startTimestamp: this.#startTimestamp,
      subscriptionSet: [...this.#subscriptions.values()].map((s) => s.data),
      processQueues: this.rebalance.processQueueTable.values(),
      offsetStore: this.#offsetStore,
    });
  }

  offsetTable(topic: string): Promise<Array<[MessageQueue, number]>> {
    return memoryOffsetsOf(this.#offsetStore, this.rebalance.ownedQueues(), topic);
  }

  // ---- RebalanceHost ----

  async computePullFromWhere(mq: MessageQueue): Promise<number> {
    const last = await this.#store.readOffset(mq, "store");
    if (last >= 0) return last;
    const where = this.#opts.consumeFromWhere ?? "CONSUME_FROM_LAST_OFFSET";
    if (where === "CONSUME_FROM_FIRST_OFFSET") return 0;
    const addr = this.instance.findBrokerAddressInSubscribe(mq.brokerName);
    if (!addr) return -1;
    try {
      if (where === "CONSUME_FROM_LAST_OFFSET" || mq.topic.startsWith("%RETRY%")) {
        return await this.instance.api.getQueueOffset(addr, "max", mq, this.instance.config.requestTimeoutMs);
      }
      const ts = this.#opts.consumeTimestamp ?? Date.now() - 30 * 60_000;
      return await this.instance.api.searchOffset(addr, mq, ts, this.instance.config.requestTimeoutMs);
    } catch (e) {
      log.warn(`Cannot compute start offset of ${describeQueue(mq)}: ${e}`);
      return -1;
    }
  }

  onQueueAdded(mq: MessageQueue, pq: ProcessQueue, offset: number): void {
    const st: QueueState = { mq, pq, nextOffset: offset, seekOffset: undefined, paused: false };
    this.#queues.set(mqKey(mq), st);
    const loop = this.#pullLoop(st).catch((e) => log.warn(`Pull loop of ${describeQueue(mq)} ended: ${e}`))
      .finally(
        () => this.#loops.delete(loop),
      );
    this.#loops.add(loop);
  }

  async onQueueRemoved(mq: MessageQueue, pq: ProcessQueue): Promise<void> {
    pq.dropped = true;
    this.#queues.delete(mqKey(mq));
    await this.#store.persist(mq);
    this.#store.removeOffset(mq);
  }

  // ---- pulling ----

  async #pullLoop(st: QueueState): Promise<void> {
    const batch = this.#opts.pullBatchSize ?? 10;
    const threshold = this.#opts.pullThresholdForAll ?? 10_000;
    while (!st.pq.dropped && !this.stopped) {
      if (st.seekOffset !== undefined) {
        st.nextOffset = st.seekOffset;
        st.seekOffset = undefined;
        st.pq = new ProcessQueue();
        const entry = this.rebalance.processQueueTable.get(mqKey(st.mq));
        if (entry) entry.pq = st.pq;
      }
      if (st.paused || this.#bufferedCount > threshold) {
        await this.#sleeper.sleep(50);
        continue;
      }
      const sub = this.#subscriptions.get(st.mq.topic);
      if (!sub) {
        await this.#sleeper.sleep(1000);
        continue;
      }
      try {
        const pq = st.pq;
        const res = await pullKernel(this.instance, {
          group: this.group,
          mq: st.mq,
          sub,
          offset: st.nextOffset,
          maxNums: batch,
          commitOffset: 0,
          suspendTimeoutMillis: this.#opts.brokerSuspendMaxTimeMillis ?? 20_000,
          timeoutMs: this.#opts.consumerTimeoutMillisWhenSuspend ?? 30_000,
          postSubscription: true,
        });
        if (pq.dropped || this.stopped || st.seekOffset !== undefined || pq !== st.pq) continue;
        if (res.status === "OFFSET_ILLEGAL") {
          log.warn(
            `Offset ${st.nextOffset} of ${describeQueue(st.mq)} is illegal; moving to ${res.nextBeginOffset}`,
          );
        }
        st.nextOffset = res.nextBeginOffset;
        if (res.msgs.length > 0) {
          pq.putMessages(res.msgs);
          this.#buffer.push({ state: st, pq, msgs: res.msgs });
          this.#bufferedCount += res.msgs.length;
          for (const w of [...this.#bufferWaiters]) w();
        } else if (pq.count === 0) {
          this.#store.updateOffset(st.mq, st.nextOffset, true);
        }
      } catch (e) {
        if (this.stopped) return;
        const delay = pullRetryDelayMs(e);
        log.debug(`Pull of ${describeQueue(st.mq)} failed: ${e}`);
        await this.#sleeper.sleep(delay);
      }
    }
  }
}
