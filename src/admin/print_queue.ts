/**
 * printMsgByQueue (operations.md §1.4.5): reads one queue from its min (or `-b` time) to its max (or
 * `-e` time) offset as TOOLS_CONSUMER, optionally printing the messages and counting them by tag.
 */
import type { AdminCommand } from "./command.ts";
import { opt, UsageError } from "./options.ts";
import { javaFormat } from "./output.ts";
import { AdminError, selectBrokerAddr } from "./admin_ext.ts";
import { messageExtString } from "./message.ts";
import { parseAdminTimestamp } from "./offset.ts";
import { ResponseCode } from "../remoting/response_code.ts";

/** Tag counts, highest first (ties keep first-seen order, as a stable sort of upstream's list does). */
export function tagCountLines(counts: ReadonlyMap<string, number>): string {
  return [...counts].sort((a, b) => b[1] - a[1]).map(([tag, n]) =>
    javaFormat("Tag: %-30s Count: %s%n", tag, n)
  )
    .join("");
}

/** printMsgByQueue. */
export const printMsgByQueue: AdminCommand = {
  name: "printMsgByQueue",
  group: "Message query and trace",
  description: "Print Message Detail",
  options: [
    opt("t", "topic", "topic name", true),
    opt("a", "brokerName", "broker name", true),
    opt("i", "queueId", "queue id", true),
    opt("c", "charsetName", "CharsetName(eg: UTF-8,GBK)"),
    opt("s", "subExpression", "Subscribe Expression(eg: TagA || TagB)"),
    opt("b", "beginTimestamp", "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"),
    opt("e", "endTimestamp", "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"),
    opt("p", "printMsg", "print msg. eg: true | false(default)"),
    opt("d", "printBody", "print body. eg: true | false(default)"),
    opt("f", "calculate", "calculate by tag. eg: true | false(default)"),
  ],
  async run({ opts, out, admin }) {
    const topic = opts.required("topic");
    const brokerName = opts.required("brokerName");
    const queueId = opts.int("queueId", 0);
    const printMsg = opts.bool("printMsg", false);
    const printBody = opts.bool("printBody", false);
    const calculate = opts.bool("calculate", false);
    const sub = opts.get("subExpression") ?? "*";
    const charset = opts.get("charsetName") ?? "UTF-8";
    let decoder: TextDecoder;
    try {
      decoder = new TextDecoder(charset);
    } catch {
      throw new UsageError(`Unsupported charset "${charset}"`);
    }
    const route = await admin.examineTopicRouteInfo(topic);
    const bd = route.brokerDatas.find((b) => b.brokerName === brokerName);
    const addr = bd ? selectBrokerAddr(bd) : undefined;
    if (addr === undefined) {
      throw new AdminError(ResponseCode.SYSTEM_ERROR, `The broker[${brokerName}] not exist in topic route`);
    }
    const mq = { topic, brokerName, queueId };
    let min = await admin.queueOffset(addr, topic, queueId, false);
    let max = await admin.queueOffset(addr, topic, queueId, true);
    const begin = opts.get("beginTimestamp");
    const end = opts.get("endTimestamp");
    if (begin !== undefined) min = await admin.searchOffset(addr, mq, parseAdminTimestamp(begin));
    if (end !== undefined) max = await admin.searchOffset(addr, mq, parseAdminTimestamp(end));
    const tags = new Map<string, number>();
    for (let offset = min; offset < max;) {
      const r = await admin.pull(addr, topic, queueId, offset, 32, sub);
      // Upstream stops at the first window without a match, so a sparse tag behind more than one scan
      // window (800 entries) printed nothing; here a window without a match moves on to the next one.
      // No new message, a bad offset or no progress still end the read.
      const moved = r.code === ResponseCode.SUCCESS || r.code === ResponseCode.PULL_RETRY_IMMEDIATELY;
      if (!moved || r.nextBeginOffset <= offset) break;
      offset = r.nextBeginOffset;
      for (const m of r.msgs) {
        const tag = m.properties.TAGS;
        if (calculate && tag !== undefined && tag.trim() !== "") tags.set(tag, (tags.get(tag) ?? 0) + 1);
        if (printMsg) {
          const body = printBody ? decoder.decode(m.body) : "NOT PRINT BODY";
          out.out(javaFormat("MSGID: %s %s BODY: %s%n", m.msgId, messageExtString(m, brokerName), body));
        }
      }
    }
    if (calculate) out.out(tagCountLines(tags));
    return 0;
  },
};
