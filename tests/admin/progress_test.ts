/** The progress line long admin work shows on a terminal's stderr. */
import { assertEquals } from "./helpers.ts";
import { BufferOutput } from "../../src/admin/output.ts";
import { ProgressLine } from "../../src/admin/progress.ts";

const CLEAR = "\r\x1b[2K";

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, tick: (ms: number) => void (t += ms) };
}

Deno.test("ProgressLine stays silent when stderr is not a terminal", () => {
  const out = new BufferOutput(false);
  const c = clock();
  const p = new ProgressLine(out, 100, "messages consumed", c.now);
  c.tick(5_000);
  p.advance(50);
  p.finish();
  assertEquals(out.stderr, "");
});

Deno.test("ProgressLine shows nothing for short work, then redraws in place at most every 100 ms", () => {
  const out = new BufferOutput(true);
  const c = clock();
  const p = new ProgressLine(out, 200, "messages consumed", c.now);
  p.advance(10);
  c.tick(400);
  p.advance(10);
  assertEquals(out.stderr, "", "quiet during the first 500 ms");
  c.tick(200);
  p.advance(30);
  assertEquals(out.stderr, `${CLEAR}50/200 messages consumed (25%)`);
  c.tick(50);
  p.advance(50);
  assertEquals(out.stderr, `${CLEAR}50/200 messages consumed (25%)`, "throttled");
  c.tick(100);
  p.advance(100);
  p.finish();
  assertEquals(
    out.stderr,
    `${CLEAR}50/200 messages consumed (25%)${CLEAR}200/200 messages consumed (100%)${CLEAR}`,
  );
});

Deno.test("ProgressLine.wrap() erases the line before results reach a shared terminal", () => {
  const out = new BufferOutput(true, true);
  const c = clock();
  const p = new ProgressLine(out, 10, "messages consumed", c.now);
  const shown = p.wrap(out);
  c.tick(1_000);
  p.advance(5);
  shown.out("row\n");
  assertEquals(out.stderr, `${CLEAR}5/10 messages consumed (50%)${CLEAR}`);
  assertEquals(out.stdout, "row\n");
  // With stdout redirected the line stays up while rows are written.
  const piped = new BufferOutput(true, false);
  const q = new ProgressLine(piped, 10, "messages consumed", c.now);
  c.tick(1_000);
  q.advance(5);
  q.wrap(piped).out("row\n");
  assertEquals(piped.stderr, `${CLEAR}5/10 messages consumed (50%)`);
});
