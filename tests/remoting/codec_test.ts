import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import {
  createRequest,
  createResponse,
  type RemotingCommand,
  SerializeType,
} from "../../src/remoting/command.ts";
import { decodeCommand, encodeCommand } from "../../src/remoting/codec.ts";
import { utf8ByteLength } from "../../src/util/utf8.ts";
import { RemotingCodecError } from "../../src/remoting/errors.ts";
import { RequestCode, requestCodeName } from "../../src/remoting/request_code.ts";
import { ResponseCode, responseCodeName } from "../../src/remoting/response_code.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function hex(s: string): Uint8Array {
  const clean = s.replace(/[^0-9a-f]/gi, "");
  return Uint8Array.from(clean.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** Builds frame contents (after the length field) around a raw JSON header. */
function jsonFrame(header: string, body?: Uint8Array): Uint8Array {
  const h = enc.encode(header);
  const out = new Uint8Array(4 + h.length + (body?.length ?? 0));
  new DataView(out.buffer).setInt32(0, h.length);
  out.set(h, 4);
  if (body) out.set(body, 4 + h.length);
  return out;
}

function roundTrip(cmd: RemotingCommand): RemotingCommand {
  const frame = encodeCommand(cmd);
  assertEquals(new DataView(frame.buffer, frame.byteOffset).getInt32(0), frame.length - 4);
  return decodeCommand(frame.subarray(4));
}

const GOLDEN_JSON =
  '{"code":105,"extFields":{"topic":"T1"},"flag":0,"language":"JAVA","opaque":1,"serializeTypeCurrentRPC":"JSON","version":409}';

Deno.test("decodeCommand() reads the §1.4.1 JSON route request", () => {
  assertEquals(enc.encode(GOLDEN_JSON).length, 124);
  const cmd = decodeCommand(jsonFrame(GOLDEN_JSON));
  assertEquals(cmd, {
    code: 105,
    language: "JAVA",
    version: 409,
    opaque: 1,
    flag: 0,
    remark: undefined,
    extFields: { topic: "T1" },
    body: undefined,
    serializeType: SerializeType.JSON,
  });
});

Deno.test("encodeCommand() writes the §1.4.1 JSON route request byte for byte", () => {
  const frame = encodeCommand({
    code: 105,
    language: "JAVA",
    version: 409,
    opaque: 1,
    flag: 0,
    extFields: { topic: "T1" },
    serializeType: SerializeType.JSON,
  });
  assertEquals(frame.subarray(0, 8), hex("00000080 0000007c"));
  assertEquals(dec.decode(frame.subarray(8)), GOLDEN_JSON);
});

const GOLDEN_BINARY = hex(
  "00000026 01000022 0000 00 0199 00000001 00000001 00000000 0000000d 0006 6f6666736574 00000001 35",
);

Deno.test("encodeCommand() writes the §1.4.1 binary response byte for byte", () => {
  const frame = encodeCommand({
    code: 0,
    language: "JAVA",
    version: 409,
    opaque: 1,
    flag: 1,
    extFields: { offset: "5" },
    serializeType: SerializeType.ROCKETMQ,
  });
  assertEquals(frame, GOLDEN_BINARY);
});

Deno.test("decodeCommand() reads the §1.4.1 binary response", () => {
  assertEquals(decodeCommand(GOLDEN_BINARY.subarray(4)), {
    code: 0,
    language: "JAVA",
    version: 409,
    opaque: 1,
    flag: 1,
    remark: undefined,
    extFields: { offset: "5" },
    body: undefined,
    serializeType: SerializeType.ROCKETMQ,
  });
});

for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
  const form = serializeType === SerializeType.JSON ? "JSON" : "binary";

  Deno.test(`${form} headers round-trip remark, extFields, unicode and body`, () => {
    const req = createRequest(RequestCode.SEND_MESSAGE_V2, {
      a: "TopicTest",
      "键": "值 ✓ 😀",
      quote: 'say "hi" \\ \n',
    }, enc.encode("hello 😀"));
    req.serializeType = serializeType;
    req.remark = 'remark ✓ with "quotes"';
    req.language = "GO";
    const back = roundTrip(req);
    assertEquals(back.code, req.code);
    assertEquals(back.opaque, req.opaque);
    assertEquals(back.language, "GO");
    assertEquals(back.version, req.version);
    assertEquals(back.remark, req.remark);
    assertEquals(back.extFields, req.extFields);
    assertEquals(dec.decode(back.body), "hello 😀");
    assertEquals(back.serializeType, serializeType);
  });

  Deno.test(`${form} headers round-trip a response with no extFields, remark or body`, () => {
    const req = createRequest(RequestCode.HEART_BEAT);
    req.serializeType = serializeType;
    const res = createResponse(req, ResponseCode.SUCCESS);
    const back = roundTrip(res);
    assertEquals(back.extFields, {});
    assertEquals(back.remark, undefined);
    assertEquals(back.body, undefined);
    assertEquals(back.flag, 1);
    assertEquals(back.opaque, req.opaque);
  });

  Deno.test(`${form} headers keep negative opaques and codes`, () => {
    const cmd = createRequest(-1000);
    cmd.serializeType = serializeType;
    cmd.opaque = -2147483648;
    const back = roundTrip(cmd);
    assertEquals(back.code, -1000);
    assertEquals(back.opaque, -2147483648);
  });
}

