import assert from "node:assert/strict";
import { TimerSnapshotError, TimerStateFiles } from "../../src/timer/timer_state_files.ts";

async function withFiles(fn: (files: TimerStateFiles, root: string) => void | Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "rmq-timer-files-" });
  const files = new TimerStateFiles(root);
  try {
    await fn(files, root);
  } finally {
    files.close();
    await Deno.remove(root, { recursive: true });
  }
}

const cols = () => ({
  deliverMs: new Float64Array([1_700_000_000_123, 5]),
  queueOffset: new Float64Array([7, 9]),
  phyOffset: new Float64Array([2 ** 40 + 3, 0]),
  flags: new Uint8Array([1, 0]),
});

Deno.test("TimerStateFiles round-trips a snapshot and drops the delivered logs it supersedes", () =>
  withFiles(async (files) => {
    assert.equal(files.loadSnapshot(), null);
    files.appendDelivered(new Float64Array([3, 4]), 2);
    await files.writeSnapshot(10, cols());
    const snap = files.loadSnapshot();
    assert.ok(snap);
    assert.equal(snap.readOffset, 10);
    assert.deepEqual(snap.pending, cols());
    assert.equal(files.readDelivered().size, 0);
    files.appendDelivered(new Float64Array([11, 12, 99]), 2);
    assert.deepEqual([...files.readDelivered()], [11, 12]);
  }));

Deno.test("TimerStateFiles sends deliveries made while a snapshot is written to the next log generation", () =>
  withFiles(async (files) => {
    files.appendDelivered(new Float64Array([1]), 1);
    const writing = files.writeSnapshot(5, cols());
    files.appendDelivered(new Float64Array([6]), 1);
    // Both logs count until the snapshot is on disk.
    assert.deepEqual([...files.readDelivered()].sort(), [1, 6]);
    await writing;
    assert.deepEqual([...files.readDelivered()], [6]);
    // A new instance (a restart) keeps appending to a fresh generation and still reads the old one.
    files.close();
    const again = new TimerStateFiles(files.dir.replace(/\/timerstore$/, ""));
    again.appendDelivered(new Float64Array([7]), 1);
    assert.deepEqual([...again.readDelivered()].sort(), [6, 7]);
    again.close();
  }));

Deno.test("TimerStateFiles ignores a torn last entry of the delivered log", () =>
  withFiles((files) => {
    files.appendDelivered(new Float64Array([1, 2]), 2);
    files.close();
    const f = Deno.openSync(files.logPath(0), { append: true });
    f.writeSync(new Uint8Array([1, 2, 3]));
    f.close();
    assert.deepEqual([...files.readDelivered()], [1, 2]);
  }));

Deno.test("TimerStateFiles refuses a snapshot whose bytes were changed", () =>
  withFiles(async (files) => {
    await files.writeSnapshot(2, cols());
    const bytes = Deno.readFileSync(files.snapshotPath);
    bytes[30] = bytes[30]! ^ 0xff;
    Deno.writeFileSync(files.snapshotPath, bytes);
    assert.throws(() => files.loadSnapshot(), TimerSnapshotError);
    Deno.writeFileSync(files.snapshotPath, bytes.subarray(0, 10));
    assert.throws(() => files.loadSnapshot(), /too short/);
  }));

Deno.test("TimerStateFiles keeps the checkpoint as readable JSON", () =>
  withFiles((files) => {
    assert.equal(files.readCheckpoint(), null);
    files.writeCheckpoint({ readOffset: 5, pending: 2, cleanShutdown: true, timestamp: 42 });
    assert.deepEqual(files.readCheckpoint(), {
      readOffset: 5,
      pending: 2,
      cleanShutdown: true,
      timestamp: 42,
    });
    assert.match(Deno.readTextFileSync(files.checkpointPath), /"cleanShutdown":true/);
  }));

Deno.test("TimerStateFiles round-trips a snapshot of a million pending timers", () =>
  withFiles(async (files) => {
    const n = 1_000_000;
    const big = {
      deliverMs: new Float64Array(n).map((_, i) => 1_700_000_000_000 + i),
      queueOffset: new Float64Array(n).map((_, i) => i),
      phyOffset: new Float64Array(n).map((_, i) => i * 300),
      flags: new Uint8Array(n),
    };
    const t0 = performance.now();
    await files.writeSnapshot(n, big);
    const t1 = performance.now();
    const snap = files.loadSnapshot();
    console.log(
      `1M timers: snapshot ${(Deno.statSync(files.snapshotPath).size / 1e6).toFixed(1)} MB, ` +
        `written in ${(t1 - t0).toFixed(0)} ms, loaded in ${(performance.now() - t1).toFixed(0)} ms`,
    );
    assert.ok(snap);
    assert.equal(snap.pending.deliverMs.length, n);
    assert.equal(snap.pending.phyOffset[n - 1], (n - 1) * 300);
  }));
