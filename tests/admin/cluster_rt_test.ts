/** clusterRT against a real broker: one row per broker per round, in table or log form. */
import {
  admin,
  assert,
  assertEquals,
  assertStringIncludes,
  startNamesrv,
  startRealBroker,
} from "./helpers.ts";
import { waitUntil } from "./wait.ts";
import { gmt8Time } from "../../src/admin/cluster_rt.ts";

Deno.test("clusterRT sends test messages to each broker's own topic and prints the mean RT per round", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  try {
    await waitUntil(
      async () => (await admin("topicList", "-n", ns.addr)).stdout.includes("TBW102"),
      "registration",
    );
    const r = await admin("clusterRT", "-n", ns.addr, "-a", "3", "-s", "16", "-i", "0", "--rounds", "2");
    assertEquals(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assertEquals(
      lines[0],
      "#Cluster Name             #Broker Name              #RT   #successCount  #failCount",
    );
    assertEquals(lines.length, 3);
    for (const row of lines.slice(1)) {
      const m = /^TestCluster {15}broker-a {18}(\d+\.\d\d) +3 {17}0 *$/.exec(row);
      assert(m, `row: ${JSON.stringify(row)}`);
    }

    const log = await admin(
      "clusterRT",
      "-n",
      ns.addr,
      "-a",
      "2",
      "-p",
      "true",
      "-m",
      "room1",
      "--rounds",
      "1",
    );
    assertEquals(log.code, 0, log.stderr);
    assert(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\|room1\|TestCluster\|broker-a\|\d+\n$/.test(log.stdout),
      log.stdout,
    );

    const unknown = await admin("clusterRT", "-n", ns.addr, "-c", "NoSuchCluster", "--rounds", "1");
    assertEquals(unknown.code, 1);
    assertStringIncludes(unknown.stdout, "cluster [NoSuchCluster] not exist\n");
  } finally {
    await b.stop();
    await ns.dispose();
  }
});

Deno.test("sendMsgStatus probes one broker; checkMsgSendRT times round-robin sends to a topic", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  try {
    await waitUntil(
      async () => (await admin("topicList", "-n", ns.addr)).stdout.includes("TBW102"),
      "registration",
    );
    const probe = await admin("sendMsgStatus", "-n", ns.addr, "-b", "broker-a", "-c", "2", "-s", "8");
    assertEquals(probe.code, 0, probe.stderr);
    const rows = probe.stdout.trimEnd().split("\n");
    assertEquals(rows.length, 2);
    for (const row of rows) {
      const re =
        /^rt=\d+ms, SendResult=SendResult \[sendStatus=SEND_OK, msgId=[0-9A-F]{32}, offsetMsgId=[0-9A-F]{32}, messageQueue=MessageQueue \[topic=broker-a, brokerName=broker-a, queueId=0\], queueOffset=\d+\]$/;
      assert(re.test(row), row);
    }

    await admin("updateTopic", "-n", ns.addr, "-c", "TestCluster", "-t", "RT_T", "-r", "2", "-w", "2");
    await waitUntil(
      async () => (await admin("topicRoute", "-n", ns.addr, "-t", "RT_T")).code === 0,
      "the route",
    );
    const rt = await admin("checkMsgSendRT", "-n", ns.addr, "-t", "RT_T", "-a", "4", "-s", "8");
    assertEquals(rt.code, 0, rt.stderr);
    const lines = rt.stdout.trimEnd().split("\n");
    assertEquals(lines[0], `${"#Broker Name".padEnd(32)}  #QID  ${"#Send Result".padEnd(20)}    #RT`);
    assertEquals(
      lines.slice(1, 5).map((l) => l.slice(0, 64)),
      [0, 1, 0, 1].map((q) => `${"broker-a".padEnd(32)}  ${String(q).padEnd(4)}  ${"true".padEnd(20)}    `),
    );
    assert(/^Avg RT: \d+\.\d\d$/.test(lines[5]!), lines[5]);
  } finally {
    await b.stop();
    await ns.dispose();
  }
});

Deno.test("gmt8Time() renders a moment in GMT+8 whatever the local zone", () => {
  assertEquals(gmt8Time(Date.UTC(2024, 0, 31, 20, 5, 9)), "2024-02-01 04:05:09");
});
