/** Test-sending command (operations.md §1.4.6): sendMessage, through the TypeScript producer. */
import type { AdminCommand } from "./command.ts";
import { opt } from "./options.ts";
import { javaFormat } from "./output.ts";
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
    const producer = new Producer({ group: String(Date.now()), namesrvAddr: admin.namesrvList.join(";") });
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

/** Commands of the "Sending and consuming" group. */
export const SEND_COMMANDS: AdminCommand[] = [sendMessage];
