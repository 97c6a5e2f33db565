#!/usr/bin/env -S deno run -A
/**
 * One-shot comparison of rmq with this machine's raw ceilings (issue 6). In one run it:
 *  1. measures the ceilings: Deno TCP request/ack round trips at concurrency 1, 4, 16 and 4096 with
 *     send-sized requests, a pull-shaped exchange for the drain, and the same record bytes written in
 *     batches with fdatasync (batch = concurrency, as a group commit could at best);
 *  2. starts rmq (temp store) under ASYNC_FLUSH, then SYNC_FLUSH, and runs the producer benchmark with
 *     1 KiB messages at concurrency 1, 4, 16 and a 4096-outstanding async run;
 *  3. under ASYNC_FLUSH, builds a backlog (default 1,000,000 messages) and drains it with the consumer;
 * and prints a table with each rmq figure as a ratio of its ceiling, broker CPU and RSS, and the targets.
 * Beside the broker's CPU it shows this driver's (the client runs in-process) and the rest of the machine's,
 * and warns when other processes were busy: on a shared 2-CPU machine that alone can halve the c=1 rate.
 * To see event-loop stalls, preload scripts/bench/stall_monitor.ts (see there) into this driver or a broker.
 *
 * Usage: see USAGE below (`deno task bench compare --help`).
 */
import { RemotingClient } from "../../src/remoting/client.ts";
import { encodeCommand } from "../../src/remoting/codec.ts";
import { calcRecordSize } from "../../src/message/record_codec.ts";
import { createTopic, fetchTopicRoute } from "../../src/bench/route.ts";
import { SendRequestFactory } from "../../src/bench/send_request.ts";
import { parseConsumerOptions, parseProducerOptions } from "../../src/bench/options.ts";
import { runProducer } from "../../src/bench/producer.ts";
import { runConsumer } from "../../src/bench/consumer.ts";
import { memoryOutput } from "../../src/bench/report.ts";
import { type CeilingResult, diskCeiling, startAckServer, tcpCeiling } from "./ceiling.ts";
import { type RmqChild, sampleProc, startRmqChild, withProcStats } from "./rmq_child.ts";
import { waitForQuiet } from "./machine_load.ts";

interface CompareOptions {
  backlog: number;
  durationSec: number;
  warmupSec: number;
  size: number;
  queues: number;
  flush: string[];
  ceilingSec: number;
  /** Seconds to wait, before each rmq run, for other processes to go quiet (0: do not wait). */
  quietSec: number;
  out: string;
}

function parseCompareArgs(args: string[]): CompareOptions {
  const o: CompareOptions = {
    backlog: 1_000_000,
    durationSec: 5,
    warmupSec: 1,
    size: 1024,
    queues: 8,
    flush: ["ASYNC_FLUSH", "SYNC_FLUSH"],
    ceilingSec: 2,
    quietSec: 30,
    out: "",
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--([A-Za-z]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`Unexpected argument "${arg}"`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new Error(`Option "--${m[1]}" needs a value`);
    const num = () => {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) {
        throw new Error(`Cannot parse value "${value}" for option "--${m[1]}"`);
      }
      return n;
    };
    switch (m[1]) {
      case "backlog":
        o.backlog = Math.floor(num());
        break;
      case "duration":
        o.durationSec = num();
        break;
      case "warmup":
        o.warmupSec = num();
        break;
      case "size":
        o.size = Math.floor(num());
        break;
      case "queues":
        o.queues = Math.max(1, Math.floor(num()));
        break;
      case "ceiling":
        o.ceilingSec = num();
        break;
      case "flush":
        o.flush = value.split(",").map((s) => s.trim().toUpperCase()).filter((s) => s !== "");
        break;
      case "quiet":
        o.quietSec = num();
        break;
      case "out":
        o.out = value;
        break;
      default:
        throw new Error(`Unknown option "--${m[1]}"`);
    }
  }
  return o;
}