Deno.test("decodeCommand() keeps every digit of a Go client's 64-bit subVersion", () => {
  const header =
    '{"code":11,"language":"GO","version":317,"opaque":7,"flag":0,"remark":"","extFields":{"subVersion":1700000000000000123}}';
  const cmd = decodeCommand(jsonFrame(header));
  assertEquals(cmd.extFields["subVersion"], "1700000000000000123");
  assertEquals(cmd.language, "GO");
  assertEquals(cmd.remark, "");
});

Deno.test("decodeCommand() turns ali-ons numeric and boolean extFields into strings and drops nulls", () => {
  const header =
    '{"code":310,"language":"JAVA","opaque":3,"flag":0,"version":121,"extFields":{"e":0,"f":1.5,"g":false,"h":null,"i":"x"}}';
  const cmd = decodeCommand(jsonFrame(header));
  assertEquals(cmd.extFields, { e: "0", f: "1.5", g: "false", i: "x" });
  assertEquals(cmd.version, 121);
});

Deno.test("decodeCommand() accepts a language ordinal and maps unknown languages to OTHER", () => {
  assertEquals(decodeCommand(jsonFrame('{"code":1,"language":9}')).language, "GO");
  assertEquals(decodeCommand(jsonFrame('{"code":1,"language":"COBOL"}')).language, "OTHER");
  assertEquals(decodeCommand(jsonFrame('{"code":1,"language":99}')).language, "OTHER");
  assertEquals(decodeCommand(jsonFrame('{"code":1}')).language, "JAVA");
});

Deno.test("decodeCommand() rejects headers that are not objects or lack a numeric code", () => {
  for (const bad of ["[1,2]", '"x"', "{}", '{"code":"abc"}', "{not json", '{"code":1,"extFields":[1]}']) {
    assertThrows(() => decodeCommand(jsonFrame(bad)), RemotingCodecError, bad);
  }
});

Deno.test("decodeCommand() rejects an unknown serialize type and an oversized header length", () => {
  const frame = jsonFrame('{"code":1}');
  frame[0] = 2;
  assertThrows(() => decodeCommand(frame), RemotingCodecError);
  const short = jsonFrame('{"code":1}');
  new DataView(short.buffer).setInt32(0, 100);
  assertThrows(() => decodeCommand(short), RemotingCodecError);
});

Deno.test("decodeCommand() binary: duplicate keys keep the last value and empty strings are absent", () => {
  // code 34, lang 9 (GO), version 317, opaque 5, flag 0, remark "" ; ext: k="1", k="2", e=""
  const header = hex(
    "0022 09 013d 00000005 00000000 00000000 00000017" +
      "0001 6b 00000001 31" + "0001 6b 00000001 32" + "0001 65 00000000",
  );
  const frame = new Uint8Array(4 + header.length);
  new DataView(frame.buffer).setInt32(0, (1 << 24) | header.length);
  frame.set(header, 4);
  const cmd = decodeCommand(frame);
  assertEquals(cmd.extFields, { k: "2" });
  assertEquals(cmd.language, "GO");
  assertEquals(cmd.version, 317);
  assertEquals(cmd.remark, undefined);
});

