import assert from "node:assert/strict";
import { ProcessQueue } from "../../src/client/process_queue.ts";
import type { ConsumedMessage } from "../../src/client/message.ts";

function msg(queueOffset: number, bytes = 10): ConsumedMessage {
  return { queueOffset, body: new Uint8Array(bytes) } as unknown as ConsumedMessage;
}

Deno.test("ProcessQueue commits the smallest in-flight offset, or one past the newest when empty", () => {
  const pq = new ProcessQueue();
  const [m0, m1, m2] = [msg(0), msg(1), msg(2)];
  assert.equal(pq.putMessages([m0!, m1!, m2!]), 3);
  assert.equal(pq.count, 3);
  assert.equal(pq.bytes, 30);
  assert.equal(pq.span, 2);
  assert.equal(pq.removeMessages([m1!]), 0, "a slow message holds the offset back");
  assert.equal(pq.removeMessages([m0!]), 2);
  assert.equal(pq.removeMessages([m2!]), 3);
  assert.equal(pq.count, 0);
  assert.equal(pq.bytes, 0);
});

Deno.test("ProcessQueue ignores re-delivered offsets and reports -1 before anything arrived", () => {
  const pq = new ProcessQueue();
  assert.equal(pq.removeMessages([]), -1);
  pq.putMessages([msg(5), msg(6)]);
  assert.equal(pq.putMessages([msg(6), msg(7)]), 1);
  assert.deepEqual(pq.takeMessages(2).map((m) => m.queueOffset), [5, 6]);
  assert.equal(pq.commitOffset(), 5);
  pq.clear();
  assert.equal(pq.count, 0);
});
