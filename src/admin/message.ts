/**
 * Message query commands (operations.md §1.4.5): queryMsgById, queryMsgByKey, queryMsgByUniqueKey,
 * queryMsgByOffset. Like upstream, each detail view writes the body to
 * `/tmp/rocketmq/msgbodys/<msgId>` and lists, per consuming group, whether the message was consumed.
 */
import type { AdminCommand, CommandContext } from "./command.ts";
import { AdminError, type MQAdminExt, selectBrokerAddr } from "./admin_ext.ts";
import { parseAdminTimestamp } from "./offset.ts";
import { flag, opt } from "./options.ts";
import { humanTime, javaFormat } from "./output.ts";
import { hostToString } from "../message/host.ts";
import type { MessageExt } from "../message/message.ts";
import { ResponseCode } from "../remoting/response_code.ts";

/** Where detail views store message bodies (upstream's fixed path). */
export const MSG_BODY_DIR = "/tmp/rocketmq/msgbodys";

function writeBody(msg: MessageExt, id: string): string {
  const path = `${MSG_BODY_DIR}/${id}`;
  try {
    Deno.mkdirSync(MSG_BODY_DIR, { recursive: true });
    Deno.writeFileSync(path, msg.body);
  } catch {
    return "";
  }
  return path;
}

/** Java's `HashMap.toString` of the properties. */
function propertiesString(props: Record<string, string>): string {
  return `{${Object.entries(props).map(([k, v]) => `${k}=${v}`).join(", ")}}`;
}

/** One consuming group's view of a message (upstream MessageTrack). */
export interface MessageTrack {
  consumerGroup: string;
  trackType: "CONSUMED" | "CONSUMED_BUT_FILTERED" | "PULL" | "NOT_CONSUME_YET" | "NOT_ONLINE" | "UNKNOWN";
  exceptionDesc?: string;
}

async function consumed(admin: MQAdminExt, msg: MessageExt, group: string): Promise<boolean> {
  const stats = await admin.examineConsumeStats(group);
  const info = await admin.examineBrokerClusterInfo();
  const storeHost = hostToString(msg.storeHost);
  for (const [mq, w] of stats.offsetTable) {
    if (mq.topic !== msg.topic || mq.queueId !== msg.queueId) continue;
    if (info.brokerAddrTable.get(mq.brokerName)?.brokerAddrs.get(0) !== storeHost) continue;
    if (w.consumerOffset > msg.queueOffset) return true;
  }
  return false;
}

/** Per-group consumption state of a message (upstream messageTrackDetail). */
export async function messageTrackDetail(admin: MQAdminExt, msg: MessageExt): Promise<MessageTrack[]> {
  const tracks: MessageTrack[] = [];
  for (const group of await admin.queryTopicConsumeByWho(msg.topic)) {
    let cc;
    try {
      cc = await admin.examineConsumerConnectionInfo(group);
    } catch (e) {
      const notOnline = e instanceof AdminError && e.code === ResponseCode.CONSUMER_NOT_ONLINE;
      const desc = e instanceof AdminError ? `CODE:${e.code} DESC:${e.remark ?? ""}` : (e as Error).message;
      tracks.push({
        consumerGroup: group,
        trackType: notOnline ? "NOT_ONLINE" : "UNKNOWN",
        exceptionDesc: desc,
      });
      continue;
    }
    if (cc.consumeType === "CONSUME_ACTIVELY") {
      tracks.push({ consumerGroup: group, trackType: "PULL" });
      continue;
    }
    let done = false;
    try {
      done = await consumed(admin, msg, group);
    } catch {
      // Unknown progress reads as "not consumed yet", as upstream.
    }
    let trackType: MessageTrack["trackType"] = done ? "CONSUMED" : "NOT_CONSUME_YET";
    const sub = cc.subscriptionTable[msg.topic];
    const tags = msg.properties.TAGS ?? "";
    if (done && sub && sub.tagsSet.length > 0 && !sub.tagsSet.includes("*") && !sub.tagsSet.includes(tags)) {
      trackType = "CONSUMED_BUT_FILTERED";
    }
    tracks.push({ consumerGroup: group, trackType });
  }
  return tracks;
}

function trackString(t: MessageTrack): string {
  return `MessageTrack [consumerGroup=${t.consumerGroup}, trackType=${t.trackType}, exceptionDesc=${
    t.exceptionDesc ?? "null"
  }]`;
}

