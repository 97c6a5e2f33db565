/**
 * `rmq bench consumer`: pulls every readable queue of a topic with PULL_MESSAGE (11), one long-polling
 * pull in flight per queue as the Java push consumer does, and reports TPS and end-to-end latency:
 * born → consumed (B2C) and stored → consumed (S2C). Each run starts at the queues' max offsets (new
 * messages) or, with --consumeFrom=first, their min offsets (drain a backlog).
 *
 * The run shows up as a consumer group like upstream's benchmark does: HEART_BEAT with its subscription
 * at start and every 30 s, the consumed offset committed on each pull (the PULL_MESSAGE commit flag, so
 * no extra request), final offsets and UNREGISTER_CLIENT at the end — `rmq admin consumerProgress -g
 * <group>` then shows its progress. Registration talks over its own connection, so the long polls of the
 * pull connection never delay a heartbeat.
 */
import { createRequest, type ExtFields, type RemotingCommand, SerializeType } from "../remoting/command.ts";
import { RemotingClient } from "../remoting/client.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { decodePullMessageResponseHeader, encodePullMessageRequestHeader } from "../protocol/headers/pull.ts";
import {
  decodeOffsetResponseHeader,
  encodeTopicQueueRequestHeader,
  encodeUpdateConsumerOffsetRequestHeader,
} from "../protocol/headers/offset.ts";
import { encodeUnregisterClientRequestHeader } from "../protocol/headers/client.ts";
import { encodeHeartbeatData, splitTags } from "../protocol/bodies/heartbeat.ts";
import { tagsHashCode } from "../message/tags.ts";
import { PullSysFlag } from "../message/message_const.ts";
import { type BenchQueue, fetchTopicRoute, readQueuesOf } from "./route.ts";
import { scanRecords } from "./record_scan.ts";
import { Counter, LatencyMeter, RunClock } from "./meter.ts";
import type { ConsumerBenchOptions } from "./options.ts";
import {
  type BenchOutput,
  ms3,
  percentileFields,
  roundSummary,
  type RunHooks,
  sleep,
  withRunControl,
} from "./report.ts";
import type { HistogramSummary } from "./histogram.ts";

/** The final summary `rmq bench consumer` prints as JSON. Latencies in milliseconds. */
export interface ConsumerSummary {
  type: "summary";
  tool: "consumer";
  topic: string;
  group: string;
  consumeFrom: "last" | "first";
  queues: number;
  warmupMs: number;
  durationMs: number;
  /** Messages received while measuring. */
  received: number;
  /** Pulls that failed (timeouts, errors, unexpected response codes). */
  failed: number;
  tps: number;
  /** Stored-record megabytes (2^20) per second, headers included. */
  mibPerSec: number;
  /** Born (producer clock) → consumed. */
  b2cLatencyMs: HistogramSummary;
  /** Stored (broker clock) → consumed. */
  s2cLatencyMs: HistogramSummary;
}

const RETRY_DELAY_MS = 100;
/** Upstream's heartbeatBrokerInterval. */
const HEARTBEAT_INTERVAL_MS = 30_000;
/** How long the closing offset commits and unregistration may take before the run ends anyway. */
const FAREWELL_TIMEOUT_MS = 3000;

/**
 * Runs the consumer benchmark until --duration, --messageQuantity or `signal` ends it.
 *
 * @throws {Error} when the topic does not exist or has no readable queue.
 */
export async function runConsumer(
  o: ConsumerBenchOptions,
  out: BenchOutput,
  signal?: AbortSignal,
): Promise<ConsumerSummary> {
  const client = new RemotingClient({ name: "bench-consumer", connectTimeoutMs: 3000 });
  try {
    const route = await fetchTopicRoute(client, o.namesrvAddr, o.topic);
    const queues = route === null ? [] : readQueuesOf(route);
    if (queues.length === 0) throw new Error(`Topic "${o.topic}" does not exist or has no readable queue`);
    const group = o.groupPrefixEnable ? `${o.group}_${Math.floor(Math.random() * 100)}` : o.group;
    const registration = new GroupRegistration(o, group, [...new Set(queues.map((q) => q.addr))]);
    try {
      return await new ConsumerRun(o, out, client, group, queues, registration).run(signal);
    } finally {
      await registration.close();
    }
  } finally {
    client.close();
    await client.closed();
  }
}