/** One row of the final table. */
interface Row {
  run: string;
  tps: number;
  avgMs?: number;
  p50Ms?: number;
  p99Ms?: number;
  p999Ms?: number;
  maxMs?: number;
  tcpCeiling?: number | undefined;
  diskCeiling?: number | undefined;
  ratio?: number;
  cpuPct?: number | null;
  /** The driver process (the benchmark client) and the rest of the machine, in % of one CPU. */
  selfPct?: number | null;
  otherPct?: number | null;
  stealPct?: number | null;
  rssMiB?: number | null;
  target?: string;
  met?: boolean;
  /** Which ceilings apply: the TCP run at this concurrency (or the pull-shaped one) and the disk run. */
  tcpKey: number | "pull";
  diskKey?: number | "async";
}

const CONCURRENCY = [1, 4, 16] as const;
const ASYNC_OUTSTANDING = 4096;
const TOPIC = "CompareBench";
const BACKLOG_TOPIC = "CompareBacklog";

function progress(text: string): void {
  console.error(`[compare] ${text}`);
}

/** Sizes of what rmq will really carry, so the ceilings move the same bytes. */
function wireSizes(o: CompareOptions): { sendFrame: number; record: number } {
  const f = new SendRequestFactory(
    { ...parseProducerOptions([]), topic: TOPIC, messageSize: o.size },
    [{ brokerName: "b", addr: "127.0.0.1:1", queueId: 0 }],
  );
  const [, cmd] = f.next(Date.now());
  const props = cmd.extFields["i"] ?? "";
  return {
    sendFrame: encodeCommand(cmd).length,
    record: calcRecordSize(o.size, TOPIC.length, props.length, 0),
  };
}

interface Ceilings {
  tcp: Map<number, CeilingResult>;
  disk: Map<number, CeilingResult>;
  diskAsync: CeilingResult;
  pull: CeilingResult;
}

async function measureCeilings(
  o: CompareOptions,
  sizes: { sendFrame: number; record: number },
): Promise<Ceilings> {
  const ms = o.ceilingSec * 1000;
  const server = await startAckServer();
  const tcp = new Map<number, CeilingResult>();
  let pull: CeilingResult;
  try {
    for (const c of [...CONCURRENCY, ASYNC_OUTSTANDING]) {
      tcp.set(c, await tcpCeiling(server.port, c, sizes.sendFrame, 200, ms));
      progress(`ceiling TCP c=${c}: ${tcp.get(c)!.perSec} req/s`);
    }
    // The drain: one pull of 32 records in flight per queue.
    const r = await tcpCeiling(server.port, o.queues, 300, 32 * sizes.record, ms);
    pull = { perSec: r.perSec * 32 };
    progress(`ceiling TCP pull-shaped: ${pull.perSec} records/s`);
  } finally {
    await server.stop();
  }
  const dir = await Deno.makeTempDir({ prefix: "rmq-ceiling-" });
  const disk = new Map<number, CeilingResult>();
  let diskAsync: CeilingResult;
  try {
    for (const c of [...CONCURRENCY, ASYNC_OUTSTANDING]) {
      disk.set(c, await diskCeiling(dir, sizes.record, c, ms));
      progress(`ceiling disk batch=${c} + fdatasync: ${disk.get(c)!.perSec} records/s`);
    }
    diskAsync = await diskCeiling(dir, sizes.record, ASYNC_OUTSTANDING, ms, false);
    progress(`ceiling disk, fdatasync per 64 MiB: ${diskAsync.perSec} records/s`);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return { tcp, disk, diskAsync, pull };
}

async function waitForRoute(client: RemotingClient, namesrv: string, topic: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await fetchTopicRoute(client, namesrv, topic)) !== null) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`The route of topic "${topic}" never appeared on the name server`);
}

async function prepareTopic(rmq: RmqChild, topic: string, queues: number): Promise<void> {
  const client = new RemotingClient();
  try {
    await createTopic(client, rmq.brokerAddr, topic, queues);
    await waitForRoute(client, rmq.namesrvAddr, topic);
  } finally {
    client.close();
    await client.closed();
  }
}

function ratioOf(tps: number, ...ceilings: (number | undefined)[]): number | undefined {
  const known = ceilings.filter((c): c is number => c !== undefined && c > 0);
  return known.length === 0 ? undefined : Math.round((tps / Math.min(...known)) * 100) / 100;
}

