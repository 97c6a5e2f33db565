/** Admin commands against a real BrokerController registered with a real name server. */
import { admin, assertEquals, assertStringIncludes, startNamesrv, startRealBroker } from "./helpers.ts";

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

Deno.test("admin drives a real broker: clusterList, updateTopic, topicRoute, topicStatus, deleteTopic", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  try {
    await waitFor(
      async () => (await admin("topicList", "-n", ns.addr)).stdout.includes("TBW102"),
      "registration",
    );
    const cl = await admin("clusterList", "-n", ns.addr);
    assertEquals(cl.code, 0);
    assertStringIncludes(
      cl.stdout,
      `TestCluster       broker-a                0     ${b.addr.padEnd(22)} V4_9_8`,
    );

    const up = await admin(
      "updateTopic",
      "-n",
      ns.addr,
      "-c",
      "TestCluster",
      "-t",
      "E2E",
      "-r",
      "2",
      "-w",
      "2",
    );
    assertEquals(up.code, 0, up.stderr);
    await waitFor(
      async () => (await admin("topicRoute", "-n", ns.addr, "-t", "E2E")).code === 0,
      "topic route",
    );
    const status = await admin("topicStatus", "-n", ns.addr, "-t", "E2E");
    assertEquals(status.code, 0, status.stderr);
    assertEquals(status.stdout.trim().split("\n").length, 3);

    const bs = await admin("brokerStatus", "-n", ns.addr, "-b", b.addr);
    assertEquals(bs.code, 0, bs.stderr);
    assertStringIncludes(bs.stdout, "putTps");
    const cfg = await admin("getBrokerConfig", "-n", ns.addr, "-b", b.addr);
    assertStringIncludes(cfg.stdout, `${"brokerName".padEnd(50)}=  broker-a\n`);

    const sub = await admin("updateSubGroup", "-n", ns.addr, "-b", b.addr, "-g", "E2E_G");
    assertEquals(sub.code, 0, sub.stderr);
    const del = await admin("deleteTopic", "-n", ns.addr, "-c", "TestCluster", "-t", "E2E");
    assertEquals(del.code, 0, del.stderr);
    assertEquals((await admin("topicRoute", "-n", ns.addr, "-t", "E2E")).code, 1);
  } finally {
    await b.stop();
    await ns.dispose();
  }
});

Deno.test("sendMessage sends through a real broker; queryMsgByKey and queryMsgByUniqueKey find it", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  try {
    await waitFor(
      async () => (await admin("topicList", "-n", ns.addr)).stdout.includes("TBW102"),
      "registration",
    );
    await admin("updateTopic", "-n", ns.addr, "-c", "TestCluster", "-t", "SendT", "-r", "1", "-w", "1");
    await waitFor(
      async () => (await admin("topicRoute", "-n", ns.addr, "-t", "SendT")).code === 0,
      "topic route",
    );
    const sent = await admin(
      "sendMessage",
      "-n",
      ns.addr,
      "-t",
      "SendT",
      "-p",
      "hello",
      "-k",
      "biz-1",
      "-c",
      "TagA",
    );
    assertEquals(sent.code, 0, sent.stderr);
    const row = sent.stdout.split("\n")[1]!;
    assertStringIncludes(row, `${"broker-a".padEnd(32)}  0     ${"SEND_OK".padEnd(20)}    `);
    const msgId = row.trim().split(/\s+/).pop()!;
    await waitFor(
      async () => (await admin("queryMsgByKey", "-n", ns.addr, "-t", "SendT", "-k", "biz-1")).code === 0,
      "index",
    );
    const byKey = await admin("queryMsgByKey", "-n", ns.addr, "-t", "SendT", "-k", "biz-1");
    assertStringIncludes(byKey.stdout, msgId);
    const byUniq = await admin("queryMsgByUniqueKey", "-n", ns.addr, "-t", "SendT", "-i", msgId);
    assertEquals(byUniq.code, 0, byUniq.stderr);
    assertStringIncludes(byUniq.stdout, `${"Tags:".padEnd(20)} [TagA]\n`);
    await Deno.remove(`/tmp/rocketmq/msgbodys/${msgId}`).catch(() => {});

    const printed = await admin("printMsg", "-n", ns.addr, "-t", "SendT");
    assertEquals(printed.code, 0, printed.stderr);
    assertStringIncludes(
      printed.stdout,
      "minOffset=0, maxOffset=1, MessageQueue [topic=SendT, brokerName=broker-a, queueId=0]",
    );
    assertStringIncludes(printed.stdout, "BODY: hello\n");
    assertStringIncludes(printed.stdout, "print msg finished. status=NO_NEW_MSG, offset=1");
    const filtered = await admin("printMsg", "-n", ns.addr, "-t", "SendT", "-s", "TagB", "-d", "false");
    assertEquals(filtered.stdout.includes("BODY:"), false);

    const consumed = await admin("consumeMessage", "-n", ns.addr, "-t", "SendT");
    assertEquals(consumed.code, 0, consumed.stderr);
    assertStringIncludes(consumed.stdout, "Consume ok\nMSGID: ");
    assertStringIncludes(consumed.stdout, "BODY: hello\n");
    assertStringIncludes(consumed.stdout, "print msg finished. status=NO_NEW_MSG, offset=1");

    const stats = await admin("statsAll", "-n", ns.addr, "-t", "SendT");
    assertEquals(stats.code, 0, stats.stderr);
    const statsRow = stats.stdout.split("\n")[1]!;
    assertEquals(statsRow.startsWith("SendT".padEnd(32)), true, stats.stdout);
    assertEquals(statsRow.endsWith("NO_CONSUMER"), true, stats.stdout);

    const clone = await admin(
      "cloneGroupOffset",
      "-n",
      ns.addr,
      "-s",
      "G_SRC",
      "-d",
      "G_DEST",
      "-t",
      "SendT",
    );
    assertEquals([clone.code, clone.stdout], [
      0,
      "clone group offset success. srcGroup[G_SRC], destGroup=[G_DEST], topic[SendT]",
    ]);
  } finally {
    await b.stop();
    await ns.dispose();
  }
});
