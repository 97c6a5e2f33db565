import assert from "node:assert/strict";
import type { MessageExtBrokerInner } from "../../src/message/message.ts";
import { parseHostAddress } from "../../src/message/host.ts";
import { encodeProperties } from "../../src/message/properties.ts";
import { bodyCrc } from "../../src/message/crc32.ts";
import {
  calcRecordSize,
  checkRecordAt,
  decodeRecord,
  decodeRecords,
  encodeBlankRecord,
  encodeRecord,
  MessageDecodeError,
  recordSizeOf,
  validateForRecord,
} from "../../src/message/record_codec.ts";
import { BLANK_MAGIC_CODE, MESSAGE_MAGIC_CODE, MessageSysFlag } from "../../src/message/message_const.ts";

function sample(over: Partial<MessageExtBrokerInner> = {}): MessageExtBrokerInner {
  const properties = { TAGS: "TagA", KEYS: "k1 k2", UNIQ_KEY: "7F0000010001000000000000000A0001" };
  return {
    topic: "TopicTest",
    queueId: 3,
    flag: 7,
    body: new TextEncoder().encode("Hello RocketMQ"),
    properties,
    propertiesString: encodeProperties(properties),
    tagsCode: 2598919,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_123,
    bornHost: parseHostAddress("192.168.1.20:53211"),
    storeHost: parseHostAddress("10.0.0.1:10911"),
    reconsumeTimes: 2,
    preparedTransactionOffset: 0,
    storeTimestamp: 1_700_000_000_456,
    ...over,
  };
}

function encode(msg: MessageExtBrokerInner, queueOffset = 5, phys = 3884): Uint8Array {
  const buf = new Uint8Array(recordSizeOf(msg));
  const n = encodeRecord(msg, queueOffset, phys, buf, 0);
  assert.deepEqual(n, buf.length);
  return buf;
}

Deno.test("encodeRecord() writes the v1 layout at the documented fixed offsets (IPv4 hosts)", () => {
  const msg = sample();
  const buf = encode(msg);
  const view = new DataView(buf.buffer);
  const propLen = new TextEncoder().encode(msg.propertiesString).length;
  assert.deepEqual(buf.length, 91 + msg.body.length + msg.topic.length + propLen);
  assert.deepEqual(view.getInt32(0), buf.length);
  assert.deepEqual(view.getInt32(4), MESSAGE_MAGIC_CODE);
  assert.deepEqual(view.getInt32(4), -626843481);
  assert.deepEqual(view.getInt32(8), bodyCrc(msg.body));
  assert.deepEqual(view.getInt32(12), 3);
  assert.deepEqual(view.getInt32(16), 7);
  assert.deepEqual(view.getBigInt64(20), 5n);
  assert.deepEqual(view.getBigInt64(28), 3884n);
  assert.deepEqual(view.getInt32(36), 0);
  assert.deepEqual(view.getBigInt64(40), 1_700_000_000_123n);
  assert.deepEqual([...buf.subarray(48, 52)], [192, 168, 1, 20]);
  assert.deepEqual(view.getInt32(52), 53211);
  assert.deepEqual(view.getBigInt64(56), 1_700_000_000_456n);
  assert.deepEqual([...buf.subarray(64, 68)], [10, 0, 0, 1]);
  assert.deepEqual(view.getInt32(68), 10911);
  assert.deepEqual(view.getInt32(72), 2);
  assert.deepEqual(view.getBigInt64(76), 0n);
  assert.deepEqual(view.getInt32(84), msg.body.length);
  assert.deepEqual(buf[88 + msg.body.length], msg.topic.length);
});

