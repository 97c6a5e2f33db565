/**
 * Subscription group and consumer commands (operations.md §1.4.3): updateSubGroup, deleteSubGroup,
 * consumerProgress, consumerConnection, consumerStatus (in consumer_status.ts), getConsumerConfig.
 */
import type { AdminCommand } from "./command.ts";
import { AdminError, type MQAdminExt, selectBrokerAddr } from "./admin_ext.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import type { AdminOutput } from "./output.ts";
import { opt } from "./options.ts";
import { humanTime, javaFormat, printJson } from "./output.ts";
import { versionDesc } from "./version.ts";
import { consumerStatus } from "./consumer_status.ts";
import { masterAddrsOfCluster } from "./cluster_util.ts";
import { deleteTopicInCluster, needBrokerOrCluster } from "./topic.ts";
import {
  type SubscriptionGroupConfig,
  subscriptionGroupConfig,
} from "../protocol/bodies/subscription_group.ts";

/** SubscriptionGroupConfig's Java `toString()`, which updateSubGroup prints. */
export function subscriptionGroupString(g: SubscriptionGroupConfig): string {
  return `SubscriptionGroupConfig [groupName=${g.groupName}, consumeEnable=${g.consumeEnable}, ` +
    `consumeFromMinEnable=${g.consumeFromMinEnable}, consumeBroadcastEnable=${g.consumeBroadcastEnable}, ` +
    `retryQueueNums=${g.retryQueueNums}, retryMaxTimes=${g.retryMaxTimes}, brokerId=${g.brokerId}, ` +
    `whichBrokerWhenConsumeSlowly=${g.whichBrokerWhenConsumeSlowly}, ` +
    `notifyConsumerIdsChangedEnable=${g.notifyConsumerIdsChangedEnable}]`;
}

const updateSubGroup: AdminCommand = {
  name: "updateSubGroup",
  group: "Subscription groups and consumers",
  description: "Update or create subscription group",
  options: [
    opt("b", "brokerAddr", "create subscription group to which broker"),
    opt("c", "clusterName", "create subscription group to which cluster"),
    opt("g", "groupName", "consumer group name", true),
    opt("s", "consumeEnable", "consume enable"),
    opt("m", "consumeFromMinEnable", "from min offset"),
    opt("d", "consumeBroadcastEnable", "broadcast"),
    opt("q", "retryQueueNums", "retry queue nums"),
    opt("r", "retryMaxTimes", "retry max times"),
    opt("i", "brokerId", "consumer from which broker id"),
    opt("w", "whichBrokerWhenConsumeSlowly", "which broker id when consume slowly"),
    opt("a", "notifyConsumerIdsChanged", "notify consumerId changed"),
  ],
  async run({ opts, out, admin }) {
    // The tool's own defaults differ from the broker's for two flags (operations.md §1.4.3).
    const g = subscriptionGroupConfig(opts.required("groupName"), {
      consumeEnable: opts.bool("consumeEnable", true),
      consumeFromMinEnable: opts.bool("consumeFromMinEnable", false),
      consumeBroadcastEnable: opts.bool("consumeBroadcastEnable", false),
      retryQueueNums: opts.int("retryQueueNums", 1),
      retryMaxTimes: opts.int("retryMaxTimes", 16),
      brokerId: opts.int("brokerId", 0),
      whichBrokerWhenConsumeSlowly: opts.int("whichBrokerWhenConsumeSlowly", 1),
      notifyConsumerIdsChangedEnable: opts.bool("notifyConsumerIdsChanged", true),
    });
    const brokerAddr = opts.get("brokerAddr");
    const cluster = opts.get("clusterName");
    let addrs: string[];
    if (brokerAddr !== undefined) addrs = [brokerAddr];
    else if (cluster !== undefined) {
      addrs = masterAddrsOfCluster(await admin.examineBrokerClusterInfo(), cluster, out);
    } else return needBrokerOrCluster(out, "updateSubGroup");
    for (const addr of addrs) {
      await admin.createAndUpdateSubscriptionGroupConfig(addr, g);
      out.out(javaFormat("create subscription group to %s success.%n", addr));
    }
    out.out(subscriptionGroupString(g));
    return 0;
  },
};

