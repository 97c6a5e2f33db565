/** Broker commands (operations.md §1.4.2): brokerStatus, getBrokerConfig, updateBrokerConfig. */
import type { AdminCommand, CommandContext } from "./command.ts";
import { opt } from "./options.ts";
import { humanTime, javaFormat, printJson } from "./output.ts";
import { compareMessageQueue } from "../client/allocate.ts";
import { masterAddrsOfCluster, mastersAndSlavesOfCluster } from "./cluster_util.ts";
import { needBrokerOrCluster } from "./topic.ts";
import { RequestCode } from "../remoting/request_code.ts";

async function printRuntimeStats(ctx: CommandContext, addr: string, withAddr: boolean): Promise<void> {
  const kv = await ctx.admin.fetchBrokerRuntimeStats(addr);
  if (ctx.opts.has("json")) {
    printJson(ctx.out, { addr, runtime: Object.fromEntries([...kv].sort((a, b) => (a[0] < b[0] ? -1 : 1))) });
    return;
  }
  for (const [k, v] of [...kv].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    ctx.out.out(withAddr ? javaFormat("%-24s %-32s: %s%n", addr, k, v) : javaFormat("%-32s: %s%n", k, v));
  }
}

const brokerStatus: AdminCommand = {
  name: "brokerStatus",
  group: "Cluster and brokers",
  description: "Fetch broker runtime status data",
  options: [opt("b", "brokerAddr", "Broker address"), opt("c", "clusterName", "which cluster")],
  json: true,
  async run(ctx) {
    const brokerAddr = ctx.opts.get("brokerAddr");
    const cluster = ctx.opts.get("clusterName");
    if (brokerAddr !== undefined) {
      await printRuntimeStats(ctx, brokerAddr, false);
      return 0;
    }
    if (cluster === undefined) return needBrokerOrCluster(ctx.out, "brokerStatus");
    const groups = mastersAndSlavesOfCluster(await ctx.admin.examineBrokerClusterInfo(), cluster, ctx.out);
    let failed = 0;
    for (const [master, slaves] of groups) {
      for (const addr of [master, ...slaves]) {
        try {
          await printRuntimeStats(ctx, addr, true);
        } catch (e) {
          failed++;
          ctx.out.err(`Cannot fetch runtime info of broker ${addr}: ${(e as Error).message}\n`);
        }
      }
    }
    return failed === 0 ? 0 : 1;
  },
};

async function printConfig(ctx: CommandContext, banner: string, addr: string): Promise<void> {
  ctx.out.out(banner);
  const props = await ctx.admin.getBrokerConfig(addr);
  if (props.size === 0) {
    ctx.out.out(javaFormat("Broker[%s] has no config property!\n", addr));
    return;
  }
  for (const [k, v] of props) ctx.out.out(javaFormat("%-50s=  %s\n", k, v));
  ctx.out.out("\n");
}

const getBrokerConfig: AdminCommand = {
  name: "getBrokerConfig",
  group: "Cluster and brokers",
  description: "Get broker config by cluster or special broker!",
  options: [opt("b", "brokerAddr", "get which broker"), opt("c", "clusterName", "get which cluster")],
  async run(ctx) {
    const brokerAddr = ctx.opts.get("brokerAddr");
    const cluster = ctx.opts.get("clusterName");
    if (brokerAddr !== undefined) {
      await printConfig(ctx, javaFormat("============%s============\n", brokerAddr), brokerAddr);
      return 0;
    }
    if (cluster === undefined) return needBrokerOrCluster(ctx.out, "getBrokerConfig");
    for (
      const [master, slaves] of mastersAndSlavesOfCluster(
        await ctx.admin.examineBrokerClusterInfo(),
        cluster,
        ctx.out,
      )
    ) {
      await printConfig(ctx, javaFormat("============Master: %s============\n", master), master);
      for (const s of slaves) {
        await printConfig(
          ctx,
          javaFormat("============My Master: %s=====Slave: %s============\n", master, s),
          s,
        );
      }
    }
    return 0;
  },
};

