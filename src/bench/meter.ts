/**
 * Counting for one benchmark run: an interval view (reset at every report line) and a total view that
 * only counts once the warm-up is over and stops counting at the stop instant, so TPS is not inflated by
 * replies drained after it.
 */
import { Histogram, type HistogramSummary } from "./histogram.ts";

/** Run phases: warming up, measuring, stopped (draining what is in flight). */
export type Phase = "warmup" | "measure" | "stopped";

/** One latency distribution plus its counters, in interval and total views. Values are microseconds. */
export class LatencyMeter {
  readonly interval: Histogram = new Histogram();
  readonly total: Histogram = new Histogram();

  /** Records one latency; `measuring` decides whether it counts in the total. */
  record(us: number, measuring: boolean): void {
    this.interval.record(us);
    if (measuring) this.total.record(us);
  }

  /** The interval summary in milliseconds; resets the interval view. */
  takeInterval(): HistogramSummary {
    const s = this.interval.summary(1000);
    this.interval.reset();
    return s;
  }
}

/** A counter with interval and total views. */
export class Counter {
  interval = 0;
  total = 0;

  add(n: number, measuring: boolean): void {
    this.interval += n;
    if (measuring) this.total += n;
  }

  takeInterval(): number {
    const v = this.interval;
    this.interval = 0;
    return v;
  }
}

/**
 * The clock of a run: when the warm-up ends, when measuring stopped, and how long it lasted.
 * Times are `performance.now()` milliseconds.
 */
export class RunClock {
  readonly startedAt: number;
  readonly warmupEndsAt: number;
  #measureStart: number | undefined;
  #stoppedAt: number | undefined;

  constructor(warmupMs: number, now: number = performance.now()) {
    this.startedAt = now;
    this.warmupEndsAt = now + warmupMs;
    if (warmupMs <= 0) this.#measureStart = now;
  }

  /** The current phase; moves from warm-up to measuring the first time it is asked after the warm-up. */
  phase(now: number = performance.now()): Phase {
    if (this.#stoppedAt !== undefined) return "stopped";
    if (this.#measureStart === undefined) {
      if (now < this.warmupEndsAt) return "warmup";
      this.#measureStart = now;
    }
    return "measure";
  }

  /** Whether a completion at `now` counts in the totals. */
  measuring(now: number = performance.now()): boolean {
    return this.phase(now) === "measure";
  }

  /** Marks the stop instant (idempotent). */
  stop(now: number = performance.now()): void {
    if (this.#stoppedAt !== undefined) return;
    this.phase(now);
    this.#stoppedAt = now;
  }

  get stopped(): boolean {
    return this.#stoppedAt !== undefined;
  }

  /** Milliseconds measured: from the end of the warm-up to the stop (or now). 0 if never measured. */
  measuredMs(now: number = performance.now()): number {
    if (this.#measureStart === undefined) return 0;
    return (this.#stoppedAt ?? now) - this.#measureStart;
  }
}
