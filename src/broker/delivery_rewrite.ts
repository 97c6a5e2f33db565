/**
 * The rewrites a message gets just before it is stored, in upstream's order (5.x HookUtils): a 5.x timer
 * message is parked in the timer topic (store-and-semantics.md §7.5), otherwise a delay level parks it in
 * SCHEDULE_TOPIC_XXXX (§7.2). Shared by plain sends and transaction commits, which both reach the store
 * with transaction type NOT_TYPE or COMMIT.
 */
import type { MessageExtBrokerInner } from "../message/message.ts";
import { tagsHashCode } from "../message/tags.ts";
import { MessageConst } from "../message/message_const.ts";
import { transformTimerMessage } from "../timer/timer_rewrite.ts";
import type { BrokerContext } from "./broker_context.ts";
import { applyDelayRewrite } from "./message_factory.ts";

/** Why a message cannot be stored as sent: the remark to answer MESSAGE_ILLEGAL with. */
export interface DeliveryRefusal {
  remark: string;
}

/**
 * Applies the timer rewrite, then the delay-level rewrite, to `msg` in place. Returns a refusal for an
 * illegal timer message (bad value, too far ahead, timers disabled), else null.
 *
 * @example
 * ```ts
 * const refused = applyDeliveryRewrites(msg, ctx);
 * if (refused) return createResponse(req, ResponseCode.MESSAGE_ILLEGAL, refused.remark);
 * ```
 */
export function applyDeliveryRewrites(
  msg: MessageExtBrokerInner,
  ctx: Pick<BrokerContext, "storeConfig" | "delayLevelTable" | "maxDelayLevel" | "now">,
): DeliveryRefusal | null {
  // Nearly every message carries none of the four trigger properties; both rewrites are no-ops then.
  const p = msg.properties;
  if (
    p[MessageConst.DELAY] === undefined && p[MessageConst.TIMER_DELAY_SEC] === undefined &&
    p[MessageConst.TIMER_DELAY_MS] === undefined && p[MessageConst.TIMER_DELIVER_MS] === undefined
  ) return null;
  const now = ctx.now();
  const timer = transformTimerMessage(msg, now, ctx.storeConfig);
  switch (timer.action) {
    case "illegal":
    case "notEnabled":
      return { remark: timer.remark };
    case "timer":
      // The rewrite re-encodes the properties string; the consume-queue tag hash must follow the TAGS.
      msg.tagsCode = tagsHashCode(msg.properties[MessageConst.TAGS]);
      return null;
    default:
      applyDelayRewrite(msg, ctx.delayLevelTable, ctx.maxDelayLevel, now);
      return null;
  }
}
