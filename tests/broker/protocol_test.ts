import assert from "node:assert/strict";
import {
  decodeSendMessageRequestHeaderV2,
  encodeSendMessageRequestHeaderV2,
} from "../../src/protocol/headers/send.ts";
import { decodePullMessageRequestHeader } from "../../src/protocol/headers/pull.ts";
import { HeaderDecodeError } from "../../src/protocol/headers/fields.ts";
import { decodeHeartbeatData } from "../../src/protocol/bodies/heartbeat.ts";
import { encodeObjectKeyMap, isEntryMap, parseLooseJson } from "../../src/protocol/bodies/object_key_map.ts";
import { decodeResetOffsetBody, encodeResetOffsetBody } from "../../src/protocol/bodies/stats.ts";
import { messageQueue } from "../../src/protocol/bodies/message_queue.ts";

Deno.test("decodeSendMessageRequestHeaderV2() maps one-letter keys and defaults k/m to false", () => {
  const h = decodeSendMessageRequestHeaderV2({
    a: "PG",
    b: "T",
    c: "TBW102",
    d: "4",
    e: "-1",
    f: "0",
    g: "1700000000000",
    h: "0",
    i: "TAGS\u0001x",
  });
  assert.equal(h.topic, "T");
  assert.equal(h.queueId, -1);
  assert.equal(h.bornTimestamp, 1700000000000);
  assert.equal(h.unitMode, false);
  assert.equal(h.batch, false);
  assert.deepEqual(decodeSendMessageRequestHeaderV2(encodeSendMessageRequestHeaderV2(h)), {
    ...h,
    reconsumeTimes: 0,
  });
});

Deno.test("a missing required header field is an error naming the field", () => {
  assert.throws(
    () => decodePullMessageRequestHeader({ consumerGroup: "G", topic: "T" }),
    (e: unknown) => e instanceof HeaderDecodeError && /"queueId"/.test(e.message),
  );
  assert.throws(
    () => decodePullMessageRequestHeader({ consumerGroup: "G", topic: "T", queueId: "x" }),
    /Cannot parse header field "queueId" value "x"/,
  );
});

Deno.test("decodeHeartbeatData() accepts Go's string codeSet, huge subVersion and missing expressionType", () => {
  const body = new TextEncoder().encode(
    '{"clientID":"go@1","producerDataSet":[],"consumerDataSet":[{"groupName":"G","consumeType":"CONSUME_PASSIVELY",' +
      '"messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET","unitMode":false,' +
      '"subscriptionDataSet":[{"topic":"T","subString":"A || B","tagsSet":["A","B"],"codeSet":["65","66"],' +
      '"subVersion":1700000000000000000}]}]}',
  );
  const hb = decodeHeartbeatData(body);
  const sub = hb.consumerDataSet[0]!.subscriptionDataSet[0]!;
  assert.deepEqual(sub.codeSet, [65, 66]);
  assert.equal(sub.expressionType, "TAG");
  assert.ok(sub.subVersion > 1.6e18);
});

Deno.test("object-keyed maps are written in fastjson's form and read back", () => {
  const mq = messageQueue("T1", "broker-a", 0);
  assert.equal(encodeObjectKeyMap([[mq, 12]]), '{{"brokerName":"broker-a","queueId":0,"topic":"T1"}:12}');
  const body = encodeResetOffsetBody([[mq, 100], [messageQueue("T1", "broker-a", 1), 98]]);
  assert.equal(
    new TextDecoder().decode(body),
    '{"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"T1"}:100,' +
      '{"brokerName":"broker-a","queueId":1,"topic":"T1"}:98}}',
  );
  assert.deepEqual(decodeResetOffsetBody(body).map(([q, o]) => [q.queueId, o]), [[0, 100], [1, 98]]);
  const loose = parseLooseJson('{"a":{0:1,1:2},"b":{{"x":1}:"y"}}') as Record<string, unknown>;
  assert.deepEqual(loose.a, { 0: 1, 1: 2 });
  assert.ok(isEntryMap(loose.b));
});
