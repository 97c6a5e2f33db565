/**
 * How busy the machine is apart from the processes under test (Linux /proc; unknown elsewhere). On a
 * shared machine, other processes' CPU is the first thing to rule out when rmq looks slow at low broker
 * CPU (issue 6): with two busy neighbours on 2 CPUs the c=1 producer rate fell from ~11-14k to ~5k msg/s.
 */
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

/**
 * CPU seconds the whole machine spent busy so far (not idle, not waiting on I/O), and of those the
 * seconds a hypervisor gave our virtual CPUs to someone else (steal); null if unknown.
 */
export function machineBusySec(): { busy: number; steal: number } | null {
  try {
    const line = Deno.readTextFileSync("/proc/stat").split("\n", 1)[0] ?? "";
    // cpu user nice system idle iowait irq softirq steal ...
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const steal = f[7] ?? 0;
    const busy = (f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0);
    return Number.isFinite(busy) && Number.isFinite(steal) ? { busy: busy / 100, steal: steal / 100 } : null;
  } catch {
    return null;
  }
}

/**
 * CPU used by processes other than `pids` over `windowMs`, in % of one CPU; null if unknown.
 *
 * @example
 * ```ts
 * const other = await otherCpuPct([Deno.pid], 500);
 * ```
 */
export async function otherCpuPct(pids: number[], windowMs: number): Promise<number | null> {
  const busy0 = machineBusySec();
  const own0 = pids.map((p) => sampleProc(p)?.cpuSec ?? 0);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const busy1 = machineBusySec();
  const own1 = pids.map((p) => sampleProc(p)?.cpuSec ?? 0);
  if (busy0 === null || busy1 === null) return null;
  let own = 0;
  for (let i = 0; i < pids.length; i++) own += own1[i]! - own0[i]!;
  const seconds = (performance.now() - t0) / 1000;
  return Math.max(0, Math.round(((busy1.busy - busy0.busy - own) / seconds) * 100));
}

/**
 * Waits, up to `maxMs`, for a second in which other processes use at most `limitPct` % of one CPU.
 * Returns the last reading (null if unknown), so the caller can report a run that could not wait it out.
 */
export async function waitForQuiet(pids: number[], limitPct: number, maxMs: number): Promise<number | null> {
  const deadline = performance.now() + maxMs;
  while (true) {
    const other = await otherCpuPct(pids, 1000);
    if (other === null || other <= limitPct || performance.now() >= deadline) return other;
  }
}
