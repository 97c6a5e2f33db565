import assert from "node:assert/strict";
import { createRequest } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { decodeRecords } from "../../src/message/record_codec.ts";
import { encodeBatchBody } from "../../src/message/batch_codec.ts";
import { encodeProperties } from "../../src/message/properties.ts";
import { decodeSendMessageResponseHeader } from "../../src/protocol/headers/send.ts";
import { decodePullMessageResponseHeader } from "../../src/protocol/headers/pull.ts";
import { pullRequest, sendRequest, startBroker } from "./helpers.ts";

const text = new TextDecoder();

Deno.test("a sent message can be pulled back with its body and properties intact", async () => {
  const f = await startBroker();
  try {
    const res = await f.client.invokeSync(
      f.addr,
      sendRequest("TopicA", "hello", { TAGS: "TagA", KEYS: "k1" }),
      3000,
    );
    assert.deepEqual(res.code, ResponseCode.SUCCESS, res.remark);
    const h = decodeSendMessageResponseHeader(res.extFields);
    assert.deepEqual(h.queueId, 0);
    assert.deepEqual(h.queueOffset, 0);
    assert.match(h.msgId, /^[0-9A-F]{32}$/);
    assert.deepEqual(res.extFields.MSG_REGION, "DefaultRegion");
    assert.deepEqual(res.extFields.TRACE_ON, "true");

    const pull = await f.client.invokeSync(f.addr, pullRequest("G1", "TopicA", 0, 0), 3000);
    assert.deepEqual(pull.code, ResponseCode.SUCCESS, pull.remark);
    const ph = decodePullMessageResponseHeader(pull.extFields);
    assert.deepEqual(ph, { suggestWhichBrokerId: 0, nextBeginOffset: 1, minOffset: 0, maxOffset: 1 });
    const msgs = decodeRecords(pull.body!);
    assert.deepEqual(msgs.length, 1);
    assert.deepEqual(text.decode(msgs[0]!.body), "hello");
    assert.deepEqual(msgs[0]!.properties.TAGS, "TagA");
    assert.deepEqual(msgs[0]!.properties.KEYS, "k1");
    assert.deepEqual(msgs[0]!.properties.CLUSTER, "TestCluster");
    assert.deepEqual(msgs[0]!.msgId, h.msgId);
  } finally {
    await f.stop();
  }
});

Deno.test("an unknown topic is auto-created from TBW102 with min(client, TBW102) queues", async () => {
  const f = await startBroker();
  try {
    const res = await f.client.invokeSync(f.addr, sendRequest("AutoTopic", "x"), 3000);
    assert.deepEqual(res.code, ResponseCode.SUCCESS, res.remark);
    const tc = f.broker.context.topicConfigManager.selectTopicConfig("AutoTopic");
    assert.deepEqual(tc?.readQueueNums, 4);
    assert.deepEqual(tc?.perm, 6);
  } finally {
    await f.stop();
  }
});

Deno.test("send refuses bad topics in upstream's order and wording", async () => {
  const f = await startBroker({ autoCreateTopicEnable: false });
  try {
    const bad = await f.client.invokeSync(f.addr, sendRequest("bad topic!", "x"), 3000);
    assert.deepEqual(bad.code, ResponseCode.SYSTEM_ERROR);
    assert.match(bad.remark ?? "", /illegal characters/);
    const forbidden = await f.client.invokeSync(f.addr, sendRequest("SCHEDULE_TOPIC_XXXX", "x"), 3000);
    assert.deepEqual(forbidden.code, ResponseCode.NO_PERMISSION);
    assert.deepEqual(forbidden.remark, "Sending message to topic[SCHEDULE_TOPIC_XXXX] is forbidden.");
    const missing = await f.client.invokeSync(f.addr, sendRequest("Nope", "x"), 3000);
    assert.deepEqual(missing.code, ResponseCode.TOPIC_NOT_EXIST);
    assert.deepEqual(missing.extFields.MSG_REGION, "DefaultRegion");
    const tooBig = await f.client.invokeSync(
      f.addr,
      sendRequest("BenchmarkTest", new Uint8Array(f.storeConfig.maxMessageSize + 1)),
      3000,
    );
    assert.deepEqual(tooBig.code, ResponseCode.MESSAGE_ILLEGAL);
    const badQueue = await f.client.invokeSync(
      f.addr,
      sendRequest("BenchmarkTest", "x", {}, { queueId: 2000 }),
      3000,
    );
    assert.deepEqual(badQueue.code, ResponseCode.SYSTEM_ERROR);
    assert.match(badQueue.remark ?? "", /request queueId\[2000\] is illegal/);
  } finally {
    await f.stop();
  }
});

Deno.test("sends are refused until startAcceptSendRequestTimeStamp, with upstream's remark", async () => {
  const until = Date.now() + 60_000;
  const f = await startBroker({ startAcceptSendRequestTimeStamp: until });
  try {
    const res = await f.client.invokeSync(f.addr, sendRequest("TopicA", "early"), 3000);
    assert.deepEqual(res.code, ResponseCode.SYSTEM_ERROR);
    assert.deepEqual(res.remark, `broker unable to service, until ${until}`);
  } finally {
    await f.stop();
  }
});

