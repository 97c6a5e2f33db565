import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { filler, type MessageShape, SendRequestFactory } from "../../src/bench/send_request.ts";
import { decodeSendMessageRequestHeaderV2 } from "../../src/protocol/headers/send.ts";
import { decodeBatchBody } from "../../src/message/batch_codec.ts";
import { decodeProperties } from "../../src/message/properties.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import type { BenchQueue } from "../../src/bench/route.ts";

const shape: MessageShape = {
  topic: "T",
  producerGroup: "G",
  messageSize: 1024,
  keyEnable: true,
  propertySize: 0,
  tagCount: 2,
  delayEnable: false,
  delayLevel: 1,
  batch: 1,
  serializeType: "JSON",
};

const queues: BenchQueue[] = [
  { brokerName: "a", addr: "127.0.0.1:1", queueId: 0 },
  { brokerName: "b", addr: "127.0.0.1:2", queueId: 0 },
  { brokerName: "a", addr: "127.0.0.1:1", queueId: 1 },
];

Deno.test("SendRequestFactory builds SEND_MESSAGE_V2 requests round-robin over the queues", () => {
  const f = new SendRequestFactory(shape, queues);
  const picked: string[] = [];
  const opaques = new Set<number>();
  for (let i = 0; i < 4; i++) {
    const [q, cmd] = f.next(1_700_000_000_123);
    assertEquals(cmd.code, RequestCode.SEND_MESSAGE_V2);
    const h = decodeSendMessageRequestHeaderV2(cmd.extFields);
    assertEquals(h.topic, "T");
    assertEquals(h.producerGroup, "G");
    assertEquals(h.queueId, q.queueId);
    assertEquals(h.bornTimestamp, 1_700_000_000_123);
    assertEquals(cmd.body?.length, 1024);
    picked.push(`${q.brokerName}/${q.queueId}`);
    opaques.add(cmd.opaque);
  }
  assertEquals(picked, ["a/0", "b/0", "a/1", "a/0"]);
  assertEquals(opaques.size, 4);
});

Deno.test("SendRequestFactory gives every message a fresh UNIQ_KEY, rotating tags and a key", () => {
  const f = new SendRequestFactory(shape, queues);
  const props = [0, 1, 2].map(() =>
    decodeProperties(decodeSendMessageRequestHeaderV2(f.next(5_000)[1].extFields).properties!)
  );
  assertEquals(props.map((p) => p["TAGS"]), ["tag0", "tag1", "tag0"]);
  assertEquals(props[0]!["KEYS"], "5");
  assertEquals(props[0]!["WAIT"], "true");
  assertEquals(new Set(props.map((p) => p["UNIQ_KEY"])).size, 3);
});

Deno.test("SendRequestFactory with batch > 1 builds SEND_BATCH_MESSAGE bodies the broker can split", () => {
  const f = new SendRequestFactory({ ...shape, batch: 8, messageSize: 10 }, queues);
  const [, cmd] = f.next(1);
  assertEquals(cmd.code, RequestCode.SEND_BATCH_MESSAGE);
  assertEquals(decodeSendMessageRequestHeaderV2(cmd.extFields).batch, true);
  const items = decodeBatchBody(cmd.body!);
  assertEquals(items.length, 8);
  assert(items.every((it) => it.body.length === 10 && it.properties["UNIQ_KEY"] !== undefined));
});

Deno.test("filler() adds user properties until they reach the requested size", () => {
  assertEquals(filler(0), []);
  const props = filler(100);
  assert(props.join("\u0002").length >= 99);
  assert(props.slice(0, -1).join("\u0002").length < 100);
});
