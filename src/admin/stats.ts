/** Statistics command (operations.md §1.4.9): statsAll. */
import type { AdminCommand, CommandContext } from "./command.ts";
import { flag, opt } from "./options.ts";
import { javaFormat } from "./output.ts";

const HEADER = "%-32s  %-32s %12s %11s %11s %14s %14s%n";

async function printTopicDetail(ctx: CommandContext, topic: string, activeOnly: boolean): Promise<void> {
  const { admin, out } = ctx;
  const route = await admin.examineTopicRouteInfo(topic);
  const groups = await admin.queryTopicConsumeByWho(topic);
  const masters = route.brokerDatas.map((b) => b.brokerAddrs.get(0)).filter((a): a is string =>
    a !== undefined
  );
  let inTps = 0;
  let in24h = 0;
  for (const addr of masters) {
    try {
      const [tps, sum] = await admin.viewBrokerStatsData(addr, "TOPIC_PUT_NUMS", topic);
      inTps += tps;
      in24h += sum;
    } catch {
      // A broker without stats for the topic counts as zero, as upstream.
    }
  }
  const name = topic.slice(0, 32);
  if (groups.length === 0) {
    if (!activeOnly || in24h > 0) {
      out.out(
        javaFormat("%-32s  %-32s %12d %11.2f %11s %14d %14s%n", name, "", 0, inTps, "", in24h, "NO_CONSUMER"),
      );
    }
    return;
  }
  for (const group of groups) {
    let outTps = 0;
    let out24h = 0;
    for (const addr of masters) {
      try {
        const [tps, sum] = await admin.viewBrokerStatsData(addr, "GROUP_GET_NUMS", `${topic}@${group}`);
        outTps += tps;
        out24h += sum;
      } catch {
        // No stats yet.
      }
    }
    let accumulate = 0;
    try {
      const stats = await admin.examineConsumeStats(group, topic);
      for (const [, w] of stats.offsetTable) accumulate += w.brokerOffset - w.consumerOffset;
      accumulate = Math.max(0, accumulate);
    } catch {
      // Never consumed.
    }
    if (!activeOnly || in24h > 0 || out24h > 0) {
      out.out(javaFormat(
        "%-32s  %-32s %12d %11.2f %11.2f %14d %14d%n",
        name,
        group.slice(0, 32),
        accumulate,
        inTps,
        outTps,
        in24h,
        out24h,
      ));
    }
  }
}

const statsAll: AdminCommand = {
  name: "statsAll",
  group: "Statistics",
  description: "Topic and Consumer tps stats",
  options: [
    flag("a", "activeTopic", "print active topic only"),
    opt("t", "topic", "print select topic only"),
  ],
  async run(ctx) {
    const only = ctx.opts.get("topic");
    const topics = (await ctx.admin.fetchAllTopicList()).topicList;
    // rmq: an unknown -t topic is a failure (the name server's TOPIC_NOT_EXIST), not an empty table.
    if (only !== undefined && !topics.includes(only)) await ctx.admin.examineTopicRouteInfo(only);
    ctx.out.out(
      javaFormat(
        HEADER,
        "#Topic",
        "#Consumer Group",
        "#Accumulation",
        "#InTPS",
        "#OutTPS",
        "#InMsg24Hour",
        "#OutMsg24Hour",
      ),
    );
    for (const topic of topics) {
      if (topic.startsWith("%RETRY%") || topic.startsWith("%DLQ%")) continue;
      if (only !== undefined && topic !== only) continue;
      try {
        await printTopicDetail(ctx, topic, ctx.opts.has("activeTopic"));
      } catch {
        // As upstream: one unreadable topic does not stop the listing.
      }
    }
    return 0;
  },
};

/** Commands of the "Statistics" group. */
export const STATS_COMMANDS: AdminCommand[] = [statsAll];
