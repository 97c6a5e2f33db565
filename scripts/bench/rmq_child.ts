/**
 * Runs `rmq serve --role=all` as a child for the compare driver, on loopback with its store in a temp
 * dir, and reads its resource use from /proc (Linux; elsewhere the figures are reported as unknown).
 */

import { type RmqProcess, startRmq } from "../../tests/support/rmq_process.ts";

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

/** A process's resident set (current and peak) in MiB and its CPU seconds so far; null if unknown. */
export interface ProcSample {
  rssMiB: number;
  peakRssMiB: number;
  cpuSec: number;
  at: number;
}

/** Reads /proc/<pid>/status and /proc/<pid>/stat. */
export function sampleProc(pid: number): ProcSample | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return {
      rssMiB: kb("VmRSS") / 1024,
      peakRssMiB: kb("VmHWM") / 1024,
      cpuSec: ticks / 100,
      at: performance.now(),
    };
  } catch {
    return null;
  }
}

/** Samples `pid` every 100 ms while `work` runs; returns its result, CPU % over the run and peak RSS. */
export async function withProcStats<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; cpuPct: number | null; rssMiB: number | null }> {
  const before = sampleProc(pid);
  let peak = before?.rssMiB ?? 0;
  const timer = setInterval(() => {
    const s = sampleProc(pid);
    if (s && s.rssMiB > peak) peak = s.rssMiB;
  }, 100);
  try {
    const result = await work();
    const after = sampleProc(pid);
    if (!before || !after) return { result, cpuPct: null, rssMiB: null };
    const cpuPct = ((after.cpuSec - before.cpuSec) / ((after.at - before.at) / 1000)) * 100;
    return { result, cpuPct: Math.round(cpuPct), rssMiB: Math.round(Math.max(peak, after.rssMiB)) };
  } finally {
    clearInterval(timer);
  }
}