/** Fills a row's ceilings and ratio from `ceil`. */
function rerate(row: Row, ceil: Ceilings): void {
  row.tcpCeiling = row.tcpKey === "pull" ? ceil.pull.perSec : ceil.tcp.get(row.tcpKey)?.perSec;
  row.diskCeiling = row.diskKey === undefined
    ? undefined
    : row.diskKey === "async"
    ? ceil.diskAsync.perSec
    : ceil.disk.get(row.diskKey)?.perSec;
  const ratio = ratioOf(row.tps, row.tcpCeiling, row.diskCeiling);
  if (ratio !== undefined) row.ratio = ratio;
}

function bestResult(a: CeilingResult | undefined, b: CeilingResult | undefined): CeilingResult {
  if (a === undefined) return b ?? { perSec: 0 };
  if (b === undefined) return a;
  return a.perSec >= b.perSec ? a : b;
}

function bestMap(a: Map<number, CeilingResult>, b: Map<number, CeilingResult>): Map<number, CeilingResult> {
  const out = new Map<number, CeilingResult>();
  for (const k of new Set([...a.keys(), ...b.keys()])) out.set(k, bestResult(a.get(k), b.get(k)));
  return out;
}

/** The better of two ceiling measurements, figure by figure. */
function bestOf(a: Ceilings, b: Ceilings): Ceilings {
  return {
    tcp: bestMap(a.tcp, b.tcp),
    disk: bestMap(a.disk, b.disk),
    diskAsync: bestResult(a.diskAsync, b.diskAsync),
    pull: bestResult(a.pull, b.pull),
  };
}

async function producerRuns(o: CompareOptions, flush: string, rmq: RmqChild): Promise<Row[]> {
  const rows: Row[] = [];
  const sync = flush === "SYNC_FLUSH";
  const runs = [...CONCURRENCY.map((c) => ({ c, async: false })), { c: ASYNC_OUTSTANDING, async: true }];
  for (const { c, async } of runs) {
    await settle(o, rmq);
    const args = ["-n", rmq.namesrvAddr, "-t", TOPIC, "-w", String(c), "-s", String(o.size)];
    args.push("--duration", String(o.durationSec), "--warmup", String(o.warmupSec), "--json");
    if (async) args.push("-y");
    const { result: s, cpuPct, selfPct, otherPct, stealPct, rssMiB } = await withProcStats(
      rmq.pid,
      () => runProducer(parseProducerOptions(args), memoryOutput()),
    );
    const row: Row = {
      run: `${flush} producer ${async ? `async ${c} outstanding` : `c=${c}`}`,
      tps: s.tps,
      avgMs: s.latencyMs.mean,
      p50Ms: s.latencyMs.p50,
      p99Ms: s.latencyMs.p99,
      p999Ms: s.latencyMs.p999,
      maxMs: s.latencyMs.max,
      cpuPct,
      selfPct,
      otherPct,
      stealPct,
      rssMiB,
      tcpKey: c,
      diskKey: sync ? c : "async",
    };
    if (s.sendFailed + s.responseFailed > 0) row.run += ` (${s.sendFailed + s.responseFailed} failed)`;
    applyTarget(row, flush, c, async);
    rows.push(row);
    progress(`${row.run}: ${s.tps} msg/s, avg ${s.latencyMs.mean} ms, p99 ${s.latencyMs.p99} ms`);
    warnIfBusy(row.run, otherPct, stealPct);
  }
  return rows;
}

/**
 * Other processes' CPU above this (in % of one CPU) during a run means the broker and the client shared
 * the cores with someone else, and the latency tail is theirs as much as rmq's (issue 6).
 */
const BUSY_OTHER_PCT = 25;

function warnIfBusy(run: string, otherPct: number | null, stealPct: number | null): void {
  if ((otherPct ?? 0) > BUSY_OTHER_PCT || (stealPct ?? 0) > BUSY_OTHER_PCT) {
    progress(
      `warning: other processes used ${otherPct}% CPU and the host stole ${stealPct}% during "${run}" on ` +
        `${navigator.hardwareConcurrency} CPUs; its figures are not rmq's alone, rerun on a quiet machine`,
    );
  }
}

