import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { createRequest, SerializeType } from "../../src/remoting/command.ts";
import { decodeCommand, encodeCommand } from "../../src/remoting/codec.ts";
import { RemotingCodecError } from "../../src/remoting/errors.ts";
import { FrameDecoder } from "../../src/remoting/frame_decoder.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function sampleStream(): { stream: Uint8Array; opaques: number[] } {
  const a = createRequest(105, { topic: "T1" });
  const b = createRequest(10, { a: "x" }, new TextEncoder().encode("body bytes"));
  b.serializeType = SerializeType.ROCKETMQ;
  const c = createRequest(34);
  return { stream: concat([a, b, c].map(encodeCommand)), opaques: [a.opaque, b.opaque, c.opaque] };
}

Deno.test("FrameDecoder.push() returns several frames from one chunk in order", () => {
  const { stream, opaques } = sampleStream();
  const frames = new FrameDecoder().push(stream);
  assertEquals(frames.map((f) => decodeCommand(f).opaque), opaques);
});

Deno.test("FrameDecoder.push() reassembles a multi-frame stream split at every byte boundary", () => {
  const { stream, opaques } = sampleStream();
  for (let i = 0; i <= stream.length; i++) {
    for (const j of [i, Math.min(stream.length, i + 3), Math.min(stream.length, i + 17)]) {
      const decoder = new FrameDecoder();
      const frames = [
        ...decoder.push(stream.slice(0, i)),
        ...decoder.push(stream.slice(i, j)),
        ...decoder.push(stream.slice(j)),
      ];
      assertEquals(frames.map((f) => decodeCommand(f).opaque), opaques, `split at ${i}/${j}`);
      assertEquals(decoder.hasPartialFrame, false);
    }
  }
});

Deno.test("FrameDecoder.push() keeps a partial frame until its last byte arrives, one byte at a time", () => {
  const { stream, opaques } = sampleStream();
  const decoder = new FrameDecoder();
  const got: number[] = [];
  for (let i = 0; i < stream.length; i++) {
    for (const f of decoder.push(stream.subarray(i, i + 1))) got.push(decodeCommand(f).opaque);
  }
  assertEquals(got, opaques);
});

Deno.test("FrameDecoder.push() does not retain the caller's chunk", () => {
  const { stream, opaques } = sampleStream();
  const decoder = new FrameDecoder();
  const buf = new Uint8Array(10);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i += 10) {
    const n = Math.min(10, stream.length - i);
    buf.set(stream.subarray(i, i + n));
    frames.push(...decoder.push(buf.subarray(0, n)));
    buf.fill(0xee);
  }
  assertEquals(frames.map((f) => decodeCommand(f).opaque), opaques);
});

Deno.test("FrameDecoder.push() accepts a frame of exactly the maximum length", () => {
  const max = 1024;
  const frame = new Uint8Array(max);
  new DataView(frame.buffer).setInt32(0, max - 4);
  new DataView(frame.buffer).setInt32(4, 2); // JSON, header length 2
  assertEquals(new FrameDecoder(max).push(frame).length, 1);
  const over = new Uint8Array(8);
  new DataView(over.buffer).setInt32(0, max - 3);
  assertThrows(() => new FrameDecoder(max).push(over), RemotingCodecError);
});

Deno.test("FrameDecoder.push() rejects an oversize length before the frame arrives", () => {
  const decoder = new FrameDecoder();
  assertThrows(() => decoder.push(new Uint8Array([0x01, 0x00, 0x00, 0x00])), RemotingCodecError);
  // Once failed, it stays failed: the stream cannot be resynchronised.
  assertThrows(() => decoder.push(new Uint8Array([0, 0, 0, 4])), RemotingCodecError);
});

Deno.test("FrameDecoder.push() rejects lengths below 4 and negative lengths", () => {
  assertThrows(() => new FrameDecoder().push(new Uint8Array([0, 0, 0, 3])), RemotingCodecError);
  assertThrows(() => new FrameDecoder().push(new Uint8Array([0xff, 0xff, 0xff, 0xff])), RemotingCodecError);
});

Deno.test("FrameDecoder.push() rejects a header length beyond the frame and an unknown serialize type", () => {
  assertThrows(
    () => new FrameDecoder().push(new Uint8Array([0, 0, 0, 8, 0, 0, 0, 5])),
    RemotingCodecError,
  );
  // The header word is checked as soon as it is complete, even if it arrives in pieces.
  const d = new FrameDecoder();
  d.push(new Uint8Array([0, 0, 0, 100, 7]));
  assertThrows(() => d.push(new Uint8Array([0, 0, 1])), RemotingCodecError);
});
