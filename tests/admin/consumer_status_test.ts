/** consumerStatus against a real broker with a live TypeScript push consumer, and its report format. */
import {
  admin,
  assert,
  assertEquals,
  assertStringIncludes,
  startNamesrv,
  startRealBroker,
} from "./helpers.ts";
import { waitUntil } from "./wait.ts";
import { PushConsumer } from "../../src/client/mod.ts";
import {
  analyzeProcessQueue,
  analyzeSubscription,
  decodeRunningInfo,
  formatRunningInfo,
} from "../../src/admin/running_info_view.ts";

Deno.test("consumerStatus lists each live client, saves its report under ./<millis>/ and checks the group", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  const consumer = new PushConsumer({ group: "CS_G", namesrvAddr: ns.addr });
  const cwd = Deno.cwd();
  const dir = await Deno.makeTempDir({ prefix: "rmq-admin-cs-" });
  try {
    await waitUntil(
      async () => (await admin("topicList", "-n", ns.addr)).stdout.includes("TBW102"),
      "registration",
    );
    await admin("updateTopic", "-n", ns.addr, "-c", "TestCluster", "-t", "CS_T", "-r", "2", "-w", "2");
    consumer.subscribe("CS_T", "TagA || TagB");
    consumer.registerMessageListener(() => "CONSUME_SUCCESS");
    await consumer.start();
    await waitUntil(async () => {
      const r = await admin("consumerStatus", "-n", ns.addr, "-g", "CS_G", "-i", consumer.instance.clientId);
      return r.stdout.includes("CS_T                              broker-a");
    }, "the consumer to own its queues");

    Deno.chdir(dir);
    const r = await admin("consumerStatus", "-n", ns.addr, "-g", "CS_G");
    Deno.chdir(cwd);
    assertEquals(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assertEquals(
      lines[0],
      "#Index     #ClientId                                #Version             #ConsumerRunningInfoFile",
    );
    const row = /^1 {10}(\S+) +V4_9_8 +(\d+\/\S+)$/.exec(lines[1]!);
    assert(row, `row: ${lines[1]}`);
    assertEquals(row[1], consumer.instance.clientId);
    const saved = await Deno.readTextFile(`${dir}/${row[2]}`);
    assert(saved.startsWith("#Consumer Properties#\n"), saved);
    assertStringIncludes(r.stdout, "\n\nSame subscription in the same group of consumer\n\nRebalance OK\n");

    const one = await admin("consumerStatus", "-n", ns.addr, "-g", "CS_G", "-i", consumer.instance.clientId);
    assertEquals(one.code, 0, one.stderr);
    assertStringIncludes(one.stdout, `${"PROP_CONSUME_TYPE".padEnd(40)}: CONSUME_PASSIVELY\n`);
    assertStringIncludes(
      one.stdout,
      `002 Topic: ${"CS_T".padEnd(40)} ClassFilter: false    SubExpression: TagA || TagB\n`,
    );
    assertStringIncludes(one.stdout, `${"CS_T".padEnd(32)}  ${"broker-a".padEnd(32)}  1     0`);
    assertStringIncludes(one.stdout, "ProcessQueueInfo [commitOffset=");
  } finally {
    Deno.chdir(cwd);
    await consumer.shutdown();
    await b.stop();
    await ns.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("consumerStatus fails with the server's code for a group without clients", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  try {
    await waitUntil(
      async () => (await admin("topicList", "-n", ns.addr)).stdout.includes("TBW102"),
      "registration",
    );
    await admin(
      "updateTopic",
      "-n",
      ns.addr,
      "-c",
      "TestCluster",
      "-t",
      "%RETRY%IDLE_G",
      "-r",
      "1",
      "-w",
      "1",
    );
    await waitUntil(
      async () => (await admin("topicRoute", "-n", ns.addr, "-t", "%RETRY%IDLE_G")).code === 0,
      "route",
    );
    const r = await admin("consumerStatus", "-n", ns.addr, "-g", "IDLE_G");
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "consumerStatus command failed");
    assertStringIncludes(r.stderr, "CODE: 206");
    const one = await admin("consumerStatus", "-n", ns.addr, "-g", "IDLE_G", "-i", "127.0.0.1@nobody");
    assertEquals(one.code, 1);
    assertStringIncludes(one.stderr, "CODE: ");
  } finally {
    await b.stop();
    await ns.dispose();
  }
});

const JAVA_BODY =
  `{"jstack":"main thread","mqTable":{{"brokerName":"b","queueId":1,"topic":"T"}:{"cachedMsgCount":3,` +
  `"cachedMsgMaxOffset":9,"cachedMsgMinOffset":7,"cachedMsgSizeInMiB":0,"commitOffset":7,"droped":false,` +
  `"lastConsumeTimestamp":0,"lastLockTimestamp":0,"lastPullTimestamp":0,"locked":false,"transactionMsgCount":0,` +
  `"transactionMsgMaxOffset":0,"transactionMsgMinOffset":0,"tryUnlockTimes":0},{"brokerName":"a","queueId":0,` +
  `"topic":"T"}:{"commitOffset":5}},"properties":{"PROP_CONSUME_TYPE":"CONSUME_PASSIVELY",` +
  `"PROP_CONSUMER_START_TIMESTAMP":1000,"PROP_CONSUMEORDERLY":"false"},"statusTable":{"T":{"consumeFailedMsgs":2,` +
  `"consumeFailedTPS":0.0,"consumeOKTPS":1.5,"consumeRT":3.25,"pullRT":1.0,"pullTPS":4.0}},` +
  `"subscriptionSet":[{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*",` +
  `"subVersion":1,"tagsSet":[],"topic":"T"}]}`;

Deno.test("formatRunningInfo() prints a Java client's running info in upstream's sections and order", () => {
  const info = decodeRunningInfo(new TextEncoder().encode(JAVA_BODY));
  assertEquals(info.mqTable.map(([mq]) => mq.brokerName), ["a", "b"]);
  const text = formatRunningInfo(info);
  assertStringIncludes(text, `\n${"PROP_CONSUMER_START_TIMESTAMP".padEnd(40)}: 1000\n`);
  assertStringIncludes(
    text,
    `#Consumer Offset#\n${"#Topic".padEnd(64)}  ${"#Broker Name".padEnd(32)}  #QID  #Consumer Offset`,
  );
  assertStringIncludes(text, `${"T".padEnd(32)}  ${"a".padEnd(32)}  0     5   `);
  assertStringIncludes(
    text,
    "ProcessQueueInfo [commitOffset=7, cachedMsgMinOffset=7, cachedMsgMaxOffset=9, cachedMsgCount=3",
  );
  assertStringIncludes(
    text,
    `${"T".padEnd(64)}  ${"1.00".padStart(14)} ${"4.00".padStart(14)} ${"3.25".padStart(14)} ${
      "1.50".padStart(14)
    }`,
  );
  assert(text.endsWith("\n\n#Consumer jstack#\nmain thread"));
});

Deno.test("analyzeProcessQueue() flags a push queue with cached messages not consumed for a minute", () => {
  const info = decodeRunningInfo(new TextEncoder().encode(JAVA_BODY));
  const report = analyzeProcessQueue("c1", info, 120_000);
  assertEquals(
    report,
    "c1 MessageQueue [topic=T, brokerName=b, queueId=1] can't consume for a while, maybe blocked, 120000ms\n",
  );
  const other = decodeRunningInfo(
    new TextEncoder().encode(JAVA_BODY.replace('"subString":"*"', '"subString":"X"')),
  );
  assertEquals(analyzeSubscription([info, other], 10 * 60_000), false);
  assertEquals(analyzeSubscription([info, info], 10 * 60_000), true);
  // Clients that started under two minutes ago are not judged yet.
  assertEquals(analyzeSubscription([info, other], 60_000), true);
});

Deno.test("decodeRunningInfo() reads an empty or partial body as empty tables instead of failing", () => {
  const info = decodeRunningInfo(new TextEncoder().encode(`{"mqTable":{},"properties":{}}`));
  assertEquals([info.mqTable.length, info.subscriptionSet.length, info.statusTable.length], [0, 0, 0]);
  assertStringIncludes(formatRunningInfo(info), "#Consumer RT&TPS#");
});
