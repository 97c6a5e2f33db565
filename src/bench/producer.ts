/**
 * `rmq bench producer`: sends messages as fast as the closed loop allows (--threadCount sends in flight),
 * or at a fixed open-loop rate (--rate), and reports TPS and latency percentiles.
 *
 * Latency without coordinated omission: in open-loop mode each send has an intended time on a fixed
 * schedule, and the reported response latency runs from that intended time, so a stalled broker shows up
 * as latency instead of as sends that were never attempted. The service latency (from the actual send)
 * is reported beside it. In closed-loop mode the two are the same.
 */
import { RemotingClient } from "../remoting/client.ts";
import type { RemotingCommand } from "../remoting/command.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { resolveProducerRoute } from "./route.ts";
import { SendRequestFactory } from "./send_request.ts";
import { Counter, LatencyMeter, RunClock } from "./meter.ts";
import type { ProducerBenchOptions } from "./options.ts";
import {
  type BenchOutput,
  formatTime,
  ms3,
  percentileFields,
  roundSummary,
  type RunHooks,
  sleep,
  withRunControl,
} from "./report.ts";
import type { HistogramSummary } from "./histogram.ts";

/** The final summary `rmq bench producer` prints as JSON. Latencies in milliseconds. */
export interface ProducerSummary {
  type: "summary";
  tool: "producer";
  topic: string;
  mode: "sync" | "async" | "oneway" | "rate";
  threadCount: number;
  messageSize: number;
  batch: number;
  rate: number;
  serializeType: string;
  queues: number;
  warmupMs: number;
  durationMs: number;
  /** Messages acknowledged with SUCCESS (or handed to the socket, for oneway) while measuring. */
  sent: number;
  sendFailed: number;
  responseFailed: number;
  tps: number;
  /** Body megabytes (2^20) per second. */
  mibPerSec: number;
  /** From the actual send to the response (per request). */
  latencyMs: HistogramSummary;
  /** From the intended send time to the response (open loop only). */
  intendedLatencyMs?: HistogramSummary;
}

function modeOf(o: ProducerBenchOptions): ProducerSummary["mode"] {
  if (o.oneway) return "oneway";
  if (o.rate > 0) return "rate";
  return o.asyncEnable ? "async" : "sync";
}

/** The settings line upstream prints first, with rmq's additions. */
function settingsLine(o: ProducerBenchOptions, queues: number): string {
  return `topic: ${o.topic} threadCount: ${o.threadCount} messageSize: ${o.messageSize} keyEnable: ${o.keyEnable} ` +
    `propertySize: ${o.propertySize} tagCount: ${o.tagCount} traceEnable: false aclEnable: false ` +
    `messageQuantity: ${o.messageQuantity} delayEnable: ${o.delayEnable} delayLevel: ${o.delayLevel} ` +
    `asyncEnable: ${o.asyncEnable} oneway: ${o.oneway} batch: ${o.batch} rate: ${o.rate} ` +
    `duration: ${o.durationSec} warmup: ${o.warmupSec} queues: ${queues}`;
}

/**
 * Runs the producer benchmark until --duration, --messageQuantity or `signal` ends it, and returns the
 * summary (also printed as the last line, as JSON).
 *
 * @throws {Error} when the topic's route cannot be found.
 */
export async function runProducer(
  o: ProducerBenchOptions,
  out: BenchOutput,
  signal?: AbortSignal,
): Promise<ProducerSummary> {
  const client = new RemotingClient({ name: "bench-producer", connectTimeoutMs: 3000 });
  try {
    const route = await resolveProducerRoute(client, o.namesrvAddr, o.topic);
    return await new ProducerRun(o, out, client, new SendRequestFactory(o, route.queues, route.autoCreate))
      .run(route.queues.length, signal);
  } finally {
    client.close();
    await client.closed();
  }
}

class ProducerRun {
  readonly #o: ProducerBenchOptions;
  readonly #out: BenchOutput;
  readonly #client: RemotingClient;
  readonly #factory: SendRequestFactory;
  readonly #clock: RunClock;
  readonly #stop = new AbortController();
  readonly #latency = new LatencyMeter();
  readonly #intended = new LatencyMeter();
  readonly #ok = new Counter();
  readonly #sendFailed = new Counter();
  readonly #responseFailed = new Counter();
  /** Messages issued so far (warm-up included), for --messageQuantity. */
  #issued = 0;
  #quantityReached = false;
  #maxRtMs = 0;
  #lastTick: number;

