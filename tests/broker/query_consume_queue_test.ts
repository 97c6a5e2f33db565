/** QUERY_CONSUME_QUEUE (321): raw consume-queue entries and a group's subscription, over a real socket. */
import assert from "node:assert/strict";
import { createRequest } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { encodeHeartbeatData } from "../../src/protocol/bodies/heartbeat.ts";
import {
  consumeQueueDataString,
  decodeQueryConsumeQueueResponseBody,
  encodeQueryConsumeQueueRequestHeader,
  encodeQueryConsumeQueueResponseBody,
  type QueryConsumeQueueRequestHeader,
} from "../../src/protocol/bodies/query_consume_queue.ts";
import { decodeSendMessageResponseHeader } from "../../src/protocol/headers/send.ts";
import { decodeOffsetMsgId } from "../../src/message/msg_id.ts";
import { tagsHashCode } from "../../src/message/tags.ts";
import { type BrokerFixture, sendRequest, startBroker, waitFor } from "./helpers.ts";

const query = (f: BrokerFixture, h: QueryConsumeQueueRequestHeader) =>
  f.client.invokeSync(
    f.addr,
    createRequest(RequestCode.QUERY_CONSUME_QUEUE, encodeQueryConsumeQueueRequestHeader(h)),
    3000,
  );

/** Sends one message per tag to queue 0 of `topic`; returns their commitlog offsets. */
async function sendTagged(f: BrokerFixture, topic: string, tags: string[]): Promise<number[]> {
  const offsets: number[] = [];
  for (const t of tags) {
    const res = await f.client.invokeSync(f.addr, sendRequest(topic, `body-${t}`, { TAGS: t }), 3000);
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    offsets.push(decodeOffsetMsgId(decodeSendMessageResponseHeader(res.extFields).msgId).offset);
  }
  await waitFor(() => f.broker.context.store.getMaxOffsetInQueue(topic, 0) === tags.length);
  return offsets;
}

function heartbeat(group: string, topic: string, expressionType: string, subString: string): Uint8Array {
  return encodeHeartbeatData({
    clientID: "cid-cq",
    producerDataSet: [],
    consumerDataSet: [{
      groupName: group,
      consumeType: "CONSUME_PASSIVELY",
      messageModel: "CLUSTERING",
      consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
      unitMode: false,
      subscriptionDataSet: [{
        classFilterMode: false,
        topic,
        subString,
        tagsSet: expressionType === "TAG" ? ["A"] : [],
        codeSet: expressionType === "TAG" ? [tagsHashCode("A")] : [],
        subVersion: 1700000000000,
        expressionType,
      }],
    }],
  });
}

Deno.test("QUERY_CONSUME_QUEUE answers each entry's commitlog offset, size and tag hash from an index", async () => {
  const f = await startBroker();
  try {
    const offsets = await sendTagged(f, "CqTopic", ["A", "B", "A"]);
    const res = await query(f, { topic: "CqTopic", queueId: 0, index: 1, count: 10 });
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    const body = decodeQueryConsumeQueueResponseBody(res.body);
    assert.deepEqual([body.minQueueIndex, body.maxQueueIndex], [0, 3]);
    assert.equal(body.subscriptionData, undefined);
    assert.equal(body.filterData, undefined);
    const entries = body.queueData!;
    assert.deepEqual(entries.map((e) => [e.physicOffset, e.tagsCode, e.eval]), [
      [offsets[1], tagsHashCode("B"), false],
      [offsets[2], tagsHashCode("A"), false],
    ]);
    assert.equal(entries[0]!.physicSize, offsets[2]! - offsets[1]!);

    const two = decodeQueryConsumeQueueResponseBody(
      (await query(f, {
        topic: "CqTopic",
        queueId: 0,
        index: 0,
        count: 2,
      })).body,
    );
    assert.deepEqual(two.queueData!.map((e) => e.physicOffset), offsets.slice(0, 2));
  } finally {
    await f.stop();
  }
});

Deno.test("QUERY_CONSUME_QUEUE reads past the store's per-pull transfer limit until count entries", async () => {
  const f = await startBroker({}, { maxTransferCountOnMessageInMemory: 2 });
  try {
    await sendTagged(f, "CqMany", ["A", "B", "C", "D", "E"]);
    const body = decodeQueryConsumeQueueResponseBody(
      (await query(f, { topic: "CqMany", queueId: 0, index: 0, count: 4 })).body,
    );
    assert.deepEqual(
      body.queueData!.map((e) => e.tagsCode),
      ["A", "B", "C", "D"].map((t) => tagsHashCode(t)),
    );
  } finally {
    await f.stop();
  }
});

