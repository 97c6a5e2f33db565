/** Topic commands (operations.md §1.4.1): name-server side first; broker-side ones in topic_broker.ts. */
import type { AdminCommand } from "./command.ts";
import { flag, opt, UsageError } from "./options.ts";
import { humanTime, javaFormat, javaMapString, printJson } from "./output.ts";
import { brokerNameOfAddr, brokerNamesOfCluster, masterAddrsOfCluster } from "./cluster_util.ts";
import type { MQAdminExt } from "./admin_ext.ts";
import type { AdminOutput } from "./output.ts";
import { defaultTopicConfig, type TopicConfig } from "../protocol/register_broker.ts";
import { PermName, TopicSysFlag } from "../message/message_const.ts";
import { type FjValue, toFastjson } from "../protocol/fastjson.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import { allocateAveragely, compareMessageQueue } from "../client/allocate.ts";
import { type QueueData, topicRouteDataToFj } from "../protocol/route.ts";
import { NAMESPACE_ORDER_TOPIC_CONFIG } from "../namesrv/kv_config_manager.ts";

const RETRY_PREFIX = "%RETRY%";
const DLQ_PREFIX = "%DLQ%";

const topicList: AdminCommand = {
  name: "topicList",
  group: "Topics",
  description: "Fetch all topic list from name server",
  options: [flag("c", "clusterModel", "clusterModel")],
  json: true,
  async run({ opts, out, admin }) {
    const list = await admin.fetchAllTopicList();
    const json = opts.has("json");
    if (!opts.has("clusterModel")) {
      if (json) printJson(out, { topicList: list.topicList });
      else for (const t of list.topicList) out.out(javaFormat("%s%n", t));
      return 0;
    }
    const rows: Array<{ cluster: string; topic: string; consumerGroups: string[] }> = [];
    if (!json) out.out(javaFormat("%-20s  %-48s  %-48s%n", "#Cluster Name", "#Topic", "#Consumer Group"));
    for (const topic of list.topicList) {
      if (topic.startsWith(RETRY_PREFIX) || topic.startsWith(DLQ_PREFIX)) continue;
      let cluster = "";
      let groups: string[] = [];
      try {
        const route = await admin.examineTopicRouteInfo(topic);
        cluster = route.brokerDatas[0]?.cluster ?? "";
        groups = await admin.queryTopicConsumeByWho(topic);
      } catch {
        // As upstream: a topic whose route or consumers cannot be read still gets its row.
      }
      if (json) {
        rows.push({ cluster, topic, consumerGroups: groups });
        continue;
      }
      if (groups.length === 0) groups = [""];
      for (const g of groups) out.out(javaFormat("%-20s  %-48s  %-48s%n", cluster, topic, g));
    }
    if (json) printJson(out, rows);
    return 0;
  },
};

const topicRoute: AdminCommand = {
  name: "topicRoute",
  group: "Topics",
  description: "Examine topic route info",
  options: [opt("t", "topic", "topic name", true), flag("l", "list", "Use list format to print data")],
  json: true,
  async run({ opts, out, admin }) {
    const route = await admin.examineTopicRouteInfo(opts.required("topic"));
    if (opts.has("json")) {
      out.out(`${toFastjson(topicRouteDataToFj(route), { browserCompatible: true })}\n`);
      return 0;
    }
    if (!opts.has("list")) {
      out.out(javaFormat("%s%n", toFastjson(topicRouteDataToFj(route), { pretty: true })));
      return 0;
    }
    const byBroker = new Map<string, QueueData>(route.queueDatas.map((q) => [q.brokerName, q]));
    const fmt = "%-45s %-32s %-50s %-10s %-11s %-5s%n";
    out.out(
      javaFormat(fmt, "#ClusterName", "#BrokerName", "#BrokerAddrs", "#ReadQueue", "#WriteQueue", "#Perm"),
    );
    let totalRead = 0;
    let totalWrite = 0;
    const brokers = [...route.brokerDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName));
    for (const bd of brokers) {
      const q = byBroker.get(bd.brokerName);
      totalRead += q?.readQueueNums ?? 0;
      totalWrite += q?.writeQueueNums ?? 0;
      out.out(
        javaFormat(
          fmt,
          bd.cluster,
          bd.brokerName,
          javaMapString(bd.brokerAddrs),
          q?.readQueueNums ?? "",
          q?.writeQueueNums ?? "",
          q?.perm ?? "",
        ),
      );
    }
    out.out("-".repeat(158));
    out.out(javaFormat(`%n${fmt}`, "Total:", byBroker.size, "", totalRead, totalWrite, ""));
    return 0;
  },
};