const updateBrokerConfig: AdminCommand = {
  name: "updateBrokerConfig",
  group: "Cluster and brokers",
  description: "Update broker's config",
  options: [
    opt("b", "brokerAddr", "update which broker"),
    opt("c", "clusterName", "update which cluster"),
    opt("k", "key", "config key", true),
    opt("v", "value", "config value", true),
  ],
  async run({ opts, out, admin }) {
    const props = new Map([[opts.required("key"), opts.required("value")]]);
    const brokerAddr = opts.get("brokerAddr");
    const cluster = opts.get("clusterName");
    if (brokerAddr !== undefined) {
      await admin.updateBrokerConfig(brokerAddr, props);
      out.out(javaFormat("update broker config success, %s\n", brokerAddr));
      return 0;
    }
    if (cluster === undefined) return needBrokerOrCluster(out, "updateBrokerConfig");
    let failed = 0;
    for (const addr of masterAddrsOfCluster(await admin.examineBrokerClusterInfo(), cluster, out)) {
      try {
        await admin.updateBrokerConfig(addr, props);
        out.out(javaFormat("update broker config success, %s\n", addr));
      } catch (e) {
        failed++;
        out.err(`update broker config failed, ${addr}: ${(e as Error).message}\n`);
      }
    }
    return failed === 0 ? 0 : 1;
  },
};

const brokerConsumeStats: AdminCommand = {
  name: "brokerConsumeStats",
  group: "Cluster and brokers",
  description: "Fetch broker consume stats data",
  options: [
    opt("b", "brokerAddr", "Broker address", true),
    opt("t", "timeoutMillis", "request timeout Millis"),
    opt("l", "level", "threshold of print diff"),
    opt("o", "order", "order topic"),
  ],
  async run({ opts, out, admin }) {
    const list = await admin.fetchConsumeStatsInBroker(
      opts.required("brokerAddr"),
      opts.bool("order", false),
      opts.int("timeoutMillis", 50_000),
    );
    const level = opts.int("level", 0);
    const fmt = "%-64s  %-64s  %-32s  %-4s  %-20s  %-20s  %-20s  %s%n";
    out.out(
      javaFormat(
        fmt,
        "#Topic",
        "#Group",
        "#Broker Name",
        "#QID",
        "#Broker Offset",
        "#Consumer Offset",
        "#Diff",
        "#LastTime",
      ),
    );
    for (const { group, offsetTable } of list.stats) {
      for (const [mq, w] of [...offsetTable].sort(([a], [b]) => compareMessageQueue(a, b))) {
        const diff = w.brokerOffset - w.consumerOffset;
        if (diff < level || w.lastTimestamp <= 0) continue;
        out.out(javaFormat(
          "%-64s  %-64s  %-32s  %-4d  %-20d  %-20d  %-20d  %s%n",
          mq.topic.slice(0, 64),
          group,
          mq.brokerName.slice(0, 32),
          mq.queueId,
          w.brokerOffset,
          w.consumerOffset,
          diff,
          humanTime(w.lastTimestamp, false),
        ));
      }
    }
    out.out(javaFormat("%nDiff Total: %d%n", list.totalDiff));
    return 0;
  },
};

/** cleanExpiredCQ / cleanUnusedTopic / deleteExpiredCommitLog: one request to one broker or every master. */
function maintenanceCommand(name: string, code: number, description: string): AdminCommand {
  return {
    name,
    group: "Cluster and brokers",
    description,
    options: [opt("b", "brokerAddr", "Broker address"), opt("c", "cluster", "clustername")],
    async run({ opts, out, admin }) {
      const brokerAddr = opts.get("brokerAddr");
      let addrs: string[];
      if (brokerAddr !== undefined) addrs = [brokerAddr];
      else {
        const info = await admin.examineBrokerClusterInfo();
        const only = opts.get("cluster");
        const clusters = only === undefined ? [...info.clusterAddrTable.keys()] : [only];
        addrs = clusters.flatMap((c) => masterAddrsOfCluster(info, c, out));
      }
      let ok = true;
      for (const addr of addrs) ok = (await admin.brokerMaintenance(addr, code)) && ok;
      out.out(ok ? "success" : "false");
      return ok ? 0 : 1;
    },
  };
}

/** Commands of the "Cluster and brokers" group that talk to brokers. */
export const BROKER_COMMANDS: AdminCommand[] = [
  brokerStatus,
  getBrokerConfig,
  updateBrokerConfig,
  brokerConsumeStats,
  maintenanceCommand(
    "cleanExpiredCQ",
    RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE,
    "Clean expired ConsumeQueue on broker.",
  ),
  maintenanceCommand("cleanUnusedTopic", RequestCode.CLEAN_UNUSED_TOPIC, "Clean unused topic on broker."),
  maintenanceCommand(
    "deleteExpiredCommitLog",
    RequestCode.DELETE_EXPIRED_COMMITLOG,
    "Delete expired CommitLog files",
  ),
];
