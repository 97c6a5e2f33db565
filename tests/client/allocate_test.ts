import assert from "node:assert/strict";
import { allocateAveragely, allocateByCircle, compareMessageQueue } from "../../src/client/allocate.ts";
import type { MessageQueue } from "../../src/protocol/bodies/message_queue.ts";

function queues(n: number, brokers = ["broker-a"]): MessageQueue[] {
  const out: MessageQueue[] = [];
  for (const brokerName of brokers) {
    for (let i = 0; i < n; i++) out.push({ topic: "T", brokerName, queueId: i });
  }
  return out.sort(compareMessageQueue);
}

const ids = (mqs: MessageQueue[]) => mqs.map((q) => `${q.brokerName}:${q.queueId}`);

Deno.test("allocateAveragely() gives contiguous blocks with the remainder to the first members", () => {
  const mqs = queues(8);
  const cids = ["c0", "c1", "c2"];
  assert.deepEqual(ids(allocateAveragely("g", "c0", mqs, cids)), ["broker-a:0", "broker-a:1", "broker-a:2"]);
  assert.deepEqual(ids(allocateAveragely("g", "c1", mqs, cids)), ["broker-a:3", "broker-a:4", "broker-a:5"]);
  assert.deepEqual(ids(allocateAveragely("g", "c2", mqs, cids)), ["broker-a:6", "broker-a:7"]);
});

Deno.test("allocateAveragely() leaves members beyond the queue count idle", () => {
  const mqs = queues(2);
  const cids = ["c0", "c1", "c2"];
  assert.deepEqual(ids(allocateAveragely("g", "c0", mqs, cids)), ["broker-a:0"]);
  assert.deepEqual(ids(allocateAveragely("g", "c1", mqs, cids)), ["broker-a:1"]);
  assert.deepEqual(allocateAveragely("g", "c2", mqs, cids), []);
});

Deno.test("allocateAveragely() gives nothing to an unknown member and covers every queue exactly once", () => {
  const mqs = queues(4, ["broker-b", "broker-a"]);
  assert.deepEqual(allocateAveragely("g", "stranger", mqs, ["c0"]), []);
  for (const members of [1, 2, 3, 5, 7, 8, 9]) {
    const cids = Array.from({ length: members }, (_, i) => `c${i}`);
    const all = cids.flatMap((c) => ids(allocateAveragely("g", c, mqs, cids)));
    assert.deepEqual(all.sort(), ids(mqs).sort(), `members=${members}`);
  }
});

Deno.test("compareMessageQueue() orders by topic, broker name, then numeric queue id", () => {
  const mqs = [
    { topic: "T", brokerName: "b", queueId: 10 },
    { topic: "T", brokerName: "a", queueId: 2 },
    { topic: "S", brokerName: "z", queueId: 0 },
    { topic: "T", brokerName: "b", queueId: 9 },
  ].sort(compareMessageQueue);
  assert.deepEqual(mqs.map((q) => `${q.topic}/${q.brokerName}/${q.queueId}`), [
    "S/z/0",
    "T/a/2",
    "T/b/9",
    "T/b/10",
  ]);
});

Deno.test("allocateByCircle() deals queues round-robin", () => {
  const mqs = queues(5);
  assert.deepEqual(ids(allocateByCircle("g", "c1", mqs, ["c0", "c1"])), ["broker-a:1", "broker-a:3"]);
});