const topicClusterList: AdminCommand = {
  name: "topicClusterList",
  group: "Topics",
  description: "Get cluster info for topic",
  options: [opt("t", "topic", "topic name", true)],
  async run({ opts, out, admin }) {
    const route = await admin.examineTopicRouteInfo(opts.required("topic"));
    for (const c of new Set(route.brokerDatas.map((b) => b.cluster))) out.out(javaFormat("%s%n", c));
    return 0;
  },
};

const updateOrderConf: AdminCommand = {
  name: "updateOrderConf",
  group: "Topics",
  description: "Create or update or delete order conf",
  options: [
    opt("t", "topic", "topic name", true),
    opt("v", "orderConf", "set order conf [eg. brokerName1:num;brokerName2:num]"),
    opt("m", "method", "option type [eg. put|get|delete", true),
  ],
  async run({ opts, out, admin }) {
    const topic = opts.required("topic");
    const method = opts.required("method");
    if (method === "get") {
      const conf = await admin.getKVConfig(NAMESPACE_ORDER_TOPIC_CONFIG, topic);
      out.out(javaFormat("get orderConf success. topic=[%s], orderConf=[%s] ", topic, conf));
    } else if (method === "put") {
      const conf = opts.required("orderConf");
      await admin.createAndUpdateKvConfig(NAMESPACE_ORDER_TOPIC_CONFIG, topic, conf);
      out.out(javaFormat("update orderConf success. topic=[%s], orderConf=[%s]", topic, conf));
    } else if (method === "delete") {
      await admin.deleteKvConfig(NAMESPACE_ORDER_TOPIC_CONFIG, topic);
      out.out(javaFormat("delete orderConf success. topic=[%s]", topic));
    } else {
      out.err(`Unknown method "${method}": expected put, get or delete\n`);
      return 1;
    }
    return 0;
  },
};

/** TopicConfig's Java `toString()`, which updateTopic prints. */
export function topicConfigString(tc: TopicConfig): string {
  return `TopicConfig [topicName=${tc.topicName}, readQueueNums=${tc.readQueueNums}, writeQueueNums=${tc.writeQueueNums}, ` +
    `perm=${
      PermName.perm2String(tc.perm)
    }, topicFilterType=${tc.topicFilterType}, topicSysFlag=${tc.topicSysFlag}, ` +
    `order=${tc.order}]`;
}

/** Merges `brokerName:num` pairs into an existing order conf, as upstream's createOrUpdateOrderConf does. */
function mergeOrderConf(old: string, update: string): string {
  const m = new Map<string, string>();
  for (const part of `${old};${update}`.split(";")) {
    const [name, num] = part.split(":");
    if (name && num) m.set(name, num);
  }
  return [...m].map(([n, q]) => `${n}:${q}`).join(";");
}

async function existingOrderConf(admin: MQAdminExt, topic: string): Promise<string> {
  try {
    return await admin.getKVConfig(NAMESPACE_ORDER_TOPIC_CONFIG, topic);
  } catch {
    return "";
  }
}

