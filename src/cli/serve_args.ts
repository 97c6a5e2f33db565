/**
 * Command-line parsing for `rmq serve`. Hand-written because upstream-style `--anyConfigKey=value`
 * options are open-ended, which declarative parsers do not express well.
 */
import { type Role, ROLES } from "../config/role_config.ts";

/** A command line that cannot be understood; the CLI prints it with a usage hint and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** What `rmq serve` was asked to do. */
export interface ServeArgs {
  role: Role | null;
  configFile?: string;
  namesrvAddr?: string;
  /** `-p` prints every setting, `-m` the important ones. */
  print: "none" | "all" | "important";
  help: boolean;
  /** `--strict`: config warnings (unknown keys, trailing blanks, ignored brokerId) stop start-up. */
  strict: boolean;
  /** `--key=value` settings in command-line order. */
  overrides: Array<[string, string]>;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/**
 * Parses the words after `serve`.
 *
 * @example parseServeArgs(["--role=broker", "-n", "127.0.0.1:9876", "--listenPort=10911"])
 * @throws {UsageError} for unknown short options, missing option values and stray words.
 */
export function parseServeArgs(args: readonly string[]): ServeArgs {
  const out: ServeArgs = { role: null, print: "none", help: false, strict: false, overrides: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const takeValue = (name: string, inline: string | undefined): string => {
      if (inline !== undefined) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith("-")) throw new UsageError(`Option ${name} needs a value`);
      i++;
      return next;
    };
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    switch (name) {
      case "--role": {
        const role = takeValue(name, inline);
        if (!(ROLES as readonly string[]).includes(role)) {
          throw new UsageError(`Unknown role "${role}": expected one of ${ROLES.join(", ")}`);
        }
        out.role = role as Role;
        continue;
      }
      case "-c":
      case "--configFile":
        out.configFile = takeValue(name, inline);
        continue;
      case "-n":
        out.namesrvAddr = takeValue(name, inline);
        continue;
      case "-p":
      case "--printConfigItem":
        out.print = "all";
        continue;
      case "-m":
      case "--printImportantConfig":
        out.print = "important";
        continue;
      case "-h":
      case "--help":
        out.help = true;
        continue;
      case "--strict":
        if (inline !== undefined) throw new UsageError(`Option --strict takes no value`);
        out.strict = true;
        continue;
    }
    if (arg.startsWith("--")) {
      const key = name.slice(2);
      if (!KEY.test(key)) throw new UsageError(`Invalid option "${arg}": expected --key=value`);
      out.overrides.push([key, inline ?? "true"]);
    } else if (arg.startsWith("-")) {
      throw new UsageError(`Unknown option "${arg}"`);
    } else if (eq > 0) {
      // Upstream silently ignores `mqbroker autoCreateTopicEnable=true`; tell the operator instead.
      throw new UsageError(`Unexpected argument "${arg}"; did you mean "--${arg}"?`);
    } else {
      throw new UsageError(`Unexpected argument "${arg}"`);
    }
  }
  return out;
}
