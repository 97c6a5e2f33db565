import assert from "node:assert/strict";
import { startScriptedCluster, waitFor } from "./scripted_broker.ts";
import { PushConsumer } from "../../src/client/push_consumer.ts";
import type { ConsumedMessage } from "../../src/client/message.ts";
import { decodeProperties } from "../../src/message/properties.ts";

Deno.test("PushConsumer consumes matching tags from every queue and commits offsets on shutdown", async () => {
  const c = await startScriptedCluster({ TopicA: 4, "%RETRY%G1": 1 });
  c.put("TopicA", 0, "a0", { TAGS: "TagA" });
  c.put("TopicA", 0, "b0", { TAGS: "TagB" });
  c.put("TopicA", 2, "a2", { TAGS: "TagA", KEYS: "k" });
  const got: ConsumedMessage[] = [];
  const consumer = new PushConsumer({
    group: "G1",
    namesrvAddr: c.ns.addr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  consumer.subscribe("TopicA", "TagA");
  consumer.registerMessageListener((msgs) => {
    got.push(...msgs);
    return "CONSUME_SUCCESS";
  });
  try {
    await consumer.start();
    await waitFor(() => got.length >= 2, 5000, "two TagA messages");
    c.put("TopicA", 3, "a3-live", { TAGS: "TagA" });
    await waitFor(() => got.length >= 3, 5000, "a message sent after start");
    assert.deepEqual(got.map((m) => new TextDecoder().decode(m.body)).sort(), ["a0", "a2", "a3-live"]);
    assert.ok(got.every((m) => m.tags === "TagA" && m.msgId.startsWith("UTopicA")));
    assert.equal(got.find((m) => m.queueId === 2)!.keys, "k");
  } finally {
    await consumer.shutdown();
  }
  try {
    assert.equal(c.offsets.get("G1@TopicA@0"), 2, "the skipped TagB message counts as consumed");
    assert.equal(c.offsets.get("G1@TopicA@2"), 1);
    assert.equal(c.offsets.get("G1@TopicA@3"), 1);
    assert.deepEqual(c.members("G1"), [], "shutdown unregisters");
  } finally {
    await c.close();
  }
});

Deno.test("PushConsumer sends RECONSUME_LATER messages back with their commit-log offset", async () => {
  const c = await startScriptedCluster({ TopicA: 1, "%RETRY%G2": 1 });
  c.put("TopicA", 0, "fail-me");
  let calls = 0;
  const consumer = new PushConsumer({
    group: "G2",
    namesrvAddr: c.ns.addr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  consumer.subscribe("TopicA", "*");
  consumer.registerMessageListener(() => {
    calls++;
    return "RECONSUME_LATER";
  });
  try {
    await consumer.start();
    await waitFor(() => c.sendBacks.length === 1, 5000, "a send-back");
    const sb = c.sendBacks[0]!.extFields;
    assert.equal(sb["group"], "G2");
    assert.equal(sb["offset"], "0");
    assert.equal(sb["delayLevel"], "0");
    assert.equal(sb["originMsgId"], "UTopicA-0-0");
    assert.equal(sb["originTopic"], "TopicA");
    assert.equal(calls, 1);
  } finally {
    await consumer.shutdown();
    await c.close();
  }
  assert.equal(c.offsets.get("G2@TopicA@0"), 1, "a message handed back to the broker is done here");
});

Deno.test("Two PushConsumers of one group split the queues after the broker's change notice", async () => {
  const c = await startScriptedCluster({ TopicA: 4, "%RETRY%G3": 1 });
  const a = new PushConsumer({ group: "G3", namesrvAddr: c.ns.addr });
  const b = new PushConsumer({ group: "G3", namesrvAddr: c.ns.addr });
  for (const x of [a, b]) {
    x.subscribe("TopicA", "*");
    x.registerMessageListener(() => "CONSUME_SUCCESS");
  }
  const owned = (x: PushConsumer) =>
    x.rebalance.ownedQueues().filter((q) => q.topic === "TopicA").map((q) => q.queueId).sort();
  try {
    await a.start();
    await waitFor(() => owned(a).length === 4, 5000, "a owning all queues");
    await b.start();
    await waitFor(() => owned(a).length === 2 && owned(b).length === 2, 5000, "an even split");
    const all = [...owned(a), ...owned(b)].sort();
    assert.deepEqual(all, [0, 1, 2, 3]);
  } finally {
    await b.shutdown();
    await a.shutdown();
    await c.close();
  }
});

Deno.test("An orderly PushConsumer consumes one queue in offset order under a broker lock", async () => {
  const c = await startScriptedCluster({ TopicA: 1, "%RETRY%G4": 1 });
  for (let i = 0; i < 5; i++) c.put("TopicA", 0, `m${i}`);
  const seen: string[] = [];
  let suspended = false;
  const consumer = new PushConsumer({
    group: "G4",
    namesrvAddr: c.ns.addr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    suspendCurrentQueueTimeMillis: 20,
  });
  consumer.subscribe("TopicA", "*");
  consumer.registerOrderlyListener((msgs) => {
    const body = new TextDecoder().decode(msgs[0]!.body);
    if (body === "m2" && !suspended) {
      suspended = true;
      return "SUSPEND_CURRENT_QUEUE_A_MOMENT";
    }
    seen.push(body);
    return "SUCCESS";
  });
  try {
    await consumer.start();
    await waitFor(() => seen.length === 5, 5000, "five ordered messages");
    assert.deepEqual(seen, ["m0", "m1", "m2", "m3", "m4"]);
  } finally {
    await consumer.shutdown();
    await c.close();
  }
  assert.equal(c.offsets.get("G4@TopicA@0"), 5);
});

Deno.test("When the broker refuses a send-back, the consumer sends the message to %RETRY% itself", async () => {
  const c = await startScriptedCluster({ TopicA: 1, "%RETRY%G5": 1 });
  c.sendBackCode = 1;
  c.put("TopicA", 0, "fail-me", { TAGS: "t" });
  const consumer = new PushConsumer({
    group: "G5",
    namesrvAddr: c.ns.addr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  consumer.subscribe("TopicA", "*");
  consumer.registerMessageListener(() => "RECONSUME_LATER");
  try {
    await consumer.start();
    await waitFor(() => c.sends.length === 1, 5000, "a direct retry send");
    const h = c.sends[0]!.extFields;
    assert.equal(h["a"], "CLIENT_INNER_PRODUCER");
    assert.equal(h["b"], "%RETRY%G5");
    assert.equal(h["j"], "1", "reconsumeTimes travels in the header");
    assert.equal(h["l"], "16");
    const props = decodeProperties(h["i"]!);
    assert.equal(props["RETRY_TOPIC"], "TopicA");
    assert.equal(props["DELAY"], "3");
    assert.equal(props["ORIGIN_MESSAGE_ID"], "UTopicA-0-0");
    assert.equal(props["UNIQ_KEY"], "UTopicA-0-0");
    assert.equal(props["TAGS"], "t");
    assert.equal(props["RECONSUME_TIME"], undefined);
    assert.equal(props["MIN_OFFSET"], undefined);
  } finally {
    await consumer.shutdown();
    await c.close();
  }
});

Deno.test("A pull answered OFFSET_MOVED resets the stored offset and consumption resumes from there", async () => {
  const c = await startScriptedCluster({ TopicA: 1, "%RETRY%G6": 1 });
  c.put("TopicA", 0, "old0");
  c.put("TopicA", 0, "old1");
  c.offsets.set("G6@TopicA@0", 10); // beyond the queue's end, as after the broker lost its data
  const got: string[] = [];
  const consumer = new PushConsumer({ group: "G6", namesrvAddr: c.ns.addr });
  consumer.subscribe("TopicA", "*");
  consumer.registerMessageListener((msgs) => {
    got.push(...msgs.map((m) => new TextDecoder().decode(m.body)));
    return "CONSUME_SUCCESS";
  });
  try {
    await consumer.start();
    await waitFor(() => c.offsets.get("G6@TopicA@0") === 2, 5000, "the offset to move to the queue's end");
    await waitFor(
      () => consumer.rebalance.ownedQueues().some((q) => q.topic === "TopicA"),
      5000,
      "the queue back",
    );
    c.put("TopicA", 0, "new2");
    await waitFor(() => got.length === 1, 5000, "the new message");
    assert.deepEqual(got, ["new2"]);
  } finally {
    await consumer.shutdown();
    await c.close();
  }
});

Deno.test("An orderly listener's deprecated COMMIT and ROLLBACK verdicts move the queue on like SUCCESS", async () => {
  const c = await startScriptedCluster({ TopicA: 1, "%RETRY%G4C": 1 });
  for (let i = 0; i < 4; i++) c.put("TopicA", 0, `m${i}`);
  const seen: string[] = [];
  const consumer = new PushConsumer({
    group: "G4C",
    namesrvAddr: c.ns.addr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    suspendCurrentQueueTimeMillis: 20,
  });
  consumer.subscribe("TopicA", "*");
  consumer.registerOrderlyListener((msgs) => {
    seen.push(new TextDecoder().decode(msgs[0]!.body));
    return seen.length % 2 === 0 ? "ROLLBACK" : "COMMIT";
  });
  try {
    await consumer.start();
    await waitFor(() => seen.length >= 4, 5000, "four ordered messages");
    assert.deepEqual(seen, ["m0", "m1", "m2", "m3"], "each message is consumed once, none retried");
  } finally {
    await consumer.shutdown();
    await c.close();
  }
  assert.equal(c.offsets.get("G4C@TopicA@0"), 4);
});
