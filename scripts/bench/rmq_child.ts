/**
 * Runs `rmq serve --role=all` as a child for the compare driver, on loopback with its store in a temp
 * dir, and reads its resource use from /proc (Linux; elsewhere the figures are reported as unknown).
 */

import { type RmqProcess, startRmq } from "../../tests/support/rmq_process.ts";
import { machineBusySec, sampleProc } from "./machine_load.ts";

export { type ProcSample, sampleProc } from "./machine_load.ts";

/** A running broker child. */
export interface RmqChild {
  namesrvAddr: string;
  brokerAddr: string;
  storeDir: string;
  pid: number;
  /** Spawn → "boot success" line, in ms. */
  readyMs: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts rmq with `flags` (e.g. flushDiskType) and resolves once the broker reports boot success. */
export async function startRmqChild(flags: Record<string, string | number | boolean>): Promise<RmqChild> {
  const storeDir = await Deno.makeTempDir({ prefix: "rmq-compare-" });
  let rmq: RmqProcess;
  try {
    // The same launcher the end-to-end tests use; this driver only adds the temp dir's lifetime.
    rmq = await startRmq({ storeDir, flags, timeoutMs: 30_000 });
  } catch (e) {
    await Deno.remove(storeDir, { recursive: true }).catch(() => {});
    throw e;
  }
  return {
    namesrvAddr: rmq.namesrvAddr,
    brokerAddr: rmq.brokerAddr,
    storeDir,
    pid: rmq.child.pid,
    readyMs: rmq.bootMs,
    output: rmq.output,
    async stop() {
      await rmq.stop();
      await Deno.remove(storeDir, { recursive: true }).catch(() => {});
    },
  };
}

/** What a run cost, in % of one CPU: the broker, this driver process, and everything else on the machine. */
export interface RunCpu {
  cpuPct: number | null;
  /** This process (the benchmark client runs here). */
  selfPct: number | null;
  /**
   * Other processes (other benchmarks, test suites, builds). On a shared machine this is the first figure
   * to check when rmq looks slow at low broker CPU: the broker and client were waiting for a core.
   */
  otherPct: number | null;
  /** Time the hypervisor ran someone else on our virtual CPUs: a slow run with high steal is the host's. */
  stealPct: number | null;
}

/**
 * Samples `pid` every 100 ms while `work` runs; returns its result, CPU % over the run (broker, this
 * process, the rest of the machine) and peak RSS.
 */
export async function withProcStats<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; rssMiB: number | null } & RunCpu> {
  const before = sampleProc(pid);
  const selfBefore = sampleProc(Deno.pid);
  const busyBefore = machineBusySec();
  let peak = before?.rssMiB ?? 0;
  const timer = setInterval(() => {
    const s = sampleProc(pid);
    if (s && s.rssMiB > peak) peak = s.rssMiB;
  }, 100);
  try {
    const result = await work();
    const after = sampleProc(pid);
    const selfAfter = sampleProc(Deno.pid);
    const busyAfter = machineBusySec();
    if (!before || !after) {
      return { result, cpuPct: null, selfPct: null, otherPct: null, stealPct: null, rssMiB: null };
    }
    const seconds = (after.at - before.at) / 1000;
    const pct = (sec: number) => Math.round((sec / seconds) * 100);
    const broker = after.cpuSec - before.cpuSec;
    const self = selfBefore && selfAfter ? selfAfter.cpuSec - selfBefore.cpuSec : null;
    const machine = busyBefore !== null && busyAfter !== null ? busyAfter.busy - busyBefore.busy : null;
    return {
      result,
      cpuPct: pct(broker),
      selfPct: self === null ? null : pct(self),
      otherPct: machine === null || self === null ? null : Math.max(0, pct(machine - broker - self)),
      stealPct: busyBefore !== null && busyAfter !== null ? pct(busyAfter.steal - busyBefore.steal) : null,
      rssMiB: Math.round(Math.max(peak, after.rssMiB)),
    };
  } finally {
    clearInterval(timer);
  }
}