const updateTopic: AdminCommand = {
  name: "updateTopic",
  group: "Topics",
  description: "Update or create topic",
  options: [
    opt("b", "brokerAddr", "create topic to which broker"),
    opt("c", "clusterName", "create topic to which cluster"),
    opt("t", "topic", "topic name", true),
    opt("r", "readQueueNums", "set read queue nums"),
    opt("w", "writeQueueNums", "set write queue nums"),
    opt("p", "perm", "set topic's permission(2|4|6), intro[2:W 4:R; 6:RW]"),
    opt("o", "order", "set topic's order(true|false)"),
    opt("u", "unit", "is unit topic (true|false)"),
    opt("s", "hasUnitSub", "has unit sub (true|false)"),
  ],
  async run({ opts, out, admin }) {
    const order = opts.bool("order", false);
    const tc = defaultTopicConfig(opts.required("topic"), {
      readQueueNums: opts.int("readQueueNums", 8),
      writeQueueNums: opts.int("writeQueueNums", 8),
      perm: opts.int("perm", 6),
      topicSysFlag: TopicSysFlag.build(opts.bool("unit", false), opts.bool("hasUnitSub", false)),
      order,
    });
    const brokerAddr = opts.get("brokerAddr");
    const cluster = opts.get("clusterName");
    if (brokerAddr !== undefined) {
      await admin.createAndUpdateTopicConfig(brokerAddr, tc);
      if (order) {
        const info = await admin.examineBrokerClusterInfo();
        const conf = mergeOrderConf(
          await existingOrderConf(admin, tc.topicName),
          `${brokerNameOfAddr(info, brokerAddr) ?? brokerAddr}:${tc.writeQueueNums}`,
        );
        await admin.createAndUpdateKvConfig(NAMESPACE_ORDER_TOPIC_CONFIG, tc.topicName, conf);
        out.out(javaFormat("%s", `set broker orderConf. isOrder=${order}, orderConf=[${conf}]`));
      }
      out.out(javaFormat("create topic to %s success.%n", brokerAddr));
      out.out(topicConfigString(tc));
      return 0;
    }
    if (cluster !== undefined) {
      const info = await admin.examineBrokerClusterInfo();
      for (const addr of masterAddrsOfCluster(info, cluster, out)) {
        await admin.createAndUpdateTopicConfig(addr, tc);
        out.out(javaFormat("create topic to %s success.%n", addr));
      }
      if (order) {
        const conf = brokerNamesOfCluster(info, cluster).map((n) => `${n}:${tc.writeQueueNums}`).join(";");
        await admin.createAndUpdateKvConfig(NAMESPACE_ORDER_TOPIC_CONFIG, tc.topicName, conf);
        out.out(javaFormat("set cluster orderConf. isOrder=%s, orderConf=[%s]", order, conf));
      }
      out.out(topicConfigString(tc));
      return 0;
    }
    return needBrokerOrCluster(out, "updateTopic");
  },
};

/** `-b` or `-c` is required but only checked at run time, as upstream; we exit 1 instead of 0. */
export function needBrokerOrCluster(out: AdminOutput, command: string): number {
  out.err(`${command}: one of -b <brokerAddr> or -c <clusterName> is required\n`);
  return 1;
}

/** Deletes a topic from every master of a cluster and then from the name servers (DeleteTopicSubCommand). */
export async function deleteTopicInCluster(
  admin: MQAdminExt,
  out: AdminOutput,
  cluster: string,
  topic: string,
) {
  const info = await admin.examineBrokerClusterInfo();
  await admin.deleteTopicInBroker(masterAddrsOfCluster(info, cluster, out), topic);
  out.out(javaFormat("delete topic [%s] from cluster [%s] success.%n", topic, cluster));
  await admin.deleteTopicInNameServer(topic, cluster);
  out.out(javaFormat("delete topic [%s] from NameServer success.%n", topic));
}

const deleteTopic: AdminCommand = {
  name: "deleteTopic",
  group: "Topics",
  description: "Delete topic from broker and NameServer.",
  options: [
    opt("t", "topic", "topic name", true),
    opt("c", "clusterName", "delete topic from which cluster", true),
  ],
  async run({ opts, out, admin }) {
    await deleteTopicInCluster(admin, out, opts.required("clusterName"), opts.required("topic"));
    return 0;
  },
};

const topicStatus: AdminCommand = {
  name: "topicStatus",
  group: "Topics",
  description: "Examine topic Status info",
  options: [opt("t", "topic", "topic name", true)],
  json: true,
  async run({ opts, out, admin }) {
    const stats = await admin.examineTopicStats(opts.required("topic"));
    const rows = [...stats.offsetTable].sort(([a], [b]) => compareMessageQueue(a, b));
    if (opts.has("json")) {
      printJson(out, rows.map(([mq, o]) => ({ brokerName: mq.brokerName, queueId: mq.queueId, ...o })));
      return 0;
    }
    out.out(
      javaFormat(
        "%-32s  %-4s  %-20s  %-20s    %s%n",
        "#Broker Name",
        "#QID",
        "#Min Offset",
        "#Max Offset",
        "#Last Updated",
      ),
    );
    for (const [mq, o] of rows) {
      const last = o.lastUpdateTimestamp > 0 ? humanTime(o.lastUpdateTimestamp) : "";
      out.out(
        javaFormat(
          "%-32s  %-4d  %-20d  %-20d    %s%n",
          mq.brokerName.slice(0, 32),
          mq.queueId,
          o.minOffset,
          o.maxOffset,
          last,
        ),
      );
    }
    return 0;
  },
};

