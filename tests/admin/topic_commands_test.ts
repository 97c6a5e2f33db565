import { defaultTopicConfig } from "../../src/protocol/register_broker.ts";
import { admin, assertEquals, assertStringIncludes, registerRequest, startNamesrv } from "./helpers.ts";

Deno.test("topicList prints one topic per line", async () => {
  const ns = await startNamesrv();
  try {
    await ns.client.invokeSync(
      ns.addr,
      registerRequest({ topics: [defaultTopicConfig("T1"), defaultTopicConfig("%RETRY%g1")] }),
      3000,
    );
    const r = await admin("topicList", "-n", ns.addr);
    assertEquals(r.code, 0);
    assertEquals(r.stdout.split("\n").filter((l) => l !== "").sort(), ["%RETRY%g1", "T1"]);
  } finally {
    await ns.dispose();
  }
});

Deno.test("topicList -c prints cluster, topic and (blank) group columns, skipping retry topics", async () => {
  const ns = await startNamesrv();
  try {
    await ns.client.invokeSync(
      ns.addr,
      registerRequest({ topics: [defaultTopicConfig("T1"), defaultTopicConfig("%RETRY%g1")] }),
      3000,
    );
    const r = await admin("topicList", "-n", ns.addr, "-c");
    assertEquals(r.code, 0);
    const lines = r.stdout.split("\n");
    assertEquals(
      lines[0],
      `${"#Cluster Name".padEnd(20)}  ${"#Topic".padEnd(48)}  ${"#Consumer Group".padEnd(48)}`,
    );
    assertEquals(lines[1], `${"DefaultCluster".padEnd(20)}  ${"T1".padEnd(48)}  ${"".padEnd(48)}`);
    assertEquals(lines.length, 3);
  } finally {
    await ns.dispose();
  }
});

Deno.test("topicRoute prints the route as pretty JSON, with -l as a table", async () => {
  const ns = await startNamesrv();
  try {
    await ns.client.invokeSync(ns.addr, registerRequest(), 3000);
    const json = await admin("topicRoute", "-n", ns.addr, "-t", "TopicA");
    assertEquals(json.code, 0);
    assertEquals(
      json.stdout,
      '{\n\t"brokerDatas":[\n\t\t{\n\t\t\t"brokerAddrs":{0:"127.0.0.1:10911"\n\t\t\t},\n' +
        '\t\t\t"brokerName":"broker-a",\n\t\t\t"cluster":"DefaultCluster"\n\t\t}\n\t],\n' +
        '\t"filterServerTable":{},\n\t"queueDatas":[\n\t\t{\n\t\t\t"brokerName":"broker-a",\n' +
        '\t\t\t"perm":6,\n\t\t\t"readQueueNums":4,\n\t\t\t"topicSysFlag":0,\n\t\t\t"writeQueueNums":4\n\t\t}\n\t]\n}\n',
    );
    const table = await admin("topicRoute", "-n", ns.addr, "-t", "TopicA", "-l");
    const lines = table.stdout.split("\n");
    assertStringIncludes(lines[0]!, "#ClusterName");
    assertStringIncludes(lines[1]!, "{0=127.0.0.1:10911}");
    assertStringIncludes(lines[3]!, "Total:");
  } finally {
    await ns.dispose();
  }
});

Deno.test("topicRoute of an unknown topic exits 1 with the name server's code and remark", async () => {
  const ns = await startNamesrv();
  try {
    const r = await admin("topicRoute", "-n", ns.addr, "-t", "Nope");
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "CODE: 17  DESC: No topic route info in name server for the topic: Nope");
  } finally {
    await ns.dispose();
  }
});

Deno.test("topicClusterList prints the clusters serving a topic", async () => {
  const ns = await startNamesrv();
  try {
    await ns.client.invokeSync(ns.addr, registerRequest(), 3000);
    const r = await admin("topicClusterList", "-n", ns.addr, "-t", "TopicA");
    assertEquals(r.stdout, "DefaultCluster\n");
  } finally {
    await ns.dispose();
  }
});

Deno.test("allocateMQ previews the average allocation as one-line JSON", async () => {
  const ns = await startNamesrv();
  try {
    await ns.client.invokeSync(ns.addr, registerRequest(), 3000);
    const r = await admin("allocateMQ", "-n", ns.addr, "-t", "TopicA", "-i", "c1,c2");
    const q = (id: number) => `{"brokerName":"broker-a","queueId":${id},"topic":"TopicA"}`;
    assertEquals(r.stdout, `{"result":{"c1":[${q(0)},${q(1)}],"c2":[${q(2)},${q(3)}]}}\n`);
  } finally {
    await ns.dispose();
  }
});
