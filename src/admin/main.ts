/**
 * `rmq admin`: mqadmin's command set (operations.md §1). Output mirrors upstream's tables; unlike
 * upstream, a failed command exits non-zero and prints the server's code and remark instead of a stack
 * trace.
 */
import { type AdminCommand, COMMAND_GROUPS } from "./command.ts";
import { ADMIN_COMMANDS, findCommand } from "./registry.ts";
import { COMMON_OPTIONS, JSON_OPTION, type OptionSpec, parseOptions, usage, UsageError } from "./options.ts";
import { type AdminOutput, consoleOutput, javaFormat } from "./output.ts";
import { AdminError, MQAdminExt, NoNamesrvError, splitNamesrvList } from "./admin_ext.ts";

/** Exit code for bad command lines (upstream mqadmin also exits 1 there). */
const EXIT_USAGE = 1;
const EXIT_FAILURE = 1;

function listCommands(out: AdminOutput): void {
  out.out(javaFormat("The most commonly used mqadmin commands are:%n"));
  for (const group of COMMAND_GROUPS) {
    const cmds = ADMIN_COMMANDS.filter((c) => c.group === group);
    if (cmds.length === 0) continue;
    out.out(javaFormat("%n %s:%n", group));
    for (const c of cmds) out.out(javaFormat("   %-20s %s%n", c.name, c.description));
  }
  out.out(javaFormat("%nSee 'mqadmin help <command>' for more information on a specific command.%n"));
}

/** Every option a command accepts. */
function optionsOf(cmd: AdminCommand): OptionSpec[] {
  return [...COMMON_OPTIONS, ...cmd.options, ...(cmd.json ? [JSON_OPTION] : [])];
}

/** Name servers from `-n`, else NAMESRV_ADDR, else the `rocketmq.namesrv.addr` spelling in JAVA_OPT. */
function resolveNamesrv(flagValue: string | undefined): string[] {
  if (flagValue !== undefined) return splitNamesrvList(flagValue);
  const env = Deno.env.get("NAMESRV_ADDR");
  if (env) return splitNamesrvList(env);
  const javaOpt = /-Drocketmq\.namesrv\.addr=(\S+)/.exec(Deno.env.get("JAVA_OPT") ?? "");
  return javaOpt?.[1] ? splitNamesrvList(javaOpt[1]) : [];
}

/**
 * Runs `rmq admin <command> [options]`; returns the process exit code. `args` excludes "admin".
 * `out` receives everything printed (default: the console).
 */
export async function runAdmin(args: string[], out: AdminOutput = consoleOutput): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help") {
    listCommands(out);
    return 0;
  }
  if (name === "help") {
    const target = rest[0] === undefined ? undefined : findCommand(rest[0]);
    if (!target) {
      if (rest[0] === undefined) listCommands(out);
      else out.err(javaFormat("The sub command %s not exist.%n", rest[0]));
      return rest[0] === undefined ? 0 : EXIT_USAGE;
    }
    out.out(usage(target.name, optionsOf(target)));
    return 0;
  }
  const cmd = findCommand(name);
  if (!cmd) {
    out.err(javaFormat("The sub command %s not exist.%n", name));
    return EXIT_USAGE;
  }
  const specs = optionsOf(cmd);
  let opts;
  try {
    opts = parseOptions(specs, rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    out.err(`${e.message}\n`);
    out.err(usage(cmd.name, specs));
    return EXIT_USAGE;
  }
  if (opts.has("help")) {
    out.out(usage(cmd.name, specs));
    return 0;
  }
  const namesrv = resolveNamesrv(opts.get("namesrvAddr"));
  const admin = new MQAdminExt(namesrv);
  try {
    if (namesrv.length === 0) throw new NoNamesrvError();
    return await cmd.run({ opts, out, admin });
  } catch (e) {
    if (e instanceof UsageError) {
      out.err(`${e.message}\n`);
      out.err(usage(cmd.name, specs));
      return EXIT_USAGE;
    }
    // Programming errors keep their stack trace; everything else (server answers, network, bad bodies)
    // is reported as one line.
    const bug = e instanceof TypeError || e instanceof ReferenceError || e instanceof RangeError;
    const from = e instanceof AdminError && e.addr ? ` (server ${e.addr})` : "";
    const detail = e instanceof Error ? (bug ? e.stack ?? e.message : e.message) : String(e);
    out.err(`${cmd.name} command failed${from}: ${detail}\n`);
    return EXIT_FAILURE;
  } finally {
    await admin.close();
  }
}
