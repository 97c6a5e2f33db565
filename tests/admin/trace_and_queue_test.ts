/** queryMsgTraceById and printMsgByQueue against a real broker with TypeScript clients. */
import {
  admin,
  assert,
  assertEquals,
  assertStringIncludes,
  startNamesrv,
  startRealBroker,
} from "./helpers.ts";
import { waitUntil } from "./wait.ts";
import { Producer, PushConsumer } from "../../src/client/mod.ts";
import { traceViewsOf } from "../../src/admin/trace.ts";
import type { MessageExt } from "../../src/message/message.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function registered(nsAddr: string): Promise<void> {
  await waitUntil(
    async () => (await admin("topicList", "-n", nsAddr)).stdout.includes("TBW102"),
    "registration",
  );
}

/** Creates a one-queue topic and waits until the name server routes it. */
async function createTopic(nsAddr: string, topic: string): Promise<void> {
  await admin("updateTopic", "-n", nsAddr, "-c", "TestCluster", "-t", topic, "-r", "1", "-w", "1");
  await waitUntil(async () => (await admin("topicRoute", "-n", nsAddr, "-t", topic)).code === 0, "the route");
}

Deno.test("queryMsgTraceById prints the Pub row and one Sub table per consuming group", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  const producer = new Producer({ group: "TR_PG", namesrvAddr: ns.addr, enableMsgTrace: true });
  const consumer = new PushConsumer({
    group: "TR_CG",
    namesrvAddr: ns.addr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    enableMsgTrace: true,
  });
  try {
    await registered(ns.addr);
    await createTopic(ns.addr, "TR_T");
    await producer.start();
    const sent = await producer.send({ topic: "TR_T", body: enc("traced"), tags: "T1" });
    let consumed = 0;
    consumer.subscribe("TR_T", "*");
    consumer.registerMessageListener(() => {
      consumed++;
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    await waitUntil(() => Promise.resolve(consumed > 0), "the message to be consumed");
    await producer.traceDispatcher!.flush();
    await consumer.shutdown(); // flushes its trace records
    let r = await admin("queryMsgTraceById", "-n", ns.addr, "-i", sent.msgId);
    await waitUntil(async () => {
      r = await admin("queryMsgTraceById", "-n", ns.addr, "-i", sent.msgId);
      return r.stdout.includes("#ConsumerGroup");
    }, "trace records to be indexed");
    assertEquals(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assertEquals(
      lines[0],
      "#Type      #ProducerGroup       #ClientHost          #SendTime            #CostTimes #Status   ",
    );
    assert(
      /^Pub {8}TR_PG {16}127\.0\.0\.1 {12}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}\d+ms +success {3}$/.test(
        lines[1]!,
      ),
      lines[1],
    );
    assertEquals(lines[2], "");
    assertEquals(
      lines[3],
      "#Type      #ConsumerGroup       #ClientHost          #ConsumerTime        #CostTimes #Status   ",
    );
    assert(
      /^Sub {8}TR_CG {16}127\.0\.0\.1 {12}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}\d+ms +success {3}$/.test(
        lines[4]!,
      ),
      lines[4],
    );

    const alias = await admin(
      "QueryMsgTraceById",
      "-n",
      ns.addr,
      "-i",
      sent.msgId,
      "-t",
      "RMQ_SYS_TRACE_TOPIC",
    );
    assertEquals(alias.stdout, r.stdout);
    const missing = await admin("queryMsgTraceById", "-n", ns.addr, "-i", "NO_SUCH_ID");
    assertEquals(missing.code, 1);
    assertStringIncludes(missing.stderr, "CODE: 208");
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await b.stop();
    await ns.dispose();
  }
});

Deno.test("sendMessage -m true records a trace that queryMsgTraceById finds", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  try {
    await registered(ns.addr);
    await createTopic(ns.addr, "TR_SM");
    const sent = await admin("sendMessage", "-n", ns.addr, "-t", "TR_SM", "-p", "x", "-m", "true");
    assertEquals(sent.code, 0, sent.stderr);
    const msgId = sent.stdout.split("\n")[1]!.trim().split(/\s+/).pop()!;
    let r = { code: 1, stdout: "", stderr: "" };
    await waitUntil(async () => {
      r = await admin("queryMsgTraceById", "-n", ns.addr, "-i", msgId);
      return r.code === 0;
    }, "the trace record");
    assertEquals(r.stdout.split("\n")[1]!.slice(0, 11), "Pub        ");
  } finally {
    await b.stop();
    await ns.dispose();
  }
});

