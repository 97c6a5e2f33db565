/**
 * Cluster commands (operations.md §1.4.2): clusterList, and the send-latency probes of cluster_rt.ts
 * (clusterRT, sendMsgStatus, checkMsgSendRT).
 */
import type { AdminCommand, CommandContext } from "./command.ts";
import { flag, opt } from "./options.ts";
import { javaFormat, printJson } from "./output.ts";
import type { ClusterInfo } from "../protocol/cluster.ts";
import { checkMsgSendRT, clusterRT, sendMsgStatus } from "./cluster_rt.ts";

const BASE_FMT = "%-16s  %-22s  %-4s  %-22s %-16s %19s %19s %10s %5s %6s%n";
const MORE_FMT = "%-16s  %-32s %14s %14s %14s %14s%n";

/** Each (cluster, broker name, broker id, address), sorted as upstream's TreeSets sort them. */
function* members(info: ClusterInfo, only?: string): Generator<[string, string, number, string]> {
  for (const cluster of [...info.clusterAddrTable.keys()].sort()) {
    if (only !== undefined && cluster !== only) continue;
    for (const name of [...(info.clusterAddrTable.get(cluster) ?? [])].sort()) {
      const bd = info.brokerAddrTable.get(name);
      if (!bd) continue;
      for (const [id, addr] of [...bd.brokerAddrs].sort((a, b) => a[0] - b[0])) {
        yield [cluster, name, id, addr];
      }
    }
  }
}

/** Runtime stats, or undefined (and a note on stderr) when the broker does not answer. */
async function stats(ctx: CommandContext, addr: string): Promise<Map<string, string> | undefined> {
  try {
    return await ctx.admin.fetchBrokerRuntimeStats(addr);
  } catch (e) {
    ctx.out.err(`Cannot fetch runtime info of broker ${addr}: ${(e as Error).message}\n`);
    return undefined;
  }
}

function firstNumber(v: string | undefined): number {
  const n = Number((v ?? "").trim().split(" ")[0]);
  return Number.isFinite(n) ? n : 0;
}

async function printBase(ctx: CommandContext, info: ClusterInfo, only?: string): Promise<void> {
  ctx.out.out(
    javaFormat(
      BASE_FMT,
      "#Cluster Name",
      "#Broker Name",
      "#BID",
      "#Addr",
      "#Version",
      "#InTPS(LOAD)",
      "#OutTPS(LOAD)",
      "#PCWait(ms)",
      "#Hour",
      "#SPACE",
    ),
  );
  for (const [cluster, name, id, addr] of members(info, only)) {
    const fetched = await stats(ctx, addr);
    const kv = fetched ?? new Map<string, string>();
    // Like upstream: blank cells when the broker did not answer, "null" for keys its answer lacks.
    const get = (k: string) => fetched ? (kv.get(k) ?? "null") : "";
    const earliest = Number(kv.get("earliestMessageTimeStamp"));
    const hour = kv.get("earliestMessageTimeStamp") && Number.isFinite(earliest)
      ? (Date.now() - earliest) / 3_600_000
      : 0;
    const space = firstNumber(kv.get("commitLogDiskRatio"));
    ctx.out.out(javaFormat(
      BASE_FMT,
      cluster,
      name,
      id,
      addr,
      get("brokerVersionDesc"),
      javaFormat(
        "%9.2f(%s,%sms)",
        firstNumber(kv.get("putTps")),
        get("sendThreadPoolQueueSize"),
        get("sendThreadPoolQueueHeadWaitTimeMills"),
      ),
      javaFormat(
        "%9.2f(%s,%sms)",
        firstNumber(kv.get("getTransferedTps")),
        get("pullThreadPoolQueueSize"),
        get("pullThreadPoolQueueHeadWaitTimeMills"),
      ),
      get("pageCacheLockTimeMills"),
      javaFormat("%2.2f", hour),
      javaFormat("%.4f", space),
    ));
  }
}

async function printMoreStats(ctx: CommandContext, info: ClusterInfo, only?: string): Promise<void> {
  ctx.out.out(
    javaFormat(
      MORE_FMT,
      "#Cluster Name",
      "#Broker Name",
      "#InTotalYest",
      "#OutTotalYest",
      "#InTotalToday",
      "#OutTotalToday",
    ),
  );
  for (const [cluster, name, , addr] of members(info, only)) {
    const kv = await stats(ctx, addr);
    const n = (k: string) => firstNumber(kv?.get(k));
    ctx.out.out(javaFormat(
      MORE_FMT,
      cluster,
      name,
      javaFormat("%d", n("msgPutTotalTodayMorning") - n("msgPutTotalYesterdayMorning")),
      javaFormat("%d", n("msgGetTotalTodayMorning") - n("msgGetTotalYesterdayMorning")),
      javaFormat("%d", n("msgPutTotalTodayNow") - n("msgPutTotalTodayMorning")),
      javaFormat("%d", n("msgGetTotalTodayNow") - n("msgGetTotalTodayMorning")),
    ));
  }
}

/** `--json`: one entry per broker address with its raw runtime table (null when it did not answer). */
async function printClusterJson(ctx: CommandContext, info: ClusterInfo, only?: string): Promise<void> {
  const rows = [];
  for (const [cluster, brokerName, brokerId, addr] of members(info, only)) {
    const runtime = await stats(ctx, addr);
    rows.push({ cluster, brokerName, brokerId, addr, runtime: runtime ?? null });
  }
  printJson(ctx.out, rows);
}

const clusterList: AdminCommand = {
  name: "clusterList",
  group: "Cluster and brokers",
  description: "List cluster infos",
  options: [
    flag("m", "moreStats", "Print more stats"),
    opt("i", "interval", "specify intervals numbers, it is in seconds"),
    opt("c", "clusterName", "which cluster"),
  ],
  json: true,
  async run(ctx) {
    const interval = ctx.opts.int("interval", 0);
    const only = ctx.opts.get("clusterName");
    for (;;) {
      const info = await ctx.admin.examineBrokerClusterInfo();
      if (ctx.opts.has("json")) await printClusterJson(ctx, info, only);
      else if (ctx.opts.has("moreStats")) await printMoreStats(ctx, info, only);
      else await printBase(ctx, info, only);
      if (interval <= 0) return 0;
      await new Promise((r) => setTimeout(r, interval * 1000));
    }
  },
};

/** Commands of the "Cluster and brokers" group that read cluster-wide state. */
export const CLUSTER_COMMANDS: AdminCommand[] = [clusterList, clusterRT, sendMsgStatus, checkMsgSendRT];
