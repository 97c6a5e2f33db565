/**
 * The send-path rewrite of timer messages (store-and-semantics.md §7.5, remoting-protocol.md §9.5): a message
 * carrying TIMER_DELAY_SEC, TIMER_DELAY_MS or TIMER_DELIVER_MS is parked in {@link TIMER_TOPIC} until its
 * delivery time. Pure: no I/O, the clock is a parameter.
 *
 * Unlike upstream we do not round the delivery time down to a 1 s precision step: TIMER_OUT_MS is the exact
 * requested millisecond, and the timer service fires at that millisecond.
 */
import type { MessageExtBrokerInner } from "../message/message.ts";
import { getTransactionValue, MessageConst, MessageSysFlag } from "../message/message_const.ts";
import { encodeProperties } from "../message/properties.ts";
import type { TimerConfig } from "./timer_config.ts";

/** System topic where timer messages wait (upstream `TimerMessageStore.TIMER_TOPIC`); one queue, id 0. */
export const TIMER_TOPIC = "rmq_sys_wheel_timer";

/** What the send path should do with a message after {@link transformTimerMessage}. */
export type TimerRewriteResult =
  /** Rewritten in place to TIMER_TOPIC/queue 0; store it as is. */
  | { action: "timer"; msg: MessageExtBrokerInner; deliverMs: number }
  /** A timer message whose time has already come: store it unchanged in its own topic. */
  | { action: "deliverNow" }
  /** Not a timer message (or DELAY won and the timer properties were removed): continue as usual. */
  | { action: "none" }
  /** Refuse the send (upstream WHEEL_TIMER_MSG_ILLEGAL). */
  | { action: "illegal"; remark: string }
  /** Refuse the send (upstream WHEEL_TIMER_NOT_ENABLE). */
  | { action: "notEnabled"; remark: string };

const TIMER_PROPS = [
  MessageConst.TIMER_DELAY_SEC,
  MessageConst.TIMER_DELAY_MS,
  MessageConst.TIMER_DELIVER_MS,
] as const;

/** Java `Long.parseLong` accepts an optional sign and decimal digits only. */
const LONG_RE = /^[+-]?\d{1,19}$/;

function parseLong(text: string): number | null {
  if (!LONG_RE.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/**
 * Applies the timer rewrite to a message about to be stored (upstream `HookUtils.checkIfTimerMessage` +
 * `transformTimerMessage`). Mutates `msg` (topic, queueId, properties, propertiesString) when it answers
 * "timer", and removes the timer properties when a DELAY level is also present.
 *
 * Property precedence: TIMER_DELAY_SEC, then TIMER_DELAY_MS, then TIMER_DELIVER_MS. Half messages
 * (prepared/rollback) are left alone; their commit goes through this rewrite again.
 *
 * @example
 * ```ts
 * const r = transformTimerMessage(msg, Date.now(), defaultTimerConfig());
 * if (r.action === "illegal") refuse(ResponseCode.MESSAGE_ILLEGAL, r.remark);
 * ```
 */
export function transformTimerMessage(
  msg: MessageExtBrokerInner,
  now: number,
  cfg: Pick<TimerConfig, "timerWheelEnable" | "timerMaxDelaySec">,
): TimerRewriteResult {
  const tran = getTransactionValue(msg.sysFlag);
  if (tran !== MessageSysFlag.TRANSACTION_NOT_TYPE && tran !== MessageSysFlag.TRANSACTION_COMMIT_TYPE) {
    return { action: "none" };
  }
  const props = msg.properties;
  const present = TIMER_PROPS.filter((k) => props[k] !== undefined);
  if (present.length === 0) return { action: "none" };
  if (Number(props[MessageConst.DELAY] ?? "0") > 0) {
    for (const k of present) delete props[k];
    msg.propertiesString = encodeProperties(props);
    return { action: "none" };
  }
  // Already parked (or already delivered once, which keeps TIMER_OUT_MS): never time it again.
  if (msg.topic === TIMER_TOPIC || props[MessageConst.TIMER_OUT_MS] !== undefined) return { action: "none" };
  if (!cfg.timerWheelEnable) {
    return {
      action: "notEnabled",
      remark: "Timer messages are not enabled on this broker (timerWheelEnable=false)",
    };
  }
  const key = present[0]!;
  const raw = props[key]!;
  const value = parseLong(raw);
  if (value === null) {
    return { action: "illegal", remark: `Timer property ${key} has the non-numeric value "${raw}"` };
  }
  const deliverMs = key === MessageConst.TIMER_DELAY_SEC
    ? now + value * 1000
    : key === MessageConst.TIMER_DELAY_MS
    ? now + value
    : value;
  if (deliverMs > now) {
    if (deliverMs - now > cfg.timerMaxDelaySec * 1000) {
      return {
        action: "illegal",
        remark:
          `Timer property ${key}="${raw}" is more than timerMaxDelaySec (${cfg.timerMaxDelaySec} s) ahead`,
      };
    }
    props[MessageConst.TIMER_OUT_MS] = String(deliverMs);
    props[MessageConst.REAL_TOPIC] = msg.topic;
    props[MessageConst.REAL_QID] = String(msg.queueId);
    msg.propertiesString = encodeProperties(props);
    msg.topic = TIMER_TOPIC;
    msg.queueId = 0;
    return { action: "timer", msg, deliverMs };
  }
  if (props[MessageConst.TIMER_DEL_UNIQKEY] !== undefined) {
    return {
      action: "illegal",
      remark: `Timer cancel request for "${props[MessageConst.TIMER_DEL_UNIQKEY]}" is already due`,
    };
  }
  return { action: "deliverNow" };
}
