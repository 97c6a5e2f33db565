import assert from "node:assert/strict";
import { bodyCrc, crc32, crc32Tables } from "../../src/message/crc32.ts";
import { javaStringHashCode, matchesTag, parseSubscription, tagsHashCode } from "../../src/message/tags.ts";
import { decodeProperties, encodeProperties, joinPropertiesStrings } from "../../src/message/properties.ts";
import { HostAddressError, hostToString, parseHostAddress } from "../../src/message/host.ts";
import {
  createOffsetMsgId,
  createUniqId,
  decodeOffsetMsgId,
  MessageIdError,
} from "../../src/message/msg_id.ts";
import { decodeBatchBody, encodeBatchBody } from "../../src/message/batch_codec.ts";
import { compressBody, decompressBody } from "../../src/message/compression.ts";
import { deflateRawSync } from "node:zlib";
import {
  getTransactionValue,
  MessageSysFlag,
  PermName,
  PullSysFlag,
  resetTransactionValue,
} from "../../src/message/message_const.ts";
import { MessageDecodeError } from "../../src/message/record_codec.ts";
import { utf8ByteLength } from "../../src/util/utf8.ts";

const enc = new TextEncoder();

Deno.test("crc32() matches the standard check value and bodyCrc() masks the sign bit", () => {
  assert.deepEqual(crc32(enc.encode("123456789")), 0xcbf43926);
  assert.deepEqual(bodyCrc(enc.encode("123456789")), 0xcbf43926 & 0x7fffffff);
  assert.deepEqual(bodyCrc(new Uint8Array(0)), 0);
  const big = new Uint8Array(1000).map((_, i) => (i * 7) & 0xff);
  // Slicing-by-8 must agree with a bytewise computation over an odd-length range.
  let c = 0xffffffff;
  for (let i = 3; i < 998; i++) {
    c ^= big[i]!;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  assert.deepEqual(crc32(big, 3, 998), (c ^ 0xffffffff) >>> 0);
  assert.deepEqual(crc32Tables(big, 3, 998), (c ^ 0xffffffff) >>> 0);
  for (const n of [0, 1, 63, 64, 65, 1000]) assert.equal(crc32(big, 0, n), crc32Tables(big, 0, n), `n=${n}`);
});

Deno.test("javaStringHashCode() equals Java String.hashCode for ASCII and non-ASCII strings", () => {
  assert.deepEqual(javaStringHashCode("TagA"), 2598919);
  assert.deepEqual(javaStringHashCode("TagB"), 2598920);
  assert.deepEqual(javaStringHashCode("order-created"), -392709271);
  assert.deepEqual(javaStringHashCode("标签"), 857175);
  assert.deepEqual(javaStringHashCode(""), 0);
  assert.deepEqual(tagsHashCode(undefined), 0);
  assert.deepEqual(tagsHashCode(""), 0);
  assert.deepEqual(tagsHashCode("TagA"), 2598919);
});

Deno.test("parseSubscription() treats * and empty as all and splits on || with trimming", () => {
  assert.deepEqual(parseSubscription("*").all, true);
  assert.deepEqual(parseSubscription("").all, true);
  assert.deepEqual(parseSubscription(undefined).all, true);
  const sub = parseSubscription(" TagA || TagB ||  ");
  assert.deepEqual(sub.all, false);
  assert.deepEqual([...sub.tags], ["TagA", "TagB"]);
  assert.deepEqual([...sub.codes], [2598919, 2598920]);
  assert.ok(matchesTag(sub, "TagA"));
  assert.ok(!matchesTag(sub, "TagC"));
  assert.ok(!matchesTag(sub, undefined));
  assert.ok(matchesTag(parseSubscription("*"), undefined));
});

Deno.test("properties round-trip without a trailing separator and the reader tolerates 5.x and junk", () => {
  const props = { KEYS: "a b", TAGS: "T", UNIQ_KEY: "ABC" };
  const s = encodeProperties(props);
  assert.deepEqual(s, "KEYS\u0001a b\u0002TAGS\u0001T\u0002UNIQ_KEY\u0001ABC");
  assert.deepEqual(decodeProperties(s), props);
  assert.deepEqual(decodeProperties(s + "\u0002"), props);
  assert.deepEqual(decodeProperties("\u0001x\u0002A\u0001\u0002B\u00011\u0002ab\u0002B\u00012"), { B: "2" });
  assert.deepEqual(decodeProperties(""), {});
  assert.deepEqual(joinPropertiesStrings("A\u00011", "B\u00012"), "A\u00011\u0002B\u00012");
  assert.deepEqual(joinPropertiesStrings("A\u00011\u0002", "B\u00012"), "A\u00011\u0002B\u00012");
  assert.deepEqual(joinPropertiesStrings("", "B\u00012"), "B\u00012");
});

Deno.test("parseHostAddress() reads IPv4, bracketed and bare IPv6, and rejects junk", () => {
  const v4 = parseHostAddress("1.2.3.4:10911");
  assert.deepEqual([...v4.ip], [1, 2, 3, 4]);
  assert.deepEqual(v4.port, 10911);
  assert.deepEqual(hostToString(v4), "1.2.3.4:10911");
  const v6 = parseHostAddress("[2001:db8::1]:9876");
  assert.deepEqual(v6.ip.length, 16);
  assert.deepEqual(hostToString(v6), "2001:db8::1:9876");
  assert.deepEqual(parseHostAddress(hostToString(v6)), v6);
  assert.deepEqual([...parseHostAddress("::ffff:1.2.3.4:80").ip.subarray(10)], [0xff, 0xff, 1, 2, 3, 4]);
  assert.deepEqual(hostToString(parseHostAddress("[::]:1")), ":::1");
  for (const bad of ["1.2.3:80", "1.2.3.4", "1.2.3.4:99999", "300.1.1.1:1", "host:80", "[::1:80"]) {
    assert.throws(() => parseHostAddress(bad), HostAddressError, bad);
  }
});

Deno.test("offset msgId encodes ip, port and offset as 32 upper-case hex chars and decodes back", () => {
  const host = parseHostAddress("10.0.0.1:10911");
  const id = createOffsetMsgId(host, 3884);
  assert.deepEqual(id, "0A00000100002A9F0000000000000F2C");
  assert.deepEqual(decodeOffsetMsgId(id), { host, offset: 3884 });
  assert.deepEqual(decodeOffsetMsgId(id.toLowerCase()).offset, 3884);
  const v6 = parseHostAddress("[::1]:10911");
  const id6 = createOffsetMsgId(v6, 2 ** 40);
  assert.deepEqual(id6.length, 56);
  assert.deepEqual(decodeOffsetMsgId(id6), { host: v6, offset: 2 ** 40 });
  assert.throws(() => decodeOffsetMsgId("XYZ"), MessageIdError);
  assert.throws(() => decodeOffsetMsgId("G".repeat(32)), MessageIdError);
});

Deno.test("createUniqId() yields distinct 32-char upper-hex ids sharing a per-process prefix", () => {
  const ids = Array.from({ length: 1000 }, () => createUniqId());
  assert.deepEqual(new Set(ids).size, 1000);
  for (const id of ids) assert.ok(/^[0-9A-F]{32}$/.test(id), id);
  assert.deepEqual(new Set(ids.map((id) => id.slice(0, 20))).size, 1);
  const view = new DataView(new Uint8Array(ids[0]!.match(/../g)!.map((h) => parseInt(h, 16))).buffer);
  const now = new Date();
  const monthStart = new Date(now.getFullYear(), now.getMonth(), 1).getTime();
  assert.ok(Math.abs(monthStart + view.getInt32(10) - Date.now()) < 60_000);
});

Deno.test("batch body round-trips flags, bodies and properties", () => {
  const items = [
    { flag: 1, body: enc.encode("one"), properties: { UNIQ_KEY: "A", TAGS: "t" } },
    { flag: 0, body: new Uint8Array(0), propertiesString: "KEYS\u0001k" },
    { flag: -5, body: enc.encode("三"), properties: {} },
  ];
  const body = encodeBatchBody(items);
  assert.deepEqual(
    new DataView(body.buffer).getInt32(0),
    22 + 3 + utf8ByteLength("UNIQ_KEY\u0001A\u0002TAGS\u0001t"),
  );
  const out = decodeBatchBody(body);
  assert.deepEqual(out.length, 3);
  assert.deepEqual(out.map((i) => i.flag), [1, 0, -5]);
  assert.deepEqual(new TextDecoder().decode(out[0]!.body), "one");
  assert.deepEqual(out[0]!.properties, { UNIQ_KEY: "A", TAGS: "t" });
  assert.deepEqual(out[1]!.propertiesString, "KEYS\u0001k");
  assert.deepEqual(new TextDecoder().decode(out[2]!.body), "三");
  assert.throws(() => decodeBatchBody(body.subarray(0, body.length - 1)), MessageDecodeError);
});

Deno.test("compressBody() writes zlib and decompressBody() reads zlib and raw deflate", () => {
  const body = enc.encode("x".repeat(10_000));
  const z = compressBody(body);
  assert.ok(z.length < 200);
  assert.deepEqual(z[0], 0x78);
  assert.deepEqual(decompressBody(z), body);
  assert.deepEqual(decompressBody(new Uint8Array(deflateRawSync(body))), body);
  assert.throws(() => decompressBody(enc.encode("not compressed at all")));
});

Deno.test("sysflag helpers extract and replace the transaction type; perm2String matches Java", () => {
  const f = MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.TRANSACTION_PREPARED_TYPE;
  assert.deepEqual(getTransactionValue(f), MessageSysFlag.TRANSACTION_PREPARED_TYPE);
  assert.deepEqual(resetTransactionValue(f, MessageSysFlag.TRANSACTION_COMMIT_TYPE), 0x9);
  assert.deepEqual(PullSysFlag.build(true, true, true), 7);
  assert.ok(PullSysFlag.hasSuspendFlag(2) && !PullSysFlag.hasCommitOffsetFlag(2));
  assert.deepEqual(PullSysFlag.clearCommitOffsetFlag(7), 6);
  assert.deepEqual(PermName.perm2String(6), "RW-");
  assert.deepEqual(PermName.perm2String(7), "RWX");
  assert.deepEqual(PermName.perm2String(4), "R--");
  assert.ok(PermName.isWriteable(6) && !PermName.isWriteable(4));
});

Deno.test("utf8ByteLength() agrees with TextEncoder including surrogate pairs and lone surrogates", () => {
  for (const s of ["", "abc", "é", "标签", "😀x", "\ud800", "a\udc00b"]) {
    assert.deepEqual(utf8ByteLength(s), enc.encode(s).length, JSON.stringify(s));
  }
});
