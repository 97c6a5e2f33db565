/**
 * Store-level backlog drain harness (not a test): fills a store with N records of 1 KiB spread round-robin
 * over Q queues, then reopens it and drains every queue with getMessage in batches of 32, reporting msgs/s,
 * CPU µs per message and memory.
 *
 *   deno run -A tests/store/bench/drain_harness.ts prepare /tmp/rmq-drain 1000000 4
 *   deno run -A tests/store/bench/drain_harness.ts drain /tmp/rmq-drain 4
 *   deno run -A tests/store/bench/drain_harness.ts fill-drain /tmp/rmq-drain 1000000 4   # warm tail cache
 *
 * RELEASE=0 drains without calling `release()` on the results (the broker's behaviour before it adopts it).
 */
import { defaultsOf } from "../../../src/config/schema.ts";
import { MessageStoreConfigSchema } from "../../../src/config/store_config.ts";
import { DefaultMessageStore } from "../../../src/store/message_store.ts";
import process from "node:process";
import { makeMsg } from "../helpers.ts";

const [mode, root = "/tmp/rmq-drain", a = "1000000", b = "4"] = Deno.args;
const TOPIC = "DrainTopic";
const release = Deno.env.get("RELEASE") !== "0";

function config(dir: string) {
  return { ...defaultsOf(MessageStoreConfigSchema), storePathRootDir: dir, cleanResourceInterval: 3_600_000 };
}

const mib = (n: number) => (n / 1048576).toFixed(1);

/** Puts `total` 1 KiB records round-robin over `queues` queues, each with a key and a unique key. */
async function fill(store: DefaultMessageStore, total: number, queues: number): Promise<void> {
  const body = new Uint8Array(1024).fill(97);
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const m = makeMsg(TOPIC, i % queues, body, { tags: "TagA", keys: `k${i}` });
    m.properties["UNIQ_KEY"] = `U${i}`;
    pending.push(store.putMessage(m));
    if (pending.length >= 1024) {
      await Promise.all(pending);
      pending.length = 0;
      // Acks resolve in microtasks: yield like a broker's socket loop does, so the flush timers run.
      await new Promise((r) => setTimeout(r, 0));
    }
  }
  await Promise.all(pending);
}

if (mode === "prepare") {
  const total = Number(a), queues = Number(b);
  await Deno.remove(root, { recursive: true }).catch(() => {});
  const store = new DefaultMessageStore(config(root));
  await store.start();
  const t0 = performance.now();
  await fill(store, total, queues);
  const ms = performance.now() - t0;
  await store.shutdown();
  console.log(
    `prepared ${total} records over ${queues} queues in ${root}: ${Math.round(total / ms * 1000)} msg/s`,
  );
} else if (mode === "fill-drain") {
  // Broker-like: the drain follows the writes in one process, so the hot tail cache is full.
  const total = Number(a), queues = Number(b);
  await Deno.remove(root, { recursive: true }).catch(() => {});
  const store = new DefaultMessageStore(config(root));
  await store.start();
  await fill(store, total, queues);
  await drainAll(store, queues);
  await store.shutdown();
  await Deno.remove(root, { recursive: true });
} else if (mode === "drain") {
  const store = new DefaultMessageStore(config(root));
  await store.start();
  await drainAll(store, Number(a));
  await store.shutdown();
} else {
  console.error(`Unknown mode "${mode}": use prepare or drain`);
  Deno.exit(2);
}

/** Drains every queue from offset 0 in batches of 32 and prints the figures as one JSON line. */
async function drainAll(store: DefaultMessageStore, queues: number): Promise<void> {
  const offsets = new Array<number>(queues).fill(0);
  let msgs = 0, bytes = 0, peakRss = 0, peakExt = 0, peakHeap = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let active = queues;
  let calls = 0;
  while (active > 0) {
    active = 0;
    for (let q = 0; q < queues; q++) {
      const r = await store.getMessage("G", TOPIC, q, offsets[q]!, 32, 4 * 1024 * 1024);
      if (r.status !== "FOUND") continue;
      active++;
      // Stand-in for the broker's frame copy: touch every byte once.
      let sum = 0;
      for (const rec of r.records) sum += rec[rec.length - 1]!;
      if (sum < 0) console.log(sum);
      msgs += r.messageCount;
      bytes += r.bufferTotalSize;
      if (release) r.release?.();
      offsets[q] = r.nextBeginOffset;
      if (++calls % 2000 === 0) {
        const m = Deno.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakExt = Math.max(peakExt, m.external);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const m = Deno.memoryUsage();
  console.log(JSON.stringify({
    msgs,
    mbytes: +mib(bytes),
    msgsPerSec: Math.round(msgs / ms * 1000),
    cpuUsPerMsg: +((cpu.user + cpu.system) / msgs).toFixed(2),
    peakRssMiB: +mib(Math.max(peakRss, m.rss)),
    peakExternalMiB: +mib(peakExt),
    peakHeapUsedMiB: +mib(peakHeap),
  }));
}
