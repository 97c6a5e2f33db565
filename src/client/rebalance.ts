/**
 * Queue ownership of one consumer group member (upstream RebalanceImpl): decides which queues this
 * client owns, creates and drops their process queues, and holds broker locks for orderly consumption.
 */

import { getLogger } from "../log/logger.ts";
import { type MessageQueue, mqKey } from "../protocol/bodies/message_queue.ts";
import { type AllocateStrategy, compareMessageQueue } from "./allocate.ts";
import type { MQClientInstance } from "./mq_client_instance.ts";
import { ProcessQueue } from "./process_queue.ts";
import { describeQueue, topicRouteToSubscribeInfo } from "./route_info.ts";
import type { Sleeper } from "./sleeper.ts";

const log = getLogger("rebalance");

/** Clustering shares queues among members; broadcasting gives every member every queue. */
export type MessageModel = "CLUSTERING" | "BROADCASTING";

/** A broker lock is considered lost after this long without a successful re-lock (ms). */
export const REBALANCE_LOCK_MAX_LIVE_TIME = 30_000;

/** What the rebalancer needs from its consumer. */
export interface RebalanceHost {
  readonly group: string;
  readonly instance: MQClientInstance;
  readonly messageModel: MessageModel;
  readonly allocate: AllocateStrategy;
  /** Orderly consumers must lock a queue on its broker before pulling it. */
  readonly orderly: boolean;
  /** True once the consumer has shut down. */
  readonly stopped: boolean;
  subscribedTopics(): string[];
  /** Where to start pulling a newly owned queue; negative means "try again next rebalance". */
  computePullFromWhere(mq: MessageQueue): Promise<number>;
  /** A queue became ours: start pulling at `offset`. */
  onQueueAdded(mq: MessageQueue, pq: ProcessQueue, offset: number): void;
  /** A queue stopped being ours (already marked dropped): persist its offset. */
  onQueueRemoved(mq: MessageQueue, pq: ProcessQueue): Promise<void>;
}

/** Owned queues and their process queues. */
export class RebalanceImpl {
  readonly processQueueTable = new Map<string, { mq: MessageQueue; pq: ProcessQueue }>();
  readonly topicSubscribeInfo = new Map<string, MessageQueue[]>();

  #routeRetryPending = false;

  constructor(private readonly host: RebalanceHost) {}

  /**
   * doRebalance(); while some subscribed topic has no route yet, looks again after a second instead of
   * waiting for the periodic rebalance. The retry sleeps on the consumer's `sleeper` so shutdown ends it.
   */
  async doRebalanceRetryingRoutes(sleeper: Sleeper): Promise<void> {
    const complete = await this.doRebalance();
    if (complete || this.#routeRetryPending) return;
    this.#routeRetryPending = true;
    sleeper.sleep(1000).then(() => {
      this.#routeRetryPending = false;
      if (!this.host.stopped) this.host.instance.rebalanceImmediately();
    });
  }

  /**
   * Re-derives ownership for every subscribed topic and drops queues of unsubscribed topics. Topics
   * without a known route are looked up first (a retry topic appears only after the broker has seen our
   * heartbeat and told the name server). Returns false while some topic still has no route.
   */
  async doRebalance(): Promise<boolean> {
    const topics = this.host.subscribedTopics();
    let complete = true;
    for (const topic of topics) {
      if (this.topicSubscribeInfo.has(topic)) continue;
      await this.host.instance.updateTopicRouteInfoFromNameServer(topic).catch(() => false);
      const cached = this.host.instance.topicRoute(topic);
      // Unchanged routes are not re-announced; another member of this instance may have fetched it.
      if (!this.topicSubscribeInfo.has(topic) && cached) {
        this.topicSubscribeInfo.set(topic, topicRouteToSubscribeInfo(topic, cached));
      }
      if (!this.topicSubscribeInfo.has(topic)) complete = false;
    }
    for (const topic of topics) {
      try {
        await this.rebalanceByTopic(topic);
      } catch (e) {
        log.warn(`Rebalance of topic "${topic}" for group "${this.host.group}" failed: ${e}`);
      }
    }
    for (const { mq, pq } of [...this.processQueueTable.values()]) {
      if (!topics.includes(mq.topic)) await this.#remove(mq, pq);
    }
    return complete;
  }

  /** Owned queues of one topic. */
  async rebalanceByTopic(topic: string): Promise<void> {
    const mqSet = this.topicSubscribeInfo.get(topic);
    if (!mqSet) {
      log.debug(`No queues known for topic "${topic}" of group "${this.host.group}" yet`);
      return;
    }
    let allocated: MessageQueue[];
    if (this.host.messageModel === "BROADCASTING") {
      allocated = mqSet;
    } else {
      const addr = this.host.instance.findBrokerAddrByTopic(topic);
      if (!addr) return;
      const cids = await this.host.instance.api.getConsumerIdList(
        addr,
        this.host.group,
        this.host.instance.config.requestTimeoutMs,
      );
      if (cids.length === 0) return;
      const mqAll = [...mqSet].sort(compareMessageQueue);
      cids.sort();
      allocated = this.host.allocate(this.host.group, this.host.instance.clientId, mqAll, cids);
    }
    await this.updateProcessQueueTable(topic, allocated);
  }

  /** Drops queues no longer allocated and adds new ones. Returns true when anything changed. */
  async updateProcessQueueTable(topic: string, allocated: readonly MessageQueue[]): Promise<boolean> {
    const wanted = new Map(allocated.map((mq) => [mqKey(mq), mq]));
    let changed = false;
    for (const [key, { mq, pq }] of [...this.processQueueTable]) {
      if (mq.topic !== topic) continue;
      if (!wanted.has(key)) {
        await this.#remove(mq, pq);
        changed = true;
      } else if (pq.dropped) {
        // Dropped elsewhere (offset moved, reset): forget it so it is re-created below.
        this.processQueueTable.delete(key);
      }
    }
    for (const [key, mq] of wanted) {
      if (this.processQueueTable.has(key)) continue;
      const pq = new ProcessQueue();
      if (this.host.orderly && this.host.messageModel === "CLUSTERING") {
        if (!(await this.lock(mq, pq))) {
          log.info(
            `Queue ${
              describeQueue(mq)
            } is locked by another member of group "${this.host.group}"; will retry`,
          );
          continue;
        }
      }
      const offset = await this.host.computePullFromWhere(mq);
      if (offset < 0) {
        log.warn(`Cannot compute the start offset of ${describeQueue(mq)}; will retry`);
        continue;
      }
      this.processQueueTable.set(key, { mq, pq });
      this.host.onQueueAdded(mq, pq, offset);
      changed = true;
    }
    return changed;
  }

  async #remove(mq: MessageQueue, pq: ProcessQueue): Promise<void> {
    pq.dropped = true;
    this.processQueueTable.delete(mqKey(mq));
    await this.host.onQueueRemoved(mq, pq);
    if (this.host.orderly && this.host.messageModel === "CLUSTERING") await this.unlock([mq]);
  }

