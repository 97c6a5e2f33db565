import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { FrameCounter, makeFrame, repeatFrame } from "../../scripts/bench/tcp_frames.ts";

Deno.test("FrameCounter counts frames split at every possible byte boundary", () => {
  const stream = repeatFrame(makeFrame(37, 200), 3);
  for (let cut = 1; cut < stream.length; cut++) {
    const counter = new FrameCounter();
    const replies: number[] = [];
    const n = counter.push(stream.subarray(0, cut), (r) => replies.push(r)) +
      counter.push(stream.subarray(cut), (r) => replies.push(r));
    assertEquals(n, 3, `cut at ${cut}`);
    assertEquals(replies, [200, 200, 200]);
  }
});

Deno.test("makeFrame() never makes a frame shorter than its header", () => {
  const f = makeFrame(2, 9);
  assertEquals(f.length, 8);
  assertEquals(new FrameCounter().push(repeatFrame(f, 5)), 5);
});