/** Prints upstream's message detail block, then the message tracks. */
export async function printMessageDetail(
  ctx: CommandContext,
  msg: MessageExt,
  withOffsetId: boolean,
): Promise<void> {
  const id = msg.properties.UNIQ_KEY ?? msg.msgId;
  const line = (label: string, value: unknown) => ctx.out.out(javaFormat("%-20s %s%n", label, value));
  if (withOffsetId) line("OffsetID:", msg.msgId);
  line("Topic:", msg.topic);
  line("Tags:", `[${msg.properties.TAGS ?? "null"}]`);
  line("Keys:", `[${msg.properties.KEYS ?? "null"}]`);
  line("Queue ID:", msg.queueId);
  line("Queue Offset:", msg.queueOffset);
  line("CommitLog Offset:", msg.commitLogOffset);
  line("Reconsume Times:", msg.reconsumeTimes);
  line("Born Timestamp:", humanTime(msg.bornTimestamp));
  line("Store Timestamp:", humanTime(msg.storeTimestamp));
  line("Born Host:", hostToString(msg.bornHost));
  line("Store Host:", hostToString(msg.storeHost));
  line("System Flag:", msg.sysFlag);
  line("Properties:", propertiesString(msg.properties));
  line("Message Body Path:", writeBody(msg, id));
  let tracks: MessageTrack[];
  try {
    tracks = await messageTrackDetail(ctx.admin, msg);
  } catch (e) {
    ctx.out.err(`Cannot read message tracks: ${(e as Error).message}\n`);
    return;
  }
  if (tracks.length === 0) {
    ctx.out.out(javaFormat("%n%nWARN: No Consumer%n"));
    return;
  }
  ctx.out.out(javaFormat("%n%n"));
  for (const t of tracks) ctx.out.out(javaFormat("%s%n", trackString(t)));
}

const queryMsgById: AdminCommand = {
  name: "queryMsgById",
  group: "Message query and trace",
  description: "Query Message by Id",
  options: [opt("i", "msgId", "Message Id", true)],
  async run(ctx) {
    for (const id of ctx.opts.required("msgId").split(",").map((s) => s.trim()).filter((s) => s !== "")) {
      await printMessageDetail(ctx, await ctx.admin.viewMessage(id), true);
    }
    return 0;
  },
};

const queryMsgByKey: AdminCommand = {
  name: "queryMsgByKey",
  group: "Message query and trace",
  description: "Query Message by Key",
  options: [opt("t", "topic", "topic name", true), opt("k", "msgKey", "Message Key", true)],
  async run({ opts, out, admin }) {
    const msgs = await admin.queryMessage(opts.required("topic"), opts.required("msgKey"), 64, false);
    out.out(javaFormat("%-50s %4s %40s%n", "#Message ID", "#QID", "#Offset"));
    for (const m of msgs) {
      out.out(javaFormat("%-50s %4d %40d%n", m.properties.UNIQ_KEY ?? m.msgId, m.queueId, m.queueOffset));
    }
    return 0;
  },
};

const queryMsgByUniqueKey: AdminCommand = {
  name: "queryMsgByUniqueKey",
  group: "Message query and trace",
  description: "Query Message by Unique key",
  options: [
    opt("i", "msgId", "Message Id", true),
    opt("t", "topic", "The topic of msg", true),
    flag("a", "showAll", "Print all message, the limit is 32"),
  ],
  async run(ctx) {
    const msgs = await ctx.admin.queryMessage(
      ctx.opts.required("topic"),
      ctx.opts.required("msgId"),
      32,
      true,
    );
    msgs.sort((a, b) => a.storeTimestamp - b.storeTimestamp);
    for (const m of ctx.opts.has("showAll") ? msgs : msgs.slice(0, 1)) {
      await printMessageDetail(ctx, m, false);
    }
    return 0;
  },
};

const queryMsgByOffset: AdminCommand = {
  name: "queryMsgByOffset",
  group: "Message query and trace",
  description: "Query Message by offset",
  options: [
    opt("t", "topic", "topic name", true),
    opt("b", "brokerName", "Broker Name", true),
    opt("i", "queueId", "Queue Id", true),
    opt("o", "offset", "Queue Offset", true),
  ],
  async run(ctx) {
    const { opts, admin } = ctx;
    const brokerName = opts.required("brokerName");
    const addr = await admin.masterAddrOf(brokerName);
    if (addr === undefined) {
      throw new AdminError(ResponseCode.SYSTEM_ERROR, `Broker "${brokerName}" not found`);
    }
    const msg = await admin.pullOne(
      addr,
      opts.required("topic"),
      opts.int("queueId", 0),
      opts.int("offset", 0),
    );
    if (msg) await printMessageDetail(ctx, msg, true);
    return 0;
  },
};