class ConsumerRun {
  readonly #o: ConsumerBenchOptions;
  readonly #out: BenchOutput;
  readonly #client: RemotingClient;
  readonly #group: string;
  readonly #queues: BenchQueue[];
  readonly #clock: RunClock;
  readonly #stop = new AbortController();
  readonly #b2c = new LatencyMeter();
  readonly #s2c = new LatencyMeter();
  readonly #received = new Counter();
  readonly #bytes = new Counter();
  readonly #failed = new Counter();
  readonly #registration: GroupRegistration;
  readonly #serializeType: SerializeType;
  /** Per queue, the next offset to pull: what has been consumed, committed with the next pull. */
  readonly #offsets: number[] = [];
  /** Messages received so far, warm-up included (for --messageQuantity). */
  #seen = 0;
  #lastTick: number;

  constructor(
    o: ConsumerBenchOptions,
    out: BenchOutput,
    client: RemotingClient,
    group: string,
    queues: BenchQueue[],
    registration: GroupRegistration,
  ) {
    this.#o = o;
    this.#registration = registration;
    this.#out = out;
    this.#client = client;
    this.#group = group;
    this.#queues = queues;
    this.#clock = new RunClock(o.warmupSec * 1000);
    this.#lastTick = this.#clock.startedAt;
    this.#serializeType = o.serializeType === "ROCKETMQ" ? SerializeType.ROCKETMQ : SerializeType.JSON;
  }

