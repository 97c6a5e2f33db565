/**
 * Long polling (store-and-semantics.md §10.4): PULL_MESSAGE requests that found nothing are parked per
 * topic and queue and re-executed as soon as a matching message lands in that queue, or when their
 * hold time runs out. A single timer sweeps expired holds every `checkIntervalMs`.
 */
import type { RemotingCommand } from "../../remoting/command.ts";
import type { MessageFilter } from "../broker_context.ts";
import type { BrokerChannel } from "../client_channel.ts";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("broker");

/** A parked pull. */
export interface PullRequest {
  request: RemotingCommand;
  channel: BrokerChannel;
  /** The requested offset: a message at or beyond it wakes the request. */
  pullFromThisOffset: number;
  suspendTimestamp: number;
  timeoutMillis: number;
  filter: MessageFilter;
}

/** Re-runs a parked pull without permission to park again, and sends its response. */
export type WakeupExecutor = (channel: BrokerChannel, request: RemotingCommand) => Promise<void> | void;

export class PullRequestHoldService {
  /** topic → queueId → parked requests. Nested so the per-message arrival check builds no key string. */
  private readonly table = new Map<string, Map<number, PullRequest[]>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;

  constructor(
    private readonly maxOffsetOf: (topic: string, queueId: number) => number,
    private readonly execute: WakeupExecutor,
    private readonly now: () => number = Date.now,
    private readonly checkIntervalMs = 1000,
  ) {}

  /** Parks a request. */
  suspendPullRequest(topic: string, queueId: number, pr: PullRequest): void {
    let queues = this.table.get(topic);
    if (!queues) this.table.set(topic, queues = new Map());
    let list = queues.get(queueId);
    if (!list) queues.set(queueId, list = []);
    list.push(pr);
  }

  /** Number of parked requests (for tests and runtime info). */
  get size(): number {
    let n = 0;
    for (const queues of this.table.values()) for (const l of queues.values()) n += l.length;
    return n;
  }

  /**
   * A message arrived (tagsCode given) or a periodic check (tagsCode undefined): wake requests whose
   * offset is now readable and that match, and those whose hold time is over.
   */
  notifyMessageArriving(topic: string, queueId: number, maxOffset: number, tagsCode?: number): void {
    // Runs for every stored message: the common "nobody waits here" answer must be two map lookups.
    const queues = this.table.get(topic);
    if (queues === undefined) return;
    const list = queues.get(queueId);
    if (list === undefined) return;
    const keep: PullRequest[] = [];
    const now = this.now();
    for (const pr of list) {
      if (pr.channel.closed) continue;
      let newest = maxOffset;
      if (newest <= pr.pullFromThisOffset) newest = this.maxOffsetOf(topic, queueId);
      let wake = false;
      if (newest > pr.pullFromThisOffset) {
        wake = tagsCode === undefined || pr.filter.isMatchedByConsumeQueue(tagsCode);
      }
      if (!wake && now >= pr.suspendTimestamp + pr.timeoutMillis) wake = true;
      if (wake) void this.wakeUp(pr);
      else keep.push(pr);
    }
    // Woken requests re-run without permission to park, so nothing was added to `list` meanwhile.
    if (keep.length > 0) queues.set(queueId, keep);
    else {
      queues.delete(queueId);
      if (queues.size === 0) this.table.delete(topic);
    }
  }

  private wakeUp(pr: PullRequest): Promise<void> {
    try {
      return Promise.resolve(this.execute(pr.channel, pr.request)).catch((e) => {
        log.warn("Cannot re-execute a held pull request", e);
      });
    } catch (e) {
      log.warn("Cannot re-execute a held pull request", e);
      return Promise.resolve();
    }
  }

  private check(): void {
    const parked: [string, number][] = [];
    for (const [topic, queues] of this.table) {
      for (const queueId of queues.keys()) parked.push([topic, queueId]);
    }
    for (const [topic, queueId] of parked) {
      this.notifyMessageArriving(topic, queueId, this.maxOffsetOf(topic, queueId));
    }
  }

  /** Starts the periodic sweep. */
  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      try {
        this.check();
      } catch (e) {
        log.warn("Long-polling check failed", e);
      }
      this.timer = setTimeout(tick, this.checkIntervalMs);
    };
    this.timer = setTimeout(tick, this.checkIntervalMs);
  }

  /** Stops the sweep and answers every parked request now; resolves once those answers are queued. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const all = [...this.table.values()].flatMap((queues) => [...queues.values()].flat());
    this.table.clear();
    await Promise.all(all.filter((pr) => !pr.channel.closed).map((pr) => this.wakeUp(pr)));
  }
}
