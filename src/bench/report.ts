/**
 * Output of the benchmark tools: upstream-style interval lines with percentiles appended (operations.md
 * §3.2 drop-in note), their JSON twins, and a status line that a terminal overwrites in place.
 */
import type { HistogramSummary } from "./histogram.ts";

/** Where a benchmark writes. `status` is for a transient progress line (only on a terminal). */
export interface BenchOutput {
  line(text: string): void;
  status?: ((text: string) => void) | undefined;
}

/** A sink that collects lines in memory (tests, drivers that want only the summary). */
export function memoryOutput(lines: string[] = []): BenchOutput & { lines: string[] } {
  return { lines, line: (t) => lines.push(t) };
}

const encoder = new TextEncoder();

/** Lines to stdout; a status line on stderr when stderr is a terminal. */
export function consoleOutput(): BenchOutput {
  const tty = Deno.stderr.isTerminal();
  let shown = false;
  return {
    line(text) {
      if (shown) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
      shown = false;
      console.log(text);
    },
    status: tty
      ? (text) => {
        Deno.stderr.writeSync(encoder.encode(`\r\x1b[2K${text}`));
        shown = true;
      }
      : undefined,
  };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Local time as upstream prints it: `yyyy-MM-dd HH:mm:ss,SSS`. */
export function formatTime(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${
    pad(d.getMinutes())
  }:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`;
}

/** Milliseconds with three decimals, as upstream's Average RT. */
export function ms3(v: number): string {
  return v.toFixed(3);
}

/** A summary with every figure rounded to the microsecond, for JSON output. */
export function roundSummary(s: HistogramSummary): HistogramSummary {
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return {
    count: s.count,
    min: r(s.min),
    mean: r(s.mean),
    p50: r(s.p50),
    p90: r(s.p90),
    p99: r(s.p99),
    p999: r(s.p999),
    max: r(s.max),
  };
}

/** The percentile tail appended to upstream's line format. */
export function percentileFields(s: HistogramSummary, label = ""): string {
  return `${label}p50(ms): ${ms3(s.p50)} ${label}p99(ms): ${ms3(s.p99)} ${label}p999(ms): ${ms3(s.p999)} ` +
    `${label}max(ms): ${ms3(s.max)}`;
}

/**
 * Calls `tick` every `intervalMs` and `status` every 250 ms until stopped. Timers are cleared by `stop()`.
 */
export class Ticker {
  #interval: ReturnType<typeof setInterval> | undefined;
  #status: ReturnType<typeof setInterval> | undefined;

  constructor(intervalMs: number, tick: () => void, status?: () => void) {
    this.#interval = setInterval(tick, intervalMs);
    if (status) this.#status = setInterval(status, 250);
  }

  stop(): void {
    clearInterval(this.#interval);
    clearInterval(this.#status);
    this.#interval = undefined;
    this.#status = undefined;
  }
}

/** The run length options both benchmark tools share. */
export interface RunTiming {
  /** Measured seconds after the warm-up; 0 = until stopped otherwise. */
  durationSec: number;
  warmupSec: number;
  reportIntervalMs: number;
}

/** How a tool stops and reports. */
export interface RunHooks {
  halt(): void;
  report(): void;
  /** The terminal status line, when the output has one. */
  status?: (() => void) | undefined;
}

/**
 * Runs `body` with the run's lifecycle around it: an abort signal or the end of warm-up + duration halts
 * the run, a report line is printed every interval, and every timer and listener is gone when it returns,
 * however `body` ends.
 */
export async function withRunControl<T>(
  timing: RunTiming,
  hooks: RunHooks,
  signal: AbortSignal | undefined,
  body: () => Promise<T>,
): Promise<T> {
  const stop = () => hooks.halt();
  signal?.addEventListener("abort", stop, { once: true });
  if (signal?.aborted) hooks.halt();
  const endTimer = timing.durationSec > 0
    ? setTimeout(stop, (timing.warmupSec + timing.durationSec) * 1000)
    : undefined;
  const ticker = new Ticker(timing.reportIntervalMs, () => hooks.report(), hooks.status);
  try {
    return await body();
  } finally {
    clearTimeout(endTimer);
    ticker.stop();
    signal?.removeEventListener("abort", stop);
  }
}

/** A cancellable sleep: resolves after `ms` or as soon as `signal` aborts, leaving no timer behind. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