  constructor(
    o: ProducerBenchOptions,
    out: BenchOutput,
    client: RemotingClient,
    factory: SendRequestFactory,
  ) {
    this.#o = o;
    this.#out = out;
    this.#client = client;
    this.#factory = factory;
    this.#clock = new RunClock(o.warmupSec * 1000);
    this.#lastTick = this.#clock.startedAt;
  }

  async run(queues: number, signal?: AbortSignal): Promise<ProducerSummary> {
    const o = this.#o;
    if (!o.json) this.#out.line(settingsLine(o, queues));
    await withRunControl(o, this.#hooks(), signal, async () => {
      if (o.rate > 0) await this.#openLoop();
      else if (!o.oneway && this.#factory.framesSupported) await this.#framePump();
      else await Promise.all(Array.from({ length: o.threadCount }, () => this.#worker()));
      this.#clock.stop();
    });
    this.#report();
    return this.#finish(queues);
  }

  #hooks(): RunHooks {
    return {
      halt: () => this.#halt(),
      report: () => this.#report(),
      status: this.#out.status ? () => this.#status() : undefined,
    };
  }

  #halt(): void {
    this.#clock.stop();
    this.#stop.abort();
  }

  /**
   * Claims the next request's messages; false once the run should stop issuing. Reaching
   * --messageQuantity stops issuing but not the clock: the messages in flight still count.
   */
  #claim(): boolean {
    if (this.#clock.stopped || this.#quantityReached) return false;
    const q = this.#o.messageQuantity;
    if (q > 0 && this.#issued >= q) {
      this.#quantityReached = true;
      return false;
    }
    this.#issued += this.#o.batch;
    return true;
  }

