/**
 * Command-line options the way mqadmin's commons-cli parser reads them (operations.md §1.1):
 * `-t TopicA`, `-tTopicA`, `--topic TopicA`, `--topic=TopicA`; flags take no value; values are trimmed.
 */
import { javaFormat } from "./output.ts";

/** One option of a command. */
export interface OptionSpec {
  /** The letter(s) after `-`, e.g. "t"; "" for a long-only option (rmq's own `--json`). */
  short: string;
  /** The name after `--`, e.g. "topic". */
  long: string;
  /** Whether the option takes a value (false: a flag). */
  hasArg: boolean;
  required: boolean;
  description: string;
}

/** Options every command accepts. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { short: "h", long: "help", hasArg: false, required: false, description: "Print help" },
  {
    short: "n",
    long: "namesrvAddr",
    hasArg: true,
    required: false,
    description: "Name server address list, eg: '192.168.0.1:9876;192.168.0.2:9876'",
  },
];

/** rmq's opt-in machine-readable output, offered by commands that set `json` (not in upstream). */
export const JSON_OPTION: OptionSpec = {
  short: "",
  long: "json",
  hasArg: false,
  required: false,
  description: "Print the result as one JSON document (rmq extension)",
};

/** Shorthand for an option with a value. */
export function opt(short: string, long: string, description: string, required = false): OptionSpec {
  return { short, long, hasArg: true, required, description };
}

/** Shorthand for a flag. */
export function flag(short: string, long: string, description: string): OptionSpec {
  return { short, long, hasArg: false, required: false, description };
}

/** A command line that does not fit the command's options. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Parsed option values by long name; flags map to "true". */
export class ParsedOptions {
  constructor(readonly values: ReadonlyMap<string, string>) {}

  has(long: string): boolean {
    return this.values.has(long);
  }

  get(long: string): string | undefined {
    return this.values.get(long);
  }

  /** A value that the parser already checked to be present. */
  required(long: string): string {
    const v = this.values.get(long);
    if (v === undefined) throw new UsageError(`Missing required option: ${long}`);
    return v;
  }

  /** An integer option, or `fallback`; a non-number is a usage error naming the option. */
  int(long: string, fallback: number): number {
    const v = this.values.get(long);
    if (v === undefined) return fallback;
    if (!/^[+-]?\d+$/.test(v)) throw new UsageError(`Option "${long}" expects an integer, got "${v}"`);
    return Number(v);
  }

  /** Java's Boolean.parseBoolean on the value, or `fallback` when absent. */
  bool(long: string, fallback: boolean): boolean {
    const v = this.values.get(long);
    return v === undefined ? fallback : v.toLowerCase() === "true";
  }
}

/** Parses `args` against `specs` (COMMON_OPTIONS included by the caller). */
export function parseOptions(specs: readonly OptionSpec[], args: readonly string[]): ParsedOptions {
  const byShort = new Map(specs.filter((s) => s.short !== "").map((s) => [s.short, s]));
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      spec = byLong.get(name);
      if (eq >= 0) inline = a.slice(eq + 1);
    } else if (a.startsWith("-") && a.length > 1) {
      const name = a.slice(1);
      spec = byShort.get(name);
      if (!spec) {
        // A value glued to the letter (`-tTopicA`); multi-letter short names are tried longest first.
        for (let len = Math.min(3, name.length - 1); len >= 1 && !spec; len--) {
          const s = byShort.get(name.slice(0, len));
          if (s?.hasArg) {
            spec = s;
            inline = name.slice(len);
          }
        }
      }
    } else {
      throw new UsageError(`Unrecognized argument: ${a}`);
    }
    if (!spec) throw new UsageError(`Unrecognized option: ${a}`);
    if (!spec.hasArg) {
      values.set(spec.long, "true");
      continue;
    }
    let v = inline;
    if (v === undefined) {
      v = args[++i];
      if (v === undefined) throw new UsageError(`Missing argument for option: ${spec.short}`);
    }
    values.set(spec.long, v.trim());
  }
  const missing = specs.filter((s) => s.required && !values.has(s.long)).map((s) => s.short || s.long);
  if (missing.length > 0 && !values.has("help")) {
    throw new UsageError(`Missing required option${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
  }
  return new ParsedOptions(values);
}

/** commons-cli style usage text for `mqadmin <command>`. */
export function usage(command: string, specs: readonly OptionSpec[]): string {
  const key = (s: OptionSpec) => s.short === "" ? `~${s.long}` : s.short;
  // Plain code-unit order: letters first (as commons-cli sorts them), long-only options last.
  const sorted = [...specs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const synopsis = sorted.map((s) => {
    const name = s.short === "" ? `--${s.long}` : `-${s.short}`;
    const body = s.hasArg ? `${name} <arg>` : name;
    return s.required ? body : `[${body}]`;
  });
  const left = sorted.map((s) =>
    `${s.short === "" ? "    " : ` -${s.short},`}--${s.long}${s.hasArg ? " <arg>" : ""}`
  );
  const width = Math.max(...left.map((l) => l.length)) + 3;
  let out = `usage: mqadmin ${command} ${synopsis.join(" ")}\n`;
  sorted.forEach((s, i) => out += javaFormat(`%-${width}s%s%n`, left[i], s.description));
  return out;
}
