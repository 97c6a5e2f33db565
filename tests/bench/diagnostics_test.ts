import assert from "node:assert/strict";
import { startStallMonitor } from "../../scripts/bench/stall_monitor.ts";
import { withProcStats } from "../../scripts/bench/rmq_child.ts";
import { machineBusySec, otherCpuPct } from "../../scripts/bench/machine_load.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Holds the event loop, as a synchronous write burst in a timer callback would.
  }
}

Deno.test("startStallMonitor() logs an event-loop stall with its length", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/stalls.txt`;
    const stop = startStallMonitor(path, 10);
    await sleep(5);
    busyWait(40);
    await sleep(5);
    stop();
    const lines = (await Deno.readTextFile(path)).trim().split("\n");
    const stalls = lines.filter((l) => l.includes(" stall ")).map((l) => Number(l.split(" ")[2]));
    assert(stalls.some((ms) => ms >= 30), `no stall of 30 ms or more in ${JSON.stringify(lines)}`);
    assert(/summary ticks=\d+ stalls=[1-9]/.test(lines[lines.length - 1]!));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withProcStats() splits CPU into the watched process, this process and the rest", async () => {
  if (machineBusySec() === null) return; // not Linux
  const r = await withProcStats(Deno.pid, async () => {
    await sleep(1);
    busyWait(300);
    return 7;
  });
  assert.equal(r.result, 7);
  // The watched process is this one, so both shares carry the busy wait.
  assert((r.cpuPct ?? 0) > 0 && (r.selfPct ?? 0) > 0, JSON.stringify(r));
  assert(r.otherPct !== null && r.otherPct >= 0 && r.stealPct !== null && r.stealPct >= 0);
});

Deno.test("otherCpuPct() does not count the CPU of the processes it is told to leave out", async () => {
  if (machineBusySec() === null) return; // not Linux
  const other = await otherCpuPct([Deno.pid], 50);
  assert(other !== null && other >= 0);
});
