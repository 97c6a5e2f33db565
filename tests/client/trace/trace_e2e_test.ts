/** Message trace against a real broker: records land in the trace topic, findable by message key. */
import assert from "node:assert/strict";
import { startRealCluster } from "../e2e_helpers.ts";
import { waitFor } from "../scripted_broker.ts";
import { Producer } from "../../../src/client/producer.ts";
import { PushConsumer } from "../../../src/client/push_consumer.ts";
import { LitePullConsumer } from "../../../src/client/lite_pull_consumer.ts";
import type { ConsumedMessage } from "../../../src/client/message.ts";
import { decodeTraceRecords, type TraceContext } from "../../../src/client/trace/trace_data.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** Reads every trace message stored so far in `topic`, from offset 0. */
async function readTraceTopic(namesrvAddr: string, topic: string, want: (t: TraceContext[]) => boolean) {
  const reader = new LitePullConsumer({
    group: `TRACE_READER_${crypto.randomUUID().slice(0, 8)}`,
    namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    autoCommit: false,
  });
  const msgs: ConsumedMessage[] = [];
  const records: TraceContext[] = [];
  try {
    reader.assign(await queuesOnceRouted(reader, topic));
    await reader.start();
    const end = Date.now() + 10_000;
    while (!want(records) && Date.now() < end) {
      for (const m of await reader.poll(200)) {
        msgs.push(m);
        records.push(...decodeTraceRecords(new TextDecoder().decode(m.body)));
      }
    }
  } finally {
    await reader.shutdown();
  }
  return { msgs, records };
}

/**
 * The trace topic is auto-created by the first trace send and reaches the name server with the broker's
 * next registration, a few milliseconds after the send was acknowledged (as upstream): wait for its route.
 */
