import { decodeTopicRouteData } from "../../src/protocol/route.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { admin, assertEquals, assertStringIncludes, startNamesrv } from "./helpers.ts";
import { StandInBroker } from "./stand_in_broker.ts";

async function setUp() {
  const ns = await startNamesrv();
  const broker = new StandInBroker(ns.addr);
  await broker.start();
  return {
    ns,
    broker,
    async close() {
      await broker.shutdown();
      await ns.dispose();
    },
  };
}

Deno.test("updateTopic -b creates the topic on that broker and prints the TopicConfig", async () => {
  const env = await setUp();
  try {
    const r = await admin(
      "updateTopic",
      "-n",
      env.ns.addr,
      "-b",
      env.broker.addr,
      "-t",
      "T1",
      "-r",
      "4",
      "-w",
      "2",
      "-p",
      "6",
    );
    assertEquals(r.code, 0);
    assertEquals(
      r.stdout,
      `create topic to ${env.broker.addr} success.\n` +
        "TopicConfig [topicName=T1, readQueueNums=4, writeQueueNums=2, perm=RW-, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false]",
    );
    assertEquals(env.broker.topics.get("T1")?.writeQueueNums, 2);
    const route = await env.ns.client.invokeSync(
      env.ns.addr,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "T1" }),
      3000,
    );
    assertEquals(decodeTopicRouteData(route.body).queueDatas[0]?.readQueueNums, 4);
  } finally {
    await env.close();
  }
});

Deno.test("updateTopic -c -o true writes to every master and stores the order conf", async () => {
  const env = await setUp();
  try {
    const r = await admin("updateTopic", "-n", env.ns.addr, "-c", "DefaultCluster", "-t", "T2", "-o", "true");
    assertEquals(r.code, 0);
    assertStringIncludes(r.stdout, `create topic to ${env.broker.addr} success.\n`);
    assertStringIncludes(r.stdout, "set cluster orderConf. isOrder=true, orderConf=[broker-a:8]");
    assertEquals(env.ns.controller.kvConfigManager.get("ORDER_TOPIC_CONFIG", "T2"), "broker-a:8");
  } finally {
    await env.close();
  }
});

Deno.test("updateTopic without -b or -c exits 1; an unknown cluster prints upstream's error line", async () => {
  const env = await setUp();
  try {
    const none = await admin("updateTopic", "-n", env.ns.addr, "-t", "T3");
    assertEquals(none.code, 1);
    const unknown = await admin("updateTopic", "-n", env.ns.addr, "-t", "T3", "-c", "Nope");
    assertStringIncludes(unknown.stdout, "[error] Make sure the specified clusterName exists");
  } finally {
    await env.close();
  }
});

Deno.test("deleteTopic removes the topic from the cluster's brokers and the name server", async () => {
  const env = await setUp();
  try {
    await admin("updateTopic", "-n", env.ns.addr, "-b", env.broker.addr, "-t", "T1");
    const r = await admin("deleteTopic", "-n", env.ns.addr, "-c", "DefaultCluster", "-t", "T1");
    assertEquals(r.code, 0);
    assertEquals(
      r.stdout,
      "delete topic [T1] from cluster [DefaultCluster] success.\ndelete topic [T1] from NameServer success.\n",
    );
    assertEquals(env.broker.topics.has("T1"), false);
    const route = await admin("topicRoute", "-n", env.ns.addr, "-t", "T1");
    assertEquals(route.code, 1);
  } finally {
    await env.close();
  }
});

Deno.test("topicStatus prints per-queue offsets sorted by broker and queue", async () => {
  const env = await setUp();
  try {
    await admin("updateTopic", "-n", env.ns.addr, "-b", env.broker.addr, "-t", "T1", "-w", "2", "-r", "2");
    const r = await admin("topicStatus", "-n", env.ns.addr, "-t", "T1");
    assertEquals(r.code, 0);
    const lines = r.stdout.split("\n");
    assertEquals(
      lines[0],
      `${"#Broker Name".padEnd(32)}  #QID  ${"#Min Offset".padEnd(20)}  ${
        "#Max Offset".padEnd(20)
      }    #Last Updated`,
    );
    assertEquals(lines[1], `${"broker-a".padEnd(32)}  0     ${"0".padEnd(20)}  ${"0".padEnd(20)}    `);
    assertStringIncludes(
      lines[2]!,
      `${"broker-a".padEnd(32)}  1     ${"0".padEnd(20)}  ${"10".padEnd(20)}    20`,
    );
  } finally {
    await env.close();
  }
});

Deno.test("updateSubGroup and deleteSubGroup manage a group on a broker", async () => {
  const env = await setUp();
  try {
    const up = await admin("updateSubGroup", "-n", env.ns.addr, "-b", env.broker.addr, "-g", "G1", "-r", "3");
    assertEquals(up.code, 0);
    assertStringIncludes(up.stdout, `create subscription group to ${env.broker.addr} success.\n`);
    assertStringIncludes(
      up.stdout,
      "SubscriptionGroupConfig [groupName=G1, consumeEnable=true, consumeFromMinEnable=false",
    );
    assertEquals(env.broker.groups.get("G1")?.retryMaxTimes, 3);
    const del = await admin(
      "deleteSubGroup",
      "-n",
      env.ns.addr,
      "-c",
      "DefaultCluster",
      "-g",
      "G1",
      "-r",
      "true",
    );
    assertEquals(del.code, 0);
    assertStringIncludes(
      del.stdout,
      `delete subscription group [G1] from broker [${env.broker.addr}] in cluster [DefaultCluster] success.\n`,
    );
    assertEquals(env.broker.groups.has("G1"), false);
    assertEquals(env.broker.deletedGroups[0], ["G1", "true"]);
  } finally {
    await env.close();
  }
});

