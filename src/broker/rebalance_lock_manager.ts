/**
 * Orderly-consumption queue locks (store-and-semantics.md §10.9): per group, queue → holder client id,
 * granted when free, already held by the requester, or idle for 60 s. Locks survive disconnects and
 * simply expire.
 */
import { type MessageQueue, mqKey } from "../protocol/bodies/message_queue.ts";

/** Upstream rocketmq.broker.rebalance.lockMaxLiveTime. */
export const REBALANCE_LOCK_MAX_LIVE_TIME_MS = 60_000;

interface LockEntry {
  clientId: string;
  lastUpdateTimestamp: number;
}

export class RebalanceLockManager {
  private readonly groups = new Map<string, Map<string, LockEntry>>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxLiveTimeMs = REBALANCE_LOCK_MAX_LIVE_TIME_MS,
  ) {}

  /** Locks what it can for `clientId`; returns the queues now held by it. */
  tryLockBatch(group: string, mqs: MessageQueue[], clientId: string): MessageQueue[] {
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, g = new Map());
    const now = this.now();
    const locked: MessageQueue[] = [];
    for (const mq of mqs) {
      const k = mqKey(mq);
      const e = g.get(k);
      if (!e || e.clientId === clientId || now - e.lastUpdateTimestamp > this.maxLiveTimeMs) {
        g.set(k, { clientId, lastUpdateTimestamp: now });
        locked.push(mq);
      }
    }
    return locked;
  }

  /** Releases the queues held by `clientId`. */
  unlockBatch(group: string, mqs: MessageQueue[], clientId: string): void {
    const g = this.groups.get(group);
    if (!g) return;
    for (const mq of mqs) {
      const k = mqKey(mq);
      if (g.get(k)?.clientId === clientId) g.delete(k);
    }
  }

  /** True when `clientId` holds a live lock on the queue. */
  isLocked(group: string, mq: MessageQueue, clientId: string): boolean {
    const e = this.groups.get(group)?.get(mqKey(mq));
    return e !== undefined && e.clientId === clientId &&
      this.now() - e.lastUpdateTimestamp <= this.maxLiveTimeMs;
  }
}