Deno.test("traceViewsOf() keeps only records of the asked id and names a SubAfter's group from its SubBefore", () => {
  const S = "\u0001";
  const E = "\u0002";
  const body = `SubBefore${S}1700000000000${S}r${S}CG${S}req-1${S}ID1${S}0${S}k${E}` +
    `SubAfter${S}req-1${S}ID1${S}7${S}false${S}k${S}4${S}1700000000100${E}` +
    `SubAfter${S}req-2${S}ID2${S}1${S}true${S}k${S}0${S}1700000000200${E}garbage${E}`;
  const msg = {
    body: enc(body),
    bornHost: { ip: new Uint8Array([10, 0, 0, 7]), port: 5 },
  } as unknown as MessageExt;
  const views = traceViewsOf("ID1", [msg]);
  assertEquals(views.map((v) => [v.msgType, v.groupName, v.clientHost, v.costTime, v.status]), [
    ["SubBefore", "CG", "10.0.0.7", 0, "success"],
    ["SubAfter", "CG", "10.0.0.7", 7, "failed"],
  ]);
});

Deno.test("traceViewsOf() names a 4.9.x SubAfter's group from its own ninth field", () => {
  const S = "\u0001";
  const body = `SubAfter${S}req-9${S}ID9${S}3${S}true${S}k${S}0${S}1700000000300${S}CG9\u0002`;
  const msg = {
    body: enc(body),
    bornHost: { ip: new Uint8Array([10, 0, 0, 9]), port: 5 },
  } as unknown as MessageExt;
  assertEquals(traceViewsOf("ID9", [msg]).map((v) => [v.msgType, v.groupName, v.timeStamp]), [
    ["SubAfter", "CG9", 1700000000300],
  ]);
});

Deno.test("printMsgByQueue reads one queue, prints messages on -p and counts tags on -f", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  const producer = new Producer({ group: "PQ_PG", namesrvAddr: ns.addr });
  try {
    await registered(ns.addr);
    await createTopic(ns.addr, "PQ_T");
    await producer.start();
    for (const [body, tags] of [["m1", "A"], ["m2", "B"], ["m3", "A"]]) {
      await producer.send({ topic: "PQ_T", body: enc(body!), tags: tags! });
    }
    const all = await admin(
      "printMsgByQueue",
      "-n",
      ns.addr,
      "-t",
      "PQ_T",
      "-a",
      "broker-a",
      "-i",
      "0",
      "-p",
      "true",
      "-d",
      "true",
      "-f",
      "true",
    );
    assertEquals(all.code, 0, all.stderr);
    const lines = all.stdout.trimEnd().split("\n");
    assertEquals(lines.length, 5, all.stdout);
    assert(lines[0]!.startsWith("MSGID: ") && lines[0]!.endsWith(" BODY: m1"), lines[0]);
    assertStringIncludes(lines[0]!, "MessageExt [brokerName=broker-a, queueId=0, storeSize=");
    assertEquals(lines.slice(3), [`Tag: ${"A".padEnd(30)} Count: 2`, `Tag: ${"B".padEnd(30)} Count: 1`]);

    const quiet = await admin("printMsgByQueue", "-n", ns.addr, "-t", "PQ_T", "-a", "broker-a", "-i", "0");
    assertEquals([quiet.code, quiet.stdout], [0, ""]);
    const noBody = await admin(
      "printMsgByQueue",
      "-n",
      ns.addr,
      "-t",
      "PQ_T",
      "-a",
      "broker-a",
      "-i",
      "0",
      "-p",
      "true",
      "-s",
      "B",
    );
    assertEquals([noBody.code, noBody.stderr], [0, ""]);
    assertEquals(noBody.stdout.trimEnd().split("\n").length, 1);
    assertStringIncludes(noBody.stdout, " BODY: NOT PRINT BODY\n");

    // A tag behind more than one broker scan window (800 entries) of others is still found.
    for (let i = 0; i < 850; i++) await producer.send({ topic: "PQ_T", body: enc(`a${i}`), tags: "A" });
    await producer.send({ topic: "PQ_T", body: enc("late"), tags: "C" });
    const sparse = await admin(
      "printMsgByQueue",
      ...["-n", ns.addr, "-t", "PQ_T", "-a", "broker-a", "-i", "0", "-p", "true", "-d", "true", "-s", "C"],
    );
    assertEquals([sparse.code, sparse.stderr], [0, ""]);
    assertEquals(sparse.stdout.trimEnd().split("\n").length, 1, sparse.stdout);
    assert(sparse.stdout.trimEnd().endsWith(" BODY: late"), sparse.stdout);

    const badBroker = await admin(
      "printMsgByQueue",
      "-n",
      ns.addr,
      "-t",
      "PQ_T",
      "-a",
      "broker-z",
      "-i",
      "0",
    );
    assertEquals(badBroker.code, 1);
    assertStringIncludes(badBroker.stderr, "broker-z");
  } finally {
    await producer.shutdown();
    await b.stop();
    await ns.dispose();
  }
});
