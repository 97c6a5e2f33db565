/**
 * Store append benchmark: 1 KiB messages in ASYNC_FLUSH and SYNC_FLUSH modes, each compared with the raw
 * ceiling of doing the same durable work without any store logic: the same bytes, in the same write()
 * batch sizes, into the same kind of preallocated file, with the same fdatasync cadence.
 *
 * - ASYNC_FLUSH ceiling: one write() per batch, plus a background fdatasync every time as many bytes
 *   accumulated as the store wrote between its own flush-service syncs (never two at once, as the store).
 * - SYNC_FLUSH ceiling: one write() per batch and a blocking fdatasync every group-commit's worth of bytes.
 *
 * Neither side counts a final flush, and messages are built before the timed loop: building them is the
 * broker's cost, not the store's. Every repetition measures the store and then its ceiling, so machine noise
 * hits both; the last table row is the median over repetitions.
 *
 * Usage: deno run -A scripts/bench/store.ts [seconds-per-mode=3] [concurrency=256] [ASYNC_FLUSH,SYNC_FLUSH]
 *        [repetitions=1]
 */
import * as fs from "node:fs";
import process from "node:process";
import { setImmediate } from "node:timers";
import { defaultsOf } from "../../src/config/schema.ts";
import { MessageStoreConfigSchema } from "../../src/config/store_config.ts";
import { DefaultMessageStore } from "../../src/store/message_store.ts";
import type { MessageExtBrokerInner } from "../../src/message/message.ts";
import type { PutMessageResult } from "../../src/store/message_store.ts";
import { encodeProperties } from "../../src/message/properties.ts";
import { createUniqId } from "../../src/message/msg_id.ts";
import { configureLogging } from "../../src/log/logger.ts";

type Mode = "ASYNC_FLUSH" | "SYNC_FLUSH";
const seconds = Number(Deno.args[0] ?? 3);
const concurrency = Number(Deno.args[1] ?? 256);
const modes = (Deno.args[2] ?? "ASYNC_FLUSH,SYNC_FLUSH").split(",") as Mode[];
const repetitions = Math.max(1, Number(Deno.args[3] ?? 1));
const SEGMENT = 1024 * 1024 * 1024;
const BODY = new Uint8Array(1024).fill(0x61);
configureLogging({ stderr: false });

/** Messages are built up front: their construction is the broker's cost, not the store's. */
const POOL = Array.from({ length: 4096 }, () => buildMessage());
let next = 0;
function message(): MessageExtBrokerInner {
  return POOL[next++ & 4095]!;
}

function buildMessage(): MessageExtBrokerInner {
  const properties = { UNIQ_KEY: createUniqId(), TAGS: "TagA", WAIT: "true" };
  return {
    topic: "BenchTopic",
    queueId: 0,
    flag: 0,
    body: BODY,
    properties,
    propertiesString: encodeProperties(properties),
    tagsCode: 0,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 40000 },
    storeHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  };
}

interface StoreRun {
  msgs: number;
  bytes: number;
  secs: number;
  cpuMicrosPerMsg: number;
  writeCalls: number;
  syncCalls: number;
}

interface CeilingRun {
  secs: number;
  cpuMicrosPerMsg: number;
}

async function runStore(mode: Mode): Promise<StoreRun> {
  const root = await Deno.makeTempDir({ prefix: "rmq-bench-" });
  const store = new DefaultMessageStore({
    ...defaultsOf(MessageStoreConfigSchema),
    storePathRootDir: root,
    flushDiskType: mode,
    mappedFileSizeCommitLog: SEGMENT,
  });
  await store.start();
  let msgs = 0;
  let bytes = 0;
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // Like a server: each event-loop turn takes a burst of requests (a socket read's worth of frames), then
  // yields so acks, timers (the flush service) and sync callbacks run before the next burst.
  let inflight = 0;
  let failure: Error | null = null;
  let slotFreed: (() => void) | null = null;
  const burst = 64;
  const onAck = (r: PutMessageResult) => {
    inflight--;
    if (r.status !== "PUT_OK") failure = new Error(`Put failed: ${r.status} ${r.remark ?? ""}`);
    msgs++;
    bytes += r.wroteBytes;
    slotFreed?.();
  };
  while (performance.now() < end && !failure) {
    for (let i = 0; i < burst && inflight < concurrency; i++) {
      inflight++;
      store.putMessage(message()).then(onAck);
    }
    // Wait for the next event-loop turn, or (when every slot is taken) for an ack, without spinning.
    if (inflight >= concurrency) await new Promise<void>((res) => slotFreed = res);
    else await new Promise((res) => setImmediate(res));
    slotFreed = null;
  }
  while (inflight > 0) {
    await new Promise<void>((res) => slotFreed = res);
    slotFreed = null;
  }
  if (failure) throw failure;
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = store.getWriteStats();
  await store.shutdown();
  await Deno.remove(root, { recursive: true });
  return {
    msgs,
    bytes,
    secs,
    cpuMicrosPerMsg: (cpu.user + cpu.system) / msgs,
    writeCalls: stats.writeCalls,
    syncCalls: stats.syncCalls,
  };
}