const deleteSubGroup: AdminCommand = {
  name: "deleteSubGroup",
  group: "Subscription groups and consumers",
  description: "Delete subscription group from broker.",
  options: [
    opt("b", "brokerAddr", "delete subscription group from which broker"),
    opt("c", "clusterName", "delete subscription group from which cluster"),
    opt("g", "groupName", "subscription group name", true),
    opt("r", "removeOffset", "remove offset"),
  ],
  async run({ opts, out, admin }) {
    const group = opts.required("groupName");
    const removeOffset = opts.bool("removeOffset", false);
    const brokerAddr = opts.get("brokerAddr");
    const cluster = opts.get("clusterName");
    if (brokerAddr !== undefined) {
      await admin.deleteSubscriptionGroup(brokerAddr, group, removeOffset);
      out.out(javaFormat("delete subscription group [%s] from broker [%s] success.%n", group, brokerAddr));
      return 0;
    }
    if (cluster === undefined) return needBrokerOrCluster(out, "deleteSubGroup");
    for (const addr of masterAddrsOfCluster(await admin.examineBrokerClusterInfo(), cluster, out)) {
      await admin.deleteSubscriptionGroup(addr, group, removeOffset);
      out.out(
        javaFormat(
          "delete subscription group [%s] from broker [%s] in cluster [%s] success.%n",
          group,
          addr,
          cluster,
        ),
      );
    }
    // As upstream: the group's retry and DLQ topics go too; failures there are not the command's failure.
    for (const topic of [`%RETRY%${group}`, `%DLQ%${group}`]) {
      try {
        await deleteTopicInCluster(admin, out, cluster, topic);
      } catch {
        // The topic may never have existed.
      }
    }
    return 0;
  },
};

const compareMq = (a: { topic: string; brokerName: string; queueId: number }, b: typeof a) =>
  a.topic.localeCompare(b.topic) || a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId;

const consumerProgress: AdminCommand = {
  name: "consumerProgress",
  group: "Subscription groups and consumers",
  description: "Query consumers's progress, speed",
  options: [
    opt("g", "groupName", "consumer group name"),
    opt("s", "showClientIP", "Show Client IP per Queue"),
  ],
  json: true,
  async run({ opts, out, admin }) {
    const group = opts.get("groupName");
    if (group === undefined) return await printAllGroups(admin, out);
    const stats = await admin.examineConsumeStats(group);
    if (opts.has("json")) {
      const queues = [...stats.offsetTable].sort(([a], [b]) => compareMq(a, b)).map(([mq, w]) => ({
        ...mq,
        ...w,
        diff: w.brokerOffset - w.consumerOffset,
      }));
      const diffTotal = queues.reduce((n, q) => n + q.diff, 0);
      printJson(out, { group, consumeTps: stats.consumeTps, diffTotal, queues });
      return 0;
    }
    const showIp = opts.bool("showClientIP", false);
    const owners = new Map<string, string>();
    if (showIp) {
      try {
        const cc = await admin.examineConsumerConnectionInfo(group);
        // Without asking each client for its running info, the owner is only known when there is one client.
        if (cc.connectionSet.length === 1) owners.set("*", cc.connectionSet[0]!.clientAddr);
      } catch {
        // No client online: the column stays "N/A".
      }
    }
    out.out(
      showIp
        ? javaFormat(
          "%-64s  %-32s  %-4s  %-20s  %-20s  %-20s %-20s  %s%n",
          "#Topic",
          "#Broker Name",
          "#QID",
          "#Broker Offset",
          "#Consumer Offset",
          "#Client IP",
          "#Diff",
          "#LastTime",
        )
        : javaFormat(
          "%-64s  %-32s  %-4s  %-20s  %-20s  %-20s  %s%n",
          "#Topic",
          "#Broker Name",
          "#QID",
          "#Broker Offset",
          "#Consumer Offset",
          "#Diff",
          "#LastTime",
        ),
    );
    let diffTotal = 0;
    for (const [mq, w] of [...stats.offsetTable].sort(([a], [b]) => compareMq(a, b))) {
      const diff = w.brokerOffset - w.consumerOffset;
      diffTotal += diff;
      const last = w.lastTimestamp === 0 ? "N/A" : humanTime(w.lastTimestamp, false);
      const topic = mq.topic.slice(0, 64);
      const broker = mq.brokerName.slice(0, 32);
      out.out(
        showIp
          ? javaFormat(
            "%-64s  %-32s  %-4d  %-20d  %-20d  %-20s %-20d  %s%n",
            topic,
            broker,
            mq.queueId,
            w.brokerOffset,
            w.consumerOffset,
            owners.get("*") ?? "N/A",
            diff,
            last,
          )
          : javaFormat(
            "%-64s  %-32s  %-4d  %-20d  %-20d  %-20d  %s%n",
            topic,
            broker,
            mq.queueId,
            w.brokerOffset,
            w.consumerOffset,
            diff,
            last,
          ),
      );
    }
    out.out(javaFormat("%n"));
    out.out(javaFormat("Consume TPS: %.2f%n", stats.consumeTps));
    out.out(javaFormat("Diff Total: %d%n", diffTotal));
    return 0;
  },
};

