/**
 * Every admin command, looked up by name (case-insensitive, aliases included). Adding a command group
 * means adding its array here.
 */
import type { AdminCommand } from "./command.ts";
import { BROKER_COMMANDS } from "./broker.ts";
import { CLUSTER_COMMANDS } from "./cluster.ts";
import { CONSUMER_COMMANDS } from "./consumer.ts";
import { MESSAGE_COMMANDS } from "./message.ts";
import { printMsgByQueue } from "./print_queue.ts";
import { queryCq } from "./query_cq.ts";
import { queryMsgTraceById } from "./trace.ts";
import { NAMESRV_COMMANDS } from "./namesrv.ts";
import { OFFSET_COMMANDS } from "./offset.ts";
import { PRODUCER_COMMANDS } from "./producer.ts";
import { SEND_COMMANDS } from "./send.ts";
import { STATS_COMMANDS } from "./stats.ts";
import { TOPIC_COMMANDS } from "./topic.ts";

/** All registered commands, in listing order within their groups. */
export const ADMIN_COMMANDS: readonly AdminCommand[] = [
  ...TOPIC_COMMANDS,
  ...CLUSTER_COMMANDS,
  ...BROKER_COMMANDS,
  ...CONSUMER_COMMANDS,
  ...PRODUCER_COMMANDS,
  ...MESSAGE_COMMANDS,
  queryMsgTraceById,
  printMsgByQueue,
  queryCq,
  ...SEND_COMMANDS,
  ...OFFSET_COMMANDS,
  ...NAMESRV_COMMANDS,
  ...STATS_COMMANDS,
];

const byName = new Map<string, AdminCommand>();
for (const c of ADMIN_COMMANDS) {
  for (const n of [c.name, ...(c.aliases ?? [])]) byName.set(n.toLowerCase(), c);
}

/** The command called `name` (any case), or undefined. */
export function findCommand(name: string): AdminCommand | undefined {
  return byName.get(name.toLowerCase());
}
