import { deepStrictEqual as assertEquals, equal as assertEqual } from "node:assert/strict";
import { createRequest, createResponse, SerializeType } from "../../src/remoting/command.ts";
import {
  decodeCommand,
  encodeCommand,
  encodeCommandParts,
  encodeJsonFrame,
} from "../../src/remoting/codec.ts";
import { allocBuffer, commitBuffer, reserveBuffer, SLAB_MAX_ALLOC } from "../../src/remoting/slab.ts";

/** The int32 total length at the head of a frame. */
function lengthField(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, 4).getInt32(0);
}

for (
  const [form, serializeType] of [["JSON", SerializeType.JSON], ["ROCKETMQ", SerializeType.ROCKETMQ]] as const
) {
  Deno.test(`encodeCommandParts() ${form}: the parts follow the command's own body, length field covering all`, () => {
    const req = { ...createRequest(11, { topic: "T" }), serializeType };
    const resp = createResponse(req, 0, "FOUND", { nextBeginOffset: "3" }, new Uint8Array([9]));
    const parts = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array([4, 5])];
    const frame = encodeCommandParts(resp, parts);
    assertEqual(lengthField(frame), frame.length - 4);
    const back = decodeCommand(frame.subarray(4));
    assertEqual(back.remark, "FOUND");
    assertEquals(back.extFields, { nextBeginOffset: "3" });
    assertEquals([...back.body!], [9, 1, 2, 3, 4, 5]);
  });
}

Deno.test("encodeCommandParts() with no parts and no body equals encodeCommand()", () => {
  const cmd = createRequest(105, { topic: "T1" });
  assertEquals([...encodeCommandParts(cmd, [])], [...encodeCommand(cmd)]);
});

Deno.test("encodeCommandParts() joins parts too large for a slab into one frame", () => {
  const big = new Uint8Array(SLAB_MAX_ALLOC * 3).fill(7);
  const frame = encodeCommandParts(createRequest(11), [big, new Uint8Array([8])]);
  const body = decodeCommand(frame.subarray(4)).body!;
  assertEqual(body.length, big.length + 1);
  assertEqual(body[0], 7);
  assertEqual(body[body.length - 1], 8);
});

Deno.test("encodeJsonFrame() sizes the header by its UTF-8 bytes, multi-byte characters included", () => {
  for (const remark of ["plain", "é€😀 mixed", "x".repeat(SLAB_MAX_ALLOC)]) {
    const text = JSON.stringify({ code: 1, remark });
    const frame = encodeJsonFrame(text, new Uint8Array([1, 2]));
    assertEqual(lengthField(frame), frame.length - 4);
    const cmd = decodeCommand(frame.subarray(4));
    assertEqual(cmd.remark, remark);
    assertEquals([...cmd.body!], [1, 2]);
  }
});

Deno.test("encodeCommand() frames built back to back never share bytes", () => {
  const frames = Array.from({ length: 200 }, (_, i) => encodeCommand(createRequest(i, { k: "v".repeat(i) })));
  const copies = frames.map((f) => [...f]);
  frames.forEach((f, i) => assertEquals([...f], copies[i]));
  frames.forEach((f, i) => assertEqual(decodeCommand(f.subarray(4)).code, i));
});

Deno.test("reserveBuffer() hands out only what commitBuffer() takes; the rest stays zero for the next", () => {
  const space = reserveBuffer(64, 8)!;
  space.set([1, 2, 3]);
  const buf = commitBuffer(11);
  assertEquals([...buf.subarray(8)], [1, 2, 3]);
  const next = allocBuffer(16);
  assertEquals([...next], new Array(16).fill(0));
  assertEqual(next.byteOffset >= buf.byteOffset + buf.length || next.buffer !== buf.buffer, true);
});

Deno.test("reserveBuffer() declines sizes beyond a slab's share", () => {
  assertEqual(reserveBuffer(SLAB_MAX_ALLOC + 1), null);
});
