/** Trace record text form: encode/decode round trips and tolerance of foreign or broken records. */
import assert from "node:assert/strict";
import {
  decodeTraceRecords,
  emptyTraceBean,
  emptyTraceContext,
  encodeTraceContext,
  type TraceContext,
} from "../../../src/client/trace/trace_data.ts";
import { AsyncTraceDispatcher, type TraceSink } from "../../../src/client/trace/trace_dispatcher.ts";
import type { Message } from "../../../src/client/message.ts";

function pub(msgId: string, topic = "T", keys = "k1 k2"): TraceContext {
  return {
    ...emptyTraceContext("Pub"),
    timeStamp: 1700000000000,
    regionId: "DefaultRegion",
    groupName: "PG",
    costTime: 3,
    success: true,
    traceBeans: [{
      ...emptyTraceBean(),
      topic,
      msgId,
      offsetMsgId: "OFF",
      tags: "TagA",
      keys,
      storeHost: "127.0.0.1:10911",
      bodyLength: 5,
    }],
  };
}

Deno.test("encodeTraceContext() writes a Pub record in upstream field order", () => {
  const { data, keys } = encodeTraceContext(pub("ID1"));
  assert.equal(
    data,
    [
      "Pub",
      "1700000000000",
      "DefaultRegion",
      "PG",
      "T",
      "ID1",
      "TagA",
      "k1 k2",
      "127.0.0.1:10911",
      "5",
      "3",
      "0",
      "OFF",
      "true",
    ].join("\u0001") + "\u0002",
  );
  assert.deepEqual(keys, ["ID1", "k1 k2"]);
});

Deno.test("decodeTraceRecords() reads back Pub, SubBefore, SubAfter and EndTransaction records", () => {
  const before: TraceContext = {
    ...emptyTraceContext("SubBefore"),
    timeStamp: 5,
    regionId: "R",
    groupName: "CG",
    requestId: "REQ",
    traceBeans: [{ ...emptyTraceBean(), msgId: "ID1", retryTimes: 2, keys: "k" }],
  };
  const after: TraceContext = {
    ...before,
    traceType: "SubAfter",
    timeStamp: 9,
    costTime: 4,
    success: false,
    contextCode: 4,
  };
  const end: TraceContext = {
    ...emptyTraceContext("EndTransaction"),
    timeStamp: 7,
    regionId: "R",
    groupName: "PG",
    traceBeans: [{
      ...emptyTraceBean(),
      topic: "T",
      msgId: "ID2",
      msgType: 1,
      transactionId: "TX",
      transactionState: "COMMIT_MESSAGE",
      fromTransactionCheck: true,
    }],
  };
  const text = [pub("ID1"), before, after, end].map((c) => encodeTraceContext(c).data).join("");
  const out = decodeTraceRecords(text);
  assert.deepEqual(out.map((c) => c.traceType), ["Pub", "SubBefore", "SubAfter", "EndTransaction"]);
  assert.deepEqual(out[0], pub("ID1"));
  assert.equal(out[1]!.requestId, "REQ");
  assert.equal(out[1]!.traceBeans[0]!.retryTimes, 2);
  assert.deepEqual(
    [out[2]!.requestId, out[2]!.costTime, out[2]!.success, out[2]!.contextCode, out[2]!.timeStamp],
    ["REQ", 4, false, 4, 9],
  );
  assert.equal(out[3]!.traceBeans[0]!.transactionState, "COMMIT_MESSAGE");
  assert.equal(out[3]!.traceBeans[0]!.fromTransactionCheck, true);
});

Deno.test("encodeTraceContext() writes the 4.9.x nine-field SubAfter record ending with the consumer group", () => {
  const after: TraceContext = {
    ...emptyTraceContext("SubAfter"),
    requestId: "REQ",
    timeStamp: 9,
    costTime: 4,
    contextCode: 0,
    groupName: "CG",
    traceBeans: [{ ...emptyTraceBean(), msgId: "ID1", keys: "k" }],
  };
  const { data } = encodeTraceContext(after);
  assert.equal(data, ["SubAfter", "REQ", "ID1", "4", "true", "k", "0", "9", "CG"].join("\u0001") + "\u0002");
  assert.equal(decodeTraceRecords(data)[0]!.groupName, "CG");
});

