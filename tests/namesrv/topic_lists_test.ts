import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { defaultTopicConfig } from "../../src/protocol/register_broker.ts";
import { decodeTopicList } from "../../src/protocol/topic_list.ts";
import { assertEquals, registerRequest, request, startNamesrv, text } from "./helpers.ts";

async function twoClusters() {
  const ns = await startNamesrv();
  await ns.call(registerRequest({
    topics: [
      defaultTopicConfig("A1"),
      defaultTopicConfig("Shared"),
      defaultTopicConfig("Unit", { topicSysFlag: 1 }),
      defaultTopicConfig("UnitSub", { topicSysFlag: 2 }),
      defaultTopicConfig("Both", { topicSysFlag: 3 }),
    ],
  }));
  await ns.call(registerRequest({
    clusterName: "C2",
    brokerName: "broker-b",
    brokerAddr: "127.0.0.1:20911",
    topics: [defaultTopicConfig("B1"), defaultTopicConfig("Shared")],
  }));
  return ns;
}

const topics = async (
  ns: Awaited<ReturnType<typeof twoClusters>>,
  code: number,
  ext: Record<string, string> = {},
) => {
  const res = await ns.call(request(code, ext));
  assertEquals(res.code, ResponseCode.SUCCESS);
  return decodeTopicList(res.body).topicList.sort();
};

Deno.test("GET_ALL_TOPIC_LIST_FROM_NAMESERVER lists every topic with queue data", async () => {
  const ns = await twoClusters();
  try {
    assertEquals(await topics(ns, RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER), [
      "A1",
      "B1",
      "Both",
      "Shared",
      "Unit",
      "UnitSub",
    ]);
  } finally {
    await ns.dispose();
  }
});

Deno.test("GET_TOPICS_BY_CLUSTER lists topics served by any broker of the cluster", async () => {
  const ns = await twoClusters();
  try {
    assertEquals(await topics(ns, RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: "C2" }), ["B1", "Shared"]);
    assertEquals(await topics(ns, RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: "none" }), []);
  } finally {
    await ns.dispose();
  }
});

Deno.test("GET_SYSTEM_TOPIC_LIST_FROM_NS lists cluster and broker names with a broker address", async () => {
  const ns = await twoClusters();
  try {
    const res = await ns.call(request(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS));
    const list = decodeTopicList(res.body);
    assertEquals(list.topicList.sort(), ["C2", "DefaultCluster", "broker-a", "broker-b"]);
    assertEquals(list.brokerAddr, "127.0.0.1:10911");
    assertEquals(text(res.body).startsWith('{"brokerAddr":"127.0.0.1:10911","topicList":['), true);
  } finally {
    await ns.dispose();
  }
});

Deno.test("unit topic lists (311/312/313) filter on the topic sys flag", async () => {
  const ns = await twoClusters();
  try {
    assertEquals(await topics(ns, RequestCode.GET_UNIT_TOPIC_LIST), ["Both", "Unit"]);
    assertEquals(await topics(ns, RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST), ["Both", "UnitSub"]);
    assertEquals(await topics(ns, RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST), ["UnitSub"]);
  } finally {
    await ns.dispose();
  }
});

Deno.test("DELETE_TOPIC_IN_NAMESRV removes a topic, or only one cluster's brokers from it", async () => {
  const ns = await twoClusters();
  try {
    await ns.call(request(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: "Shared", clusterName: "C2" }));
    const route = await ns.call(request(105, { topic: "Shared" }));
    assertEquals(text(route.body).includes("broker-b"), false);
    await ns.call(request(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: "A1" }));
    assertEquals((await ns.call(request(105, { topic: "A1" }))).code, 17);
  } finally {
    await ns.dispose();
  }
});
