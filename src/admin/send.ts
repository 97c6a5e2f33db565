/**
 * Commands for sending and reading test messages (operations.md §1.4.6): sendMessage through the
 * TypeScript producer, consumeMessage by pulling without committing offsets.
 */
import type { AdminCommand, CommandContext } from "./command.ts";
import { opt, UsageError } from "./options.ts";
import { selectBrokerAddr } from "./admin_ext.ts";
import { messageExtString } from "./message.ts";
import { parseAdminTimestamp } from "./offset.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import { javaFormat } from "./output.ts";
import { ProgressLine } from "./progress.ts";
import { Producer } from "../client/producer.ts";
import type { Message, SendResult } from "../client/message.ts";

const FMT = "%-32s  %-4s  %-20s    %s%n";

const sendMessage: AdminCommand = {
  name: "sendMessage",
  group: "Sending and consuming",
  description: "Send a message",
  options: [
    opt("t", "topic", "Topic name", true),
    opt("p", "body", "UTF-8 string format of the message body", true),
    opt("k", "key", "Message keys"),
    opt("c", "tags", "Message tags"),
    opt("b", "broker", "Send message to target broker"),
    opt("i", "qid", "Send message to target queue"),
    opt("m", "msgTraceEnable", "Message Trace Enable, Default: false"),
  ],
  async run({ opts, out, admin }) {
    const broker = opts.get("broker");
    const qid = opts.get("qid");
    if (qid !== undefined && broker === undefined) {
      out.out(javaFormat("Broker name must be set if the queue is chosen!%n"));
      return 1;
    }
    const msg: Message = {
      topic: opts.required("topic"),
      body: new TextEncoder().encode(opts.required("body")),
    };
    const tags = opts.get("tags");
    const keys = opts.get("key");
    if (tags !== undefined) msg.tags = tags;
    if (keys !== undefined) msg.keys = keys;
    // Upstream names the throwaway producer group after the current time.
    const producer = new Producer({
      group: String(Date.now()),
      namesrvAddr: admin.namesrvList.join(";"),
      enableMsgTrace: opts.bool("msgTraceEnable", false),
    });
    await producer.start();
    let result: SendResult;
    try {
      result = broker !== undefined && qid !== undefined
        ? await producer.sendToQueue(msg, {
          topic: msg.topic,
          brokerName: broker,
          queueId: opts.int("qid", 0),
        })
        : await producer.send(msg);
    } finally {
      await producer.shutdown();
    }
    out.out(javaFormat(FMT, "#Broker Name", "#QID", "#Send Result", "#MsgId"));
    out.out(
      javaFormat(
        FMT,
        result.messageQueue.brokerName,
        result.messageQueue.queueId,
        result.sendStatus,
        result.msgId,
      ),
    );
    return 0;
  },
};

/** Pulls `[min, max]` of one queue, printing like upstream's ConsumeMessageCommand. */
async function pullQueue(
  ctx: CommandContext,
  addr: string,
  mq: MessageQueue,
  group: string,
  min: number,
  max: number,
  progress: ProgressLine,
) {
  const label = `MessageQueue [topic=${mq.topic}, brokerName=${mq.brokerName}, queueId=${mq.queueId}]`;
  const decoder = new TextDecoder();
  for (let offset = min; offset <= max;) {
    const r = await ctx.admin.pull(
      addr,
      mq.topic,
      mq.queueId,
      offset,
      Math.max(1, Math.min(32, max - offset + 1)),
      "*",
      group,
    );
    const next = r.nextBeginOffset > offset ? r.nextBeginOffset : offset + 1;
    if (r.code === ResponseCode.SUCCESS) {
      progress.advance(r.msgs.length);
      ctx.out.out("Consume ok\n");
      for (const m of r.msgs) {
        ctx.out.out(
          javaFormat(
            "MSGID: %s %s BODY: %s%n",
            m.msgId,
            messageExtString(m, mq.brokerName),
            decoder.decode(m.body),
          ),
        );
      }
    } else if (r.code === ResponseCode.PULL_RETRY_IMMEDIATELY) {
      ctx.out.out(javaFormat("%s no matched msg. status=%s, offset=%s\n", label, "NO_MATCHED_MSG", next));
    } else {
      const status = r.code === ResponseCode.PULL_NOT_FOUND ? "NO_NEW_MSG" : "OFFSET_ILLEGAL";
      ctx.out.out(
        javaFormat("%s print msg finished. status=%s, offset=%s\n", label, status, r.nextBeginOffset),
      );
      return;
    }
    offset = next;
  }
}

