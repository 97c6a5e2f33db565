/** The send/pull fast paths behave exactly like the general ones they short-cut. */
import assert from "node:assert/strict";
import { createRequest, createResponse, SerializeType } from "../../src/remoting/command.ts";
import { decodeCommand } from "../../src/remoting/codec.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { decodeRecords } from "../../src/message/record_codec.ts";
import { reqInt, reqLong } from "../../src/protocol/headers/fields.ts";
import { encodePullMessageResponseHeader } from "../../src/protocol/headers/pull.ts";
import {
  encodeSendMessageResponseHeader,
  type SendMessageResponseHeader,
  sendMessageResponseHeaderJson,
} from "../../src/protocol/headers/send.ts";
import { encodeCommand } from "../../src/remoting/codec.ts";
import { jsonHeaderText } from "../../src/remoting/json_header.ts";
import { encodePullResponseFrame } from "../../src/broker/processor/pull_response_frame.ts";
import { PullRequestHoldService } from "../../src/broker/long_polling/pull_request_hold_service.ts";
import { BrokerStats, StatsName } from "../../src/broker/broker_stats.ts";
import { MATCH_ALL } from "../../src/broker/filter/subscription_filter.ts";
import type { BrokerChannel } from "../../src/broker/client_channel.ts";
import { pullRequest, sendRequest, startBroker } from "./helpers.ts";

Deno.test("reqInt() and reqLong() read plain decimals directly and leave odd text to the general parser", () => {
  const ext = (v: string) => ({ f: v });
  assert.equal(reqInt(ext("0"), "f"), 0);
  assert.equal(reqInt(ext("-1"), "f"), -1);
  assert.equal(reqInt(ext("2147483647"), "f"), 2147483647);
  assert.equal(reqInt(ext("+5"), "f"), 5);
  assert.equal(reqInt(ext(" 7 "), "f"), 7);
  assert.equal(reqLong(ext("1700000000000"), "f"), 1700000000000);
  assert.equal(reqLong(ext("12345678901234567"), "f"), 12345678901234567);
  assert.throws(() => reqInt(ext("2147483648"), "f"), /Header field "f" value "2147483648" is out of range/);
  assert.throws(() => reqInt(ext("-"), "f"), /Cannot parse header field "f" value "-" as a number/);
  assert.throws(() => reqInt(ext("1e3"), "f"), /Cannot parse header field "f" value "1e3"/);
  assert.throws(() => reqInt(ext("12a"), "f"), /Cannot parse header field "f" value "12a"/);
});

Deno.test("response headers carry every field as a string and leave absent optionals out", () => {
  assert.deepEqual(
    encodeSendMessageResponseHeader({ msgId: "ID", queueId: 3, queueOffset: 42, TRACE_ON: "true" }),
    { msgId: "ID", queueId: "3", queueOffset: "42", TRACE_ON: "true" },
  );
  assert.deepEqual(
    encodePullMessageResponseHeader({
      suggestWhichBrokerId: 0,
      nextBeginOffset: 9,
      minOffset: 0,
      maxOffset: 10,
    }),
    { suggestWhichBrokerId: "0", nextBeginOffset: "9", minOffset: "0", maxOffset: "10" },
  );
});

Deno.test("the send response header written directly as JSON equals the serialized header object", () => {
  const headers: SendMessageResponseHeader[] = [
    {
      msgId: "7F00000100002A9F00000000001C5A4B",
      queueId: 3,
      queueOffset: 42,
      MSG_REGION: "DefaultRegion",
      TRACE_ON: "true",
    },
    { msgId: "ID", queueId: 0, queueOffset: 9007199254740991, TRACE_ON: "false" },
    {
      msgId: 'odd "id"\\',
      queueId: 1,
      queueOffset: 0,
      transactionId: 'tx\u0001"quoted"',
      MSG_REGION: "r\u00e9gion\n",
    },
    { msgId: "A", queueId: 7, queueOffset: 1 },
  ];
  for (const h of headers) {
    const json = sendMessageResponseHeaderJson(h);
    assert.equal(json, JSON.stringify(encodeSendMessageResponseHeader(h)));
    // A response carrying the prebuilt text encodes to the same header as one without it, remark included.
    const plain = createResponse(createRequest(310), 0, 'with "remark"', encodeSendMessageResponseHeader(h));
    const fast = { ...plain, extFieldsJson: json };
    assert.equal(jsonHeaderText(fast), jsonHeaderText(plain));
    assert.deepEqual(decodeCommand(encodeCommand(fast).subarray(4)).extFields, plain.extFields);
  }
});