Deno.test("a batch send stores every item with consecutive offsets and joined msgIds", async () => {
  const f = await startBroker();
  try {
    const body = encodeBatchBody([
      { flag: 0, body: new TextEncoder().encode("a"), properties: { TAGS: "T1" } },
      { flag: 0, body: new TextEncoder().encode("b"), properties: { TAGS: "T2" } },
    ].map((i) => ({ ...i, propertiesString: encodeProperties(i.properties) })));
    const req = sendRequest("BatchTopic", body, {}, { code: RequestCode.SEND_BATCH_MESSAGE });
    req.extFields.m = "true";
    const res = await f.client.invokeSync(f.addr, req, 3000);
    assert.deepEqual(res.code, ResponseCode.SUCCESS, res.remark);
    assert.deepEqual(res.extFields.msgId?.split(",").length, 2);
    const pull = await f.client.invokeSync(f.addr, pullRequest("G1", "BatchTopic", 0, 0), 3000);
    const msgs = decodeRecords(pull.body!);
    assert.deepEqual(msgs.map((m) => [text.decode(m.body), m.queueOffset, m.properties.TAGS]), [
      ["a", 0, "T1"],
      ["b", 1, "T2"],
    ]);
  } finally {
    await f.stop();
  }
});

Deno.test("pull filters by tag and reports PULL_RETRY_IMMEDIATELY past non-matching messages", async () => {
  const f = await startBroker();
  try {
    for (const tag of ["A", "B", "A"]) {
      const r = await f.client.invokeSync(f.addr, sendRequest("TagTopic", tag, { TAGS: tag }), 3000);
      assert.deepEqual(r.code, ResponseCode.SUCCESS);
    }
    const a = await f.client.invokeSync(
      f.addr,
      pullRequest("G", "TagTopic", 0, 0, { subscription: "A" }),
      3000,
    );
    assert.deepEqual(a.code, ResponseCode.SUCCESS);
    assert.deepEqual(decodeRecords(a.body!).map((m) => m.queueOffset), [0, 2]);
    const none = await f.client.invokeSync(
      f.addr,
      pullRequest("G", "TagTopic", 0, 1, { subscription: "C" }),
      3000,
    );
    assert.deepEqual(none.code, ResponseCode.PULL_RETRY_IMMEDIATELY);
    assert.deepEqual(none.extFields.nextBeginOffset, "3");
  } finally {
    await f.stop();
  }
});

Deno.test("pull offsets outside the queue answer NOT_FOUND or OFFSET_MOVED as §9.6 says", async () => {
  const f = await startBroker();
  try {
    await f.client.invokeSync(f.addr, sendRequest("OffTopic", "x"), 3000);
    const atMax = await f.client.invokeSync(f.addr, pullRequest("G", "OffTopic", 0, 1), 3000);
    assert.deepEqual(atMax.code, ResponseCode.PULL_NOT_FOUND);
    assert.deepEqual(atMax.extFields.nextBeginOffset, "1");
    assert.deepEqual(atMax.extFields.maxOffset, "1");
    const beyond = await f.client.invokeSync(f.addr, pullRequest("G", "OffTopic", 0, 9), 3000);
    assert.deepEqual(beyond.code, ResponseCode.PULL_OFFSET_MOVED);
    assert.deepEqual(beyond.extFields.nextBeginOffset, "1");
    const emptyQueue = await f.client.invokeSync(f.addr, pullRequest("G", "OffTopic", 1, 0), 3000);
    assert.deepEqual(emptyQueue.code, ResponseCode.PULL_NOT_FOUND);
    const emptyMoved = await f.client.invokeSync(f.addr, pullRequest("G", "OffTopic", 1, 5), 3000);
    assert.deepEqual(emptyMoved.code, ResponseCode.PULL_OFFSET_MOVED);
    assert.deepEqual(emptyMoved.extFields.nextBeginOffset, "0");
    const badQueue = await f.client.invokeSync(f.addr, pullRequest("G", "OffTopic", 99, 0), 3000);
    assert.deepEqual(badQueue.code, ResponseCode.SYSTEM_ERROR);
    const noTopic = await f.client.invokeSync(f.addr, pullRequest("G", "NoSuchTopic", 0, 0), 3000);
    assert.deepEqual(noTopic.code, ResponseCode.TOPIC_NOT_EXIST);
  } finally {
    await f.stop();
  }
});

Deno.test("a parked pull is answered as soon as a message arrives", async () => {
  const f = await startBroker();
  try {
    await f.client.invokeSync(f.addr, sendRequest("LongPoll", "first"), 3000);
    const parked = f.client.invokeSync(
      f.addr,
      pullRequest("G", "LongPoll", 0, 1, { suspend: 20_000 }),
      30_000,
    );
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(f.broker.context.consumerManager.groupNames().length, 0);
    await f.client.invokeSync(f.addr, sendRequest("LongPoll", "second"), 3000);
    const res = await parked;
    assert.deepEqual(res.code, ResponseCode.SUCCESS);
    assert.deepEqual(text.decode(decodeRecords(res.body!)[0]!.body), "second");
  } finally {
    await f.stop();
  }
});