  async run(signal?: AbortSignal): Promise<ConsumerSummary> {
    const o = this.#o;
    if (!o.json) {
      this.#out.line(
        `topic: ${o.topic} group: ${this.#group} expression: ${o.expression} consumeFrom: ${o.consumeFrom} ` +
          `pullBatchSize: ${o.pullBatchSize} queues: ${this.#queues.length} duration: ${o.durationSec} ` +
          `warmup: ${o.warmupSec} messageQuantity: ${o.messageQuantity}`,
      );
    }
    const starts = await Promise.all(this.#queues.map((q) => this.#startOffset(q)));
    this.#offsets.push(...starts);
    await this.#registration.start();
    if (!o.json) this.#out.line("Consumer Started.");
    try {
      const hooks: RunHooks = {
        halt: () => this.#halt(),
        report: () => this.#report(),
        status: this.#out.status ? () => this.#status() : undefined,
      };
      await withRunControl(
        o,
        hooks,
        signal,
        () => Promise.all(this.#queues.map((q, i) => this.#pullLoop(q, i))),
      );
    } finally {
      await this.#registration.stop(this.#queues.map((q, i) => [q, this.#offsets[i]!]));
    }
    this.#report();
    return this.#finish();
  }

  #halt(): void {
    if (this.#clock.stopped) return;
    this.#clock.stop();
    this.#stop.abort();
    // Long polls parked in the broker would otherwise hold the run open for --suspendTimeout.
    this.#client.close();
  }

  async #startOffset(q: BenchQueue): Promise<number> {
    const code = this.#o.consumeFrom === "first" ? RequestCode.GET_MIN_OFFSET : RequestCode.GET_MAX_OFFSET;
    const req = createRequest(
      code,
      encodeTopicQueueRequestHeader({ topic: this.#o.topic, queueId: q.queueId }),
    );
    const res = await this.#client.invokeSync(q.addr, req, 5000);
    if (res.code !== ResponseCode.SUCCESS) {
      throw new Error(
        `Broker "${q.addr}" refused the offset of queue ${q.queueId}: ${res.remark ?? res.code}`,
      );
    }
    return decodeOffsetResponseHeader(res.extFields);
  }

  #pullRequest(template: ExtFields, offset: number): RemotingCommand {
    const at = String(offset);
    const req = createRequest(RequestCode.PULL_MESSAGE, { ...template, queueOffset: at, commitOffset: at });
    req.serializeType = this.#serializeType;
    return req;
  }

  async #pullLoop(q: BenchQueue, index: number): Promise<void> {
    const o = this.#o;
    const template = encodePullMessageRequestHeader({
      consumerGroup: this.#group,
      topic: o.topic,
      queueId: q.queueId,
      queueOffset: 0,
      maxMsgNums: o.pullBatchSize,
      // As the Java push consumer (postSubscriptionWhenPull=false): no subscription on the wire, the broker
      // filters by the subscription of the group's heartbeat, which registration sent before the first pull.
      sysFlag: PullSysFlag.build(true, o.suspendTimeoutMs > 0, false),
      commitOffset: 0,
      suspendTimeoutMillis: o.suspendTimeoutMs,
      subVersion: this.#registration.subVersion,
      expressionType: "TAG",
    });
    const timeoutMs = o.suspendTimeoutMs + 5000;
    let offset = this.#offsets[index]!;
    while (!this.#clock.stopped) {
      let res: RemotingCommand;
      try {
        res = await this.#client.invokeSync(q.addr, this.#pullRequest(template, offset), timeoutMs);
      } catch {
        if (this.#clock.stopped) break;
        this.#failed.add(1, this.#clock.measuring());
        await sleep(RETRY_DELAY_MS, this.#stop.signal);
        continue;
      }
      switch (res.code) {
        case ResponseCode.SUCCESS:
          this.#consume(res.body);
          offset = this.#offsets[index] = decodePullMessageResponseHeader(res.extFields).nextBeginOffset;
          break;
        case ResponseCode.PULL_NOT_FOUND:
        case ResponseCode.PULL_RETRY_IMMEDIATELY:
        case ResponseCode.PULL_OFFSET_MOVED:
          offset = this.#offsets[index] = decodePullMessageResponseHeader(res.extFields).nextBeginOffset;
          // Nothing new and no long polling: do not spin on the broker.
          if (o.suspendTimeoutMs === 0 && res.code === ResponseCode.PULL_NOT_FOUND) {
            await sleep(1, this.#stop.signal);
          }
          break;
        default:
          this.#failed.add(1, this.#clock.measuring());
          await sleep(RETRY_DELAY_MS, this.#stop.signal);
      }
    }
  }

  #consume(body: Uint8Array | undefined): void {
    if (body === undefined || this.#clock.stopped) return;
    const now = Date.now();
    const measuring = this.#clock.measuring();
    const n = scanRecords(body, (born, stored) => {
      this.#b2c.record((now - born) * 1000, measuring);
      this.#s2c.record((now - stored) * 1000, measuring);
    });
    this.#received.add(n, measuring);
    this.#bytes.add(body.length, measuring);
    this.#seen += n;
    const q = this.#o.messageQuantity;
    if (q > 0 && this.#seen >= q) this.#halt();
  }

  #report(): void {
    const now = performance.now();
    const seconds = (now - this.#lastTick) / 1000;
    this.#lastTick = now;
    const n = this.#received.takeInterval();
    this.#bytes.takeInterval();
    const failed = this.#failed.takeInterval();
    const b2c = this.#b2c.takeInterval();
    const s2c = this.#s2c.takeInterval();
    if (seconds <= 0) return;
    const tps = Math.round(n / seconds);
    const warmup = this.#clock.phase(now) === "warmup";
    if (this.#o.json) {
      this.#out.line(JSON.stringify({
        type: "interval",
        time: Date.now(),
        warmup,
        tps,
        failed,
        b2cLatencyMs: roundSummary(b2c),
        s2cLatencyMs: roundSummary(s2c),
      }));
      return;
    }
    this.#out.line(
      `Current Time: ${Date.now()} TPS: ${tps} FAIL: ${failed} AVG(B2C) RT(ms): ${ms3(b2c.mean)} ` +
        `AVG(S2C) RT(ms): ${ms3(s2c.mean)} MAX(B2C) RT(ms): ${Math.round(b2c.max)} ` +
        `MAX(S2C) RT(ms): ${Math.round(s2c.max)} ${percentileFields(b2c, "B2C ")}` +
        (warmup ? " [warm-up]" : ""),
    );
  }

  #status(): void {
    const now = performance.now();
    const elapsed = ((now - this.#clock.startedAt) / 1000).toFixed(1);
    const total = this.#o.durationSec > 0 ? `/${this.#o.warmupSec + this.#o.durationSec}` : "";
    this.#out.status?.(`[${this.#clock.phase(now)}] ${elapsed}${total} s, ${this.#seen} messages received`);
  }

  #finish(): ConsumerSummary {
    const o = this.#o;
    const ms = this.#clock.measuredMs();
    const received = this.#received.total;
    const tps = ms > 0 ? received / (ms / 1000) : 0;
    const summary: ConsumerSummary = {
      type: "summary",
      tool: "consumer",
      topic: o.topic,
      group: this.#group,
      consumeFrom: o.consumeFrom,
      queues: this.#queues.length,
      warmupMs: o.warmupSec * 1000,
      durationMs: Math.round(ms),
      received,
      failed: this.#failed.total,
      tps: Math.round(tps),
      mibPerSec: ms > 0 ? Math.round((this.#bytes.total / (ms / 1000)) / 1048576 * 100) / 100 : 0,
      b2cLatencyMs: roundSummary(this.#b2c.total.summary(1000)),
      s2cLatencyMs: roundSummary(this.#s2c.total.summary(1000)),
    };
    if (!o.json) {
      this.#out.line(
        `[Complete] Consume Total: ${received} Consume TPS: ${summary.tps} FAIL: ${summary.failed} ` +
          `AVG(B2C) RT(ms): ${ms3(summary.b2cLatencyMs.mean)} ${
            percentileFields(summary.b2cLatencyMs, "B2C ")
          }`,
      );
    }
    this.#out.line(JSON.stringify(summary));
    return summary;
  }
}

/** The bench's own client id, `ip@instance` as upstream clients build it. */
function benchClientId(): string {
  let ip = "127.0.0.1";
  try {
    ip = Deno.networkInterfaces().find((n) =>
      n.family === "IPv4" && !n.address.startsWith("127.")
    )?.address ??
      ip;
  } catch {
    // Without --allow-sys the loopback address still makes a valid id.
  }
  return `${ip}@BENCH_CONSUMER_${Deno.pid}_${Date.now()}`;
}

/**
 * Registers the run as a consumer group on every broker it pulls from (HEART_BEAT now and every 30 s) and
 * takes it off at the end (final offsets, UNREGISTER_CLIENT), over a connection of its own. Failures are
 * not fatal: the benchmark measures pulls, registration only makes it visible to admin tools.
 */
class GroupRegistration {
  readonly subVersion = Date.now();
  readonly #client = new RemotingClient({ name: "bench-consumer-registration", connectTimeoutMs: 3000 });
  readonly #clientId = benchClientId();
  readonly #heartbeat: Uint8Array;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(
    private readonly o: ConsumerBenchOptions,
    private readonly group: string,
    private readonly brokers: string[],
  ) {
    const tags = splitTags(o.expression);
    this.#heartbeat = encodeHeartbeatData({
      clientID: this.#clientId,
      producerDataSet: [],
      consumerDataSet: [{
        groupName: group,
        consumeType: "CONSUME_PASSIVELY",
        messageModel: "CLUSTERING",
        consumeFromWhere: o.consumeFrom === "first"
          ? "CONSUME_FROM_FIRST_OFFSET"
          : "CONSUME_FROM_LAST_OFFSET",
        unitMode: false,
        subscriptionDataSet: [{
          classFilterMode: false,
          topic: o.topic,
          subString: tags.length === 0 ? "*" : o.expression,
          tagsSet: tags,
          codeSet: tags.map((t) => tagsHashCode(t)),
          subVersion: this.subVersion,
          expressionType: "TAG",
        }],
      }],
    });
    // Rebalance notices mean nothing to a bench that pulls every queue itself.
    this.#client.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, () => null);
  }

  /** Sends the first heartbeats and schedules the next ones. */
  async start(): Promise<void> {
    await this.#beat();
    if (!this.#stopped) this.#timer = setInterval(() => void this.#beat(), HEARTBEAT_INTERVAL_MS);
  }

  async #beat(): Promise<void> {
    await Promise.all(this.brokers.map(async (addr) => {
      try {
        await this.#client.invokeSync(addr, createRequest(RequestCode.HEART_BEAT, {}, this.#heartbeat), 3000);
      } catch {
        // The next beat retries; pulls do not depend on it.
      }
    }));
  }

  /** Stops the heartbeats, stores the final offsets and unregisters; at most FAREWELL_TIMEOUT_MS. */
  async stop(offsets: ReadonlyArray<readonly [BenchQueue, number]>): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#timer);
    const commits = offsets.map(async ([q, offset]) => {
      const ext = encodeUpdateConsumerOffsetRequestHeader({
        consumerGroup: this.group,
        topic: this.o.topic,
        queueId: q.queueId,
        commitOffset: offset,
      });
      await this.#client.invokeSync(
        q.addr,
        createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, ext),
        FAREWELL_TIMEOUT_MS,
      );
    });
    await Promise.allSettled(commits);
    const ext = encodeUnregisterClientRequestHeader({ clientID: this.#clientId, consumerGroup: this.group });
    await Promise.allSettled(
      this.brokers.map((addr) =>
        this.#client.invokeSync(addr, createRequest(RequestCode.UNREGISTER_CLIENT, ext), FAREWELL_TIMEOUT_MS)
      ),
    );
  }

  /** Releases the connection (after stop(), or when the run failed before it started). */
  async close(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#client.close();
    await this.#client.closed();
  }
}
