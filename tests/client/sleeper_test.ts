import assert from "node:assert/strict";
import { Sleeper, TaskLimiter } from "../../src/client/sleeper.ts";

Deno.test("Sleeper.wakeAll() ends pending sleeps at once and later sleeps return immediately", async () => {
  const s = new Sleeper();
  let woke = false;
  const p = s.sleep(60_000).then(() => (woke = true));
  s.wakeAll();
  await p;
  assert.ok(woke);
  await s.sleep(60_000); // would hang (and leak a timer) if not short-circuited
});

Deno.test("TaskLimiter runs at most `limit` tasks at once and reports idle when done", async () => {
  const limiter = new TaskLimiter(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  for (let i = 0; i < 6; i++) {
    limiter.submit(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(i);
      running--;
    });
  }
  assert.equal(limiter.active, 2);
  await limiter.idle();
  assert.equal(peak, 2);
  assert.deepEqual(order.sort(), [0, 1, 2, 3, 4, 5]);
});
