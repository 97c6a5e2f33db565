/**
 * The push consumer (upstream DefaultMQPushConsumer): subscribes to topics, owns a share of their
 * queues through rebalancing, long-polls each owned queue and feeds a listener, committing offsets as
 * messages are consumed.
 */

import { getLogger } from "../log/logger.ts";
import type { ConsumerData } from "../protocol/bodies/heartbeat.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import { allocateAveragely, type AllocateStrategy } from "./allocate.ts";
import type { ClientConfig } from "./client_config.ts";
import {
  ConcurrentConsumeService,
  type ConcurrentListener,
  type ConsumeHost,
  type ConsumeService,
  OrderlyConsumeService,
  type OrderlyListener,
} from "./consume_service.ts";
import { MQClientError } from "./errors.ts";
import { type ConsumedMessage, retryTopic, toConsumedMessage } from "./message.ts";
import type { MessageExt } from "../message/message.ts";
import { PULL_TIME_DELAY_WHEN_EXCEPTION, pullKernel, pullRetryDelayMs } from "./pull_wrapper.ts";
import {
  buildSubscription,
  checkClientInBroker,
  type MessageSelector,
  type Subscription,
} from "./subscription.ts";
import { type ConsumerMember, MQClientInstance } from "./mq_client_instance.ts";
import { createOffsetStore, memoryOffsetsOf, type OffsetStore } from "./offset_store.ts";
import type { ProcessQueue } from "./process_queue.ts";
import { type MessageModel, RebalanceImpl } from "./rebalance.ts";
import { Sleeper } from "./sleeper.ts";
import { consumerRunningInfo } from "./running_info.ts";
import { describeQueue } from "./route_info.ts";
import { createTraceDispatcher, Producer } from "./producer.ts";
import type { AsyncTraceDispatcher } from "./trace/trace_dispatcher.ts";
import { ConsumeTracer } from "./trace/consume_trace.ts";
import { MessageConst } from "../message/message_const.ts";

const log = getLogger("consumer");

/** Where a group with no committed offset starts. */
export type ConsumeFromWhere =
  | "CONSUME_FROM_LAST_OFFSET"
  | "CONSUME_FROM_FIRST_OFFSET"
  | "CONSUME_FROM_TIMESTAMP";

/** Push consumer settings (upstream names and defaults). */
export interface PushConsumerOptions extends ClientConfig {
  group: string;
  messageModel?: MessageModel;
  consumeFromWhere?: ConsumeFromWhere;
  /** For CONSUME_FROM_TIMESTAMP: epoch ms. Default: half an hour ago. */
  consumeTimestamp?: number;
  allocateStrategy?: AllocateStrategy;
  /** Messages per pull. Default 32. */
  pullBatchSize?: number;
  /** Messages per listener call. Default 1. */
  consumeMessageBatchMaxSize?: number;
  /** Pause pulling a queue with this many messages in flight. Default 1000. */
  pullThresholdForQueue?: number;
  /** Pause pulling a queue with this many body MiB in flight. Default 100. */
  pullThresholdSizeForQueue?: number;
  /** Concurrent listener calls. Default 20. */
  consumeThreadMax?: number;
  /** Retries before the DLQ; -1 = 16 (concurrent) or unlimited (orderly). */
  maxReconsumeTimes?: number;
  /** Orderly pause after SUSPEND_CURRENT_QUEUE_A_MOMENT (ms). Default 1000. */
  suspendCurrentQueueTimeMillis?: number;
  /** How long the broker may hold a pull (ms). Default 15 000. */
  brokerSuspendMaxTimeMillis?: number;
  /** Client timeout of a held pull (ms). Default 30 000. */
  consumerTimeoutMillisWhenSuspend?: number;
  /** Send the subscription with every pull (SUBSCRIPTION flag). Default true. */
  postSubscriptionWhenPull?: boolean;
  /** Directory for broadcasting offsets. Default `$HOME/.rocketmq_offsets`. */
  offsetStoreDir?: string;
  clientInstance?: MQClientInstance;
  /** Emit SubBefore/SubAfter trace records around every listener call. Default false. */
  enableMsgTrace?: boolean;
  /** Topic of the trace records. Default RMQ_SYS_TRACE_TOPIC. */
  customizedTraceTopic?: string;
}

/** The producer group of the consumer's own retry sends. */
export const CLIENT_INNER_PRODUCER_GROUP = "CLIENT_INNER_PRODUCER";

