/**
 * Event-loop stall monitor for benchmark diagnosis, loaded into any Deno process with `--preload`:
 *
 *   RMQ_STALL_LOG=/tmp/broker-stalls.txt deno run -A --preload scripts/bench/stall_monitor.ts main.ts serve
 *
 * A 1 ms interval timer measures how late each tick fires; a tick later than RMQ_STALL_MS (default 2 ms)
 * is a stall: the event loop was busy (synchronous work, GC) or the process was not scheduled. Once a
 * second it appends one line per stall (`<epoch ms> stall <ms>`) and one summary line to RMQ_STALL_LOG
 * (stderr when unset), so a run can be lined up with the client's latency tail afterwards.
 * Does nothing unless RMQ_STALL_LOG or RMQ_STALL_MS is set, so it is safe to preload always.
 */

const logPath = Deno.env.get("RMQ_STALL_LOG");
const thresholdRaw = Deno.env.get("RMQ_STALL_MS");

/** Starts the monitor; returns a function that stops it and writes what is pending. */
export function startStallMonitor(path: string | undefined, thresholdMs: number): () => void {
  const encoder = new TextEncoder();
  let pending: string[] = [];
  let last = performance.now();
  let ticks = 0;
  let stalls = 0;
  let worst = 0;
  let stalledMs = 0;
  const write = (text: string) => {
    const bytes = encoder.encode(text);
    if (path === undefined) Deno.stderr.writeSync(bytes);
    else Deno.writeFileSync(path, bytes, { append: true, create: true });
  };
  const tick = setInterval(() => {
    const now = performance.now();
    const late = now - last - 1;
    last = now;
    ticks++;
    if (late < thresholdMs) return;
    stalls++;
    stalledMs += late;
    if (late > worst) worst = late;
    pending.push(`${Date.now()} stall ${late.toFixed(1)}\n`);
  }, 1);
  const report = () => {
    const lines = pending.join("") +
      `${Date.now()} summary ticks=${ticks} stalls=${stalls} stalledMs=${stalledMs.toFixed(0)} ` +
      `worstMs=${worst.toFixed(1)}\n`;
    pending = [];
    ticks =
      stalls =
      worst =
      stalledMs =
        0;
    write(lines);
  };
  const every = setInterval(report, 1000);
  // Neither timer may keep a finished process alive.
  Deno.unrefTimer(tick);
  Deno.unrefTimer(every);
  return () => {
    clearInterval(tick);
    clearInterval(every);
    report();
  };
}

if (logPath !== undefined || thresholdRaw !== undefined) {
  const threshold = Number(thresholdRaw ?? "2");
  startStallMonitor(logPath, Number.isFinite(threshold) && threshold > 0 ? threshold : 2);
}