  /** Drops one queue (offset moved or reset); the next rebalance re-creates it. */
  dropQueue(mq: MessageQueue): ProcessQueue | undefined {
    const entry = this.processQueueTable.get(mqKey(mq));
    if (!entry) return undefined;
    entry.pq.dropped = true;
    this.processQueueTable.delete(mqKey(mq));
    return entry.pq;
  }

  /** Owned queues. */
  ownedQueues(): MessageQueue[] {
    return [...this.processQueueTable.values()].map((e) => e.mq);
  }

  /** LOCK_BATCH_MQ for one queue; marks `pq` locked on success. */
  async lock(mq: MessageQueue, pq?: ProcessQueue): Promise<boolean> {
    const addr = this.host.instance.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) return false;
    try {
      const locked = await this.host.instance.api.lockBatchMQ(
        addr,
        { consumerGroup: this.host.group, clientId: this.host.instance.clientId, mqSet: [mq] },
        this.host.instance.config.requestTimeoutMs,
      );
      const ok = locked.some((l) => mqKey(l) === mqKey(mq));
      const target = pq ?? this.processQueueTable.get(mqKey(mq))?.pq;
      if (target) {
        target.locked = ok;
        if (ok) target.lastLockTimestamp = Date.now();
      }
      return ok;
    } catch (e) {
      log.warn(`Locking ${describeQueue(mq)} failed: ${e}`);
      return false;
    }
  }

  /** Re-locks every owned queue, grouped by broker (upstream lockAll, every 20 s). */
  async lockAll(): Promise<void> {
    const byBroker = new Map<string, MessageQueue[]>();
    for (const { mq } of this.processQueueTable.values()) {
      const list = byBroker.get(mq.brokerName) ?? [];
      list.push(mq);
      byBroker.set(mq.brokerName, list);
    }
    for (const [brokerName, mqs] of byBroker) {
      const addr = this.host.instance.findBrokerAddressInPublish(brokerName);
      if (!addr) continue;
      try {
        const locked = new Set(
          (await this.host.instance.api.lockBatchMQ(
            addr,
            { consumerGroup: this.host.group, clientId: this.host.instance.clientId, mqSet: mqs },
            this.host.instance.config.requestTimeoutMs,
          )).map(mqKey),
        );
        for (const mq of mqs) {
          const pq = this.processQueueTable.get(mqKey(mq))?.pq;
          if (!pq) continue;
          pq.locked = locked.has(mqKey(mq));
          if (pq.locked) pq.lastLockTimestamp = Date.now();
        }
      } catch (e) {
        log.warn(`Re-locking queues on "${brokerName}" failed: ${e}`);
      }
    }
  }

  /** UNLOCK_BATCH_MQ (oneway) for `mqs`, grouped by broker. */
  async unlock(mqs: readonly MessageQueue[]): Promise<void> {
    const byBroker = new Map<string, MessageQueue[]>();
    for (const mq of mqs) byBroker.set(mq.brokerName, [...(byBroker.get(mq.brokerName) ?? []), mq]);
    for (const [brokerName, list] of byBroker) {
      const addr = this.host.instance.findBrokerAddressInPublish(brokerName);
      if (!addr) continue;
      await this.host.instance.api.unlockBatchMQOneway(addr, {
        consumerGroup: this.host.group,
        clientId: this.host.instance.clientId,
        mqSet: list,
      }).catch((e) => log.debug(`Unlock on "${brokerName}" failed: ${e}`));
    }
  }
}

/** True while an orderly queue's broker lock can be trusted. */
export function isLockValid(pq: ProcessQueue, now = Date.now()): boolean {
  return pq.locked && now - pq.lastLockTimestamp <= REBALANCE_LOCK_MAX_LIVE_TIME;
}
