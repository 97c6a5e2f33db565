/**
 * Ships trace records asynchronously (upstream AsyncTraceDispatcher): callers append contexts without
 * waiting; a short timer (or a full batch) encodes everything queued into as few trace messages as
 * fit the size limit, grouped by traced topic, and hands them to an internal producer. Trace loss is
 * preferred to slowing the traced client down: a full queue drops new contexts, failed sends are
 * logged and forgotten.
 */

import { getLogger } from "../../log/logger.ts";
import type { Message } from "../message.ts";
import { encodeTraceContext, RMQ_SYS_TRACE_TOPIC, type TraceContext } from "./trace_data.ts";

const log = getLogger("trace");

/** The producer side the dispatcher needs (an internal Producer in practice). */
export interface TraceSink {
  start(): Promise<void>;
  send(msg: Message): Promise<unknown>;
  shutdown(): Promise<void>;
}

/** Dispatcher tunables (upstream values by default). */
export interface TraceDispatcherOptions {
  /** Default RMQ_SYS_TRACE_TOPIC. */
  traceTopic?: string;
  /** Contexts that trigger an immediate flush. Default 100. */
  batchSize?: number;
  /** Largest trace message body (chars). Default 118 000 (128 000 less headroom). */
  maxMsgSize?: number;
  /** Contexts held before new ones are dropped. Default 1 024. */
  queueSize?: number;
  /** How long a partial batch waits for company (ms). Default 5. */
  flushDelayMs?: number;
}

/** Group name of the internal trace producer. */
export const TRACE_PRODUCER_GROUP = "_INNER_TRACE_PRODUCER";

/** Asynchronous, batching trace shipper. One per traced producer or consumer. */
export class AsyncTraceDispatcher {
  readonly traceTopic: string;
  readonly #sink: TraceSink;
  readonly #batchSize: number;
  readonly #maxMsgSize: number;
  readonly #queueSize: number;
  readonly #flushDelayMs: number;
  readonly #queue: TraceContext[] = [];
  readonly #inflight = new Set<Promise<void>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #state: "created" | "running" | "stopped" = "created";
  #discarded = 0;

  constructor(sink: TraceSink, opts: TraceDispatcherOptions = {}) {
    this.#sink = sink;
    this.traceTopic = opts.traceTopic?.trim() || RMQ_SYS_TRACE_TOPIC;
    this.#batchSize = opts.batchSize ?? 100;
    this.#maxMsgSize = opts.maxMsgSize ?? 118_000;
    this.#queueSize = opts.queueSize ?? 1024;
    this.#flushDelayMs = opts.flushDelayMs ?? 5;
  }

  /** Contexts dropped because the queue was full or the dispatcher stopped. */
  get discarded(): number {
    return this.#discarded;
  }

  /** Starts the internal producer. */
  async start(): Promise<void> {
    if (this.#state !== "created") return;
    await this.#sink.start();
    this.#state = "running";
  }

  /** Queues a context; false when it was dropped. Never blocks, never throws. */
  append(ctx: TraceContext): boolean {
    if (this.#state !== "running" || this.#queue.length >= this.#queueSize) {
      this.#discarded++;
      return false;
    }
    this.#queue.push(ctx);
    if (this.#queue.length >= this.#batchSize) this.#drain();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#drain();
      }, this.#flushDelayMs);
    }
    return true;
  }

  /** Sends everything queued and waits for every trace send in flight. */
  async flush(): Promise<void> {
    this.#drain();
    while (this.#inflight.size > 0) await Promise.all([...this.#inflight]);
  }

  /** Flushes, then stops the internal producer; later appends are dropped. */
  async shutdown(): Promise<void> {
    if (this.#state !== "running") {
      this.#state = "stopped";
      return;
    }
    await this.flush();
    this.#state = "stopped";
    await this.#sink.shutdown();
  }

  #drain(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#queue.length === 0) return;
    const contexts = this.#queue.splice(0, this.#queue.length);
    // One trace message never mixes traced topics (upstream groups by the first bean's topic).
    const byTopic = new Map<string, TraceContext[]>();
    for (const c of contexts) {
      const topic = c.traceBeans[0]?.topic;
      if (topic === undefined) continue;
      const list = byTopic.get(topic);
      if (list) list.push(c);
      else byTopic.set(topic, [c]);
    }
    for (const list of byTopic.values()) {
      let data = "";
      let keys = new Set<string>();
      for (const c of list) {
        const enc = encodeTraceContext(c);
        data += enc.data;
        for (const k of enc.keys) keys.add(k);
        if (data.length >= this.#maxMsgSize) {
          this.#send(data, keys);
          data = "";
          keys = new Set();
        }
      }
      if (data.length > 0) this.#send(data, keys);
    }
  }

  #send(data: string, keys: Set<string>): void {
    const msg: Message = { topic: this.traceTopic, body: new TextEncoder().encode(data), keys: [...keys] };
    const p = this.#sink.send(msg).then(
      () => {},
      (e) => log.info(`Cannot send trace data to "${this.traceTopic}": ${e}`),
    );
    const tracked = p.finally(() => this.#inflight.delete(tracked));
    this.#inflight.add(tracked);
  }
}