const consumeMessage: AdminCommand = {
  name: "consumeMessage",
  group: "Sending and consuming",
  description: "Consume message",
  options: [
    opt("t", "topic", "Topic name", true),
    opt("b", "brokerName", "Broker name"),
    opt("i", "queueId", "Queue Id"),
    opt("o", "offset", "Queue Offset"),
    opt("g", "consumerGroup", "Consumer group name"),
    opt("s", "beginTimestamp", "Begin timestamp(ms or yyyy-MM-dd#HH:mm:ss:SSS)"),
    opt("e", "endTimestamp", "End timestamp(ms or yyyy-MM-dd#HH:mm:ss:SSS)"),
    opt("c", "MessageNumber", "Number of message to be consumed"),
  ],
  async run(ctx) {
    const { opts, out, admin } = ctx;
    const topic = opts.required("topic");
    const group = opts.get("consumerGroup") ?? "TOOLS_CONSUMER";
    const count = opts.int("MessageNumber", 128);
    const brokerName = opts.get("brokerName");
    const qid = opts.get("queueId");
    const route = await admin.examineTopicRouteInfo(topic);
    const now = Date.now();
    const begin = opts.get("beginTimestamp");
    const end = opts.get("endTimestamp");
    const beginTs = begin === undefined ? undefined : parseAdminTimestamp(begin);
    const endTs = end === undefined ? undefined : parseAdminTimestamp(end);
    if (
      (beginTs ?? 0) > now || (endTs ?? 0) > now ||
      (beginTs !== undefined && endTs !== undefined && endTs < beginTs)
    ) {
      throw new UsageError(
        "Please make sure that the timestamps are not in the future and end is after begin",
      );
    }
    const queues: Array<[string, MessageQueue]> = [];
    for (const qd of [...route.queueDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName))) {
      if (brokerName !== undefined && qd.brokerName !== brokerName) continue;
      const bd = route.brokerDatas.find((b) => b.brokerName === qd.brokerName);
      const addr = bd ? selectBrokerAddr(bd) : undefined;
      if (addr === undefined) continue;
      for (let q = 0; q < qd.readQueueNums; q++) {
        if (qid === undefined || Number(qid) === q) {
          queues.push([addr, { topic, brokerName: qd.brokerName, queueId: q }]);
        }
      }
    }
    // Ranges first, so the progress line knows the total.
    const plan: Array<{ addr: string; mq: MessageQueue; min: number; max: number; note?: string }> = [];
    for (const [addr, mq] of queues) {
      let min = beginTs === undefined
        ? await admin.queueOffset(addr, topic, mq.queueId, false)
        : await admin.searchOffset(addr, mq, beginTs);
      const max = endTs === undefined
        ? await admin.queueOffset(addr, topic, mq.queueId, true)
        : await admin.searchOffset(addr, mq, endTs);
      if (opts.has("offset") && qid !== undefined) min = opts.int("offset", 0);
      if (max - min > count) {
        plan.push({
          addr,
          mq,
          min: max - count,
          max,
          note: javaFormat("The older %d message of the %d queue will be provided%n", count, mq.queueId),
        });
      } else plan.push({ addr, mq, min, max });
    }
    const progress = new ProgressLine(
      out,
      plan.reduce((n, p) => n + Math.max(0, p.max - p.min), 0),
      "messages consumed",
    );
    const shown = progress.wrap(out);
    try {
      for (const p of plan) {
        if (p.note !== undefined) shown.out(p.note);
        await pullQueue({ ...ctx, out: shown }, p.addr, p.mq, group, p.min, p.max, progress);
      }
    } finally {
      progress.finish();
    }
    return 0;
  },
};

/** Commands of the "Sending and consuming" group. */
export const SEND_COMMANDS: AdminCommand[] = [sendMessage, consumeMessage];