async function queuesOnceRouted(reader: LitePullConsumer, topic: string) {
  const end = Date.now() + 5000;
  for (;;) {
    try {
      return await reader.fetchMessageQueues(topic);
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

Deno.test("e2e: a traced send leaves a Pub record in RMQ_SYS_TRACE_TOPIC keyed by msgId and keys", async () => {
  const cluster = await startRealCluster();
  const producer = new Producer({
    group: "TRACE_PG",
    namesrvAddr: cluster.namesrvAddr,
    enableMsgTrace: true,
  });
  try {
    await producer.start();
    const r = await producer.send({
      topic: "TracedTopic",
      body: enc("hello"),
      tags: "TagT",
      keys: ["o-1", "o-2"],
    });
    await producer.traceDispatcher!.flush();
    const { msgs, records } = await readTraceTopic(
      cluster.namesrvAddr,
      "RMQ_SYS_TRACE_TOPIC",
      (t) => t.some((c) => c.traceType === "Pub"),
    );
    const pub = records.find((c) => c.traceType === "Pub" && c.traceBeans[0]!.msgId === r.msgId);
    assert.ok(pub, "a Pub record for the sent message");
    const bean = pub.traceBeans[0]!;
    assert.equal(pub.groupName, "TRACE_PG");
    assert.equal(pub.success, true);
    assert.equal(bean.topic, "TracedTopic");
    assert.equal(bean.tags, "TagT");
    assert.equal(bean.keys, "o-1 o-2");
    assert.equal(bean.offsetMsgId, r.offsetMsgId);
    assert.equal(bean.bodyLength, 5);
    const keys = (msgs[0]!.keys ?? "").split(" ");
    assert.ok(keys.includes(r.msgId) && keys.includes("o-1"), `trace message keys "${msgs[0]!.keys}"`);
  } finally {
    await producer.shutdown();
    await cluster.close();
  }
});

Deno.test("e2e: a traced push consumer records SubBefore and SubAfter in a custom trace topic", async () => {
  const cluster = await startRealCluster();
  const producer = new Producer({ group: "TRACE_PG2", namesrvAddr: cluster.namesrvAddr });
  const consumer = new PushConsumer({
    group: "TRACE_CG2",
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    enableMsgTrace: true,
    customizedTraceTopic: "MyTraceTopic",
  });
  let consumed = 0;
  try {
    await producer.start();
    const r = await producer.send({ topic: "TracedConsume", body: enc("x"), keys: "kk" });
    consumer.subscribe("TracedConsume", "*");
    consumer.registerMessageListener(() => {
      consumed++;
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    await waitFor(() => consumed >= 1, 10_000, "the message to be consumed");
    await consumer.shutdown(); // flushes the trace dispatcher
    const { records } = await readTraceTopic(
      cluster.namesrvAddr,
      "MyTraceTopic",
      (t) => t.some((c) => c.traceType === "SubAfter"),
    );
    const before = records.find((c) => c.traceType === "SubBefore" && c.traceBeans[0]!.msgId === r.msgId);
    const after = records.find((c) => c.traceType === "SubAfter" && c.traceBeans[0]!.msgId === r.msgId);
    assert.ok(before && after, "SubBefore and SubAfter for the consumed message");
    assert.equal(before.groupName, "TRACE_CG2");
    assert.equal(before.traceBeans[0]!.keys, "kk");
    assert.equal(after.requestId, before.requestId);
    assert.equal(after.success, true);
    assert.equal(after.contextCode, 0);
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
});

Deno.test("e2e: a traced transactional send records the half message and its EndTransaction", async () => {
  const cluster = await startRealCluster();
  const producer = new Producer({
    group: "TRACE_TX_PG",
    namesrvAddr: cluster.namesrvAddr,
    enableMsgTrace: true,
    transactionListener: {
      executeLocalTransaction: () => "COMMIT_MESSAGE",
      checkLocalTransaction: () => "COMMIT_MESSAGE",
    },
  });
  try {
    await producer.start();
    const r = await producer.sendMessageInTransaction({ topic: "TracedTx", body: enc("tx"), keys: "tk" });
    await producer.traceDispatcher!.flush();
    const { records } = await readTraceTopic(
      cluster.namesrvAddr,
      "RMQ_SYS_TRACE_TOPIC",
      (t) => t.some((c) => c.traceType === "EndTransaction") && t.some((c) => c.traceType === "Pub"),
    );
    const pub = records.find((c) => c.traceType === "Pub" && c.traceBeans[0]!.msgId === r.msgId);
    const end = records.find((c) => c.traceType === "EndTransaction" && c.traceBeans[0]!.msgId === r.msgId);
    assert.equal(pub?.traceBeans[0]?.msgType, 1, "the half message is Trans_Msg_Half");
    assert.ok(end, "an EndTransaction record");
    assert.equal(end.traceBeans[0]!.transactionState, "COMMIT_MESSAGE");
    assert.equal(end.traceBeans[0]!.fromTransactionCheck, false);
    assert.equal(end.traceBeans[0]!.keys, "tk");
  } finally {
    await producer.shutdown();
    await cluster.close();
  }
});

Deno.test("e2e: a traced lite pull consumer records each polled message as consumed", async () => {
  const cluster = await startRealCluster();
  const producer = new Producer({ group: "TRACE_PG4", namesrvAddr: cluster.namesrvAddr });
  const consumer = new LitePullConsumer({
    group: "TRACE_CG4",
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    enableMsgTrace: true,
  });
  try {
    await producer.start();
    const r = await producer.send({ topic: "TracedLite", body: enc("x") });
    consumer.subscribe("TracedLite", "*");
    await consumer.start();
    const end = Date.now() + 10_000;
    let polled = 0;
    while (polled === 0 && Date.now() < end) polled += (await consumer.poll(200)).length;
    await consumer.shutdown();
    const { records } = await readTraceTopic(
      cluster.namesrvAddr,
      "RMQ_SYS_TRACE_TOPIC",
      (t) => t.some((c) => c.traceType === "SubAfter"),
    );
    const after = records.find((c) => c.traceType === "SubAfter" && c.traceBeans[0]!.msgId === r.msgId);
    assert.ok(records.some((c) => c.traceType === "SubBefore" && c.groupName === "TRACE_CG4"));
    assert.equal(after?.success, true);
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
});