Deno.test("a parked pull times out with PULL_NOT_FOUND after its suspend time", async () => {
  const f = await startBroker({}, {}, { longPollingCheckIntervalMs: 50 });
  try {
    await f.client.invokeSync(f.addr, sendRequest("LongPoll2", "x"), 3000);
    const res = await f.client.invokeSync(
      f.addr,
      pullRequest("G", "LongPoll2", 0, 1, { suspend: 200 }),
      5000,
    );
    assert.deepEqual(res.code, ResponseCode.PULL_NOT_FOUND);
    assert.deepEqual(res.extFields.nextBeginOffset, "1");
  } finally {
    await f.stop();
  }
});

Deno.test("pull without a subscription flag needs a heartbeat-registered subscription", async () => {
  const f = await startBroker();
  try {
    await f.client.invokeSync(f.addr, sendRequest("SubTopic", "x"), 3000);
    const res = await f.client.invokeSync(
      f.addr,
      pullRequest("G", "SubTopic", 0, 0, { useSub: false }),
      3000,
    );
    assert.deepEqual(res.code, ResponseCode.SUBSCRIPTION_NOT_EXIST);
  } finally {
    await f.stop();
  }
});

Deno.test("offsets: commit via pull and update, query answers 0 for a fresh group, bounds and search work", async () => {
  const f = await startBroker();
  try {
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) await f.client.invokeSync(f.addr, sendRequest("OffsetTopic", `m${i}`), 3000);
    const q = (group: string) =>
      f.client.invokeSync(
        f.addr,
        createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
          consumerGroup: group,
          topic: "OffsetTopic",
          queueId: "0",
        }),
        3000,
      );
    const fresh = await q("NewGroup");
    assert.deepEqual([fresh.code, fresh.extFields.offset], [ResponseCode.SUCCESS, "0"]);
    const strict = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
        consumerGroup: "NewGroup",
        topic: "OffsetTopic",
        queueId: "0",
        setZeroIfNotFound: "false",
      }),
      3000,
    );
    assert.deepEqual(strict.code, ResponseCode.QUERY_NOT_FOUND);

    await f.client.invokeSync(f.addr, pullRequest("G", "OffsetTopic", 0, 0, { commitOffset: 2 }), 3000);
    assert.deepEqual((await q("G")).extFields.offset, "2");
    const upd = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, {
        consumerGroup: "G",
        topic: "OffsetTopic",
        queueId: "0",
        commitOffset: "3",
      }),
      3000,
    );
    assert.deepEqual(upd.code, ResponseCode.SUCCESS);
    assert.deepEqual((await q("G")).extFields.offset, "3");

    const ask = async (code: number, extra: Record<string, string> = {}) =>
      (await f.client.invokeSync(
        f.addr,
        createRequest(code, { topic: "OffsetTopic", queueId: "0", ...extra }),
        3000,
      ))
        .extFields;
    assert.deepEqual((await ask(RequestCode.GET_MAX_OFFSET)).offset, "3");
    assert.deepEqual((await ask(RequestCode.GET_MIN_OFFSET)).offset, "0");
    const earliest = Number((await ask(RequestCode.GET_EARLIEST_MSG_STORETIME)).timestamp);
    assert.ok(earliest >= t0 - 1000 && earliest <= Date.now() + 1000);
    assert.deepEqual(
      (await ask(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { timestamp: String(t0 - 60_000) })).offset,
      "0",
    );
  } finally {
    await f.stop();
  }
});

Deno.test("consumer offsets survive a restart through consumerOffset.json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmq-broker-" });
  try {
    const f = await startBroker({}, {}, { dir });
    await f.client.invokeSync(f.addr, sendRequest("Persist", "x"), 3000);
    await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, {
        consumerGroup: "G",
        topic: "Persist",
        queueId: "0",
        commitOffset: "1",
      }),
      3000,
    );
    await f.stop();
    const text = await Deno.readTextFile(`${dir}/config/consumerOffset.json`);
    assert.match(text, /Persist@G/);
    const g = await startBroker({}, {}, { dir });
    try {
      const res = await g.client.invokeSync(
        g.addr,
        createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
          consumerGroup: "G",
          topic: "Persist",
          queueId: "0",
        }),
        3000,
      );
      assert.deepEqual(res.extFields.offset, "1");
      assert.ok(g.broker.context.topicConfigManager.selectTopicConfig("Persist"));
    } finally {
      await g.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shutdown answers parked pulls instead of leaving them hanging", async () => {
  const f = await startBroker();
  await f.client.invokeSync(f.addr, sendRequest("Parked", "x"), 3000);
  const parked = f.client.invokeSync(f.addr, pullRequest("G", "Parked", 0, 1, { suspend: 20_000 }), 30_000);
  await new Promise((r) => setTimeout(r, 50));
  await f.broker.shutdown();
  const res = await parked;
  assert.deepEqual(res.code, ResponseCode.PULL_NOT_FOUND);
  await f.stop();
});