Deno.test("decodeTraceRecords() reads SubAfter records of older clients that stop before the group", () => {
  const rec = (fields: string[]) => fields.join("\u0001") + "\u0002";
  const [six, seven, eight] = decodeTraceRecords(
    rec(["SubAfter", "R1", "ID", "1", "true", "k"]) +
      rec(["SubAfter", "R2", "ID", "2", "false", "k", "4"]) +
      rec(["SubAfter", "R3", "ID", "3", "true", "k", "0", "77"]),
  );
  assert.deepEqual([six!.requestId, six!.contextCode, six!.timeStamp, six!.groupName], ["R1", 0, 0, ""]);
  assert.deepEqual([seven!.contextCode, seven!.timeStamp, seven!.groupName], [4, 0, ""]);
  assert.deepEqual([eight!.timeStamp, eight!.groupName], [77, ""]);
});

Deno.test("decodeTraceRecords() skips unknown and truncated records instead of throwing", () => {
  const good = encodeTraceContext(pub("ID1")).data;
  const out = decodeTraceRecords("Bogus\u0001x\u0002Pub\u00011\u0002" + good + "\u0002");
  assert.equal(out.length, 1);
  assert.equal(out[0]!.traceBeans[0]!.msgId, "ID1");
  assert.deepEqual(decodeTraceRecords(""), []);
});

Deno.test("decodeTraceRecords() accepts the older 13-field Pub record without offsetMsgId", () => {
  const rec = ["Pub", "1", "R", "G", "T", "ID", "", "", "h:1", "2", "3", "0", "false"].join("\u0001");
  const [ctx] = decodeTraceRecords(rec + "\u0002");
  assert.equal(ctx!.success, false);
  assert.equal(ctx!.traceBeans[0]!.offsetMsgId, "");
});

class RecordingSink implements TraceSink {
  readonly sent: Message[] = [];
  start(): Promise<void> {
    return Promise.resolve();
  }
  send(msg: Message): Promise<unknown> {
    this.sent.push(msg);
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test("AsyncTraceDispatcher batches contexts per traced topic, keyed by msgId and keys", async () => {
  const sink = new RecordingSink();
  const d = new AsyncTraceDispatcher(sink, { flushDelayMs: 1000 });
  await d.start();
  d.append(pub("A1", "TA"));
  d.append(pub("B1", "TB", ""));
  d.append(pub("A2", "TA"));
  await d.flush();
  assert.equal(sink.sent.length, 2);
  const ta = sink.sent.find((m) => new TextDecoder().decode(m.body).includes("\u0001TA\u0001"))!;
  assert.equal(ta.topic, "RMQ_SYS_TRACE_TOPIC");
  assert.deepEqual(ta.keys, ["A1", "k1 k2", "A2"]);
  assert.equal(decodeTraceRecords(new TextDecoder().decode(ta.body)).length, 2);
  await d.shutdown();
  assert.equal(d.append(pub("late")), false, "appends after shutdown are dropped");
});

Deno.test("AsyncTraceDispatcher splits a batch that outgrows the message size limit", async () => {
  const sink = new RecordingSink();
  const d = new AsyncTraceDispatcher(sink, { traceTopic: "MyTrace", maxMsgSize: 100 });
  await d.start();
  for (let i = 0; i < 5; i++) d.append(pub(`ID${i}`));
  await d.shutdown();
  assert.ok(sink.sent.length >= 2);
  assert.ok(sink.sent.every((m) => m.topic === "MyTrace"));
  const all = sink.sent.flatMap((m) => decodeTraceRecords(new TextDecoder().decode(m.body)));
  assert.deepEqual(all.map((c) => c.traceBeans[0]!.msgId), ["ID0", "ID1", "ID2", "ID3", "ID4"]);
});
