/**
 * A one-line progress indicator for long admin work (e.g. consumeMessage over many messages): written
 * to stderr with `\r` so it rewrites itself, only when stderr is a terminal, never into pipes or files.
 */
import type { AdminOutput } from "./output.ts";

/** Erases the current terminal line (carriage return, then ANSI "erase entire line"). */
const CLEAR_LINE = "\r\x1b[2K";

/** Progress of `total` units of work; `advance()` is cheap, it redraws at most every `redrawMs`. */
export class ProgressLine {
  #done = 0;
  #lastDraw = 0;
  #shown = false;
  readonly #enabled: boolean;
  readonly #started: number;

  /**
   * @param label what is counted, e.g. "messages"
   * @param delayMs work shorter than this never shows a line (short commands stay quiet)
   */
  constructor(
    private readonly out: AdminOutput,
    private readonly total: number,
    private readonly label: string,
    private readonly now: () => number = Date.now,
    private readonly delayMs = 500,
    private readonly redrawMs = 100,
  ) {
    this.#enabled = out.errIsTerminal === true && total > 0;
    this.#started = now();
  }

  /** Records `n` more units done. */
  advance(n: number): void {
    this.#done += n;
    if (!this.#enabled) return;
    const t = this.now();
    if (t - this.#started < this.delayMs || t - this.#lastDraw < this.redrawMs) return;
    this.#lastDraw = t;
    this.#shown = true;
    const pct = Math.min(100, Math.floor((this.#done / this.total) * 100));
    this.out.err(`${CLEAR_LINE}${this.#done}/${this.total} ${this.label} (${pct}%)`);
  }

  /**
   * `out` with the progress line erased before each write that would land on the same terminal (all of
   * stderr; stdout when it is a terminal too); the next `advance()` redraws it below.
   */
  wrap(out: AdminOutput): AdminOutput {
    const sharesTerminal = out.outIsTerminal === true;
    return {
      out: (text) => {
        if (sharesTerminal) this.finish();
        out.out(text);
      },
      err: (text) => {
        this.finish();
        out.err(text);
      },
      errIsTerminal: out.errIsTerminal === true,
      outIsTerminal: sharesTerminal,
    };
  }

  /** Removes the line (if one was drawn) so the terminal is left clean. */
  finish(): void {
    if (this.#shown) this.out.err(CLEAR_LINE);
    this.#shown = false;
  }
}