Deno.test("encodePullResponseFrame() decodes to the response with the records joined as its body", () => {
  const records = [new Uint8Array([1, 2, 3]), new Uint8Array([]), new Uint8Array([4, 5])];
  for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
    const req = { ...createRequest(11), serializeType };
    const ext = { nextBeginOffset: "3", minOffset: "0" };
    const frame = encodePullResponseFrame(createResponse(req, ResponseCode.SUCCESS, "FOUND", ext), records);
    const length = new DataView(frame.buffer, frame.byteOffset).getInt32(0);
    assert.equal(length, frame.length - 4);
    const resp = decodeCommand(frame.subarray(4));
    assert.equal(resp.opaque, req.opaque);
    assert.equal(resp.remark, "FOUND");
    assert.deepEqual(resp.extFields, ext);
    assert.deepEqual([...resp.body!], [1, 2, 3, 4, 5]);
  }
});

Deno.test("PullRequestHoldService answers one queue's holds without touching another's, and sweeps all", () => {
  let now = 0;
  const woken: number[] = [];
  const svc = new PullRequestHoldService(() => 1, (_ch, req) => void woken.push(req.opaque), () => now);
  const channel = { closed: false } as BrokerChannel;
  const hold = (topic: string, queueId: number, opaque: number) =>
    svc.suspendPullRequest(topic, queueId, {
      request: { ...createRequest(11), opaque },
      channel,
      pullFromThisOffset: 1,
      suspendTimestamp: now,
      timeoutMillis: 100,
      filter: MATCH_ALL,
    });
  hold("A", 0, 1);
  hold("A", 1, 2);
  hold("B@x", 0, 3);
  assert.equal(svc.size, 3);
  svc.notifyMessageArriving("A", 0, 2, 0);
  assert.deepEqual(woken, [1]);
  assert.equal(svc.size, 2);
  svc.notifyMessageArriving("Nobody", 0, 5, 0);
  assert.equal(svc.size, 2);
  now = 100;
  svc.start();
  // The sweep runs on a timer; shutdown answers whatever is left, so drive both explicitly.
  return svc.shutdown().then(() => {
    assert.deepEqual(woken.sort(), [1, 2, 3]);
    assert.equal(svc.size, 0);
  });
});

Deno.test("BrokerStats sums puts per topic and gets per topic@group", () => {
  const stats = new BrokerStats(() => 5000);
  stats.incPut("T", 1, 100);
  stats.incPut("T", 2, 50);
  stats.incGet("G", "T", 3, 150);
  stats.incGet("G", "T", 1, 50);
  assert.equal(stats.statsData(StatsName.TOPIC_PUT_NUMS, "T")?.statsMinute.sum, 3);
  assert.equal(stats.statsData(StatsName.TOPIC_PUT_SIZE, "T")?.statsMinute.sum, 150);
  assert.equal(stats.statsData(StatsName.BROKER_PUT_NUMS, "")?.statsMinute.sum, 3);
  assert.equal(stats.statsData(StatsName.GROUP_GET_NUMS, "T@G")?.statsMinute.sum, 4);
  assert.equal(stats.statsData(StatsName.GROUP_GET_SIZE, "T@G")?.statsMinute.sum, 200);
  assert.equal(stats.statsData(StatsName.BROKER_GET_NUMS, "")?.statsMinute.sum, 4);
  assert.equal(stats.statsData(StatsName.GROUP_GET_NUMS, "T@Other"), null);
  assert.equal(stats.runtimeInfo().msgPutTotalTodayNow, "3");
});

Deno.test("a stored message keeps the client's properties in their order, with CLUSTER appended", async () => {
  const f = await startBroker();
  try {
    const props = { KEYS: "k1", TAGS: "T1", UNIQ_KEY: "U1", zz: "last" };
    const sent = await f.client.invokeSync(f.addr, sendRequest("PropsOrder", "x", props), 3000);
    assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
    const pulled = await f.client.invokeSync(f.addr, pullRequest("G", "PropsOrder", 0, 0), 3000);
    assert.equal(pulled.code, ResponseCode.SUCCESS, pulled.remark);
    const [msg] = decodeRecords(pulled.body!);
    assert.deepEqual(Object.keys(msg!.properties), ["KEYS", "TAGS", "UNIQ_KEY", "zz", "CLUSTER"]);
    assert.equal(msg!.properties.CLUSTER, "TestCluster");
  } finally {
    await f.stop();
  }
});

Deno.test("a pull answers many records in one body, for JSON and ROCKETMQ headers alike", async () => {
  const f = await startBroker();
  try {
    for (let i = 0; i < 40; i++) {
      const r = await f.client.invokeSync(f.addr, sendRequest("ManyRecords", `body-${i}`), 3000);
      assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
    }
    for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
      const req = { ...pullRequest("G", "ManyRecords", 0, 4, { maxMsgNums: 32 }), serializeType };
      const res = await f.client.invokeSync(f.addr, req, 3000);
      assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
      assert.equal(res.extFields.nextBeginOffset, "36");
      const msgs = decodeRecords(res.body!);
      assert.deepEqual(
        msgs.map((m) => new TextDecoder().decode(m.body)),
        Array.from({ length: 32 }, (_, i) => `body-${i + 4}`),
      );
    }
  } finally {
    await f.stop();
  }
});
