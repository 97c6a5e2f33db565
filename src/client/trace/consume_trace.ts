/**
 * Consumer-side trace hooks (upstream ConsumeMessageTraceHookImpl): a SubBefore record for each message
 * handed to the listener and a SubAfter record with the verdict once it returns, linked by a request
 * id.
 */

import { hostToString } from "../../message/host.ts";
import { MessageConst } from "../../message/message_const.ts";
import { createUniqId } from "../../message/msg_id.ts";
import type { ConsumedMessage } from "../message.ts";
import type { AsyncTraceDispatcher } from "./trace_dispatcher.ts";
import { ConsumeReturnType, emptyTraceBean, emptyTraceContext, type TraceContext } from "./trace_data.ts";

/** How a listener call ended (SubAfter contextCode). */
export type ConsumeReturn = keyof typeof ConsumeReturnType;

/** Emits SubBefore/SubAfter records for one consumer group. */
export class ConsumeTracer {
  constructor(private readonly dispatcher: AsyncTraceDispatcher, private readonly group: string) {}

  /** Records the start of a listener call; returns what after() needs (null when nothing is traced). */
  before(msgs: readonly ConsumedMessage[]): TraceContext | null {
    const ctx = emptyTraceContext("SubBefore");
    ctx.groupName = this.group;
    ctx.timeStamp = Date.now();
    ctx.requestId = createUniqId();
    for (const m of msgs) {
      if (m.properties[MessageConst.TRACE_ON] === "false") continue;
      if (m.topic === this.dispatcher.traceTopic) continue;
      ctx.regionId = m.properties[MessageConst.MSG_REGION] ?? ctx.regionId;
      ctx.traceBeans.push({
        ...emptyTraceBean(),
        topic: m.topic,
        msgId: m.msgId,
        offsetMsgId: m.offsetMsgId,
        tags: m.tags ?? "",
        keys: m.keys ?? "",
        storeHost: hostToString(m.storeHost),
        bodyLength: m.body.length,
        retryTimes: m.reconsumeTimes,
      });
    }
    if (ctx.traceBeans.length === 0) return null;
    this.dispatcher.append(ctx);
    return ctx;
  }

  /** Records the verdict of the call begun with `before`. */
  after(before: TraceContext | null, success: boolean, how: ConsumeReturn): void {
    if (!before) return;
    const now = Date.now();
    const ctx = emptyTraceContext("SubAfter");
    ctx.groupName = this.group;
    ctx.regionId = before.regionId;
    ctx.requestId = before.requestId;
    ctx.timeStamp = now;
    ctx.success = success;
    ctx.contextCode = ConsumeReturnType[how];
    // Upstream reports the average cost per message of the batch.
    ctx.costTime = Math.floor((now - before.timeStamp) / before.traceBeans.length);
    ctx.traceBeans = before.traceBeans;
    this.dispatcher.append(ctx);
  }
}
