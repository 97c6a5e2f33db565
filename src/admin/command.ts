/**
 * The shape of an admin command and what it runs with. Each group file (topic.ts, cluster.ts, ...)
 * exports an array of these; registry.ts collects them.
 */
import type { MQAdminExt } from "./admin_ext.ts";
import type { OptionSpec, ParsedOptions } from "./options.ts";
import type { AdminOutput } from "./output.ts";

/** Command groups, in the order `rmq admin --help` lists them (operations.md §1.4). */
export const COMMAND_GROUPS = [
  "Topics",
  "Cluster and brokers",
  "Subscription groups and consumers",
  "Producers",
  "Message query and trace",
  "Sending and consuming",
  "Offsets",
  "Name server",
  "Statistics",
] as const;
/** One of COMMAND_GROUPS. */
export type CommandGroup = (typeof COMMAND_GROUPS)[number];

/** What a running command gets. */
export interface CommandContext {
  opts: ParsedOptions;
  out: AdminOutput;
  admin: MQAdminExt;
}

/** One mqadmin sub-command. */
export interface AdminCommand {
  /** Upstream's name, e.g. "topicRoute" (matched case-insensitively). */
  name: string;
  aliases?: string[];
  group: CommandGroup;
  description: string;
  /** Own options; `-h` and `-n` are added for every command. */
  options: OptionSpec[];
  /** Whether the command supports rmq's `--json` output (added to its options). */
  json?: boolean;
  /** Runs the command; resolves to the exit code. Failures throw (AdminError, RemotingError...). */
  run(ctx: CommandContext): Promise<number>;
}
