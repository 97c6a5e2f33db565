/**
 * Send-latency probes (operations.md §1.4.2): clusterRT measures every broker round after round until
 * killed (or, an rmq extension, for `--rounds` rounds) through the topic each broker registers under
 * its own name; sendMsgStatus probes one broker that way; checkMsgSendRT times sends to one topic.
 */
import type { AdminCommand } from "./command.ts";
import { opt } from "./options.ts";
import { javaFormat } from "./output.ts";
import { Producer, type SendResult } from "../client/mod.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import { messageQueueString } from "./running_info_view.ts";

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

/** A throwaway producer, its group named after the current time as upstream names it. */
async function startProbe(namesrvList: readonly string[]): Promise<Producer> {
  const producer = new Producer({ group: String(Date.now()), namesrvAddr: namesrvList.join(";") });
  await producer.start();
  return producer;
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
    const producer = await startProbe(admin.namesrvList);
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

/** SendResult's Java `toString()` (4.9). */
export function sendResultString(r: SendResult): string {
  return `SendResult [sendStatus=${r.sendStatus}, msgId=${r.msgId}, offsetMsgId=${r.offsetMsgId}, ` +
    `messageQueue=${messageQueueString(r.messageQueue)}, queueOffset=${r.queueOffset}]`;
}

/** sendMsgStatus. */
export const sendMsgStatus: AdminCommand = {
  name: "sendMsgStatus",
  group: "Cluster and brokers",
  description: "send msg to broker.",
  options: [
    opt("b", "brokerName", "Broker Name", true),
    opt("s", "messageSize", "Message Size, Default: 128"),
    opt("c", "count", "send message count, Default: 50"),
  ],
  async run({ opts, out, admin }) {
    const brokerName = opts.required("brokerName");
    const size = opts.int("messageSize", 128);
    const count = opts.int("count", 50);
    const producer = await startProbe(admin.namesrvList);
    const body = (n: number) => new TextEncoder().encode("a".repeat(Math.max(0, n)));
    try {
      // A small warm-up send first, as upstream, so the route lookup is not in the first timing.
      await producer.send({ topic: brokerName, body: body(16) });
      for (let i = 0; i < count; i++) {
        const begin = Date.now();
        const r = await producer.send({ topic: brokerName, body: body(size) });
        out.out(javaFormat("rt=%sms, SendResult=%s%n", Date.now() - begin, sendResultString(r)));
      }
    } finally {
      await producer.shutdown();
    }
    return 0;
  },
};

const RT_FMT = "%-32s  %-4s  %-20s    %s%n";

/** checkMsgSendRT. */
export const checkMsgSendRT: AdminCommand = {
  name: "checkMsgSendRT",
  group: "Cluster and brokers",
  description: "check message send response time",
  options: [
    opt("t", "topic", "topic name", true),
    opt("a", "amount", "message amount | default 100"),
    opt("s", "size", "message size | default 128 Byte"),
  ],
  async run({ opts, out, admin }) {
    const topic = opts.required("topic");
    const amount = opts.int("amount", 100);
    const body = new TextEncoder().encode("a".repeat(Math.max(0, opts.int("size", 128))));
    // Fail early with the name server's answer when the topic has no route.
    await admin.examineTopicRouteInfo(topic);
    const producer = await startProbe(admin.namesrvList);
    let last: MessageQueue | undefined;
    const roundRobin = (
      mqs: readonly MessageQueue[],
      _m: unknown,
      i: number,
    ) => (last = mqs[i % mqs.length]!);
    let elapsed = 0;
    let failures = 0;
    out.out(javaFormat(RT_FMT, "#Broker Name", "#QID", "#Send Result", "#RT"));
    try {
      for (let i = 0; i < amount; i++) {
        const start = Date.now();
        let ok = true;
        try {
          await producer.send({ topic, body }, roundRobin, i);
        } catch {
          ok = false;
          failures++;
        }
        const took = Date.now() - start;
        if (i !== 0) elapsed += took;
        out.out(javaFormat(RT_FMT, last?.brokerName ?? "null", last?.queueId ?? 0, ok, took));
      }
    } finally {
      await producer.shutdown();
    }
    out.out(javaFormat("Avg RT: %s%n", javaFormat("%.2f", elapsed / Math.max(1, amount - 1))));
    return failures > 0 ? 1 : 0;
  },
};
