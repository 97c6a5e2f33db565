/**
 * queryMsgTraceById (operations.md §1.4.5): finds the trace messages indexed under a message id in the
 * trace topic (QUERY_MESSAGE 12 on each broker), decodes their records and prints the publish and
 * per-group consume rows as upstream does.
 */
import type { AdminCommand } from "./command.ts";
import { opt } from "./options.ts";
import { type AdminOutput, humanTime, javaFormat } from "./output.ts";
import { decodeTraceRecords, RMQ_SYS_TRACE_TOPIC, type TraceContext } from "../client/mod.ts";
import { ipToString } from "../message/host.ts";
import type { MessageExt } from "../message/message.ts";

/** One row of the report (upstream TraceView, the members it prints). */
export interface TraceView {
  msgType: "Pub" | "SubBefore" | "SubAfter" | "EndTransaction";
  groupName: string;
  /** The IP the trace message was born on: the client that recorded it. */
  clientHost: string;
  timeStamp: number;
  costTime: number;
  status: "success" | "failed";
}

/**
 * The rows about `msgId` in the trace messages found. A SubAfter record names its group since 4.9.x (its
 * ninth field); records of older clients stop before it, so for those the group is taken from the
 * SubBefore record with the same request id.
 */
export function traceViewsOf(msgId: string, messages: readonly MessageExt[]): TraceView[] {
  const decoder = new TextDecoder();
  const decoded: Array<[TraceContext, string]> = [];
  for (const m of messages) {
    const host = ipToString(m.bornHost.ip);
    for (const ctx of decodeTraceRecords(decoder.decode(m.body))) decoded.push([ctx, host]);
  }
  const groupByRequest = new Map<string, string>();
  for (const [ctx] of decoded) {
    if (ctx.traceType === "SubBefore" && ctx.requestId !== "") {
      groupByRequest.set(ctx.requestId, ctx.groupName);
    }
  }
  const views: TraceView[] = [];
  for (const [ctx, clientHost] of decoded) {
    if (ctx.traceBeans[0]?.msgId !== msgId) continue;
    views.push({
      msgType: ctx.traceType,
      groupName: ctx.groupName || (groupByRequest.get(ctx.requestId) ?? ""),
      clientHost,
      timeStamp: ctx.timeStamp,
      costTime: ctx.costTime,
      status: ctx.success ? "success" : "failed",
    });
  }
  return views;
}

const FMT = "%-10s %-20s %-20s %-20s %-10s %-10s%n";

/** Prints the Pub rows, then one table per consuming group (upstream printMessageTrace). */
export function printTraceViews(out: AdminOutput, views: readonly TraceView[]): void {
  const row = (type: string, v: TraceView) =>
    javaFormat(
      FMT,
      type,
      v.groupName,
      v.clientHost,
      humanTime(v.timeStamp, false),
      `${v.costTime}ms`,
      v.status,
    );
  const consumers = new Map<string, TraceView[]>();
  for (const v of views) {
    if (v.msgType === "Pub") {
      out.out(
        javaFormat(FMT, "#Type", "#ProducerGroup", "#ClientHost", "#SendTime", "#CostTimes", "#Status"),
      );
      out.out(row("Pub", v));
      out.out("\n");
    }
    if (v.msgType === "SubAfter") {
      const list = consumers.get(v.groupName) ?? [];
      list.push(v);
      consumers.set(v.groupName, list);
    }
  }
  for (const list of consumers.values()) {
    out.out(
      javaFormat(FMT, "#Type", "#ConsumerGroup", "#ClientHost", "#ConsumerTime", "#CostTimes", "#Status"),
    );
    for (const v of list) out.out(row("Sub", v));
    out.out("\n");
  }
}

/** queryMsgTraceById. */
export const queryMsgTraceById: AdminCommand = {
  name: "queryMsgTraceById",
  aliases: ["QueryMsgTraceById"],
  group: "Message query and trace",
  description: "Query a message trace",
  options: [
    opt("i", "msgId", "Message Id", true),
    opt("t", "traceTopic", "The name value of message trace topic"),
    opt("b", "beginTimestamp", "Begin timestamp(ms). default:0, eg:1676730526212"),
    opt("e", "endTimestamp", "End timestamp(ms). default:Long.MAX_VALUE, eg:1676730526212"),
    opt("c", "maxNum", "The maximum number of messages returned by the query, default:64"),
  ],
  async run({ opts, out, admin }) {
    const msgId = opts.required("msgId");
    const topic = opts.get("traceTopic") ?? RMQ_SYS_TRACE_TOPIC;
    const messages = await admin.queryMessage(
      topic,
      msgId,
      opts.int("maxNum", 64),
      false,
      opts.int("beginTimestamp", 0),
      opts.int("endTimestamp", Number.MAX_SAFE_INTEGER),
    );
    printTraceViews(out, traceViewsOf(msgId, messages));
    return 0;
  },
};