Deno.test("getBrokerConfig and updateBrokerConfig read and change broker settings", async () => {
  const env = await setUp();
  try {
    const up = await admin(
      "updateBrokerConfig",
      "-n",
      env.ns.addr,
      "-b",
      env.broker.addr,
      "-k",
      "autoCreateTopicEnable",
      "-v",
      "false",
    );
    assertEquals(up.stdout, `update broker config success, ${env.broker.addr}\n`);
    const get = await admin("getBrokerConfig", "-n", env.ns.addr, "-c", "DefaultCluster");
    assertEquals(get.code, 0);
    assertStringIncludes(get.stdout, `============Master: ${env.broker.addr}============\n`);
    assertStringIncludes(get.stdout, `${"autoCreateTopicEnable".padEnd(50)}=  false\n`);
    const refused = await admin(
      "updateBrokerConfig",
      "-n",
      env.ns.addr,
      "-b",
      env.broker.addr,
      "-k",
      "brokerConfigPath",
      "-v",
      "/x",
    );
    assertEquals(refused.code, 1);
    assertStringIncludes(refused.stderr, "CODE: 16");
  } finally {
    await env.close();
  }
});

Deno.test("brokerStatus prints the runtime table sorted by key", async () => {
  const env = await setUp();
  try {
    const r = await admin("brokerStatus", "-n", env.ns.addr, "-b", env.broker.addr);
    assertEquals(
      r.stdout,
      `${"brokerVersionDesc".padEnd(32)}: V4_9_8\n${"putTps".padEnd(32)}: 0.0 0.0 0.0\n`,
    );
    const c = await admin("brokerStatus", "-n", env.ns.addr, "-c", "DefaultCluster");
    assertStringIncludes(c.stdout, `${env.broker.addr.padEnd(24)} ${"putTps".padEnd(32)}: 0.0 0.0 0.0\n`);
  } finally {
    await env.close();
  }
});

Deno.test("updateTopicPerm changes only the permission, keeping the queue counts", async () => {
  const env = await setUp();
  try {
    await admin("updateTopic", "-n", env.ns.addr, "-b", env.broker.addr, "-t", "T1", "-r", "3", "-w", "3");
    const r = await admin("updateTopicPerm", "-n", env.ns.addr, "-b", env.broker.addr, "-t", "T1", "-p", "4");
    assertEquals(r.code, 0);
    assertStringIncludes(r.stdout, `update topic perm from 6 to 4 in ${env.broker.addr} success.\n`);
    assertStringIncludes(r.stdout, "readQueueNums=3, writeQueueNums=3, perm=R--");
    assertEquals(env.broker.topics.get("T1")?.perm, 4);
    const same = await admin(
      "updateTopicPerm",
      "-n",
      env.ns.addr,
      "-c",
      "DefaultCluster",
      "-t",
      "T1",
      "-p",
      "4",
    );
    assertEquals(same.stdout, "new perm equals to the old one!\n");
    const back = await admin(
      "updateTopicPerm",
      "-n",
      env.ns.addr,
      "-c",
      "DefaultCluster",
      "-t",
      "T1",
      "-p",
      "6",
    );
    assertEquals(back.stdout, `update topic perm from 4 to 6 in ${env.broker.addr} success.\n`);
  } finally {
    await env.close();
  }
});

Deno.test("getConsumerConfig prints the group's settings per broker", async () => {
  const env = await setUp();
  try {
    await admin("updateSubGroup", "-n", env.ns.addr, "-b", env.broker.addr, "-g", "G1");
    const r = await admin("getConsumerConfig", "-n", env.ns.addr, "-g", "G1");
    assertEquals(r.code, 0);
    assertStringIncludes(
      r.stdout,
      "=============================DefaultCluster:broker-a=============================\n",
    );
    assertStringIncludes(r.stdout, `${"groupName".padEnd(40)}=  G1\n`);
    assertStringIncludes(r.stdout, `${"retryMaxTimes".padEnd(40)}=  16\n`);
  } finally {
    await env.close();
  }
});

Deno.test("cleanExpiredCQ, cleanUnusedTopic and deleteExpiredCommitLog reach every master and print success", async () => {
  const env = await setUp();
  try {
    for (const cmd of ["cleanExpiredCQ", "cleanUnusedTopic", "deleteExpiredCommitLog"]) {
      const r = await admin(cmd, "-n", env.ns.addr);
      assertEquals([r.code, r.stdout], [0, "success"]);
    }
    assertEquals(env.broker.maintenanceCalls, [306, 316, 329]);
  } finally {
    await env.close();
  }
});

Deno.test("brokerConsumeStats lists consumed queues per group with their lag and the diff total", async () => {
  const env = await setUp();
  try {
    const r = await admin("brokerConsumeStats", "-n", env.ns.addr, "-b", env.broker.addr, "-l", "1");
    assertEquals(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assertStringIncludes(lines[0]!, "#Topic");
    assertEquals(
      lines[1]!.startsWith(`${"T1".padEnd(64)}  ${"G1".padEnd(64)}  ${"broker-a".padEnd(32)}  1     10`),
      true,
    );
    assertEquals(lines[2], "");
    assertEquals(lines[3], "Diff Total: 9");
  } finally {
    await env.close();
  }
});
