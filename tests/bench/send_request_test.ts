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

Deno.test("SendRequestFactory.nextFrame() encodes the same request as next(), escapes and all", async () => {
  const { decodeCommand } = await import("../../src/remoting/codec.ts");
  for (const s of [shape, { ...shape, tagCount: 0, keyEnable: false, propertySize: 40, delayEnable: true }]) {
    const a = new SendRequestFactory(s, queues);
    const b = new SendRequestFactory(s, queues);
    assert(a.framesSupported);
    for (let n = 0; n < 4; n++) {
      const [q, cmd] = a.next(1_700_000_000_123);
      const f = b.nextFrame(1_700_000_000_123);
      const got = decodeCommand(f.frame.subarray(4));
      assertEquals(f.queue, q);
      assertEquals(got.opaque, f.opaque);
      assertEquals([got.code, got.flag, got.language, got.version], [cmd.code, 0, "JAVA", cmd.version]);
      assertEquals(got.body?.length, cmd.body?.length);
      const uniq = (ext: Record<string, string>) => decodeProperties(ext["i"]!)["UNIQ_KEY"];
      assert(uniq(got.extFields) !== undefined);
      const strip = (ext: Record<string, string>) => ({ ...ext, i: ext["i"]!.replace(uniq(ext)!, "") });
      assertEquals(strip(got.extFields), strip(cmd.extFields));
    }
  }
});

Deno.test("SendRequestFactory.nextFrame() is only offered for single messages with JSON headers", () => {
  assertEquals(new SendRequestFactory({ ...shape, batch: 4 }, queues).framesSupported, false);
  assertEquals(
    new SendRequestFactory({ ...shape, serializeType: "ROCKETMQ" }, queues).framesSupported,
    false,
  );
});
