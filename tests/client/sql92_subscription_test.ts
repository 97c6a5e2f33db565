/** SQL92 subscriptions: the wire form, the client-side re-check, the start-up probe and the broker round trip. */
import assert from "node:assert/strict";
import { startRealCluster } from "./e2e_helpers.ts";
import { waitFor } from "./scripted_broker.ts";
import { Producer } from "../../src/client/producer.ts";
import { PushConsumer } from "../../src/client/push_consumer.ts";
import { LitePullConsumer } from "../../src/client/lite_pull_consumer.ts";
import { MQClientError } from "../../src/client/errors.ts";
import type { ConsumedMessage } from "../../src/client/message.ts";
import { buildSubscription, MessageSelector } from "../../src/client/subscription.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("buildSubscription() sends a SQL92 selector verbatim with empty tag sets", () => {
  const s = buildSubscription("T", MessageSelector.bySql(" a > 5 AND TAGS = 'x' "));
  assert.equal(s.data.expressionType, "SQL92");
  assert.equal(s.data.subString, "a > 5 AND TAGS = 'x'");
  assert.deepEqual(s.data.tagsSet, []);
  assert.deepEqual(s.data.codeSet, []);
});

Deno.test("buildSubscription() re-checks SQL92 on properties: null and type errors do not match", () => {
  const s = buildSubscription("T", MessageSelector.bySql("a > 5"));
  assert.equal(s.matches({ a: "6" }), true);
  assert.equal(s.matches({ a: "5" }), false);
  assert.equal(s.matches({}), false);
  assert.equal(s.matches({ a: "abc" }), false);
});

Deno.test("buildSubscription() keeps TAG semantics for strings and MessageSelector.byTag", () => {
  for (
    const s of [buildSubscription("T", "A || B"), buildSubscription("T", MessageSelector.byTag("A || B"))]
  ) {
    assert.equal(s.data.expressionType, "TAG");
    assert.deepEqual(s.data.tagsSet, ["A", "B"]);
    assert.equal(s.matches({ TAGS: "A" }), true);
    assert.equal(s.matches({ TAGS: "C" }), false);
    assert.equal(s.matches({}), false);
  }
  assert.equal(buildSubscription("T").matches({}), true);
});

Deno.test("subscribe() rejects an invalid SQL92 selector at once, quoting it", () => {
  const c = new PushConsumer({ group: "G", namesrvAddr: "127.0.0.1:1" });
  assert.throws(
    () => c.subscribe("T", MessageSelector.bySql("a > > 1")),
    (e) => e instanceof MQClientError && e.message.includes('"a > > 1"'),
  );
  assert.throws(() => c.subscribe("T", MessageSelector.bySql("  ")), MQClientError);
});

Deno.test("e2e: a SQL92 push consumer fails to start when the broker has no property filter", async () => {
  const cluster = await startRealCluster({ enablePropertyFilter: false });
  const producer = new Producer({ group: "SQL_PG0", namesrvAddr: cluster.namesrvAddr });
  const consumer = new PushConsumer({ group: "SQL_CG0", namesrvAddr: cluster.namesrvAddr });
  try {
    await producer.start();
    await producer.send({ topic: "SqlOff", body: enc("x") });
    consumer.subscribe("SqlOff", MessageSelector.bySql("a > 1"));
    consumer.registerMessageListener(() => "CONSUME_SUCCESS");
    await assert.rejects(consumer.start(), (e) => e instanceof MQClientError && /SQL92/.test(e.message));
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
});

async function sendNumbered(producer: Producer, topic: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await producer.send({
      topic,
      body: enc(`m${i}`),
      tags: i % 2 === 0 ? "even" : "odd",
      properties: { a: String(i) },
    });
  }
}

Deno.test("e2e: a SQL92 push consumer receives exactly the messages its selector matches", async () => {
  const cluster = await startRealCluster({ enablePropertyFilter: true });
  const producer = new Producer({ group: "SQL_PG1", namesrvAddr: cluster.namesrvAddr });
  const consumer = new PushConsumer({
    group: "SQL_CG1",
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  const got: ConsumedMessage[] = [];
  try {
    await producer.start();
    await sendNumbered(producer, "SqlPush");
    consumer.subscribe("SqlPush", MessageSelector.bySql("a >= 4 AND TAGS = 'even'"));
    consumer.registerMessageListener((msgs) => {
      got.push(...msgs);
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    await waitFor(() => got.length >= 3, 10_000, "three matching messages");
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(got.map((m) => dec(m.body)).sort(), ["m4", "m6", "m8"]);
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
});

Deno.test("e2e: a SQL92 lite pull consumer polls only matching messages", async () => {
  const cluster = await startRealCluster({ enablePropertyFilter: true });
  const producer = new Producer({ group: "SQL_PG2", namesrvAddr: cluster.namesrvAddr });
  const consumer = new LitePullConsumer({
    group: "SQL_CG2",
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  const got: string[] = [];
  try {
    await producer.start();
    await sendNumbered(producer, "SqlLite");
    consumer.subscribe("SqlLite", MessageSelector.bySql("a BETWEEN 2 AND 3"));
    await consumer.start();
    const end = Date.now() + 10_000;
    while (got.length < 2 && Date.now() < end) {
      for (const m of await consumer.poll(200)) got.push(dec(m.body));
    }
    assert.deepEqual(got.sort(), ["m2", "m3"]);
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
});
