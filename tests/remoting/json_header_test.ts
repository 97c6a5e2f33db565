import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { decodeJsonHeaderFast, jsonHeaderText } from "../../src/remoting/json_header.ts";
import { createRequest, createResponse, type RemotingCommand } from "../../src/remoting/command.ts";

function roundTrip(cmd: RemotingCommand): RemotingCommand | null {
  const text = jsonHeaderText(cmd);
  assertEquals(JSON.parse(text).extFields ?? {}, cmd.extFields, "the text must be valid JSON");
  return decodeJsonHeaderFast(text);
}

Deno.test("decodeJsonHeaderFast() reads back what jsonHeaderText() writes, escapes included", () => {
  const req = createRequest(310, {
    a: "group",
    i: "UNIQ_KEY\u00017F00\u0002WAIT\u0001true",
    q: 'quote " backslash \\ tab \t newline \n',
    u: "h\u00e9llo \u4e16\u754c \ud83d\ude00",
    e: "",
  });
  req.remark = "remark \\ with \u0001 control";
  const out = roundTrip(req);
  assertEquals(out?.extFields, req.extFields);
  assertEquals(out?.remark, req.remark);
  assertEquals([out?.code, out?.opaque, out?.flag, out?.version, out?.language], [
    310,
    req.opaque,
    0,
    req.version,
    "JAVA",
  ]);
});

Deno.test("decodeJsonHeaderFast() keeps negative numbers and a response without extFields", () => {
  const res = createResponse(createRequest(1), -3);
  res.opaque = -7;
  const out = roundTrip(res);
  assertEquals([out?.code, out?.opaque, out?.flag, out?.remark], [-3, -7, 1, undefined]);
  assertEquals(out?.extFields, {});
});

Deno.test("decodeJsonHeaderFast() maps languages like the general decoder", () => {
  assertEquals(decodeJsonHeaderFast('{"code":1,"language":"GO"}')?.language, "GO");
  assertEquals(decodeJsonHeaderFast('{"code":1,"language":"COBOL"}')?.language, "OTHER");
  assertEquals(decodeJsonHeaderFast('{"code":1,"language":9}')?.language, "GO");
  assertEquals(decodeJsonHeaderFast('{"code":1}')?.language, "JAVA");
});

Deno.test("decodeJsonHeaderFast() drops null extFields and stringifies ali-ons scalars", () => {
  const out = decodeJsonHeaderFast(
    '{ "code": 1, "extFields": {"a":null,"b":"x","n":5,"t":true}, "newKey": {"nested": 1} }',
  );
  assertEquals(out?.extFields, { b: "x", n: "5", t: "true" });
});

Deno.test("decodeJsonHeaderFast() leaves what JSON.parse cannot represent to the general parser", () => {
  for (
    const text of [
      '{"code":1,"extFields":{"subVersion":12345678901234567890}}', // beyond 2^53: needs bigint
      '{"code":12345678901234567890}',
      '{"code":1.5}',
      '{"code":"310"}', // numeric text: the general decoder accepts it
      '{"code":1,"opaque":"7"}',
      '{"flag":0}', // no code: the general decoder reports it
      '{"code":1,"extFields":{"o":{"nested":1}}}',
      '{"code":1,"extFields":[]}',
      '{"code":1,"remark":5}',
      '{"code":1,"language":true}',
      "{0:1}", // fastjson bare key
      '{"code":1,"remark":"bad \\x escape"}',
      '{"code":1}trailing',
      "[]",
      "",
    ]
  ) assertEquals(decodeJsonHeaderFast(text), null, text);
});

Deno.test("jsonHeaderText() writes non-string extFields values as strings and leaves out nulls", () => {
  const cmd = createRequest(1, { n: 5 as unknown as string, z: null as unknown as string, s: "x" });
  assertEquals(JSON.parse(jsonHeaderText(cmd)).extFields, { n: "5", s: "x" });
});

Deno.test("jsonHeaderText() omits an empty extFields and an absent remark, keys in fastjson order", () => {
  const text = jsonHeaderText(createResponse(createRequest(1), 0));
  assertEquals(Object.keys(JSON.parse(text)), [
    "code",
    "flag",
    "language",
    "opaque",
    "serializeTypeCurrentRPC",
    "version",
  ]);
});
