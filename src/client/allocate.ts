/**
 * Queue allocation among the members of a consumer group. Every member runs the same pure function
 * over the same sorted inputs, so they agree on who owns which queue without talking to each other.
 */

import type { MessageQueue } from "../protocol/bodies/message_queue.ts";

/** Strategy signature: the queues `currentCid` should own. Inputs must already be sorted. */
export type AllocateStrategy = (
  group: string,
  currentCid: string,
  mqAll: readonly MessageQueue[],
  cidAll: readonly string[],
) => MessageQueue[];

/** Orders queues as upstream's MessageQueue.compareTo does: topic, then broker name, then queue id. */
export function compareMessageQueue(a: MessageQueue, b: MessageQueue): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.brokerName !== b.brokerName) return a.brokerName < b.brokerName ? -1 : 1;
  return a.queueId - b.queueId;
}

/**
 * Upstream's AllocateMessageQueueAveragely: contiguous blocks, the first `mqs % cids` members get one
 * extra queue; members beyond the queue count get nothing.
 *
 * @example allocateAveragely("g", "c1", [q0, q1, q2], ["c0", "c1"]) // [q2]
 */
export const allocateAveragely: AllocateStrategy = (_group, currentCid, mqAll, cidAll) => {
  const index = cidAll.indexOf(currentCid);
  if (index < 0 || mqAll.length === 0) return [];
  const n = mqAll.length;
  const c = cidAll.length;
  const mod = n % c;
  const averageSize = n <= c ? 1 : mod > 0 && index < mod ? Math.floor(n / c) + 1 : Math.floor(n / c);
  const startIndex = mod > 0 && index < mod ? index * averageSize : index * averageSize + mod;
  const range = Math.min(averageSize, n - startIndex);
  const out: MessageQueue[] = [];
  for (let i = 0; i < range; i++) out.push(mqAll[(startIndex + i) % n]!);
  return out;
};

/** Upstream's AllocateMessageQueueAveragelyByCircle: queue i goes to member i % members. */
export const allocateByCircle: AllocateStrategy = (_group, currentCid, mqAll, cidAll) => {
  const index = cidAll.indexOf(currentCid);
  if (index < 0) return [];
  return mqAll.filter((_, i) => i % cidAll.length === index);
};
