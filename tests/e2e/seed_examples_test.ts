/**
 * The issue-4 seed examples, run with the rmq client against a real in-process name server and broker:
 * ordered messages per order id, tag filtering, and batch, async, oneway and delayed sends.
 */
import assert from "node:assert/strict";
import { type RealCluster, startRealCluster } from "../client/e2e_helpers.ts";
import { waitFor } from "../client/scripted_broker.ts";
import { Producer, selectByHash } from "../../src/client/producer.ts";
import { PushConsumer } from "../../src/client/push_consumer.ts";
import type { ConsumedMessage, Message } from "../../src/client/message.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Runs `body` with a fresh cluster, a started producer and an (unstarted) push consumer. */
async function withClients(
  name: string,
  body: (ctx: { cluster: RealCluster; producer: Producer; consumer: PushConsumer }) => Promise<void>,
): Promise<void> {
  const cluster = await startRealCluster();
  const producer = new Producer({ group: `SEED_PG_${name}`, namesrvAddr: cluster.namesrvAddr });
  const consumer = new PushConsumer({
    group: `SEED_CG_${name}`,
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  try {
    await producer.start();
    await body({ cluster, producer, consumer });
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
}

/** Subscribes `consumer` to `topic` with `expr`, collects every message, and starts it. */
async function collect(consumer: PushConsumer, topic: string, expr = "*"): Promise<ConsumedMessage[]> {
  const got: ConsumedMessage[] = [];
  consumer.subscribe(topic, expr);
  consumer.registerMessageListener((msgs) => {
    got.push(...msgs);
    return "CONSUME_SUCCESS";
  });
  await consumer.start();
  return got;
}

const STEPS = ["create", "pay", "complete", "push"];

Deno.test("seed: an orderly consumer sees each order's steps in the order the producer sent them", async () => {
  await withClients("ORDER", async ({ producer, consumer }) => {
    const orders = ["order-1", "order-2", "order-3", "order-4", "order-5", "order-6"];
    // Orders interleave on the wire; the selector keeps each order on one queue.
    for (const step of STEPS) {
      for (const orderId of orders) {
        const r = await producer.send(
          { topic: "SeedOrdered", body: enc(`${orderId}:${step}`), tags: step, keys: orderId },
          selectByHash,
          orderId,
        );
        assert.equal(r.sendStatus, "SEND_OK");
      }
    }
    const seen = new Map<string, string[]>();
    const queues = new Map<string, Set<number>>();
    consumer.subscribe("SeedOrdered", "*");
    consumer.registerOrderlyListener((msgs) => {
      for (const m of msgs) {
        const [orderId, step] = dec(m.body).split(":") as [string, string];
        seen.set(orderId, [...(seen.get(orderId) ?? []), step]);
        queues.set(orderId, (queues.get(orderId) ?? new Set()).add(m.queueId));
      }
      return "SUCCESS";
    });
    await consumer.start();
    await waitFor(
      () => [...seen.values()].reduce((n, s) => n + s.length, 0) >= orders.length * STEPS.length,
      15_000,
      "every step of every order",
    );
    for (const orderId of orders) {
      assert.deepEqual(seen.get(orderId), STEPS, `steps of ${orderId}`);
      assert.equal(queues.get(orderId)!.size, 1, `${orderId} stays on one queue`);
    }
  });
});

Deno.test("seed: a push consumer subscribed to `TagA || TagC` gets exactly those messages", async () => {
  await withClients("TAGS", async ({ producer, consumer }) => {
    const tags = ["TagA", "TagB", "TagC", "TagD", "TagE"];
    const wanted: string[] = [];
    for (let i = 0; i < 20; i++) {
      const tag = tags[i % tags.length]!;
      const r = await producer.send({ topic: "SeedTags", body: enc(`m${i}`), tags: tag });
      if (tag === "TagA" || tag === "TagC") wanted.push(r.msgId);
    }
    await producer.send({ topic: "SeedTags", body: enc("untagged") });
    const got = await collect(consumer, "SeedTags", "TagA || TagC");
    await waitFor(() => got.length >= wanted.length, 10_000, "the TagA and TagC messages");
    // Give a wrongly delivered message the chance to show up.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(got.map((m) => m.msgId).sort(), wanted.sort());
    assert.ok(got.every((m) => m.tags === "TagA" || m.tags === "TagC"));
  });
});

Deno.test("seed: a batch send stores every message of the batch, each delivered with its own id", async () => {
  await withClients("BATCH", async ({ producer, consumer }) => {
    const batch: Message[] = [];
    for (let i = 0; i < 10; i++) {
      batch.push({ topic: "SeedBatch", body: enc(`b${i}`), tags: "TagA", keys: `k${i}` });
    }
    const r = await producer.send(batch);
    assert.equal(r.sendStatus, "SEND_OK");
    const ids = r.msgId.split(",");
    assert.equal(ids.length, 10);
    const got = await collect(consumer, "SeedBatch");
    await waitFor(() => got.length >= 10, 10_000, "the ten batched messages");
    assert.deepEqual(got.map((m) => m.msgId).sort(), [...ids].sort());
    const byBody = new Map(got.map((m) => [dec(m.body), m]));
    assert.equal(byBody.get("b3")?.keys, "k3");
    assert.equal(byBody.get("b3")?.tags, "TagA");
  });
});

Deno.test("seed: async sends all complete with results and are all delivered", async () => {
  await withClients("ASYNC", async ({ producer, consumer }) => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => producer.sendAsync({ topic: "SeedAsync", body: enc(`a${i}`) })),
    );
    assert.ok(results.every((r) => r.sendStatus === "SEND_OK"));
    assert.equal(new Set(results.map((r) => r.msgId)).size, 20);
    const got = await collect(consumer, "SeedAsync");
    await waitFor(() => got.length >= 20, 10_000, "the twenty async messages");
    assert.deepEqual(got.map((m) => m.msgId).sort(), results.map((r) => r.msgId).sort());
  });
});

