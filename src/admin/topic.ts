/** Topic commands (operations.md §1.4.1): name-server side first; broker-side ones in topic_broker.ts. */
import type { AdminCommand } from "./command.ts";
import { flag, opt } from "./options.ts";
import { javaFormat, javaMapString } from "./output.ts";
import { toFastjson } from "../protocol/fastjson.ts";
import { type QueueData, topicRouteDataToFj } from "../protocol/route.ts";
import { NAMESPACE_ORDER_TOPIC_CONFIG } from "../namesrv/kv_config_manager.ts";

const RETRY_PREFIX = "%RETRY%";
const DLQ_PREFIX = "%DLQ%";

const topicList: AdminCommand = {
  name: "topicList",
  group: "Topics",
  description: "Fetch all topic list from name server",
  options: [flag("c", "clusterModel", "clusterModel")],
  async run({ opts, out, admin }) {
    const list = await admin.fetchAllTopicList();
    if (!opts.has("clusterModel")) {
      for (const t of list.topicList) out.out(javaFormat("%s%n", t));
      return 0;
    }
    out.out(javaFormat("%-20s  %-48s  %-48s%n", "#Cluster Name", "#Topic", "#Consumer Group"));
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
      if (groups.length === 0) groups = [""];
      for (const g of groups) out.out(javaFormat("%-20s  %-48s  %-48s%n", cluster, topic, g));
    }
    return 0;
  },
};

const topicRoute: AdminCommand = {
  name: "topicRoute",
  group: "Topics",
  description: "Examine topic route info",
  options: [opt("t", "topic", "topic name", true), flag("l", "list", "Use list format to print data")],
  async run({ opts, out, admin }) {
    const route = await admin.examineTopicRouteInfo(opts.required("topic"));
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

/** Name-server-side commands of the "Topics" group. */
export const TOPIC_COMMANDS: AdminCommand[] = [topicList, topicRoute, topicClusterList, updateOrderConf];
