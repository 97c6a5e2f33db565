/**
 * A log-linear latency histogram in the spirit of HdrHistogram: values below 256 are counted exactly,
 * larger ones in buckets 1/128 of their power of two wide, so any reported percentile is within 0.4 %
 * of the exact one while the whole thing stays a fixed ~6 000-slot array (no allocation per record).
 *
 * Values are non-negative integers in whatever unit the caller picks (the benchmarks use microseconds).
 */

/** Bits of exact resolution: 2^8 = 256 exact slots, then 128 slots per power of two. */
const SUB_BITS = 8;
const SUB_COUNT = 1 << SUB_BITS;
const HALF = SUB_COUNT >> 1;
/** Largest power of two we index; beyond 2^53 a JS number is no longer an exact integer anyway. */
const MAX_EXPONENT = 53;
const SLOTS = SUB_COUNT + (MAX_EXPONENT - SUB_BITS + 1) * HALF;

function indexOf(v: number): number {
  if (v < SUB_COUNT) return v;
  const m = Math.floor(Math.log2(v));
  // log2 may round up just below a power of two; correct so that 2^m <= v < 2^(m+1).
  const exp = v < 2 ** m ? m - 1 : m;
  const shift = exp - (SUB_BITS - 1);
  const sub = Math.floor(v / 2 ** shift); // in [HALF, SUB_COUNT)
  return SUB_COUNT + (exp - SUB_BITS) * HALF + (sub - HALF);
}

/** Lowest value that maps to slot `i`, and the slot's width. */
function slotRange(i: number): [number, number] {
  if (i < SUB_COUNT) return [i, 1];
  const k = i - SUB_COUNT;
  const exp = SUB_BITS + Math.floor(k / HALF);
  const shift = exp - (SUB_BITS - 1);
  const sub = HALF + (k % HALF);
  return [sub * 2 ** shift, 2 ** shift];
}

/** Percentile summary of a histogram, in the histogram's unit. */
export interface HistogramSummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * A latency histogram.
 *
 * @example
 * ```ts
 * const h = new Histogram();
 * for (let v = 1; v <= 1000; v++) h.record(v);
 * h.percentile(99); // ≈ 990
 * ```
 */
export class Histogram {
  readonly #counts = new Float64Array(SLOTS);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = 0;

  /** Records one value; negative or non-finite values count as 0 (a clock step must not crash a run). */
  record(value: number): void {
    const v = Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
    const i = Math.min(indexOf(v), SLOTS - 1);
    this.#counts[i]! += 1;
    this.#count++;
    this.#sum += v;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** Number of recorded values. */
  get count(): number {
    return this.#count;
  }

  /** Smallest recorded value (0 when empty). */
  get min(): number {
    return this.#count === 0 ? 0 : this.#min;
  }

  /** Largest recorded value (exact, not bucketed). */
  get max(): number {
    return this.#max;
  }

  /** Arithmetic mean (exact). */
  get mean(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  /**
   * The value at or below which `p` percent of the values fall (the nearest-rank definition), reported
   * as the middle of its bucket and clamped to the exact min and max. 0 when empty.
   */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    if (p <= 0) return this.#min;
    if (p >= 100) return this.#max;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < SLOTS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) {
        const [low, width] = slotRange(i);
        const mid = width === 1 ? low : low + (width - 1) / 2;
        return Math.min(this.#max, Math.max(this.#min, mid));
      }
    }
    return this.#max;
  }

  /** Adds every value of `other` to this histogram. */
  merge(other: Histogram): void {
    if (other.#count === 0) return;
    for (let i = 0; i < SLOTS; i++) {
      const c = other.#counts[i]!;
      if (c !== 0) this.#counts[i]! += c;
    }
    this.#count += other.#count;
    this.#sum += other.#sum;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
  }

  /** Forgets every value. */
  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = 0;
  }

  /** The usual percentiles, each divided by `scale` (e.g. 1000 to turn µs into ms). */
  summary(scale = 1): HistogramSummary {
    return {
      count: this.#count,
      min: this.min / scale,
      mean: this.mean / scale,
      p50: this.percentile(50) / scale,
      p90: this.percentile(90) / scale,
      p99: this.percentile(99) / scale,
      p999: this.percentile(99.9) / scale,
      max: this.max / scale,
    };
  }
}
