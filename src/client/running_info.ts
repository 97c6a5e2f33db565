/**
 * The ConsumerRunningInfo body a client returns for GET_CONSUMER_RUNNING_INFO (307) and the
 * GetConsumerStatusBody for GET_CONSUMER_STATUS_FROM_CLIENT (221), written the way fastjson writes
 * them (members in alphabetical order, MessageQueue-keyed maps in the object-key form) so Java admin
 * tools and the dashboard can read them (remoting-protocol.md §5.9, §5.10).
 */

import type { SubscriptionData } from "../protocol/bodies/heartbeat.ts";
import { subscriptionDataJson } from "../protocol/bodies/heartbeat.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import { encodeObjectKeyMap } from "../protocol/bodies/object_key_map.ts";
import type { OffsetStore } from "./offset_store.ts";
import type { ProcessQueue } from "./process_queue.ts";
import type { MessageModel } from "./rebalance.ts";

/** Upstream's running-info property keys. */
export const RunningInfoProps = {
  PROP_NAMESERVER_ADDR: "PROP_NAMESERVER_ADDR",
  PROP_THREADPOOL_CORE_SIZE: "PROP_THREADPOOL_CORE_SIZE",
  PROP_CONSUME_ORDERLY: "PROP_CONSUMEORDERLY",
  PROP_CONSUME_TYPE: "PROP_CONSUME_TYPE",
  PROP_CLIENT_VERSION: "PROP_CLIENT_VERSION",
  PROP_CONSUMER_START_TIMESTAMP: "PROP_CONSUMER_START_TIMESTAMP",
} as const;

/** The version name rmq reports as a client. */
export const CLIENT_VERSION_NAME = "V4_9_8";

/** ProcessQueueInfo in fastjson member order. */
export function processQueueInfo(pq: ProcessQueue, commitOffset: number): Record<string, unknown> {
  return {
    cachedMsgCount: pq.count,
    cachedMsgMaxOffset: pq.count > 0 ? pq.maxOffset : 0,
    cachedMsgMinOffset: pq.count > 0 ? pq.minOffset : 0,
    cachedMsgSizeInMiB: Math.floor(pq.bytes / (1024 * 1024)),
    commitOffset,
    droped: pq.dropped,
    lastConsumeTimestamp: pq.lastConsumeTimestamp,
    lastLockTimestamp: pq.lastLockTimestamp,
    lastPullTimestamp: pq.lastPullTimestamp,
    locked: pq.locked,
    transactionMsgCount: 0,
    transactionMsgMaxOffset: 0,
    transactionMsgMinOffset: 0,
    tryUnlockTimes: 0,
  };
}

/** What a running-info body is made of. */
export interface ConsumerRunningInfo {
  properties: Record<string, string>;
  subscriptionSet: SubscriptionData[];
  mqTable: Array<[MessageQueue, Record<string, unknown>]>;
  jstack?: string;
}

/** Writes a ConsumerRunningInfo body. */
export function encodeConsumerRunningInfo(info: ConsumerRunningInfo): Uint8Array {
  const props: Record<string, string> = {};
  for (const k of Object.keys(info.properties).sort()) props[k] = info.properties[k]!;
  const subs = [...info.subscriptionSet].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  const text = `{${info.jstack ? `"jstack":${JSON.stringify(info.jstack)},` : ""}` +
    `"mqTable":${encodeObjectKeyMap(info.mqTable)},` +
    `"properties":${JSON.stringify(props)},` +
    `"statusTable":{},` +
    `"subscriptionSet":${JSON.stringify(subs.map(subscriptionDataJson))}}`;
  return new TextEncoder().encode(text);
}

/** What a push or lite pull consumer reports about itself in its running info. */
export interface ConsumerRunningState {
  group: string;
  messageModel: MessageModel;
  consumeFromWhere: string;
  namesrvAddr: string;
  consumeType: "CONSUME_ACTIVELY" | "CONSUME_PASSIVELY";
  orderly: boolean;
  threadPoolCoreSize: number;
  startTimestamp: number;
  subscriptionSet: SubscriptionData[];
  /** Owned queues; each is reported with its in-memory offset (-1 before the store exists). */
  processQueues: Iterable<{ mq: MessageQueue; pq: ProcessQueue }>;
  offsetStore: OffsetStore | null;
}

/** The ConsumerRunningInfo body of a consumer, with upstream's property set. */
export async function consumerRunningInfo(c: ConsumerRunningState): Promise<Uint8Array> {
  const mqTable: Array<[MessageQueue, Record<string, unknown>]> = [];
  for (const { mq, pq } of c.processQueues) {
    mqTable.push([
      mq,
      processQueueInfo(pq, c.offsetStore ? await c.offsetStore.readOffset(mq, "memory") : -1),
    ]);
  }
  return encodeConsumerRunningInfo({
    properties: {
      consumerGroup: c.group,
      messageModel: c.messageModel,
      consumeFromWhere: c.consumeFromWhere,
      namesrvAddr: c.namesrvAddr,
      [RunningInfoProps.PROP_NAMESERVER_ADDR]: c.namesrvAddr,
      [RunningInfoProps.PROP_CONSUME_TYPE]: c.consumeType,
      [RunningInfoProps.PROP_CONSUME_ORDERLY]: String(c.orderly),
      [RunningInfoProps.PROP_THREADPOOL_CORE_SIZE]: String(c.threadPoolCoreSize),
      [RunningInfoProps.PROP_CONSUMER_START_TIMESTAMP]: String(c.startTimestamp),
      [RunningInfoProps.PROP_CLIENT_VERSION]: CLIENT_VERSION_NAME,
    },
    subscriptionSet: c.subscriptionSet,
    mqTable,
  });
}

/** Writes a GetConsumerStatusBody with this client's offsets. */
export function encodeConsumerStatusBody(offsets: Array<[MessageQueue, number]>): Uint8Array {
  return new TextEncoder().encode(`{"consumerTable":{},"messageQueueTable":${encodeObjectKeyMap(offsets)}}`);
}