/** Waits (up to --quiet seconds) until other processes leave the CPUs to the broker and this driver. */
async function settle(o: CompareOptions, rmq: RmqChild): Promise<void> {
  if (o.quietSec <= 0) return;
  const t0 = performance.now();
  const other = await waitForQuiet([rmq.pid, Deno.pid], BUSY_OTHER_PCT, o.quietSec * 1000);
  const waited = Math.round((performance.now() - t0) / 1000);
  if (other !== null && other > BUSY_OTHER_PCT) {
    progress(`other processes still use ${other}% CPU after ${waited} s; measuring anyway`);
  } else if (waited > 1) progress(`waited ${waited} s for other processes to go quiet`);
}

function applyTarget(row: Row, flush: string, c: number, async: boolean): void {
  if (async && flush === "ASYNC_FLUSH") {
    row.target = "≥ 130k msg/s";
    row.met = row.tps >= 130_000;
  } else if (!async && c === 16 && flush === "ASYNC_FLUSH") {
    row.target = "≥ 45k msg/s";
    row.met = row.tps >= 45_000;
  } else if (!async && c === 16 && flush === "SYNC_FLUSH") {
    row.target = "≥ 20k msg/s";
    row.met = row.tps >= 20_000;
  } else if (!async && c === 1 && flush === "ASYNC_FLUSH") {
    row.target = "avg ≤ 0.15 ms, p99 ≤ 0.5 ms";
    row.met = (row.avgMs ?? Infinity) <= 0.15 && (row.p99Ms ?? Infinity) <= 0.5;
  }
}

async function backlogRun(o: CompareOptions, rmq: RmqChild): Promise<Row[]> {
  await prepareTopic(rmq, BACKLOG_TOPIC, o.queues);
  progress(`building a backlog of ${o.backlog} messages`);
  const p = await runProducer(
    parseProducerOptions([
      "-n",
      rmq.namesrvAddr,
      "-t",
      BACKLOG_TOPIC,
      "-y",
      "-w",
      String(ASYNC_OUTSTANDING),
      "-s",
      String(o.size),
      "-q",
      String(o.backlog),
      "--duration",
      "300",
      "--json",
    ]),
    memoryOutput(),
  );
  progress(`backlog built: ${p.sent} messages at ${p.tps} msg/s; draining`);
  await settle(o, rmq);
  const { result: s, cpuPct, selfPct, otherPct, stealPct, rssMiB } = await withProcStats(
    rmq.pid,
    () =>
      runConsumer(
        parseConsumerOptions([
          "-n",
          rmq.namesrvAddr,
          "-t",
          BACKLOG_TOPIC,
          "--consumeFrom",
          "first",
          "-q",
          String(p.sent),
          "--duration",
          "240",
          "--json",
        ]),
        memoryOutput(),
      ),
  );
  progress(`drained ${s.received} messages at ${s.tps} msg/s`);
  warnIfBusy("drain", otherPct, stealPct);
  const row: Row = {
    run: `ASYNC_FLUSH consumer drain ${s.received}/${p.sent}`,
    tps: s.tps,
    tcpKey: "pull",
    cpuPct,
    selfPct,
    otherPct,
    stealPct,
    rssMiB,
    target: "≥ 250k msg/s",
    met: s.tps >= 250_000,
  };
  return [row];
}

function fmt(v: number | null | undefined, digits = 0): string {
  if (v === undefined || v === null) return "-";
  return digits === 0 ? Math.round(v).toLocaleString("en-US") : v.toFixed(digits);
}