  /** One closed-loop sender: send, wait for the answer, repeat. */
  async #worker(): Promise<void> {
    while (this.#claim()) {
      if (!(await this.#sendOne(undefined))) await sleep(10, this.#stop.signal);
    }
  }

  /**
   * The closed loop for pre-encoded frames: keeps --threadCount requests in flight, each response issuing
   * the next send from its callback. Same behaviour as --threadCount {@link #worker}s, without an async
   * function frame and two extra promises per message: with thousands in flight, that machinery and its
   * garbage were a large part of the client's CPU, which shares the machine with the broker it measures.
   */
  #framePump(): Promise<void> {
    const o = this.#o;
    const n = o.batch;
    return new Promise((resolve) => {
      let inflight = 0;
      const pump = (): void => {
        while (inflight < o.threadCount) {
          if (!this.#claim()) {
            if (inflight === 0) resolve();
            return;
          }
          inflight++;
          const t0 = performance.now();
          const f = this.#factory.nextFrame(Date.now());
          this.#client.invokeFrame(f.queue.addr, f.frame, f.opaque, f.code, o.sendTimeoutMs).then(
            (res) => {
              this.#answered(res, t0, undefined, n);
              inflight--;
              pump();
            },
            () => {
              this.#sendFailed.add(n, this.#clock.measuring());
              inflight--;
              // As a worker does after a failed send: wait a little, so a dead broker is not hammered.
              setTimeout(pump, 10);
            },
          );
        }
      };
      pump();
    });
  }

  /**
   * The open-loop driver: request k is due at start + k / rate; every due request is sent as soon as
   * fewer than --threadCount are in flight. Lateness counts as latency.
   */
  async #openLoop(): Promise<void> {
    const o = this.#o;
    const periodMs = (1000 * o.batch) / o.rate;
    const start = performance.now();
    const inflight = new Set<Promise<boolean>>();
    let k = 0;
    while (!this.#clock.stopped && !this.#quantityReached) {
      const now = performance.now();
      while (inflight.size < o.threadCount && start + k * periodMs <= now) {
        if (!this.#claim()) break;
        const p = this.#sendOne(start + k * periodMs);
        k++;
        inflight.add(p);
        p.finally(() => inflight.delete(p));
      }
      if (this.#clock.stopped || this.#quantityReached) break;
      if (inflight.size >= o.threadCount) await Promise.race(inflight);
      else await sleep(Math.max(0, start + k * periodMs - performance.now()), this.#stop.signal);
    }
    await Promise.all(inflight);
  }

  /** Sends one request; resolves false on a send failure (so a dead broker is not hammered). */
  async #sendOne(intendedAt: number | undefined): Promise<boolean> {
    const t0 = performance.now();
    const n = this.#o.batch;
    try {
      let res: RemotingCommand;
      if (this.#o.oneway) {
        const [queue, cmd] = this.#factory.next(Date.now());
        await this.#client.invokeOneway(queue.addr, cmd);
        this.#done(t0, intendedAt, n);
        return true;
      } else if (this.#factory.framesSupported) {
        const f = this.#factory.nextFrame(Date.now());
        res = await this.#client.invokeFrame(f.queue.addr, f.frame, f.opaque, f.code, this.#o.sendTimeoutMs);
      } else {
        const [queue, cmd] = this.#factory.next(Date.now());
        res = await this.#client.invokeSync(queue.addr, cmd, this.#o.sendTimeoutMs);
      }
      this.#answered(res, t0, intendedAt, n);
      return true;
    } catch {
      this.#sendFailed.add(n, this.#clock.measuring());
      return false;
    }
  }

  /** Counts a response to a request of `n` messages sent at `t0`: latency if stored, a failure if not. */
  #answered(res: RemotingCommand, t0: number, intendedAt: number | undefined, n: number): void {
    if (res.code === ResponseCode.SUCCESS) this.#done(t0, intendedAt, n);
    else this.#responseFailed.add(n, this.#clock.measuring());
  }

  #done(t0: number, intendedAt: number | undefined, n: number): void {
    const now = performance.now();
    const measuring = this.#clock.measuring(now);
    const rt = now - t0;
    this.#latency.record(rt * 1000, measuring);
    if (intendedAt !== undefined) this.#intended.record((now - intendedAt) * 1000, measuring);
    if (rt > this.#maxRtMs) this.#maxRtMs = rt;
    this.#ok.add(n, measuring);
  }

  #report(): void {
    const now = performance.now();
    const seconds = (now - this.#lastTick) / 1000;
    this.#lastTick = now;
    const ok = this.#ok.takeInterval();
    const lat = this.#latency.takeInterval();
    const intended = this.#intended.takeInterval();
    const sendFailed = this.#sendFailed.takeInterval();
    const responseFailed = this.#responseFailed.takeInterval();
    if (seconds <= 0) return;
    const tps = Math.round(ok / seconds);
    const warmup = this.#clock.phase(now) === "warmup";
    const open = this.#o.rate > 0;
    if (this.#o.json) {
      this.#out.line(JSON.stringify({
        type: "interval",
        time: Date.now(),
        warmup,
        tps,
        sendFailed,
        responseFailed,
        latencyMs: roundSummary(lat),
        ...(open ? { intendedLatencyMs: roundSummary(intended) } : {}),
      }));
      return;
    }
    this.#out.line(
      `Current Time: ${formatTime(new Date())} Send TPS: ${tps} Max RT(ms): ${Math.ceil(this.#maxRtMs)} ` +
        `Average RT(ms): ${ms3(lat.mean)} Send Failed: ${this.#sendFailed.total} ` +
        `Response Failed: ${this.#responseFailed.total} ${percentileFields(lat)}` +
        (open ? ` ${percentileFields(intended, "intended ")}` : "") + (warmup ? " [warm-up]" : ""),
    );
  }

  #status(): void {
    const c = this.#clock;
    const now = performance.now();
    const phase = c.phase(now);
    const elapsed = ((now - c.startedAt) / 1000).toFixed(1);
    const total = this.#o.durationSec > 0 ? `/${this.#o.warmupSec + this.#o.durationSec}` : "";
    this.#out.status?.(`[${phase}] ${elapsed}${total} s, ${this.#issued} messages issued`);
  }

  #finish(queues: number): ProducerSummary {
    const o = this.#o;
    const ms = this.#clock.measuredMs();
    const sent = this.#ok.total;
    const tps = ms > 0 ? sent / (ms / 1000) : 0;
    const latency = this.#latency.total.summary(1000);
    const summary: ProducerSummary = {
      type: "summary",
      tool: "producer",
      topic: o.topic,
      mode: modeOf(o),
      threadCount: o.threadCount,
      messageSize: o.messageSize,
      batch: o.batch,
      rate: o.rate,
      serializeType: o.serializeType,
      queues,
      warmupMs: o.warmupSec * 1000,
      durationMs: Math.round(ms),
      sent,
      sendFailed: this.#sendFailed.total,
      responseFailed: this.#responseFailed.total,
      tps: Math.round(tps),
      mibPerSec: Math.round((tps * o.messageSize) / 1048576 * 100) / 100,
      latencyMs: roundSummary(latency),
    };
    if (o.rate > 0) summary.intendedLatencyMs = roundSummary(this.#intended.total.summary(1000));
    if (!o.json) {
      this.#out.line(
        `[Complete] Send Total: ${sent} Send TPS: ${Math.round(tps)} Max RT(ms): ${Math.ceil(latency.max)} ` +
          `Average RT(ms): ${ms3(latency.mean)} Send Failed: ${summary.sendFailed} ` +
          `Response Failed: ${summary.responseFailed} ${percentileFields(latency)}`,
      );
    }
    this.#out.line(JSON.stringify(summary));
    return summary;
  }
}