Deno.test("seed: oneway sends are delivered although the producer never sees a result", async () => {
  await withClients("ONEWAY", async ({ producer, consumer }) => {
    // The first send creates the topic; oneway sends would not learn about a refusal.
    await producer.send({ topic: "SeedOneway", body: enc("first") });
    for (let i = 0; i < 10; i++) await producer.sendOneway({ topic: "SeedOneway", body: enc(`o${i}`) });
    const got = await collect(consumer, "SeedOneway");
    await waitFor(() => got.length >= 11, 10_000, "the oneway messages");
    const bodies = new Set(got.map((m) => dec(m.body)));
    for (let i = 0; i < 10; i++) assert.ok(bodies.has(`o${i}`), `o${i} delivered`);
  });
});

Deno.test("seed: a delayed message arrives after its delay level, not before", async () => {
  // The test cluster's messageDelayLevel is "1s 2s 3s": level 1 is one second.
  await withClients("DELAY", async ({ producer, consumer }) => {
    const arrivals = new Map<string, number>();
    consumer.subscribe("SeedDelay", "*");
    consumer.registerMessageListener((msgs) => {
      for (const m of msgs) arrivals.set(dec(m.body), Date.now());
      return "CONSUME_SUCCESS";
    });
    // A plain message first creates the topic, so the consumer is pulling before the delayed one is sent.
    await producer.send({ topic: "SeedDelay", body: enc("now") });
    await consumer.start();
    await waitFor(() => arrivals.has("now"), 10_000, "the undelayed message");
    const sentAt = Date.now();
    const r = await producer.send({ topic: "SeedDelay", body: enc("later"), delayTimeLevel: 1 });
    assert.equal(r.sendStatus, "SEND_OK");
    await waitFor(() => arrivals.has("later"), 10_000, "the delayed message");
    const waited = arrivals.get("later")! - sentAt;
    assert.ok(waited >= 950, `delivered after ${waited} ms, expected at least the 1 s delay`);
  });
});
