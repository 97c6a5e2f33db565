/**
 * Timer-message settings (store-and-semantics.md §7.5, §14.2), with upstream key names and 5.x defaults.
 *
 * rmq's timer store has no wheel and delivers at the exact millisecond: `timerPrecisionMs` does not round
 * delivery times; with `timerRollWindowSlot` it only sets the roll window (a timer due further than
 * `timerRollWindowSlot * timerPrecisionMs` after it was stored is written back to the timer topic at the
 * window's edge, so its record outlives the commitlog retention). `mappedFileSizeTimerLog` is accepted so an
 * upstream broker.conf keeps loading, and unused.
 */
import { bool, type ConfigOf, defaultsOf, int, long } from "../config/schema.ts";

/** Schema of the timer settings; merge it into the store or broker schema to load them from broker.conf. */
export const TimerConfigSchema = {
  /** When false, sends carrying TIMER_* properties are refused with WHEEL_TIMER_NOT_ENABLE. */
  timerWheelEnable: bool(true),
  /** Furthest a delivery time may lie in the future, in seconds (3 days). */
  timerMaxDelaySec: long(259200, { min: 1 }),
  timerPrecisionMs: int(1000, { min: 1 }),
  timerRollWindowSlot: int(172800, { min: 2 }),
  mappedFileSizeTimerLog: int(104857600, { min: 4096 }),
};

/** Typed timer settings (see {@link TimerConfigSchema}). */
export type TimerConfig = ConfigOf<typeof TimerConfigSchema>;

/** The defaults, for callers that do not load timer keys from a file. */
export function defaultTimerConfig(): TimerConfig {
  return defaultsOf(TimerConfigSchema);
}
