/**
 * The record codec's fast paths (ASCII string writes, direct IPv4 host bytes, cached hosts, topics and msgId
 * prefixes) must produce exactly what the plain TextEncoder/TextDecoder codec produced.
 */
import assert from "node:assert/strict";
import type { HostAddress } from "../../src/message/host.ts";
import { parseHostAddress } from "../../src/message/host.ts";
import type { MessageExtBrokerInner } from "../../src/message/message.ts";
import { bodyCrc } from "../../src/message/crc32.ts";
import { createOffsetMsgId } from "../../src/message/msg_id.ts";
import { decodeProperties, encodeProperties } from "../../src/message/properties.ts";
import {
  decodeRecord,
  decodeRecords,
  encodeRecord,
  normalizedSysFlag,
  recordSizeOf,
} from "../../src/message/record_codec.ts";

const te = new TextEncoder();
const td = new TextDecoder();

function sample(over: Partial<MessageExtBrokerInner> = {}): MessageExtBrokerInner {
  const properties = { TAGS: "TagA", KEYS: "k1 k2", UNIQ_KEY: "7F0000010001000000000000000A0001" };
  return {
    topic: "TopicTest",
    queueId: 3,
    flag: 7,
    body: te.encode("Hello RocketMQ"),
    properties,
    propertiesString: encodeProperties(properties),
    tagsCode: 0,
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

/** The v1 record as the plain codec wrote it: every string through TextEncoder, every field in order. */
function referenceRecord(msg: MessageExtBrokerInner, queueOffset: number, phys: number): Uint8Array {
  const out: number[] = [];
  const int = (v: number) => out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  const long = (v: number) => {
    int(Math.floor(v / 2 ** 32));
    int(v >>> 0);
  };
  const host = (h: HostAddress) => {
    out.push(...h.ip);
    int(h.port);
  };
  const topic = te.encode(msg.topic);
  const props = te.encode(msg.propertiesString);
  int(0); // total size, patched below
  int(0xdaa320a7 | 0);
  int(bodyCrc(msg.body));
  int(msg.queueId);
  int(msg.flag);
  long(queueOffset);
  long(phys);
  int(normalizedSysFlag(msg));
  long(msg.bornTimestamp);
  host(msg.bornHost);
  long(msg.storeTimestamp ?? 0);
  host(msg.storeHost);
  int(msg.reconsumeTimes);
  long(msg.preparedTransactionOffset);
  int(msg.body.length);
  out.push(...msg.body);
  out.push(topic.length & 255, ...topic);
  out.push((props.length >>> 8) & 255, props.length & 255, ...props);
  const bytes = new Uint8Array(out);
  new DataView(bytes.buffer).setInt32(0, bytes.length);
  return bytes;
}

function encodeAt(msg: MessageExtBrokerInner, queueOffset = 5, phys = 3884): Uint8Array {
  const buf = new Uint8Array(recordSizeOf(msg));
  assert.equal(encodeRecord(msg, queueOffset, phys, buf, 0), buf.length);
  return buf;
}

function withStrings(topic: string, props: Record<string, string>): MessageExtBrokerInner {
  return sample({ topic, properties: props, propertiesString: encodeProperties(props) });
}

const STRING_CASES: [string, MessageExtBrokerInner][] = [
  ["ASCII", sample()],
  ["CJK topic and properties", withStrings("主题", { TAGS: "标签", KEYS: "ключ" })],
  ["ASCII prefix before a non-ASCII tail", withStrings("Topic-主题", { TAGS: "TagA-标签", KEYS: "k" })],
  ["emoji surrogate pairs", withStrings("t😀", { TAGS: "🚀🚀", KEYS: "a😀b" })],
  ["a lone high surrogate mid-string", withStrings("a\ud800b", { TAGS: "x\ud83dy" })],
  ["a lone low surrogate", withStrings("\udc00", { TAGS: "\ude00z" })],
  ["a high surrogate at the very end", withStrings("topic\ud800", { TAGS: "tag\udbff" })],
  ["two-byte characters", withStrings("é", { TAGS: "ñü", KEYS: "\u0080\u07ff" })],
  ["empty properties", sample({ properties: {}, propertiesString: "" })],
  ["an IPv6 born host and an IPv4 store host", sample({ bornHost: parseHostAddress("[fe80::1]:4000") })],
  ["an IPv4 born host and an IPv6 store host", sample({ storeHost: parseHostAddress("[::1]:10911") })],
  ["IPv6 hosts and non-ASCII strings", {
    ...withStrings("主题", { TAGS: "标签" }),
    bornHost: parseHostAddress("[2001:db8::7]:1"),
    storeHost: parseHostAddress("[::ffff:10.0.0.1]:10911"),
  }],
];

for (const [name, msg] of STRING_CASES) {
  Deno.test(`encodeRecord() writes the same bytes as TextEncoder for ${name}`, () => {
    const expected = referenceRecord(msg, 42, 123_456_789_012);
    assert.equal(recordSizeOf(msg), expected.length);
    assert.deepEqual(encodeAt(msg, 42, 123_456_789_012), expected);
  });

  Deno.test(`decodeRecord() reads back what TextDecoder reads for ${name}`, () => {
    const [ext] = decodeRecord(encodeAt(msg), 0, { checkCRC: true });
    assert.equal(ext.topic, td.decode(te.encode(msg.topic)));
    assert.deepEqual(ext.properties, decodeProperties(td.decode(te.encode(msg.propertiesString))));
    assert.deepEqual(ext.bornHost, msg.bornHost);
    assert.deepEqual(ext.storeHost, msg.storeHost);
    assert.equal(ext.msgId, createOffsetMsgId(msg.storeHost, 3884));
  });
}

Deno.test("encodeRecord() writes into a subarray target and alternating targets without mixing them up", () => {
  const a = sample({ topic: "TopicA" });
  const b = withStrings("主题B", { TAGS: "标签" });
  const backing = new Uint8Array(4096);
  const left = backing.subarray(7, 2000);
  const right = backing.subarray(2000);
  for (let round = 0; round < 3; round++) {
    const n1 = encodeRecord(a, round, 10, left, 3);
    const n2 = encodeRecord(b, round, 20, right, 11);
    assert.deepEqual(left.subarray(3, 3 + n1), referenceRecord(a, round, 10));
    assert.deepEqual(right.subarray(11, 11 + n2), referenceRecord(b, round, 20));
  }
});

Deno.test("encodeRecord() throws RangeError when the strings miss the target by one byte", () => {
  for (const msg of [sample(), withStrings("主题", { TAGS: "标签" }), withStrings("t😀", { TAGS: "🚀" })]) {
    const size = recordSizeOf(msg);
    assert.throws(() => encodeRecord(msg, 0, 0, new Uint8Array(size - 1), 0), RangeError);
    const ownTopicShort = new Uint8Array(size - msg.propertiesString.length - 3);
    assert.throws(() => encodeRecord(msg, 0, 0, ownTopicShort, 0), RangeError);
  }
});

Deno.test("decodeRecords() keeps hosts, topics and msgIds apart when consecutive records differ", () => {
  const msgs = [
    sample({ topic: "TopicAA", bornHost: parseHostAddress("10.1.1.1:1000") }),
    sample({ topic: "TopicBB", bornHost: parseHostAddress("10.1.1.1:1001") }),
    sample({ topic: "TopicBB", storeHost: parseHostAddress("10.0.0.2:10911") }),
    withStrings("主题AB", { TAGS: "x" }), // same byte length as "TopicAA" plus one
    sample({ topic: "TopicAA", storeHost: parseHostAddress("[::1]:10911") }),
    sample({ topic: "TopicAA", bornHost: { ip: new Uint8Array([1, 2, 3, 4]), port: 70000 } }),
  ];
  const parts = msgs.map((m, i) => encodeAt(m, i, 2 ** 33 + i * 1000));
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (body.set(p, at), at + p.length), 0);
  const exts = decodeRecords(body);
  assert.equal(exts.length, msgs.length);
  exts.forEach((ext, i) => {
    const m = msgs[i]!;
    assert.equal(ext.topic, m.topic);
    assert.deepEqual(ext.bornHost, m.bornHost);
    assert.deepEqual(ext.storeHost, m.storeHost);
    assert.equal(ext.commitLogOffset, 2 ** 33 + i * 1000);
    assert.equal(ext.msgId, createOffsetMsgId(m.storeHost, 2 ** 33 + i * 1000));
  });
});

Deno.test("decodeRecord() turns invalid UTF-8 in the topic and properties into U+FFFD like TextDecoder", () => {
  const msg = sample({ topic: "abcd", properties: {}, propertiesString: "P\u0001vwxyz" });
  const buf = encodeAt(msg);
  const topicAt = buf.length - 2 - 7 - 4;
  buf[topicAt + 1] = 0xc3; // a lead byte followed by ASCII
  buf[buf.length - 1] = 0xff;
  const [ext] = decodeRecord(buf, 0);
  assert.equal(ext.topic, "a\ufffdcd");
  assert.deepEqual(ext.properties, { P: "vwxy\ufffd" });
});

/** A small deterministic PRNG (mulberry32) so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
}

/** Random text mixing ASCII, 2- and 3-byte characters, surrogate pairs and lone surrogates. */
function randomText(rand: () => number, maxLen: number, avoid: (unit: string) => boolean): string {
  const len = Math.floor(rand() * (maxLen + 1));
  let s = "";
  while (s.length < len) {
    const kind = rand();
    let unit: string;
    if (kind < 0.6) unit = String.fromCharCode(0x20 + Math.floor(rand() * 0x5f));
    else if (kind < 0.7) unit = String.fromCharCode(0x80 + Math.floor(rand() * 0x780));
    else if (kind < 0.8) unit = String.fromCharCode(0x800 + Math.floor(rand() * 0xd000));
    else if (kind < 0.9) unit = String.fromCodePoint(0x10000 + Math.floor(rand() * 0xfffff));
    else unit = String.fromCharCode(0xd800 + Math.floor(rand() * 0x800));
    if (!avoid(unit)) s += unit;
  }
  return s;
}

Deno.test("encodeRecord() and decodeRecord() agree with TextEncoder/TextDecoder on 500 random messages", () => {
  const rand = prng(0x5eed);
  const separators = (unit: string) => unit === "\u0001" || unit === "\u0002";
  for (let n = 0; n < 500; n++) {
    const props: Record<string, string> = {};
    const count = Math.floor(rand() * 4);
    for (let k = 0; k < count; k++) {
      props[`K${k}${randomText(rand, 6, separators)}`] = `v${randomText(rand, 60, separators)}`;
    }
    const msg = withStrings(`T${randomText(rand, 30, () => false)}`, props);
    const phys = Math.floor(rand() * 2 ** 40);
    const expected = referenceRecord(msg, n, phys);
    const target = new Uint8Array(expected.length + 9);
    assert.equal(recordSizeOf(msg), expected.length, `size of case ${n}`);
    assert.equal(encodeRecord(msg, n, phys, target, 9), expected.length);
    assert.deepEqual(target.subarray(9), expected, `bytes of case ${n}`);
    const [ext, next] = decodeRecord(target, 9, { checkCRC: true });
    assert.equal(next, target.length);
    assert.equal(ext.topic, td.decode(te.encode(msg.topic)), `topic of case ${n}`);
    assert.deepEqual(ext.properties, decodeProperties(td.decode(te.encode(msg.propertiesString))));
    assert.equal(ext.msgId, createOffsetMsgId(msg.storeHost, phys));
  }
});
