/** The client against the real broker and name server. */
import assert from "node:assert/strict";
import { startRealCluster } from "./e2e_helpers.ts";
import { waitFor } from "./scripted_broker.ts";
import { Producer, selectByHash } from "../../src/client/producer.ts";
import { PushConsumer } from "../../src/client/push_consumer.ts";
import { LitePullConsumer } from "../../src/client/lite_pull_consumer.ts";
import type { ConsumedMessage } from "../../src/client/message.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("e2e: messages sent to an auto-created topic reach a push consumer, filtered by tag", async () => {
  const cluster = await startRealCluster();
  const producer = new Producer({ group: "E2E_PG", namesrvAddr: cluster.namesrvAddr });
  const consumer = new PushConsumer({
    group: "E2E_CG",
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  const got: ConsumedMessage[] = [];
  try {
    await producer.start();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await producer.send({
        topic: "E2ETopic",
        body: enc(`m${i}`),
        tags: i % 2 === 0 ? "even" : "odd",
      });
      assert.equal(r.sendStatus, "SEND_OK");
      if (i % 2 === 0) ids.push(r.msgId);
    }
    const big = await producer.send({ topic: "E2ETopic", body: enc("x".repeat(10_000)), tags: "even" });
    ids.push(big.msgId);
    consumer.subscribe("E2ETopic", "even");
    consumer.registerMessageListener((msgs) => {
      got.push(...msgs);
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    await waitFor(() => got.length >= 4, 10_000, "four even messages");
    assert.deepEqual(got.map((m) => m.msgId).sort(), ids.sort());
    assert.ok(got.every((m) => m.tags === "even"));
    assert.ok(got.some((m) => dec(m.body) === "x".repeat(10_000)), "compressed body comes back inflated");
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
});

Deno.test("e2e: RECONSUME_LATER brings the message back through the retry topic", async () => {
  const cluster = await startRealCluster();
  const producer = new Producer({ group: "E2E_PG2", namesrvAddr: cluster.namesrvAddr });
  const consumer = new PushConsumer({
    group: "E2E_CG2",
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  const deliveries: ConsumedMessage[] = [];
  try {
    await producer.start();
    const sent = await producer.send({ topic: "E2ERetry", body: enc("again") });
    consumer.subscribe("E2ERetry", "*");
    consumer.registerMessageListener((msgs) => {
      deliveries.push(...msgs);
      // Fail the first delivery only; the redelivery arrives via %RETRY% after delay level 3 (3 s here).
      return deliveries.length === 1 ? "RECONSUME_LATER" : "CONSUME_SUCCESS";
    });
    await consumer.start();
    await waitFor(() => deliveries.length >= 2, 15_000, "a redelivery");
    const again = deliveries[1]!;
    assert.equal(again.msgId, sent.msgId);
    assert.equal(again.topic, "E2ERetry");
    assert.equal(again.reconsumeTimes, 1);
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
});

Deno.test("e2e: a lite pull consumer polls a batch send", async () => {
  const cluster = await startRealCluster();
  const producer = new Producer({ group: "E2E_PG3", namesrvAddr: cluster.namesrvAddr });
  const consumer = new LitePullConsumer({
    group: "E2E_CG3",
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  try {
    await producer.start();
    const r = await producer.send([0, 1, 2].map((i) => ({ topic: "E2EBatch", body: enc(`b${i}`) })));
    assert.equal(r.msgId.split(",").length, 3);
    consumer.subscribe("E2EBatch", "*");
    await consumer.start();
    const got: ConsumedMessage[] = [];
    const end = Date.now() + 10_000;
    while (got.length < 3 && Date.now() < end) got.push(...await consumer.poll(200));
    assert.deepEqual(got.map((m) => dec(m.body)), ["b0", "b1", "b2"]);
    assert.deepEqual(got.map((m) => m.msgId), r.msgId.split(","));
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
});

Deno.test("e2e: ordered sends to one queue are consumed in order by an orderly consumer", async () => {
  const cluster = await startRealCluster();
  const producer = new Producer({ group: "E2E_PG4", namesrvAddr: cluster.namesrvAddr });
  const consumer = new PushConsumer({
    group: "E2E_CG4",
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    consumeMessageBatchMaxSize: 3,
  });
  const seen: string[] = [];
  try {
    await producer.start();
    for (let i = 0; i < 10; i++) {
      const r = await producer.send({ topic: "E2EOrder", body: enc(`o${i}`) }, selectByHash, "order-1");
      assert.equal(r.sendStatus, "SEND_OK");
    }
    consumer.subscribe("E2EOrder", "*");
    consumer.registerOrderlyListener((msgs) => {
      seen.push(...msgs.map((m) => dec(m.body)));
      return "SUCCESS";
    });
    await consumer.start();
    await waitFor(() => seen.length >= 10, 10_000, "ten ordered messages");
    assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => `o${i}`));
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
});
