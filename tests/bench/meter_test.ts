import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Counter, RunClock } from "../../src/bench/meter.ts";

Deno.test("RunClock moves from warm-up to measuring and measures until the stop instant", () => {
  const c = new RunClock(1000, 0);
  assertEquals(c.phase(500), "warmup");
  assertEquals(c.measuredMs(500), 0);
  assertEquals(c.phase(1200), "measure");
  c.stop(3200);
  c.stop(9999);
  assertEquals(c.phase(4000), "stopped");
  assertEquals(c.measuring(4000), false);
  assertEquals(c.measuredMs(5000), 2000);
});

Deno.test("RunClock without warm-up measures from its start", () => {
  const c = new RunClock(0, 100);
  assertEquals(c.measuring(100), true);
  assertEquals(c.measuredMs(350), 250);
});

Deno.test("Counter keeps warm-up counts out of the total but in the interval", () => {
  const n = new Counter();
  n.add(5, false);
  n.add(3, true);
  assertEquals(n.takeInterval(), 8);
  assertEquals(n.takeInterval(), 0);
  assertEquals(n.total, 3);
});
