import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Histogram } from "../../src/bench/histogram.ts";

function exactPercentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

function assertWithin1Percent(actual: number, exact: number, what: string): void {
  assert(Math.abs(actual - exact) <= exact * 0.01, `${what}: ${actual} is not within 1% of ${exact}`);
}

Deno.test("Histogram percentiles are within 1% of the exact nearest-rank values on a uniform range", () => {
  const h = new Histogram();
  const values: number[] = [];
  for (let v = 1; v <= 100_000; v++) {
    h.record(v);
    values.push(v);
  }
  for (const p of [1, 10, 50, 90, 99, 99.9, 99.99]) {
    assertWithin1Percent(h.percentile(p), exactPercentile(values, p), `p${p}`);
  }
});

Deno.test("Histogram percentiles are within 1% on a long-tailed latency-like distribution", () => {
  const h = new Histogram();
  const values: number[] = [];
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let i = 0; i < 50_000; i++) {
    // Log-normal-ish: most near 100 µs, a tail up to seconds.
    const v = Math.round(100 * Math.exp(3 * random() ** 4) + (random() < 0.001 ? 1_000_000 * random() : 0));
    h.record(v);
    values.push(v);
  }
  values.sort((a, b) => a - b);
  for (const p of [50, 90, 99, 99.9]) {
    assertWithin1Percent(h.percentile(p), exactPercentile(values, p), `p${p}`);
  }
  assertEquals(h.max, values[values.length - 1]);
  assertEquals(h.min, values[0]);
});

Deno.test("Histogram counts small values exactly and keeps the exact mean, min and max", () => {
  const h = new Histogram();
  for (const v of [3, 3, 5, 7, 250]) h.record(v);
  assertEquals(h.count, 5);
  assertEquals(h.percentile(50), 5);
  assertEquals(h.percentile(40), 3);
  assertEquals(h.percentile(100), 250);
  assertEquals(h.min, 3);
  assertEquals(h.mean, (3 + 3 + 5 + 7 + 250) / 5);
});

Deno.test("Histogram reports zeros when empty and treats negative or non-finite values as 0", () => {
  const h = new Histogram();
  assertEquals(h.summary(), { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  h.record(-5);
  h.record(NaN);
  h.record(Infinity);
  assertEquals(h.count, 3);
  assertEquals(h.max, 0);
});

Deno.test("Histogram.merge() adds another histogram's values and reset() forgets them", () => {
  const a = new Histogram();
  const b = new Histogram();
  for (let v = 1; v <= 1000; v++) a.record(v);
  for (let v = 1001; v <= 2000; v++) b.record(v);
  a.merge(b);
  assertEquals(a.count, 2000);
  assertEquals(a.max, 2000);
  assertWithin1Percent(a.percentile(50), 1000, "p50");
  a.reset();
  assertEquals(a.count, 0);
  assertEquals(a.percentile(99), 0);
});

Deno.test("Histogram.summary() scales every figure, e.g. microseconds to milliseconds", () => {
  const h = new Histogram();
  h.record(1500);
  const s = h.summary(1000);
  assertEquals(s.max, 1.5);
  assertEquals(s.count, 1);
  assertWithin1Percent(s.p50, 1.5, "p50");
});