const PULL_TIME_DELAY_WHEN_FLOW_CONTROL = 50;

export { buildSubscriptionData } from "./subscription.ts";

/** A push consumer. */
export class PushConsumer implements ConsumerMember, ConsumeHost {
  readonly group: string;
  readonly messageModel: MessageModel;
  readonly allocate: AllocateStrategy;
  readonly instance: MQClientInstance;
  readonly sleeper = new Sleeper();
  readonly rebalance: RebalanceImpl;
  readonly consumeMessageBatchMaxSize: number;
  readonly suspendCurrentQueueTimeMillis: number;
  readonly #opts: PushConsumerOptions;
  readonly #ownsInstance: boolean;
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #pullLoops = new Set<Promise<void>>();
  #offsetStore: OffsetStore | null = null;
  #consumeService: ConsumeService | null = null;
  #concurrentListener: ConcurrentListener | null = null;
  #orderlyListener: OrderlyListener | null = null;
  #state: "created" | "running" | "stopped" = "created";
  #startTimestamp = Date.now();
  #innerProducer: Producer | null = null;
  readonly #traceDispatcher: AsyncTraceDispatcher | null;
  /** Trace hooks (ConsumeHost) when `enableMsgTrace` is on. */
  readonly tracer: ConsumeTracer | null;

  constructor(opts: PushConsumerOptions) {
    this.group = opts.group;
    this.#opts = opts;
    this.messageModel = opts.messageModel ?? "CLUSTERING";
    this.allocate = opts.allocateStrategy ?? allocateAveragely;
    this.consumeMessageBatchMaxSize = opts.consumeMessageBatchMaxSize ?? 1;
    this.suspendCurrentQueueTimeMillis = opts.suspendCurrentQueueTimeMillis ?? 1000;
    this.#ownsInstance = opts.clientInstance === undefined;
    this.instance = opts.clientInstance ?? new MQClientInstance(opts);
    this.rebalance = new RebalanceImpl(this);
    this.#traceDispatcher = opts.enableMsgTrace
      ? createTraceDispatcher(opts, opts.customizedTraceTopic)
      : null;
    this.tracer = this.#traceDispatcher ? new ConsumeTracer(this.#traceDispatcher, this.group) : null;
  }

  /** Orderly consumers lock queues on the broker. */
  get orderly(): boolean {
    return this.#orderlyListener !== null;
  }

  get stopped(): boolean {
    return this.#state === "stopped";
  }