Deno.test("binary headers: text written and read byte-wise matches TextEncoder for mixed and long strings", () => {
  const texts = [
    "a",
    "0",
    "x".repeat(64),
    "y".repeat(65),
    "ascii then é",
    "é first",
    "中".repeat(40),
    "pair 😀 end",
    "lone \ud800 surrogate",
    "UNIQ_KEY\u0001C00002021DEC1F1145A76D3142680001\u0002WAIT\u0001true",
  ];
  const ext: Record<string, string> = {};
  texts.forEach((s, i) => ext[`k${i}${s.slice(0, 3)}`] = s);
  const req = createRequest(RequestCode.SEND_MESSAGE_V2, ext);
  req.serializeType = SerializeType.ROCKETMQ;
  req.remark = texts.join("|");
  const frame = encodeCommand(req);
  // Every length field agrees with TextEncoder, so Java (which reads the lengths) sees the same strings.
  const expected = Object.entries(ext).reduce(
    (n, [k, v]) => n + 6 + enc.encode(k).length + enc.encode(v).length,
    0,
  );
  const headerLength = (frame[5]! << 16) | (frame[6]! << 8) | frame[7]!;
  assertEquals(headerLength, 21 + enc.encode(req.remark).length + expected);
  const back = decodeCommand(frame.subarray(4));
  const wellFormed = (s: string) => new TextDecoder().decode(enc.encode(s));
  assertEquals(back.remark, wellFormed(req.remark));
  assertEquals(
    back.extFields,
    Object.fromEntries(Object.entries(ext).map(([k, v]) => [wellFormed(k), wellFormed(v)])),
  );
});

Deno.test("decodeCommand() binary: lengths beyond the header are rejected", () => {
  const base = hex("0022 00 0199 00000005 00000000");
  const cases = [
    hex("7fffffff 00000000"), // remark length
    hex("00000000 00000010"), // ext length beyond header
    hex("00000000 00000006 0010 6b 000000"), // key length beyond block
    hex("00000000 00000008 0001 6b 00000009 31"), // value length beyond block... block says 8
  ];
  for (const tail of cases) {
    const header = new Uint8Array([...base, ...tail]);
    const frame = new Uint8Array(4 + header.length);
    new DataView(frame.buffer).setInt32(0, (1 << 24) | header.length);
    frame.set(header, 4);
    assertThrows(() => decodeCommand(frame), RemotingCodecError);
  }
  const tiny = new Uint8Array([1, 0, 0, 3, 0, 0, 0]);
  assertThrows(() => decodeCommand(tiny), RemotingCodecError);
});

Deno.test("encodeCommand() refuses a code above int16 in a binary header", () => {
  const cmd = createRequest(RequestCode.POP_MESSAGE);
  cmd.serializeType = SerializeType.ROCKETMQ;
  assertThrows(() => encodeCommand(cmd), RemotingCodecError);
  cmd.serializeType = SerializeType.JSON;
  assertEquals(roundTrip(cmd).code, 200050);
});

Deno.test("encodeCommand() body is a copy placed after the header", () => {
  const body = new Uint8Array(100_000).fill(7);
  const cmd = createRequest(RequestCode.SEND_MESSAGE, {}, body);
  const back = roundTrip(cmd);
  assertEquals(back.body?.length, 100_000);
  assertEquals(back.body?.[99_999], 7);
});

Deno.test("utf8ByteLength() agrees with TextEncoder", () => {
  for (const s of ["", "abc", "é", "✓", "😀", "a😀b", "\ud800", "x\udc00y"]) {
    assertEquals(utf8ByteLength(s), enc.encode(s).length, JSON.stringify(s));
  }
});

Deno.test("requestCodeName() and responseCodeName() name known codes and mark unknown ones", () => {
  assertEquals(requestCodeName(105), "GET_ROUTEINFO_BY_TOPIC");
  assertEquals(requestCodeName(4242), "UNKNOWN(4242)");
  assertEquals(responseCodeName(209), "UPDATE_AND_CREATE_ACL_CONFIG_FAILED");
  assertEquals(responseCodeName(ResponseCode.PULL_NOT_FOUND), "PULL_NOT_FOUND");
});