/** MessageExt's Java `toString()`, as printMsg embeds it. */
export function messageExtString(m: MessageExt, brokerName: string): string {
  const message = `Message{topic='${m.topic}', flag=${m.flag}, properties=${
    propertiesString(m.properties)
  }, body=[${[...m.body].map((b) => (b << 24) >> 24).join(", ")}], transactionId='null'}`;
  return `MessageExt [brokerName=${brokerName}, queueId=${m.queueId}, storeSize=${m.storeSize}, ` +
    `queueOffset=${m.queueOffset}, sysFlag=${m.sysFlag}, bornTimestamp=${m.bornTimestamp}, ` +
    `bornHost=/${hostToString(m.bornHost)}, storeTimestamp=${m.storeTimestamp}, storeHost=/${
      hostToString(m.storeHost)
    }, ` +
    `msgId=${m.msgId}, commitLogOffset=${m.commitLogOffset}, bodyCRC=${m.bodyCRC}, reconsumeTimes=${m.reconsumeTimes}, ` +
    `preparedTransactionOffset=${m.preparedTransactionOffset}, toString()=${message}]`;
}

const printMsg: AdminCommand = {
  name: "printMsg",
  group: "Message query and trace",
  description: "Print Message Detail",
  options: [
    opt("t", "topic", "topic name", true),
    opt("c", "charsetName", "CharsetName(eg: UTF-8,GBK)"),
    opt("s", "subExpression", "Subscribe Expression(eg: TagA || TagB)"),
    opt("b", "beginTimestamp", "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"),
    opt("e", "endTimestamp", "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"),
    opt("d", "printBody", "print body"),
  ],
  async run({ opts, out, admin }) {
    const topic = opts.required("topic");
    const sub = opts.get("subExpression") ?? "*";
    const printBody = opts.bool("printBody", true);
    const begin = opts.get("beginTimestamp");
    const end = opts.get("endTimestamp");
    const route = await admin.examineTopicRouteInfo(topic);
    const decoder = new TextDecoder();
    for (const qd of [...route.queueDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName))) {
      const bd = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
      const addr = bd ? selectBrokerAddr(bd) : undefined;
      if (addr === undefined || (qd.perm & 0x4) === 0) continue;
      for (let q = 0; q < qd.readQueueNums; q++) {
        const mq = `MessageQueue [topic=${topic}, brokerName=${qd.brokerName}, queueId=${q}]`;
        const mq0 = { topic, brokerName: qd.brokerName, queueId: q };
        let min = await admin.queueOffset(addr, topic, q, false);
        let max = await admin.queueOffset(addr, topic, q, true);
        if (begin !== undefined) min = await admin.searchOffset(addr, mq0, parseAdminTimestamp(begin));
        if (end !== undefined) max = await admin.searchOffset(addr, mq0, parseAdminTimestamp(end));
        out.out(javaFormat("minOffset=%s, maxOffset=%s, %s", min, max, mq));
        let offset = min;
        for (;;) {
          if (offset >= max) {
            out.out(javaFormat("%s print msg finished. status=%s, offset=%s", mq, "NO_NEW_MSG", offset));
            break;
          }
          const r = await admin.pull(addr, topic, q, offset, 32, sub);
          const next = r.nextBeginOffset > offset ? r.nextBeginOffset : offset + 1;
          if (r.code === ResponseCode.SUCCESS) {
            for (const m of r.msgs) {
              const body = printBody ? decoder.decode(m.body) : "NOT PRINT BODY";
              out.out(
                javaFormat("MSGID: %s %s BODY: %s%n", m.msgId, messageExtString(m, qd.brokerName), body),
              );
            }
          } else if (r.code === ResponseCode.PULL_RETRY_IMMEDIATELY) {
            out.out(javaFormat("%s no matched msg. status=%s, offset=%s", mq, "NO_MATCHED_MSG", next));
          } else {
            const status = r.code === ResponseCode.PULL_NOT_FOUND ? "NO_NEW_MSG" : "OFFSET_ILLEGAL";
            out.out(javaFormat("%s print msg finished. status=%s, offset=%s", mq, status, offset));
            break;
          }
          offset = next;
        }
        out.out(javaFormat("--------------------------------------------------------%n"));
      }
    }
    return 0;
  },
};

/** Commands of the "Message query and trace" group. */
export const MESSAGE_COMMANDS: AdminCommand[] = [
  queryMsgById,
  queryMsgByKey,
  queryMsgByUniqueKey,
  queryMsgByOffset,
  printMsg,
];
