/**
 * clusterRT (operations.md §1.4.2): measures send latency to every broker by sending test messages to
 * the topic each broker registers under its own name, round after round until killed (or, an rmq
 * extension, for `--rounds` rounds).
 */
import type { AdminCommand } from "./command.ts";
import { opt } from "./options.ts";
import { javaFormat } from "./output.ts";
import { Producer } from "../client/mod.ts";

/** `yyyy-MM-dd HH:mm:ss` in GMT+8, the zone upstream's log mode always prints in. */
export function gmt8Time(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** One broker's round: mean RT in ms over all sends but the first (which pays for route lookups). */
export interface RtSample {
  rt: number;
  successCount: number;
  failCount: number;
}

/** Sends `amount` messages of `body` to `topic` one after another, timing each. */
async function measure(
  producer: Producer,
  topic: string,
  body: Uint8Array,
  amount: number,
): Promise<RtSample> {
  let elapsed = 0;
  let successCount = 0;
  let failCount = 0;
  for (let i = 0; i < amount; i++) {
    const start = Date.now();
    try {
      await producer.send({ topic, body });
      successCount++;
    } catch {
      failCount++;
    }
    if (i !== 0) elapsed += Date.now() - start;
  }
  return { rt: elapsed / Math.max(1, amount - 1), successCount, failCount };
}

/** clusterRT. */
export const clusterRT: AdminCommand = {
  name: "clusterRT",
  group: "Cluster and brokers",
  description: "List All clusters Message Send RT",
  options: [
    opt("a", "amount", "message amount | default 100"),
    opt("s", "size", "message size | default 128 Byte"),
    opt("c", "cluster", "cluster name | default display all cluster"),
    opt("p", "printLog", "print as tlog | default false"),
    opt("m", "machineRoom", "machine room name | default noname"),
    opt("i", "interval", "print interval | default 10 seconds"),
    opt("", "rounds", "Stop after this many rounds (rmq extension; default: run until killed)"),
  ],
  async run({ opts, out, admin }) {
    const amount = opts.int("amount", 100);
    const size = opts.int("size", 128);
    const interval = opts.int("interval", 10);
    const rounds = opts.int("rounds", 0);
    const printAsLog = opts.bool("printLog", false);
    const room = opts.get("machineRoom") ?? "noname";
    const only = opts.get("cluster");
    const info = await admin.examineBrokerClusterInfo();
    const clusters = only !== undefined ? [only] : [...info.clusterAddrTable.keys()];
    const body = new TextEncoder().encode("a".repeat(Math.max(0, size)));
    if (!printAsLog) {
      out.out(
        javaFormat(
          "%-24s  %-24s  %-4s  %-8s  %-8s%n",
          "#Cluster Name",
          "#Broker Name",
          "#RT",
          "#successCount",
          "#failCount",
        ),
      );
    }
    // Upstream names the throwaway producer group after the current time.
    const producer = new Producer({ group: String(Date.now()), namesrvAddr: admin.namesrvList.join(";") });
    await producer.start();
    let failed = false;
    try {
      for (let round = 1;; round++) {
        for (const cluster of clusters) {
          const brokerNames = info.clusterAddrTable.get(cluster);
          if (!brokerNames) {
            out.out(javaFormat("cluster [%s] not exist%n", cluster));
            return 1;
          }
          for (const brokerName of brokerNames) {
            const s = await measure(producer, brokerName, body, amount);
            if (s.failCount > 0) failed = true;
            out.out(
              printAsLog
                ? javaFormat(
                  "%s|%s|%s|%s|%d%n",
                  gmt8Time(Date.now()),
                  room,
                  cluster,
                  brokerName,
                  Math.round(s.rt),
                )
                : javaFormat(
                  "%-24s  %-24s  %-8s  %-16s  %-16s%n",
                  cluster,
                  brokerName,
                  javaFormat("%.2f", s.rt),
                  s.successCount,
                  s.failCount,
                ),
            );
          }
        }
        if (rounds > 0 && round >= rounds) break;
        await new Promise((r) => setTimeout(r, Math.max(0, interval) * 1000));
      }
    } finally {
      await producer.shutdown();
    }
    return failed ? 1 : 0;
  },
};
