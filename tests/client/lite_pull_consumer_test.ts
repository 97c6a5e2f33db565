import assert from "node:assert/strict";
import { startScriptedCluster } from "./scripted_broker.ts";
import { LitePullConsumer } from "../../src/client/lite_pull_consumer.ts";
import type { ConsumedMessage } from "../../src/client/message.ts";

const text = (msgs: ConsumedMessage[]) => msgs.map((m) => new TextDecoder().decode(m.body));

async function pollUntil(c: LitePullConsumer, n: number): Promise<ConsumedMessage[]> {
  const out: ConsumedMessage[] = [];
  const end = Date.now() + 5000;
  while (out.length < n && Date.now() < end) out.push(...await c.poll(200));
  return out;
}

Deno.test("LitePullConsumer.poll() returns subscribed messages and commits their offsets", async () => {
  const c = await startScriptedCluster({ TopicA: 2 });
  c.put("TopicA", 0, "x0", { TAGS: "A" });
  c.put("TopicA", 1, "x1", { TAGS: "B" });
  c.put("TopicA", 1, "x2", { TAGS: "A" });
  const consumer = new LitePullConsumer({
    group: "L1",
    namesrvAddr: c.ns.addr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  consumer.subscribe("TopicA", "A");
  try {
    await consumer.start();
    const got = await pollUntil(consumer, 2);
    assert.deepEqual(text(got).sort(), ["x0", "x2"]);
    assert.deepEqual(await consumer.poll(50), []);
    await consumer.commitSync();
  } finally {
    await consumer.shutdown();
  }
  try {
    assert.equal(c.offsets.get("L1@TopicA@0"), 1);
    assert.equal(c.offsets.get("L1@TopicA@1"), 2);
  } finally {
    await c.close();
  }
});

Deno.test("LitePullConsumer.assign() and seek() re-read a queue from a chosen offset", async () => {
  const c = await startScriptedCluster({ TopicA: 2 });
  for (let i = 0; i < 4; i++) c.put("TopicA", 1, `m${i}`);
  const consumer = new LitePullConsumer({
    group: "L2",
    namesrvAddr: c.ns.addr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  try {
    await consumer.start();
    const mqs = await consumer.fetchMessageQueues("TopicA");
    assert.equal(mqs.length, 2);
    const q1 = mqs.find((q) => q.queueId === 1)!;
    consumer.assign([q1]);
    assert.deepEqual(text(await pollUntil(consumer, 4)), ["m0", "m1", "m2", "m3"]);
    consumer.seek(q1, 2);
    assert.deepEqual(text(await pollUntil(consumer, 2)), ["m2", "m3"]);
    await consumer.seekToEnd(q1);
    c.put("TopicA", 1, "m4");
    assert.deepEqual(text(await pollUntil(consumer, 1)), ["m4"]);
    assert.equal(await consumer.committed(q1), 5);
  } finally {
    await consumer.shutdown();
    await c.close();
  }
});
