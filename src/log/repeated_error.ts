/**
 * A failure that repeats on a timer (a flush against a broken disk, every second) is logged when it first
 * happens, then at most once per interval with the number of repeats in between, and once more when it
 * stops. Without it the log fills with identical lines and the first one, the one with the cause, scrolls
 * away.
 */
import type { Logger } from "./logger.ts";

export class RepeatedErrorLog {
  #failing = false;
  #suppressed = 0;
  #lastLoggedAt = 0;

  /**
   * @param what  the operation, as the start of a sentence ("Consume queue flush")
   * @param clock milliseconds, injectable so tests need not wait
   */
  constructor(
    private readonly log: Logger,
    private readonly what: string,
    private readonly intervalMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Records one failure of the operation. */
  failed(e: unknown): void {
    const now = this.clock();
    if (this.#failing && now - this.#lastLoggedAt < this.intervalMs) {
      this.#suppressed++;
      return;
    }
    const repeats = this.#suppressed > 0
      ? ` (failed ${this.#suppressed} more times since the last report)`
      : "";
    this.log.error(`${this.what} failed${repeats}: ${e}`);
    this.#failing = true;
    this.#suppressed = 0;
    this.#lastLoggedAt = now;
  }

  /** Records a success: ends a run of failures, saying so once. */
  succeeded(): void {
    if (!this.#failing) return;
    const repeats = this.#suppressed > 0 ? ` after ${this.#suppressed} more failures` : "";
    this.log.warn(`${this.what} works again${repeats}`);
    this.#failing = false;
    this.#suppressed = 0;
  }
}
