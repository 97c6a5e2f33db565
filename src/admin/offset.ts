/** Offset commands (operations.md §1.4.7): resetOffsetByTime. */
import type { AdminCommand, CommandContext } from "./command.ts";
import { AdminError } from "./admin_ext.ts";
import { opt, UsageError } from "./options.ts";
import { javaFormat } from "./output.ts";
import { ResponseCode } from "../remoting/response_code.ts";

const TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})#(\d{2}):(\d{2}):(\d{2}):(\d{3})$/;

/** `now`, epoch milliseconds, or `yyyy-MM-dd#HH:mm:ss:SSS` in local time (operations.md §1.1). */
export function parseAdminTimestamp(text: string): number {
  if (text === "now") return Date.now();
  if (/^\d+$/.test(text)) return Number(text);
  const m = TIME_PATTERN.exec(text);
  if (!m) {
    throw new UsageError(
      `Cannot parse timestamp "${text}": expected now, epoch millis or yyyy-MM-dd#HH:mm:ss:SSS`,
    );
  }
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
  return new Date(y!, mo! - 1, d!, h!, mi!, s!, ms!).getTime();
}

/**
 * The fallback upstream uses when no consumer of the group is online: set each queue's committed offset
 * directly from the broker's offset at that time.
 */
async function resetOffline(
  ctx: CommandContext,
  group: string,
  topic: string,
  ts: number,
  force: boolean,
  raw: string,
) {
  const stats = await ctx.admin.examineConsumeStats(group, topic);
  const fmt = "%-20s  %-20s  %-20s  %-20s  %-20s  %-20s%n";
  ctx.out.out(javaFormat(
    "rollback consumer offset by specified group[%s], topic[%s], force[%s], timestamp(string)[%s], timestamp(long)[%s]%n",
    group,
    topic,
    force,
    raw,
    ts,
  ));
  ctx.out.out(
    javaFormat(
      fmt,
      "#brokerName",
      "#queueId",
      "#brokerOffset",
      "#consumerOffset",
      "#timestampOffset",
      "#resetOffset",
    ),
  );
  for (const [mq, w] of stats.offsetTable.filter(([mq]) => mq.topic === topic)) {
    const addr = await ctx.admin.masterAddrOf(mq.brokerName);
    if (addr === undefined) continue;
    // -1 means "skip everything": the queue's max offset (skipAccumulatedMessage).
    const at = ts === -1 ? w.brokerOffset : await ctx.admin.searchOffset(addr, mq, ts);
    const reset = force || at < w.consumerOffset ? at : w.consumerOffset;
    await ctx.admin.updateConsumerOffset(addr, group, mq, reset);
    ctx.out.out(javaFormat(
      "%-20s  %-20d  %-20d  %-20d  %-20d  %-20d%n",
      mq.brokerName,
      mq.queueId,
      w.brokerOffset,
      w.consumerOffset,
      at,
      reset,
    ));
  }
}

/**
 * Resets through the broker, which pushes the new offsets to the group's live clients. With no client
 * online the stored offsets are rewritten instead (`offline`, which prints its own table) and null is returned.
 */
async function resetOnline(
  ctx: CommandContext,
  group: string,
  topic: string,
  ts: number,
  force: boolean,
  offline: () => Promise<void>,
): Promise<Awaited<ReturnType<CommandContext["admin"]["resetOffsetByTimestamp"]>> | null> {
  try {
    return await ctx.admin.resetOffsetByTimestamp(topic, group, ts, force);
  } catch (e) {
    if (e instanceof AdminError && e.code === ResponseCode.CONSUMER_NOT_ONLINE) {
      await offline();
      return null;
    }
    throw e;
  }
}

function printResetTable(
  ctx: CommandContext,
  table: Iterable<[{ brokerName: string; queueId: number }, number]>,
): void {
  ctx.out.out(javaFormat("%-40s  %-40s  %-40s%n", "#brokerName", "#queueId", "#offset"));
  for (const [mq, offset] of table) {
    ctx.out.out(javaFormat("%-40s  %-40d  %-40d%n", mq.brokerName.slice(0, 32), mq.queueId, offset));
  }
}

const resetOffsetByTime: AdminCommand = {
  name: "resetOffsetByTime",
  group: "Offsets",
  description: "Reset consumer offset by timestamp(without client restart).",
  options: [
    opt("g", "group", "set the consumer group", true),
    opt("t", "topic", "set the topic", true),
    opt("s", "timestamp", "set the timestamp[now|currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]", true),
    opt("f", "force", "set the force rollback by timestamp switch[true|false]"),
  ],
  async run(ctx) {
    const { opts, out } = ctx;
    const group = opts.required("group");
    const topic = opts.required("topic");
    const raw = opts.required("timestamp");
    const ts = parseAdminTimestamp(raw);
    const force = opts.bool("force", true);
    const table = await resetOnline(
      ctx,
      group,
      topic,
      ts,
      force,
      () => resetOffline(ctx, group, topic, ts, force, raw),
    );
    if (!table) return 0;
    out.out(javaFormat(
      "rollback consumer offset by specified group[%s], topic[%s], force[%s], timestamp(string)[%s], timestamp(long)[%s]%n",
      group,
      topic,
      force,
      raw,
      ts,
    ));
    printResetTable(ctx, table);
    return 0;
  },
};

const skipAccumulatedMessage: AdminCommand = {
  name: "skipAccumulatedMessage",
  group: "Offsets",
  description: "Skip all messages that are accumulated (not consumed) currently",
  options: [
    opt("g", "group", "set the consumer group", true),
    opt("t", "topic", "set the topic", true),
    opt("f", "force", "set the force rollback by timestamp switch[true|false]"),
  ],
  async run(ctx) {
    const { opts } = ctx;
    const group = opts.required("group");
    const topic = opts.required("topic");
    const force = opts.bool("force", true);
    const table = await resetOnline(
      ctx,
      group,
      topic,
      -1,
      force,
      () => resetOffline(ctx, group, topic, -1, true, "-1"),
    );
    if (table) printResetTable(ctx, table);
    return 0;
  },
};

const cloneGroupOffset: AdminCommand = {
  name: "cloneGroupOffset",
  group: "Offsets",
  description: "clone offset from other group.",
  options: [
    opt("s", "srcGroup", "set source consumer group", true),
    opt("d", "destGroup", "set destination consumer group", true),
    opt("t", "topic", "set the topic", true),
    opt("o", "offline", "the group or the topic is offline"),
  ],
  async run({ opts, out, admin }) {
    const src = opts.required("srcGroup");
    const dest = opts.required("destGroup");
    const topic = opts.required("topic");
    await admin.cloneGroupOffset(src, dest, topic, opts.bool("offline", false));
    out.out(
      javaFormat("clone group offset success. srcGroup[%s], destGroup=[%s], topic[%s]", src, dest, topic),
    );
    return 0;
  },
};

/** Commands of the "Offsets" group. */
export const OFFSET_COMMANDS: AdminCommand[] = [resetOffsetByTime, skipAccumulatedMessage, cloneGroupOffset];