/** consumerProgress without -g: one summary line per group found through its %RETRY% topic. */
async function printAllGroups(admin: MQAdminExt, out: AdminOutput): Promise<number> {
  const fmt = "%-64s  %-6s  %-24s %-5s  %-14s  %-7s  %s%n";
  out.out(javaFormat(fmt, "#Group", "#Count", "#Version", "#Type", "#Model", "#TPS", "#Diff Total"));
  const topics = (await admin.fetchAllTopicList()).topicList.filter((t) => t.startsWith("%RETRY%")).sort();
  for (const topic of topics) {
    const group = topic.slice("%RETRY%".length);
    let count = 0;
    let version = "OFFLINE";
    let type = "";
    let model = "";
    let tps = 0;
    let diff = 0;
    try {
      const stats = await admin.examineConsumeStats(group);
      tps = stats.consumeTps;
      for (const [, w] of stats.offsetTable) diff += w.brokerOffset - w.consumerOffset;
    } catch {
      // A group that never consumed has no stats; it is still listed.
    }
    try {
      const cc = await admin.examineConsumerConnectionInfo(group);
      count = cc.connectionSet.length;
      version = versionDesc(Math.min(...cc.connectionSet.map((c) => c.version)));
      type = cc.consumeType === "CONSUME_PASSIVELY" ? "PUSH" : "PULL";
      model = cc.messageModel;
    } catch {
      // Offline group.
    }
    out.out(
      javaFormat(
        "%-64s  %-6d  %-24s %-5s  %-14s  %-7d  %d%n",
        group.slice(0, 64),
        count,
        version,
        type,
        model,
        tps,
        diff,
      ),
    );
  }
  return 0;
}

const consumerConnection: AdminCommand = {
  name: "consumerConnection",
  group: "Subscription groups and consumers",
  description: "Query consumer's socket connection, client version and subscription",
  options: [opt("g", "consumerGroup", "consumer group name", true), opt("b", "brokerAddr", "broker address")],
  async run({ opts, out, admin }) {
    const cc = await admin.examineConsumerConnectionInfo(
      opts.required("consumerGroup"),
      opts.get("brokerAddr"),
    );
    out.out(javaFormat("%-36s %-22s %-10s %s%n", "#ClientId", "#ClientAddr", "#Language", "#Version"));
    for (const c of cc.connectionSet) {
      out.out(
        javaFormat("%-36s %-22s %-10s %s%n", c.clientId, c.clientAddr, c.language, versionDesc(c.version)),
      );
    }
    out.out(javaFormat("%nBelow is subscription:%n"));
    out.out(javaFormat("%-20s %s%n", "#Topic", "#SubExpression"));
    for (const sd of Object.values(cc.subscriptionTable)) {
      out.out(javaFormat("%-20s %s%n", sd.topic, sd.subString));
    }
    out.out(javaFormat("%n"));
    out.out(javaFormat("ConsumeType: %s%n", cc.consumeType));
    out.out(javaFormat("MessageModel: %s%n", cc.messageModel));
    out.out(javaFormat("ConsumeFromWhere: %s%n", cc.consumeFromWhere));
    return 0;
  },
};

const getConsumerConfig: AdminCommand = {
  name: "getConsumerConfig",
  group: "Subscription groups and consumers",
  description: "Get consumer config by subscription group name!",
  options: [opt("g", "groupName", "subscription group name", true)],
  async run({ opts, out, admin }) {
    const group = opts.required("groupName");
    const info = await admin.examineBrokerClusterInfo();
    let found = false;
    for (const [brokerName, bd] of info.brokerAddrTable) {
      const addr = selectBrokerAddr(bd);
      if (addr === undefined) continue;
      const cfg = await admin.examineSubscriptionGroupConfig(addr, group);
      if (!cfg) continue;
      found = true;
      out.out(
        javaFormat(
          "=============================%s:%s=============================\n",
          bd.cluster,
          brokerName,
        ),
      );
      for (const [k, v] of Object.entries(cfg)) out.out(javaFormat("%s%-40s=  %s\n", "", k, v));
    }
    // rmq: upstream prints nothing and succeeds; a group no broker knows is reported as a failure.
    if (!found) {
      throw new AdminError(
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `The subscription group "${group}" is not configured on any broker`,
      );
    }
    return 0;
  },
};

/** Commands of the "Subscription groups and consumers" group. */
export const CONSUMER_COMMANDS: AdminCommand[] = [
  updateSubGroup,
  deleteSubGroup,
  consumerProgress,
  consumerConnection,
  consumerStatus,
  getConsumerConfig,
];