  get offsetStore(): OffsetStore {
    if (!this.#offsetStore) throw new MQClientError(`Consumer "${this.group}" is not started`);
    return this.#offsetStore;
  }

  get maxReconsumeTimes(): number {
    const v = this.#opts.maxReconsumeTimes ?? -1;
    if (v >= 0) return v;
    return this.orderly ? Number.MAX_SAFE_INTEGER : 16;
  }

  /**
   * Subscribes to `topic` with a TAG expression (`*`, `A || B`) or a selector such as
   * `MessageSelector.bySql("a > 1")`. Allowed before and after start.
   *
   * @throws {MQClientError} for an invalid SQL92 selector.
   */
  subscribe(topic: string, expr: string | MessageSelector = "*"): void {
    this.#subscriptions.set(topic, buildSubscription(topic, expr));
    if (this.#state === "running") {
      this.instance.activateSubscription(topic).catch((e) =>
        log.warn(`Subscribing to "${topic}" failed: ${e}`)
      );
    }
  }

  /** Removes a subscription; its queues are dropped at the next rebalance. */
  unsubscribe(topic: string): void {
    this.#subscriptions.delete(topic);
  }

  /** Sets a concurrent listener. */
  registerMessageListener(listener: ConcurrentListener): void {
    this.#concurrentListener = listener;
    this.#orderlyListener = null;
  }

  /** Sets an orderly listener (one queue at a time, broker-locked in clustering mode). */
  registerOrderlyListener(listener: OrderlyListener): void {
    this.#orderlyListener = listener;
    this.#concurrentListener = null;
  }

  /** Starts: registers, fetches routes, heartbeats and rebalances. */
  async start(): Promise<void> {
    if (this.#state !== "created") throw new MQClientError(`Consumer "${this.group}" cannot start twice`);
    if (!this.#concurrentListener && !this.#orderlyListener) {
      throw new MQClientError(`Consumer "${this.group}" has no message listener`);
    }
    if (this.messageModel === "CLUSTERING") this.subscribe(retryTopic(this.group), "*");
    this.#offsetStore = createOffsetStore(
      this.instance,
      this.group,
      this.messageModel,
      this.#opts.offsetStoreDir,
    );
    await this.#offsetStore.load();
    this.#consumeService = this.#orderlyListener
      ? new OrderlyConsumeService(this, this.#orderlyListener)
      : new ConcurrentConsumeService(this, this.#concurrentListener!, this.#opts.consumeThreadMax ?? 20);
    this.instance.registerConsumer(this);
    this.instance.start();
    this.#state = "running";
    this.#startTimestamp = Date.now();
    await this.#traceDispatcher?.start();
    for (const topic of this.#subscriptions.keys()) {
      await this.instance.updateTopicRouteInfoFromNameServer(topic).catch((e) =>
        log.warn(`No route for subscribed topic "${topic}" yet: ${e}`)
      );
    }
    try {
      await checkClientInBroker(this.instance, this.group, this.#subscriptions.values());
    } catch (e) {
      await this.shutdown();
      throw e;
    }
    await this.instance.sendHeartbeatToAllBrokers();
    // The heartbeat makes brokers create %RETRY%<group>; fetch the routes that were missing before it.
    for (const topic of this.#subscriptions.keys()) {
      if (this.rebalance.topicSubscribeInfo.has(topic)) continue;
      await this.instance.updateTopicRouteInfoFromNameServer(topic).catch(() => false);
    }
    await this.instance.doRebalance();
    if (this.orderly && this.messageModel === "CLUSTERING") this.#scheduleLockAll();
  }

  #scheduleLockAll(): void {
    const loop = async () => {
      while (!this.stopped) {
        await this.sleeper.sleep(20_000);
        if (!this.stopped) await this.rebalance.lockAll();
      }
    };
    this.#track(loop());
  }

  #track(p: Promise<void>): void {
    const tracked = p.catch((e) => log.warn(`Consumer task failed: ${e}`)).finally(() =>
      this.#pullLoops.delete(tracked)
    );
    this.#pullLoops.add(tracked);
  }

  /** Stops pulling, waits for running listeners, persists offsets, unregisters and disconnects. */
  async shutdown(): Promise<void> {
    if (this.#state !== "running") return;
    this.#state = "stopped";
    this.sleeper.wakeAll();
    await this.#consumeService?.shutdown();
    await this.#traceDispatcher?.shutdown();
    const owned = this.rebalance.ownedQueues();
    await this.#offsetStore?.persistAll(owned);
    if (this.orderly && this.messageModel === "CLUSTERING") await this.rebalance.unlock(owned);
    this.instance.unregisterConsumer(this.group);
    await this.#innerProducer?.shutdown();
    await this.#unregisterFromBrokers();
    if (this.#ownsInstance) await this.instance.shutdown();
    await Promise.all([...this.#pullLoops]);
  }

  async #unregisterFromBrokers(): Promise<void> {
    const addrs = new Set<string>();
    for (const topic of this.#subscriptions.keys()) {
      for (const bd of this.instance.topicRoute(topic)?.brokerDatas ?? []) {
        for (const a of bd.brokerAddrs.values()) addrs.add(a);
      }
    }
    await this.instance.unregisterFromBrokers(addrs, { consumerGroup: this.group });
  }

  // ---- ConsumerMember ----

  consumerData(): ConsumerData {
    return {
      groupName: this.group,
      consumeType: "CONSUME_PASSIVELY",
      messageModel: this.messageModel,
      consumeFromWhere: this.#opts.consumeFromWhere ?? "CONSUME_FROM_LAST_OFFSET",
      subscriptionDataSet: [...this.#subscriptions.values()].map((s) => s.data),
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
    if (this.#state !== "running") return;
    await this.rebalance.doRebalanceRetryingRoutes(this.sleeper);
  }

  async persistConsumerOffset(): Promise<void> {
    if (this.#state === "running") await this.offsetStore.persistAll(this.rebalance.ownedQueues());
  }

  async resetOffset(topic: string, table: Array<[MessageQueue, number]>): Promise<void> {
    for (const [mq, offset] of table) {
      if (mq.topic !== topic) continue;
      this.rebalance.dropQueue(mq)?.clear();
      await this.offsetStore.updateConsumeOffsetToBroker(mq, offset).catch((e) =>
        log.warn(`Reset of ${describeQueue(mq)} to ${offset} failed: ${e}`)
      );
    }
    this.instance.rebalanceImmediately();
  }

  runningInfo(): Promise<Uint8Array> {
    return consumerRunningInfo({
      group: this.group,
      messageModel: this.messageModel,
      consumeFromWhere: this.#opts.consumeFromWhere ?? "CONSUME_FROM_LAST_OFFSET",
      namesrvAddr: this.#opts.namesrvAddr,
      consumeType: "CONSUME_PASSIVELY",
      orderly: this.orderly,
      threadPoolCoreSize: this.#opts.consumeThreadMax ?? 20,
      startTimestamp: this.#startTimestamp,
      subscriptionSet: [...this.#subscriptions.values()].map((s) => s.data),
      processQueues: this.rebalance.processQueueTable.values(),
      offsetStore: this.#offsetStore,
    });
  }

  offsetTable(topic: string): Promise<Array<[MessageQueue, number]>> {
    return memoryOffsetsOf(this.#offsetStore, this.rebalance.ownedQueues(), topic);
  }

  async consumeMessageDirectly(ext: MessageExt, brokerName: string): Promise<Record<string, unknown>> {
    if (!this.#consumeService) throw new MQClientError(`Consumer "${this.group}" is not started`);
    const msg = toConsumedMessage(ext, brokerName, undefined, retryTopic(this.group));
    const mq = { topic: msg.topic, brokerName, queueId: msg.queueId };
    return { ...(await this.#consumeService.consumeDirectly(msg, mq)) };
  }

  // ---- RebalanceHost ----

  async computePullFromWhere(mq: MessageQueue): Promise<number> {
    const last = await this.offsetStore.readOffset(mq, "store");
    if (last >= 0) return last;
    const where = this.#opts.consumeFromWhere ?? "CONSUME_FROM_LAST_OFFSET";
    const isRetry = mq.topic.startsWith("%RETRY%");
    if (where === "CONSUME_FROM_FIRST_OFFSET") return 0;
    const addr = this.instance.findBrokerAddressInSubscribe(mq.brokerName);
    if (!addr) return -1;
    const timeout = this.instance.config.requestTimeoutMs;
    try {
      if (where === "CONSUME_FROM_LAST_OFFSET") {
        return isRetry ? 0 : await this.instance.api.getQueueOffset(addr, "max", mq, timeout);
      }
      if (isRetry) return await this.instance.api.getQueueOffset(addr, "max", mq, timeout);
      const ts = this.#opts.consumeTimestamp ?? Date.now() - 30 * 60_000;
      return await this.instance.api.searchOffset(addr, mq, ts, timeout);
    } catch (e) {
      log.warn(`Cannot compute start offset of ${describeQueue(mq)}: ${e}`);
      return -1;
    }
  }

  onQueueAdded(mq: MessageQueue, pq: ProcessQueue, offset: number): void {
    log.info(`Group "${this.group}" now consumes ${mq.topic}:${mq.brokerName}:${mq.queueId} from ${offset}`);
    this.#track(this.#pullLoop(mq, pq, offset));
  }

  async onQueueRemoved(mq: MessageQueue, pq: ProcessQueue): Promise<void> {
    pq.dropped = true;
    await this.offsetStore.persist(mq);
    this.offsetStore.removeOffset(mq);
  }

  // ---- ConsumeHost ----

  async sendMessageBack(msg: ConsumedMessage, delayLevel: number): Promise<boolean> {
    const addr = this.instance.findBrokerAddressInPublish(msg.brokerName);
    if (!addr) return false;
    try {
      await this.instance.api.consumerSendMessageBack(addr, {
        offset: msg.commitLogOffset,
        group: this.group,
        delayLevel,
        originMsgId: msg.msgId,
        originTopic: msg.topic,
        unitMode: false,
        maxReconsumeTimes: this.maxReconsumeTimes > 0x7fffffff ? 0x7fffffff : this.maxReconsumeTimes,
        bname: msg.brokerName,
      }, this.instance.config.requestTimeoutMs);
      return true;
    } catch (e) {
      log.warn(`Sending message "${msg.msgId}" back failed, sending it to the retry topic directly: ${e}`);
      return await this.#sendToRetryTopic(msg);
    }
  }

  /**
   * Upstream's fallback when CONSUMER_SEND_MSG_BACK fails: the client itself sends a copy to
   * `%RETRY%<group>` as CLIENT_INNER_PRODUCER, with the retry bookkeeping in properties.
   */
  async #sendToRetryTopic(msg: ConsumedMessage): Promise<boolean> {
    try {
      if (!this.#innerProducer) {
        const p = new Producer({
          group: CLIENT_INNER_PRODUCER_GROUP,
          namesrvAddr: "",
          clientInstance: this.instance,
        });
        await p.start();
        this.#innerProducer = p;
      }
      const props: Record<string, string> = { ...msg.properties };
      for (const k of [MessageConst.MIN_OFFSET, MessageConst.MAX_OFFSET, MessageConst.CONSUME_START_TIME]) {
        delete props[k];
      }
      delete props[MessageConst.TRAN_MSG];
      props[MessageConst.ORIGIN_MESSAGE_ID] = props[MessageConst.ORIGIN_MESSAGE_ID] || msg.msgId;
      props[MessageConst.RETRY_TOPIC] = msg.topic;
      props[MessageConst.RECONSUME_TIME] = String(msg.reconsumeTimes + 1);
      props[MessageConst.MAX_RECONSUME_TIMES] = String(Math.min(this.maxReconsumeTimes, 0x7fffffff));
      await this.#innerProducer.send({
        topic: retryTopic(this.group),
        body: msg.body,
        flag: msg.flag,
        properties: props,
        delayTimeLevel: 3 + msg.reconsumeTimes,
      });
      return true;
    } catch (e) {
      log.warn(`Sending message "${msg.msgId}" to the retry topic failed: ${e}`);
      return false;
    }
  }

  // ---- pulling ----

  async #pullLoop(mq: MessageQueue, pq: ProcessQueue, startOffset: number): Promise<void> {
    let nextOffset = startOffset;
    const pullBatchSize = this.#opts.pullBatchSize ?? 32;
    const maxCount = this.#opts.pullThresholdForQueue ?? 1000;
    const maxBytes = (this.#opts.pullThresholdSizeForQueue ?? 100) * 1024 * 1024;
    const suspendMs = this.#opts.brokerSuspendMaxTimeMillis ?? 15_000;
    const timeoutMs = this.#opts.consumerTimeoutMillisWhenSuspend ?? 30_000;
    const postSub = this.#opts.postSubscriptionWhenPull ?? true;
    while (!pq.dropped && !this.stopped) {
      if (pq.count > maxCount || pq.bytes > maxBytes) {
        await this.sleeper.sleep(PULL_TIME_DELAY_WHEN_FLOW_CONTROL);
        continue;
      }
      const sub = this.#subscriptions.get(mq.topic);
      if (!sub) {
        await this.sleeper.sleep(PULL_TIME_DELAY_WHEN_EXCEPTION);
        continue;
      }
      const commitOffset = this.messageModel === "CLUSTERING"
        ? await this.offsetStore.readOffset(mq, "memory")
        : -1;
      pq.lastPullTimestamp = Date.now();
      try {
        const res = await pullKernel(this.instance, {
          group: this.group,
          mq,
          sub,
          offset: nextOffset,
          maxNums: pullBatchSize,
          commitOffset,
          suspendTimeoutMillis: suspendMs,
          timeoutMs,
          postSubscription: postSub,
        });
        if (pq.dropped || this.stopped) return;
        switch (res.status) {
          case "FOUND": {
            const msgs = res.msgs;
            nextOffset = res.nextBeginOffset;
            if (msgs.length === 0) {
              if (pq.count === 0) this.offsetStore.updateOffset(mq, nextOffset, true);
              break;
            }
            pq.putMessages(msgs);
            this.#consumeService!.submit(mq, pq, msgs);
            break;
          }
          case "NO_NEW_MSG":
          case "NO_MATCHED_MSG":
            nextOffset = res.nextBeginOffset;
            // Nothing in flight: everything up to here is consumed (skipped messages did not match).
            if (pq.count === 0) this.offsetStore.updateOffset(mq, nextOffset, true);
            break;
          case "OFFSET_ILLEGAL":
            log.warn(
              `Offset ${nextOffset} of ${describeQueue(mq)} is illegal; moving to ${res.nextBeginOffset}`,
            );
            this.rebalance.dropQueue(mq);
            pq.clear();
            await this.offsetStore.updateConsumeOffsetToBroker(mq, res.nextBeginOffset).catch(() => {});
            this.instance.rebalanceImmediately();
            return;
        }
      } catch (e) {
        if (this.stopped) return;
        const delay = pullRetryDelayMs(e);
        log.debug(`Pull of ${describeQueue(mq)} failed: ${e}`);
        await this.sleeper.sleep(delay);
      }
    }
  }
}
