/**
 * What a client derives from a TopicRouteData: the writable queues a producer rotates over
 * (TopicPublishInfo), the readable queues consumers divide (subscribe info), and broker addresses.
 */

import { PermName } from "../message/message_const.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import type { TopicRouteData } from "../protocol/route.ts";
import { compareMessageQueue } from "./allocate.ts";

/** The master broker id. */
export const MASTER_ID = 0;

/** A producer's view of one topic (upstream TopicPublishInfo). */
export class TopicPublishInfo {
  /** Rotates across sends so consecutive messages spread over queues and brokers. */
  private sendWhichQueue = Math.floor(Math.random() * 1024);

  constructor(
    readonly messageQueues: readonly MessageQueue[],
    readonly route: TopicRouteData,
    /** True when the queues came from the auto-create template topic (TBW102). */
    readonly fromDefaultTopic = false,
  ) {}

  /** True when there is at least one writable queue. */
  get ok(): boolean {
    return this.messageQueues.length > 0;
  }

  /**
   * The next queue in rotation, avoiding `lastBrokerName` (the broker that just failed) when another
   * broker has a queue.
   */
  selectOneMessageQueue(lastBrokerName?: string): MessageQueue | undefined {
    const n = this.messageQueues.length;
    if (n === 0) return undefined;
    if (lastBrokerName !== undefined) {
      for (let i = 0; i < n; i++) {
        const mq = this.messageQueues[this.nextIndex() % n]!;
        if (mq.brokerName !== lastBrokerName) return mq;
      }
    }
    return this.messageQueues[this.nextIndex() % n]!;
  }

  private nextIndex(): number {
    this.sendWhichQueue = (this.sendWhichQueue + 1) & 0x7fffffff;
    return this.sendWhichQueue;
  }
}

/**
 * Writable queues of a route, grouped by broker in brokerName order (upstream's
 * topicRouteData2TopicPublishInfo). Brokers without a master address are skipped, as are queues
 * without write permission. `orderTopicConf` ("broker-a:4;broker-b:4") overrides the queue list.
 */
export function topicRouteToPublishInfo(topic: string, route: TopicRouteData): TopicPublishInfo {
  const mqs: MessageQueue[] = [];
  if (route.orderTopicConf) {
    for (const part of route.orderTopicConf.split(";")) {
      const [brokerName, nums] = part.split(":");
      const count = Number(nums);
      if (!brokerName || !Number.isInteger(count)) continue;
      for (let i = 0; i < count; i++) mqs.push({ brokerName, queueId: i, topic });
    }
    return new TopicPublishInfo(mqs, route);
  }
  const queueDatas = [...route.queueDatas].sort((
    a,
    b,
  ) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0));
  for (const qd of queueDatas) {
    if (!PermName.isWriteable(qd.perm)) continue;
    const bd = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
    if (!bd || !bd.brokerAddrs.has(MASTER_ID)) continue;
    for (let i = 0; i < qd.writeQueueNums; i++) mqs.push({ brokerName: qd.brokerName, queueId: i, topic });
  }
  return new TopicPublishInfo(mqs, route);
}

/** Readable queues of a route, sorted (upstream's topicRouteData2TopicSubscribeInfo). */
export function topicRouteToSubscribeInfo(topic: string, route: TopicRouteData): MessageQueue[] {
  const mqs: MessageQueue[] = [];
  for (const qd of route.queueDatas) {
    if (!PermName.isReadable(qd.perm)) continue;
    for (let i = 0; i < qd.readQueueNums; i++) mqs.push({ brokerName: qd.brokerName, queueId: i, topic });
  }
  return mqs.sort(compareMessageQueue);
}

/**
 * A route for `topic` built from the auto-create template topic's route: each broker's queue counts
 * are capped at `defaultTopicQueueNums`, as upstream does when a producer sends to a new topic.
 */
export function routeFromDefaultTopic(
  template: TopicRouteData,
  defaultTopicQueueNums: number,
): TopicRouteData {
  return {
    ...template,
    queueDatas: template.queueDatas.map((qd) => ({
      ...qd,
      readQueueNums: Math.min(defaultTopicQueueNums, qd.readQueueNums),
      writeQueueNums: Math.min(defaultTopicQueueNums, qd.writeQueueNums),
    })),
  };
}

/** True if two routes describe the same brokers, addresses and queues (decides whether to refresh). */
export function sameRoute(a: TopicRouteData | undefined, b: TopicRouteData): boolean {
  if (!a) return false;
  const norm = (r: TopicRouteData) =>
    JSON.stringify({
      o: r.orderTopicConf ?? "",
      q: [...r.queueDatas].sort((x, y) => (x.brokerName < y.brokerName ? -1 : 1)),
      b: [...r.brokerDatas].sort((x, y) => (x.brokerName < y.brokerName ? -1 : 1)).map((bd) => [
        bd.brokerName,
        bd.cluster,
        [...bd.brokerAddrs.entries()].sort((x, y) => x[0] - y[0]),
      ]),
    });
  return norm(a) === norm(b);
}

/** `topic:brokerName:queueId`, for log lines and error messages. */
export function describeQueue(mq: MessageQueue): string {
  return `${mq.topic}:${mq.brokerName}:${mq.queueId}`;
}
