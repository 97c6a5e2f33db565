import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type AckOutcome, AckQueue } from "../../src/store/ack_queue.ts";

function recorder(): { log: string[]; waiter: (name: string) => (o: AckOutcome) => void } {
  const log: string[] = [];
  return { log, waiter: (name) => (o) => log.push(`${name}:${o instanceof Error ? o.message : o}`) };
}

Deno.test("AckQueue.release() settles covered waiters in append order and keeps the rest", () => {
  const q = new AckQueue();
  const { log, waiter } = recorder();
  q.push(100, waiter("a"));
  q.push(200, waiter("b"));
  q.push(300, waiter("c"));
  q.release(250);
  assertEquals(log, ["a:true", "b:true"]);
  assertEquals(q.length, 1);
  q.release(300);
  assertEquals(log, ["a:true", "b:true", "c:true"]);
  assertEquals(q.length, 0);
});

Deno.test("AckQueue.expire() times out only waiters past their deadline", () => {
  const q = new AckQueue();
  const { log, waiter } = recorder();
  q.push(100, waiter("early"), 10);
  q.push(200, waiter("late"), 50);
  q.expire(20);
  assertEquals(log, ["early:false"]);
  q.release(200);
  assertEquals(log, ["early:false", "late:true"]);
});

Deno.test("AckQueue.settleAll() answers every waiter, per end offset when given a function", () => {
  const q = new AckQueue();
  const { log, waiter } = recorder();
  q.push(100, waiter("a"));
  q.push(200, waiter("b"));
  q.settleAll((end) => end <= 150);
  assertEquals(log, ["a:true", "b:false"]);
  q.push(300, waiter("c"));
  q.settleAll(new Error("disk gone"));
  assertEquals(log, ["a:true", "b:false", "c:disk gone"]);
});

Deno.test("AckQueue keeps working after its settled head is compacted away", () => {
  const q = new AckQueue();
  let acked = 0;
  for (let i = 1; i <= 5000; i++) q.push(i, () => acked++);
  for (let i = 1; i <= 5000; i += 7) q.release(i);
  q.release(5000);
  assertEquals(acked, 5000);
  assertEquals(q.length, 0);
});
