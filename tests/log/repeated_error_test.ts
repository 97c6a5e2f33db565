import assert from "node:assert/strict";
import { Logger } from "../../src/log/logger.ts";
import { RepeatedErrorLog } from "../../src/log/repeated_error.ts";

/** A logger that keeps its lines instead of writing them. */
class Lines extends Logger {
  readonly lines: string[] = [];
  constructor() {
    super("test");
  }
  override log(level: string, message: string): void {
    this.lines.push(`${level} ${message}`);
  }
}

Deno.test("a failure repeating every second is logged once a minute with the count, and its end once", () => {
  const log = new Lines();
  let now = 0;
  const r = new RepeatedErrorLog(log, "Consume queue flush", 60_000, () => now);
  for (; now < 125_000; now += 1000) r.failed(new Error("EIO"));
  r.succeeded();
  r.succeeded();
  assert.deepEqual(log.lines, [
    "ERROR Consume queue flush failed: Error: EIO",
    "ERROR Consume queue flush failed (failed 59 more times since the last report): Error: EIO",
    "ERROR Consume queue flush failed (failed 59 more times since the last report): Error: EIO",
    "WARN Consume queue flush works again after 4 more failures",
  ]);
  r.failed("again");
  assert.equal(log.lines.at(-1), "ERROR Consume queue flush failed: again");
});