Deno.test("decodeRecord() round-trips every field and derives the offset msgId", () => {
  const msg = sample();
  const buf = encode(msg, 42, 123_456_789_012);
  const [ext, next] = decodeRecord(buf, 0, { checkCRC: true });
  assert.deepEqual(next, buf.length);
  assert.deepEqual(ext.storeSize, buf.length);
  assert.deepEqual(ext.topic, "TopicTest");
  assert.deepEqual(ext.queueId, 3);
  assert.deepEqual(ext.flag, 7);
  assert.deepEqual(ext.queueOffset, 42);
  assert.deepEqual(ext.commitLogOffset, 123_456_789_012);
  assert.deepEqual(ext.sysFlag, 0);
  assert.deepEqual(ext.bornTimestamp, 1_700_000_000_123);
  assert.deepEqual(ext.storeTimestamp, 1_700_000_000_456);
  assert.deepEqual(ext.bornHost, msg.bornHost);
  assert.deepEqual(ext.storeHost, msg.storeHost);
  assert.deepEqual(ext.reconsumeTimes, 2);
  assert.deepEqual(ext.preparedTransactionOffset, 0);
  assert.deepEqual(new TextDecoder().decode(ext.body), "Hello RocketMQ");
  assert.deepEqual(ext.properties, msg.properties);
  assert.deepEqual(ext.bodyCRC, bodyCrc(msg.body));
  assert.deepEqual(ext.msgId, "0A00000100002A9F0000001CBE991A14");
});

Deno.test("encodeRecord() sets the V6 flags and 20-byte hosts for IPv6 addresses", () => {
  const msg = sample({
    bornHost: parseHostAddress("[::1]:4000"),
    storeHost: parseHostAddress("[fe80::2]:10911"),
  });
  const buf = encode(msg);
  const flags = MessageSysFlag.BORNHOST_V6_FLAG | MessageSysFlag.STOREHOSTADDRESS_V6_FLAG;
  assert.deepEqual(
    buf.length,
    calcRecordSize(msg.body.length, 9, recordSizeOf(sample()) - 91 - 14 - 9, flags),
  );
  const [ext] = decodeRecord(buf, 0, { checkCRC: true });
  assert.deepEqual(ext.sysFlag & flags, flags);
  assert.deepEqual(ext.bornHost, msg.bornHost);
  assert.deepEqual(ext.storeHost, msg.storeHost);
  assert.deepEqual(ext.msgId.length, 56);
  assert.deepEqual(ext.topic, "TopicTest");
});

Deno.test("encodeRecord() handles an empty body, non-ASCII topic and properties, and an offset into the target", () => {
  const props = { TAGS: "标签", KEYS: "ключ" };
  const msg = sample({
    body: new Uint8Array(0),
    topic: "主题",
    properties: props,
    propertiesString: encodeProperties(props),
  });
  const target = new Uint8Array(17 + recordSizeOf(msg) + 5);
  const n = encodeRecord(msg, 0, 0, target, 17);
  const [ext, next] = decodeRecord(target, 17, { checkCRC: true });
  assert.deepEqual(next, 17 + n);
  assert.deepEqual(ext.topic, "主题");
  assert.deepEqual(ext.properties, props);
  assert.deepEqual(ext.body.length, 0);
  assert.deepEqual(ext.bodyCRC, 0);
});

Deno.test("decodeRecord() with readBody false leaves the body empty", () => {
  const [ext] = decodeRecord(encode(sample()), 0, { readBody: false });
  assert.deepEqual(ext.body.length, 0);
  assert.deepEqual(ext.topic, "TopicTest");
});

Deno.test("checkRecordAt() detects a body CRC mismatch only when asked to", () => {
  const buf = encode(sample());
  buf[90] = buf[90]! ^ 0xff; // inside the body
  assert.deepEqual(checkRecordAt(buf, 0, false), { kind: "message", size: buf.length });
  assert.deepEqual(checkRecordAt(buf, 0, true), { kind: "corrupt", size: buf.length });
  assert.throws(() => decodeRecord(buf, 0, { checkCRC: true }), MessageDecodeError);
});

Deno.test("checkRecordAt() reports a blank end-of-file record with its total size", () => {
  const buf = new Uint8Array(64);
  encodeBlankRecord(buf, 8, 56);
  const view = new DataView(buf.buffer);
  assert.deepEqual(view.getInt32(12), BLANK_MAGIC_CODE);
  assert.deepEqual(view.getInt32(12), -875286124);
  assert.deepEqual(checkRecordAt(buf, 8, true), { kind: "blank", size: 56 });
});

Deno.test("checkRecordAt() reports a half-written tail as incomplete and zeros as corrupt", () => {
  const buf = encode(sample());
  assert.deepEqual(checkRecordAt(buf.subarray(0, buf.length - 1), 0, true).kind, "incomplete");
  assert.deepEqual(checkRecordAt(buf.subarray(0, 5), 0, true).kind, "incomplete");
  assert.deepEqual(checkRecordAt(new Uint8Array(200), 0, true), { kind: "corrupt", size: 0 });
});

