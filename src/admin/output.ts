/**
 * Where admin commands write, and the printf subset they format with. Upstream's tables are Java
 * `printf` format strings; keeping them in that form makes column-for-column parity easy to check.
 */

/** A sink for a command's standard output and error text. */
export interface AdminOutput {
  out(text: string): void;
  err(text: string): void;
}

const encoder = new TextEncoder();

/** Writes to the process's stdout/stderr. */
export const consoleOutput: AdminOutput = {
  out: (text) => void Deno.stdout.writeSync(encoder.encode(text)),
  err: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
};

/** Collects output in memory (tests, embedding). */
export class BufferOutput implements AdminOutput {
  stdout = "";
  stderr = "";
  out(text: string): void {
    this.stdout += text;
  }
  err(text: string): void {
    this.stderr += text;
  }
}

const SPEC = /%(-)?(\d+)?(?:\.(\d+))?([sdfn%])/g;

/**
 * Formats like Java's `String.format` for the conversions upstream's admin tables use:
 * `%s`, `%d`, `%f` with optional `-` (left-justify), width and precision, plus `%n` and `%%`.
 *
 * @example
 * ```ts
 * javaFormat("%-6s|%5.2f%n", "ab", 3.14159); // "ab    | 3.14\n"
 * ```
 */
export function javaFormat(fmt: string, ...args: unknown[]): string {
  let i = 0;
  return fmt.replace(
    SPEC,
    (_m, left: string | undefined, width: string | undefined, prec: string | undefined, conv: string) => {
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
      return left ? s.padEnd(w) : s.padStart(w);
    },
  );
}

/** Java's `HashMap.toString` for a map (`{0=127.0.0.1:10911, 1=...}`). */
export function javaMapString(m: ReadonlyMap<unknown, unknown>): string {
  return `{${[...m].map(([k, v]) => `${String(k)}=${String(v)}`).join(", ")}}`;
}
