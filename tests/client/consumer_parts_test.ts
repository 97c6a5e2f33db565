import assert from "node:assert/strict";
import { buildSubscriptionData } from "../../src/client/push_consumer.ts";
import { toConsumedMessage } from "../../src/client/message.ts";
import { LocalFileOffsetStore } from "../../src/client/offset_store.ts";
import { compressBody } from "../../src/message/compression.ts";
import type { MessageExt } from "../../src/message/message.ts";

function ext(over: Partial<MessageExt> = {}): MessageExt {
  return {
    storeSize: 0,
    bodyCRC: 0,
    queueId: 0,
    flag: 0,
    queueOffset: 3,
    commitLogOffset: 100,
    sysFlag: 0,
    bornTimestamp: 0,
    bornHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 1 },
    storeTimestamp: 0,
    storeHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    body: new TextEncoder().encode("hi"),
    topic: "T",
    properties: {},
    msgId: "7F00000100002A9F0000000000000064",
    ...over,
  };
}

Deno.test("buildSubscriptionData() carries trimmed tags and their Java hash codes", () => {
  const s = buildSubscriptionData("T", " TagA || TagB ");
  assert.equal(s.subString, "TagA || TagB");
  assert.deepEqual(s.tagsSet, ["TagA", "TagB"]);
  assert.deepEqual(s.codeSet, [2598919, 2598920]);
  assert.equal(s.expressionType, "TAG");
  const all = buildSubscriptionData("T", "");
  assert.equal(all.subString, "*");
  assert.deepEqual(all.tagsSet, []);
});

Deno.test("toConsumedMessage() exposes UNIQ_KEY as msgId and keeps the offset id apart", () => {
  const m = toConsumedMessage(ext({ properties: { UNIQ_KEY: "ABC", TAGS: "t", KEYS: "k" } }), "broker-a", {
    minOffset: 0,
    maxOffset: 9,
  });
  assert.equal(m.msgId, "ABC");
  assert.equal(m.offsetMsgId, "7F00000100002A9F0000000000000064");
  assert.equal(m.tags, "t");
  assert.equal(m.keys, "k");
  assert.equal(m.brokerName, "broker-a");
  assert.equal(m.properties["MAX_OFFSET"], "9");
  assert.equal(toConsumedMessage(ext(), "b").msgId, "7F00000100002A9F0000000000000064");
});

Deno.test("toConsumedMessage() inflates compressed bodies and restores a retry message's topic", () => {
  const body = new TextEncoder().encode("x".repeat(5000));
  const m = toConsumedMessage(
    ext({ topic: "%RETRY%G", sysFlag: 0x301, body: compressBody(body), properties: { RETRY_TOPIC: "T" } }),
    "b",
    undefined,
    "%RETRY%G",
  );
  assert.deepEqual(m.body, body);
  assert.equal(m.sysFlag & 0x1, 0);
  assert.equal(m.topic, "T");
});

Deno.test("LocalFileOffsetStore persists offsets to a file and reloads them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const mq = { topic: "T", brokerName: "b", queueId: 1 };
    const a = new LocalFileOffsetStore(dir, "127.0.0.1@x", "G");
    await a.load();
    assert.equal(await a.readOffset(mq, "memoryThenStore"), -1);
    a.updateOffset(mq, 10, true);
    a.updateOffset(mq, 5, true);
    assert.equal(await a.readOffset(mq, "memory"), 10, "increaseOnly never moves back");
    a.updateOffset(mq, 7, false);
    await a.persistAll([mq]);
    const b = new LocalFileOffsetStore(dir, "127.0.0.1@x", "G");
    await b.load();
    assert.equal(await b.readOffset(mq, "store"), 7);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