function fdatasync(fd: number): Promise<void> {
  return new Promise((res, rej) => fs.fdatasync(fd, (e) => e ? rej(e) : res()));
}

/** The store run's bytes in its write batch size and sync cadence, straight to a preallocated segment. */
async function runCeiling(r: StoreRun, mode: Mode): Promise<CeilingRun> {
  const dir = await Deno.makeTempDir({ prefix: "rmq-bench-raw-" });
  const fd = fs.openSync(`${dir}/raw`, "w+");
  fs.ftruncateSync(fd, SEGMENT);
  const batch = Math.max(1, Math.round(r.bytes / Math.max(1, r.writeCalls)));
  const perSync = r.syncCalls > 0 ? Math.max(1, Math.round(r.bytes / r.syncCalls)) : Infinity;
  const buf = new Uint8Array(batch).fill(0x61);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let pos = 0;
  let sinceSync = 0;
  let background: Promise<void> | null = null;
  while (pos < r.bytes) {
    const n = Math.min(batch, r.bytes - pos);
    fs.writeSync(fd, buf, 0, n, pos % (SEGMENT - batch));
    pos += n;
    sinceSync += n;
    if (sinceSync < perSync) continue;
    sinceSync = 0;
    if (mode === "SYNC_FLUSH") {
      await fdatasync(fd);
    } else if (!background) {
      // The flush service's sync runs on the thread pool while appends go on; like the store, a tick that
      // finds a sync still running skips.
      background = fdatasync(fd).finally(() => background = null);
      await new Promise((res) => setImmediate(res));
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await background;
  fs.closeSync(fd);
  await Deno.remove(dir, { recursive: true });
  return { secs, cpuMicrosPerMsg: (cpu.user + cpu.system) / r.msgs };
}

interface Row {
  mode: Mode;
  rate: number;
  mbps: number;
  cpu: number;
  ceilRate: number;
  ceilCpu: number;
  ratio: number;
  kibPerWrite: number;
  msgsPerSync: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const HEADER = ["mode", "store msg/s", "MB/s", "CPU µs/msg", "ceiling msg/s", "ceil CPU µs/msg", "ratio"]
  .concat(["KiB/write", "msgs/sync"]);

function cells(label: string, r: Row): string[] {
  return [
    label,
    String(Math.round(r.rate)),
    r.mbps.toFixed(1),
    r.cpu.toFixed(2),
    String(Math.round(r.ceilRate)),
    r.ceilCpu.toFixed(2),
    `${(r.ratio * 100).toFixed(0)}%`,
    r.kibPerWrite.toFixed(1),
    r.msgsPerSync.toFixed(1),
  ];
}

function printRow(c: string[]): void {
  console.log(c.map((x, i) => i === 0 ? x.padEnd(18) : x.padStart(i === 4 ? 14 : 12)).join(" "));
}

printRow(HEADER);
for (const mode of modes) {
  const rows: Row[] = [];
  for (let i = 0; i < repetitions; i++) {
    const r = await runStore(mode);
    const c = await runCeiling(r, mode);
    const row: Row = {
      mode,
      rate: r.msgs / r.secs,
      mbps: r.bytes / r.secs / 1e6,
      cpu: r.cpuMicrosPerMsg,
      ceilRate: r.msgs / c.secs,
      ceilCpu: c.cpuMicrosPerMsg,
      ratio: c.secs / r.secs,
      kibPerWrite: r.bytes / Math.max(1, r.writeCalls) / 1024,
      msgsPerSync: r.msgs / Math.max(1, r.syncCalls),
    };
    rows.push(row);
    printRow(cells(`${mode} #${i + 1}`, row));
  }
  if (repetitions > 1) {
    const med = (k: keyof Omit<Row, "mode">) => median(rows.map((r) => r[k]));
    printRow(cells(`${mode} median`, {
      mode,
      rate: med("rate"),
      mbps: med("mbps"),
      cpu: med("cpu"),
      ceilRate: med("ceilRate"),
      ceilCpu: med("ceilCpu"),
      ratio: med("ratio"),
      kibPerWrite: med("kibPerWrite"),
      msgsPerSync: med("msgsPerSync"),
    }));
  }
}