const updateTopicPerm: AdminCommand = {
  name: "updateTopicPerm",
  group: "Topics",
  description: "Update topic perm",
  options: [
    opt("b", "brokerAddr", "create topic to which broker"),
    opt("c", "clusterName", "create topic to which cluster"),
    opt("t", "topic", "topic name", true),
    opt("p", "perm", "set topic's permission(2|4|6), intro[2:W; 4:R; 6:RW]", true),
  ],
  async run({ opts, out, admin }) {
    const topic = opts.required("topic");
    const route = await admin.examineTopicRouteInfo(topic);
    const first = route.queueDatas[0];
    if (!first) throw new UsageError(`Topic "${topic}" has no queue data`);
    const perm = opts.int("perm", 6);
    const tc = defaultTopicConfig(topic, {
      readQueueNums: first.readQueueNums,
      writeQueueNums: first.writeQueueNums,
      topicSysFlag: first.topicSysFlag,
      perm,
    });
    // Upstream compares with TopicConfig's default perm (6), which makes restoring RW impossible; the
    // route's own perm is compared instead.
    let oldPerm = first.perm;
    const brokerAddr = opts.get("brokerAddr");
    const cluster = opts.get("clusterName");
    if (brokerAddr !== undefined) {
      const bd = route.brokerDatas.find((b) => b.brokerAddrs.get(0) === brokerAddr);
      if (!bd) {
        out.out(javaFormat("updateTopicPerm error broker not exit or broker is not master!.%n"));
        return 1;
      }
      oldPerm = route.queueDatas.find((q) => q.brokerName === bd.brokerName)?.perm ?? first.perm;
      if (oldPerm === perm) {
        out.out(javaFormat("new perm equals to the old one!%n"));
        return 0;
      }
      await admin.createAndUpdateTopicConfig(brokerAddr, tc);
      out.out(javaFormat("update topic perm from %s to %s in %s success.%n", oldPerm, perm, brokerAddr));
      out.out(javaFormat("%s.%n", topicConfigString(tc)));
      return 0;
    }
    if (cluster === undefined) return needBrokerOrCluster(out, "updateTopicPerm");
    if (route.queueDatas.every((q) => q.perm === perm)) {
      out.out(javaFormat("new perm equals to the old one!%n"));
      return 0;
    }
    for (const addr of masterAddrsOfCluster(await admin.examineBrokerClusterInfo(), cluster, out)) {
      await admin.createAndUpdateTopicConfig(addr, tc);
      out.out(javaFormat("update topic perm from %s to %s in %s success.%n", oldPerm, perm, addr));
    }
    return 0;
  },
};

const allocateMQ: AdminCommand = {
  name: "allocateMQ",
  group: "Topics",
  description: "Allocate MQ",
  options: [opt("t", "topic", "topic name", true), opt("i", "ipList", "ipList", true)],
  async run({ opts, out, admin }) {
    const topic = opts.required("topic");
    const route = await admin.examineTopicRouteInfo(topic);
    const mqs: MessageQueue[] = [];
    for (const q of route.queueDatas) {
      if (!PermName.isReadable(q.perm)) continue;
      for (let i = 0; i < q.readQueueNums; i++) mqs.push({ brokerName: q.brokerName, queueId: i, topic });
    }
    mqs.sort(compareMessageQueue);
    const ips = opts.required("ipList").split(",");
    const result = new Map<string, FjValue>();
    for (const ip of ips) {
      result.set(ip, allocateAveragely("aa", ip, mqs, ips).map((mq) => ({ ...mq })));
    }
    out.out(javaFormat("%s%n", toFastjson({ result })));
    return 0;
  },
};

/** Commands of the "Topics" group. */
export const TOPIC_COMMANDS: AdminCommand[] = [
  updateTopic,
  deleteTopic,
  topicList,
  topicRoute,
  topicStatus,
  topicClusterList,
  updateTopicPerm,
  updateOrderConf,
  allocateMQ,
];
