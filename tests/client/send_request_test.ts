import assert from "node:assert/strict";
import {
  buildSendRequest,
  processSendResponse,
  pullStatusOf,
  sendStatusOf,
} from "../../src/client/mq_client_api.ts";
import { checkMessage, isRetryableSendError, selectByHash } from "../../src/client/producer.ts";
import { ensureUniqKey, maybeCompress, messageProperties } from "../../src/client/message.ts";
import { MQBrokerError } from "../../src/client/errors.ts";
import { createRequest, createResponse } from "../../src/remoting/command.ts";
import { RemotingTimeoutError } from "../../src/remoting/errors.ts";
import { decompressBody } from "../../src/message/compression.ts";
import { MessageSysFlag } from "../../src/message/message_const.ts";

const header = {
  producerGroup: "PG",
  topic: "T",
  defaultTopic: "TBW102",
  defaultTopicQueueNums: 4,
  queueId: 2,
  sysFlag: 1,
  bornTimestamp: 1_700_000_000_000,
  flag: 0,
  properties: "TAGS\u0001A",
  reconsumeTimes: 0,
  unitMode: false,
  batch: false,
  maxReconsumeTimes: undefined,
  bname: "broker-a",
};

Deno.test("buildSendRequest() uses SEND_MESSAGE_V2 with one-letter keys, and 320 for batches", () => {
  const req = buildSendRequest(header, new Uint8Array([1]));
  assert.equal(req.code, 310);
  assert.deepEqual(req.extFields, {
    a: "PG",
    b: "T",
    c: "TBW102",
    d: "4",
    e: "2",
    f: "1",
    g: "1700000000000",
    h: "0",
    i: "TAGS\u0001A",
    j: "0",
    k: "false",
    m: "false",
    n: "broker-a",
  });
  const batch = buildSendRequest({ ...header, batch: true }, new Uint8Array([1]));
  assert.equal(batch.code, 320);
  assert.equal(batch.extFields["m"], "true");
});

Deno.test("processSendResponse() maps the four stored codes to statuses and others to MQBrokerError", () => {
  const req = createRequest(310);
  const ext = {
    msgId: "0A00000100002A9F0000000000000F2C",
    queueId: "1",
    queueOffset: "7",
    MSG_REGION: "R",
    TRACE_ON: "false",
  };
  const ok = processSendResponse(createResponse(req, 0, undefined, ext), "a:1");
  assert.deepEqual(ok, {
    sendStatus: "SEND_OK",
    offsetMsgId: "0A00000100002A9F0000000000000F2C",
    queueId: 1,
    queueOffset: 7,
    transactionId: undefined,
    regionId: "R",
    traceOn: false,
  });
  assert.equal(
    processSendResponse(createResponse(req, 10, undefined, ext), "a:1").sendStatus,
    "FLUSH_DISK_TIMEOUT",
  );
  assert.equal(sendStatusOf(11), "SLAVE_NOT_AVAILABLE");
  assert.equal(sendStatusOf(12), "FLUSH_SLAVE_TIMEOUT");
  assert.throws(
    () => processSendResponse(createResponse(req, 17, "topic not exist"), "a:1"),
    (e: unknown) => e instanceof MQBrokerError && e.code === 17 && e.message.includes("topic not exist"),
  );
});

Deno.test("pullStatusOf() knows the four pull outcomes", () => {
  assert.deepEqual([0, 19, 20, 21, 1].map(pullStatusOf), [
    "FOUND",
    "NO_NEW_MSG",
    "NO_MATCHED_MSG",
    "OFFSET_ILLEGAL",
    null,
  ]);
});

Deno.test("sends are retried for 17, 14, 1, 16 and remoting failures but not for a bad message", () => {
  for (const code of [17, 14, 1, 16]) {
    assert.ok(isRetryableSendError(new MQBrokerError(code, "")), String(code));
  }
  assert.ok(isRetryableSendError(new RemotingTimeoutError("t")));
  assert.ok(!isRetryableSendError(new MQBrokerError(13, "")));
  assert.ok(!isRetryableSendError(new Error("x")));
});

Deno.test("messageProperties() carries tags, space-joined keys, delay and WAIT=true by default", () => {
  const props = messageProperties({
    topic: "T",
    body: new Uint8Array([1]),
    tags: "TagA",
    keys: ["k1", "k2"],
    delayTimeLevel: 3,
    properties: { custom: "v" },
  });
  assert.deepEqual(props, { custom: "v", TAGS: "TagA", KEYS: "k1 k2", DELAY: "3", WAIT: "true" });
  assert.equal(
    messageProperties({ topic: "T", body: new Uint8Array([1]), waitStoreMsgOK: false }).WAIT,
    "false",
  );
  const id = ensureUniqKey(props);
  assert.match(id, /^[0-9A-F]{32}$/);
  assert.equal(ensureUniqKey(props), id, "an existing UNIQ_KEY is kept");
});

Deno.test("maybeCompress() zlib-compresses bodies at or over the threshold only", () => {
  const small = new Uint8Array(4095).fill(65);
  assert.deepEqual(maybeCompress(small, 4096), { body: small, sysFlag: 0 });
  const big = new Uint8Array(4096).fill(65);
  const out = maybeCompress(big, 4096);
  assert.equal(out.sysFlag, MessageSysFlag.COMPRESSED_FLAG);
  assert.deepEqual(decompressBody(out.body), big);
});

Deno.test("checkMessage() rejects blank or illegal topics and empty or oversized bodies", () => {
  const body = new Uint8Array([1]);
  assert.equal(checkMessage({ topic: "Topic_1-a%|", body }, 10), null);
  assert.match(checkMessage({ topic: "", body }, 10)!, /blank/);
  assert.match(checkMessage({ topic: "bad topic", body }, 10)!, /illegal characters/);
  assert.match(checkMessage({ topic: "t".repeat(128), body }, 10)!, /127/);
  assert.match(checkMessage({ topic: "T", body: new Uint8Array(0) }, 10)!, /zero/);
  assert.match(checkMessage({ topic: "T", body: new Uint8Array(11) }, 10)!, /"11"/);
});

Deno.test("selectByHash() keeps one key on one queue", () => {
  const mqs = [0, 1, 2, 3].map((queueId) => ({ topic: "T", brokerName: "b", queueId }));
  const msg = { topic: "T", body: new Uint8Array([1]) };
  const a = selectByHash(mqs, msg, "order-42");
  for (let i = 0; i < 5; i++) assert.deepEqual(selectByHash(mqs, msg, "order-42"), a);
  assert.ok(mqs.includes(selectByHash(mqs, msg, -17)));
});