function printTable(rows: Row[]): void {
  const header = [
    "run",
    "msg/s",
    "avg ms",
    "p50",
    "p99",
    "p999",
    "max",
    "TCP ceil/s",
    "disk ceil/s",
    "ratio",
    "CPU%",
    "self%",
    "other%",
    "steal%",
    "RSS MiB",
    "target",
  ];
  const body = rows.map((r) => [
    r.run,
    fmt(r.tps),
    fmt(r.avgMs, 3),
    fmt(r.p50Ms, 3),
    fmt(r.p99Ms, 3),
    fmt(r.p999Ms, 3),
    fmt(r.maxMs, 1),
    fmt(r.tcpCeiling),
    fmt(r.diskCeiling),
    fmt(r.ratio, 2),
    fmt(r.cpuPct),
    fmt(r.selfPct),
    fmt(r.otherPct),
    fmt(r.stealPct),
    fmt(r.rssMiB),
    r.target === undefined ? "" : `${r.met ? "met" : "MISSED"} (${r.target})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
}

const USAGE = `Usage: deno task bench compare [--backlog=1000000] [--duration=5] [--warmup=1] [--size=1024]
         [--queues=8] [--flush=ASYNC_FLUSH,SYNC_FLUSH] [--ceiling=2] [--quiet=30] [--out=results.json]

Starts rmq in a temp dir, runs the producer at concurrency 1, 4, 16 and with 4096 sends outstanding under
each flush mode, drains a backlog, and prints each figure beside this machine's raw ceilings.`;

async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  let o: CompareOptions;
  try {
    o = parseCompareArgs(args);
  } catch (e) {
    console.error(`compare: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const started = performance.now();
  const sizes = wireSizes(o);
  progress(`send frame ${sizes.sendFrame} bytes, stored record ${sizes.record} bytes`);
  // Measured before and after the rmq runs, keeping the better figure: on a shared machine a single
  // measurement can land in someone else's busy second and flatter rmq's ratios.
  const before = await measureCeilings(o, sizes);
  const rows: Row[] = [];
  const brokerFacts: Record<string, unknown>[] = [];
  for (const flush of o.flush) {
    const rmq = await startRmqChild({ flushDiskType: flush, autoCreateTopicEnable: true });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const idle = sampleProc(rmq.pid);
      progress(`${flush}: ready in ${rmq.readyMs} ms, idle RSS ${fmt(idle?.rssMiB, 1)} MiB`);
      await prepareTopic(rmq, TOPIC, o.queues);
      rows.push(...await producerRuns(o, flush, rmq));
      if (flush === "ASYNC_FLUSH" && o.backlog > 0) rows.push(...await backlogRun(o, rmq));
      const end = sampleProc(rmq.pid);
      brokerFacts.push({
        flush,
        readyMs: rmq.readyMs,
        idleRssMiB: idle ? Math.round(idle.rssMiB * 10) / 10 : null,
        peakRssMiB: end ? Math.round(end.peakRssMiB * 10) / 10 : null,
      });
    } finally {
      await rmq.stop();
    }
  }
  const after = await measureCeilings(o, sizes);
  const ceil = bestOf(before, after);
  for (const row of rows) rerate(row, ceil);
  console.log();
  printTable(rows);
  console.log();
  for (const f of brokerFacts) {
    const idle = f["idleRssMiB"] as number | null;
    const peak = f["peakRssMiB"] as number | null;
    const ready = f["readyMs"] as number;
    console.log(
      `${f["flush"]}: start to ready ${ready} ms (${ready <= 200 ? "met" : "MISSED"} ≤ 200 ms), ` +
        `idle RSS ${fmt(idle, 1)} MiB (${idle !== null && idle <= 64 ? "met" : "MISSED"} ≤ 64), ` +
        `peak RSS ${fmt(peak, 1)} MiB (${peak !== null && peak <= 256 ? "met" : "MISSED"} ≤ 256)`,
    );
  }
  console.log(
    `\nTotal time ${
      ((performance.now() - started) / 1000).toFixed(0)
    } s on ${navigator.hardwareConcurrency} CPUs`,
  );
  const results = {
    sizes,
    ceilings: {
      tcp: Object.fromEntries(ceil.tcp),
      disk: Object.fromEntries(ceil.disk),
      diskAsync: ceil.diskAsync,
      pull: ceil.pull,
    },
    rows,
    brokers: brokerFacts,
  };
  if (o.out !== "") await Deno.writeTextFile(o.out, JSON.stringify(results, null, 2) + "\n");
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
