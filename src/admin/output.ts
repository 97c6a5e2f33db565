/**
 * Where admin commands write, and the printf subset they format with. Upstream's tables are Java
 * `printf` format strings; keeping them in that form makes column-for-column parity easy to check.
 */

/** A sink for a command's standard output and error text. */
export interface AdminOutput {
  out(text: string): void;
  err(text: string): void;
  /** Whether `err` reaches a terminal, so a `\r`-updated progress line can be shown there. */
  readonly errIsTerminal?: boolean;
  /** Whether `out` reaches a terminal too (then the progress line is erased before results print). */
  readonly outIsTerminal?: boolean;
}

const encoder = new TextEncoder();

function writeAll(stream: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  try {
    let off = 0;
    while (off < bytes.length) off += stream.writeSync(bytes.subarray(off));
  } catch (e) {
    // `rmq admin topicList | head` closes the pipe early: stop writing quietly, as a CLI should.
    if (!(e instanceof Deno.errors.BrokenPipe)) throw e;
  }
}

/** Writes to the process's stdout/stderr. */
export const consoleOutput: AdminOutput = {
  out: (text) => writeAll(Deno.stdout, text),
  err: (text) => writeAll(Deno.stderr, text),
  get errIsTerminal() {
    return Deno.stderr.isTerminal();
  },
  get outIsTerminal() {
    return Deno.stdout.isTerminal();
  },
};

/** Collects output in memory (tests, embedding). */
export class BufferOutput implements AdminOutput {
  stdout = "";
  stderr = "";
  /** Pretend stderr (and stdout) are terminals, to see progress lines in tests. */
  constructor(readonly errIsTerminal = false, readonly outIsTerminal = false) {}
  out(text: string): void {
    this.stdout += text;
  }
  err(text: string): void {
    this.stderr += text;
  }
}

const SPEC = /%(-)?(0)?([1-9]\d*)?(?:\.(\d+))?([sdfn%])/g;

/**
 * Formats like Java's `String.format` for the conversions upstream's admin tables use:
 * `%s`, `%d`, `%f` with optional `-` (left-justify) or `0` (zero-pad), width and precision, plus `%n`
 * and `%%`.
 *
 * @example
 * ```ts
 * javaFormat("%-6s|%5.2f|%04d%n", "ab", 3.14159, 7); // "ab    | 3.14|0007\n"
 * ```
 */
export function javaFormat(fmt: string, ...args: unknown[]): string {
  let i = 0;
  const convert = (left?: string, zero?: string, width?: string, prec?: string, conv?: string): string => {
    if (conv === "n") return "\n";
    if (conv === "%") return "%";
    const arg = args[i++];
    let s: string;
    if (conv === "f") s = Number(arg).toFixed(prec === undefined ? 6 : Number(prec));
    else if (conv === "d") s = typeof arg === "bigint" ? arg.toString() : String(Math.trunc(Number(arg)));
    else {
      s = arg === null || arg === undefined ? "null" : String(arg);
      if (prec !== undefined) s = s.slice(0, Number(prec));
    }
    const w = width === undefined ? 0 : Number(width);
    if (left) return s.padEnd(w);
    if (zero && conv !== "s") {
      const neg = s.startsWith("-");
      return (neg ? "-" : "") + (neg ? s.slice(1) : s).padStart(neg ? w - 1 : w, "0");
    }
    return s.padStart(w);
  };
  return fmt.replace(SPEC, (_m, left, zero, width, prec, conv) => convert(left, zero, width, prec, conv));
}

/** Java's `HashMap.toString` for a map (`{0=127.0.0.1:10911, 1=...}`). */
export function javaMapString(m: ReadonlyMap<unknown, unknown>): string {
  return `{${[...m].map(([k, v]) => `${String(k)}=${String(v)}`).join(", ")}}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Local time as upstream's admin prints it: `yyyy-MM-dd HH:mm:ss,SSS` (or without millis). */
export function humanTime(ms: number, withMillis = true): string {
  const d = new Date(ms);
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${
    pad(d.getMinutes())
  }:${pad(d.getSeconds())}`;
  return withMillis ? `${base},${pad(d.getMilliseconds(), 3)}` : base;
}

/** Writes `value` as one line of standard JSON (the `--json` output); Maps become objects. */
export function printJson(out: AdminOutput, value: unknown): void {
  out.out(
    JSON.stringify(
      value,
      (_k, v) => v instanceof Map ? Object.fromEntries(v) : v instanceof Set ? [...v] : v,
    ) + "\n",
  );
}