Deno.test("checkRecordAt() reports inconsistent lengths as corrupt", () => {
  const buf = encode(sample());
  new DataView(buf.buffer).setInt32(84, 1000); // body length beyond the record
  assert.deepEqual(checkRecordAt(buf, 0, false).kind, "corrupt");
  assert.throws(() => decodeRecord(buf, 0), MessageDecodeError);
  const buf2 = encode(sample());
  new DataView(buf2.buffer).setInt32(0, buf2.length - 1); // total size disagrees with field lengths
  assert.deepEqual(checkRecordAt(buf2, 0, false).kind, "corrupt");
});

Deno.test("decodeRecords() decodes a pull body and stops silently at garbage", () => {
  const a = encode(sample({ queueId: 1 }), 0, 0);
  const b = encode(sample({ queueId: 2 }), 1, a.length);
  const body = new Uint8Array(a.length + b.length + 10);
  body.set(a, 0);
  body.set(b, a.length);
  body.fill(0xee, a.length + b.length);
  const msgs = decodeRecords(body);
  assert.deepEqual(msgs.map((m) => [m.queueId, m.queueOffset, m.commitLogOffset]), [[1, 0, 0], [
    2,
    1,
    a.length,
  ]]);
});

Deno.test("validateForRecord() rejects long topics and properties and accepts normal messages", () => {
  assert.deepEqual(validateForRecord(sample()), null);
  assert.ok(validateForRecord(sample({ topic: "t".repeat(128) }))?.includes("128 bytes"));
  assert.deepEqual(validateForRecord(sample({ topic: "t".repeat(127) })), null);
  const big = sample({ propertiesString: "x".repeat(32768) });
  assert.ok(validateForRecord(big)?.includes("32768"));
});

Deno.test("encodeRecord() throws RangeError when the target is too small", () => {
  const msg = sample();
  assert.throws(() => encodeRecord(msg, 0, 0, new Uint8Array(recordSizeOf(msg) - 3), 0), RangeError);
});

Deno.test("encodeRecord() output is byte-identical to a record assembled field by field from the spec table", () => {
  const props = { TAGS: "A" };
  const msg = sample({
    topic: "T1",
    queueId: 1,
    flag: 0,
    body: new Uint8Array([0x68, 0x69]),
    properties: props,
    propertiesString: encodeProperties(props),
    sysFlag: 0,
    bornTimestamp: 0x0102030405,
    bornHost: parseHostAddress("10.0.0.2:4000"),
    storeHost: parseHostAddress("10.0.0.1:10911"),
    reconsumeTimes: 0,
    storeTimestamp: 0x0a0b0c0d0e,
  });
  const expected: number[] = [];
  const int = (v: number) => expected.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  const long = (v: number) => {
    int(Math.floor(v / 2 ** 32));
    int(v >>> 0);
  };
  const propBytes = [...new TextEncoder().encode("TAGS\u0001A")];
  const total = 91 + 2 + 2 + propBytes.length;
  int(total); // TOTALSIZE
  int(0xdaa320a7 | 0); // MAGICCODE
  int(bodyCrc(msg.body)); // BODYCRC
  int(1); // QUEUEID
  int(0); // FLAG
  long(9); // QUEUEOFFSET
  long(1000); // PHYSICALOFFSET
  int(0); // SYSFLAG
  long(0x0102030405); // BORNTIMESTAMP
  expected.push(10, 0, 0, 2), int(4000); // BORNHOST
  long(0x0a0b0c0d0e); // STORETIMESTAMP
  expected.push(10, 0, 0, 1), int(10911); // STOREHOSTADDRESS
  int(0); // RECONSUMETIMES
  long(0); // PREPARED TRANSACTION OFFSET
  int(2), expected.push(0x68, 0x69); // BODY
  expected.push(2, 0x54, 0x31); // TOPIC (1-byte length)
  expected.push(0, propBytes.length, ...propBytes); // PROPERTIES (short length)
  const buf = new Uint8Array(recordSizeOf(msg));
  encodeRecord(msg, 9, 1000, buf, 0);
  assert.deepEqual([...buf], expected);
});