Deno.test("QUERY_CONSUME_QUEUE refuses an unknown queue and notes an index outside the queue", async () => {
  const f = await startBroker();
  try {
    await sendTagged(f, "CqEdge", ["A"]);
    const unknown = await query(f, { topic: "CqEdge", queueId: 3, index: 0, count: 1 });
    assert.equal(unknown.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(unknown.remark, "3@CqEdge is not exist!");

    const beyond = await query(f, { topic: "CqEdge", queueId: 0, index: 5, count: 1 });
    assert.equal(beyond.code, ResponseCode.SUCCESS);
    assert.equal(beyond.remark, "Index 5 of 0@CqEdge is not exist!");
    const body = decodeQueryConsumeQueueResponseBody(beyond.body);
    assert.deepEqual([body.maxQueueIndex, body.minQueueIndex, body.queueData], [1, 0, undefined]);

    const noTopic = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.QUERY_CONSUME_QUEUE, {}),
      3000,
    );
    assert.notEqual(
      noTopic.code,
      ResponseCode.SUCCESS,
      "a request without a topic is refused, not crashed on",
    );
  } finally {
    await f.stop();
  }
});

Deno.test("QUERY_CONSUME_QUEUE reports an online group's subscription and an offline group as not online", async () => {
  const f = await startBroker({ enablePropertyFilter: true });
  try {
    await sendTagged(f, "CqSub", ["A"]);
    const offline = decodeQueryConsumeQueueResponseBody(
      (await query(f, { topic: "CqSub", queueId: 0, index: 0, count: 1, consumerGroup: "CQ_G" })).body,
    );
    assert.equal(offline.filterData, "CQ_G@CqSub is not online!");
    assert.equal(offline.subscriptionData, undefined);

    const hb = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.HEART_BEAT, {}, heartbeat("CQ_G", "CqSub", "TAG", "A")),
      3000,
    );
    assert.equal(hb.code, ResponseCode.SUCCESS, hb.remark);
    const online = decodeQueryConsumeQueueResponseBody(
      (await query(f, { topic: "CqSub", queueId: 0, index: 0, count: 1, consumerGroup: "CQ_G" })).body,
    );
    assert.equal(online.subscriptionData?.subString, "A");
    assert.equal(online.filterData, "null", "TAG subscriptions have no filter data");
    assert.equal(online.queueData!.length, 1);

    await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.HEART_BEAT, {}, heartbeat("CQ_SQL", "CqSub", "SQL92", "a > 1")),
      3000,
    );
    const sql = decodeQueryConsumeQueueResponseBody(
      (await query(f, { topic: "CqSub", queueId: 0, index: 0, count: 1, consumerGroup: "CQ_SQL" })).body,
    );
    assert.equal(sql.subscriptionData?.expressionType, "SQL92");
    const filter = JSON.parse(sql.filterData!);
    assert.deepEqual([filter.consumerGroup, filter.expression, filter.expressionType, filter.dead], [
      "CQ_SQL",
      "a > 1",
      "SQL92",
      false,
    ]);
    assert.ok(sql.filterData!.includes("\n\t"), "filter data is pretty-printed like fastjson");
  } finally {
    await f.stop();
  }
});

Deno.test("QueryConsumeQueueResponseBody round-trips and prints entries like upstream's toString()", () => {
  const body = {
    maxQueueIndex: 9,
    minQueueIndex: 2,
    filterData: "null",
    queueData: [{ physicOffset: 123, physicSize: 200, tagsCode: -5, eval: true, msg: "m" }],
  };
  const bytes = encodeQueryConsumeQueueResponseBody(body);
  assert.equal(
    new TextDecoder().decode(bytes),
    '{"filterData":"null","maxQueueIndex":9,"minQueueIndex":2,' +
      '"queueData":[{"eval":true,"msg":"m","physicOffset":123,"physicSize":200,"tagsCode":-5}]}',
  );
  assert.deepEqual(decodeQueryConsumeQueueResponseBody(bytes), body);
  assert.equal(
    consumeQueueDataString({ physicOffset: 0, physicSize: 180, tagsCode: 65, eval: false }),
    "ConsumeQueueData{physicOffset=0, physicSize=180, tagsCode=65, extendDataJson='null', bitMap='null', " +
      "eval=false, msg='null'}",
  );
  assert.deepEqual(decodeQueryConsumeQueueResponseBody(undefined), { maxQueueIndex: 0, minQueueIndex: 0 });
});
