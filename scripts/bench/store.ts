/**
 * Store append benchmark: 1 KiB messages in ASYNC_FLUSH and SYNC_FLUSH modes, each compared with the raw
 * ceiling of writing the same bytes in the same batch sizes (write() per batch, fdatasync per sync batch)
 * without any store logic. Prints figures only.
 *
 * Usage: deno run -A scripts/bench/store.ts [seconds-per-mode=3] [concurrency=256] [ASYNC_FLUSH,SYNC_FLUSH]
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

const seconds = Number(Deno.args[0] ?? 3);
const concurrency = Number(Deno.args[1] ?? 256);
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

interface ModeResult {
  msgs: number;
  bytes: number;
  secs: number;
  cpuMicrosPerMsg: number;
  writeCalls: number;
  syncCalls: number;
}

async function runStore(mode: "ASYNC_FLUSH" | "SYNC_FLUSH"): Promise<ModeResult> {
  const root = await Deno.makeTempDir({ prefix: "rmq-bench-" });
  const store = new DefaultMessageStore({
    ...defaultsOf(MessageStoreConfigSchema),
    storePathRootDir: root,
    flushDiskType: mode,
    mappedFileSizeCommitLog: 1024 * 1024 * 1024,
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

/** The same byte volume in the same batch sizes, straight to a preallocated file. */
async function runRaw(r: ModeResult, syncEveryBatch: boolean): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "rmq-bench-raw-" });
  const path = `${dir}/raw`;
  const fd = fs.openSync(path, "w+");
  fs.ftruncateSync(fd, 1024 * 1024 * 1024);
  const batch = Math.max(1, Math.round(r.bytes / Math.max(1, r.writeCalls)));
  const perSync = syncEveryBatch ? Math.max(1, Math.round(r.bytes / Math.max(1, r.syncCalls))) : Infinity;
  const buf = new Uint8Array(batch).fill(0x61);
  const t0 = performance.now();
  let pos = 0;
  let sinceSync = 0;
  while (pos < r.bytes) {
    const n = Math.min(batch, r.bytes - pos);
    fs.writeSync(fd, buf, 0, n, pos % (1024 * 1024 * 1024 - batch));
    pos += n;
    sinceSync += n;
    if (sinceSync >= perSync) {
      await new Promise<void>((res, rej) => fs.fdatasync(fd, (e) => e ? rej(e) : res()));
      sinceSync = 0;
    }
  }
  fs.fdatasyncSync(fd);
  const secs = (performance.now() - t0) / 1000;
  fs.closeSync(fd);
  await Deno.remove(dir, { recursive: true });
  return secs;
}

const modes = (Deno.args[2] ?? "ASYNC_FLUSH,SYNC_FLUSH").split(",") as ("ASYNC_FLUSH" | "SYNC_FLUSH")[];
for (const mode of modes) {
  const r = await runStore(mode);
  const rawSecs = await runRaw(r, mode === "SYNC_FLUSH");
  const rate = r.msgs / r.secs;
  const rawRate = r.msgs / rawSecs;
  console.log(
    `${mode}: ${Math.round(rate)} msg/s, ${(r.bytes / r.secs / 1e6).toFixed(1)} MB/s ` +
      `(${r.msgs} msgs, ${(r.bytes / Math.max(1, r.writeCalls) / 1024).toFixed(1)} KiB/write, ` +
      `${(r.msgs / Math.max(1, r.syncCalls)).toFixed(1)} msgs/sync, ${
        r.cpuMicrosPerMsg.toFixed(1)
      } µs CPU/msg) | raw ceiling ${Math.round(rawRate)} msg/s | ` +
      `ratio ${((rate / rawRate) * 100).toFixed(0)}%`,
  );
}
