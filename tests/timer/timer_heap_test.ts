import assert from "node:assert/strict";
import { type TimerEntry, TimerHeap } from "../../src/timer/timer_heap.ts";

function drain(h: TimerHeap): TimerEntry[] {
  const out: TimerEntry[] = [];
  const e = { deliverMs: 0, queueOffset: 0, phyOffset: 0, flags: 0 };
  while (h.pop(e)) out.push({ ...e });
  return out;
}

Deno.test("TimerHeap pops timers by delivery time, then by queue offset", () => {
  const h = new TimerHeap(2);
  h.push(300, 1, 10);
  h.push(100, 5, 50);
  h.push(100, 2, 20, 1);
  h.push(200, 3, 30);
  assert.equal(h.size, 4);
  assert.equal(h.peekDeliverMs(), 100);
  assert.deepEqual(drain(h).map((e) => [e.deliverMs, e.queueOffset, e.phyOffset, e.flags]), [
    [100, 2, 20, 1],
    [100, 5, 50, 0],
    [200, 3, 30, 0],
    [300, 1, 10, 0],
  ]);
  assert.equal(h.peekDeliverMs(), Infinity);
});

Deno.test("TimerHeap keeps order over 200k random timers and grows as needed", () => {
  const h = new TimerHeap();
  for (let i = 0; i < 200_000; i++) h.push(Math.floor(Math.random() * 1e6), i, i * 100);
  const out = drain(h);
  assert.equal(out.length, 200_000);
  for (let i = 1; i < out.length; i++) {
    const a = out[i - 1]!, b = out[i]!;
    assert.ok(a.deliverMs < b.deliverMs || (a.deliverMs === b.deliverMs && a.queueOffset < b.queueOffset));
  }
});

Deno.test("TimerHeap.from() rebuilds a heap from columns, dropping the offsets it is told to", () => {
  const src = new TimerHeap();
  for (let i = 0; i < 1000; i++) src.push((i * 7919) % 1000, i, i);
  const cols = src.columns();
  const copy = TimerHeap.from(cols, (q) => q % 2 === 0);
  assert.equal(copy.size, 500);
  const out = drain(copy);
  assert.ok(out.every((e) => e.queueOffset % 2 === 1));
  for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]!.deliverMs <= out[i]!.deliverMs);
  assert.equal(src.size, 1000, "the source heap is untouched");
});
