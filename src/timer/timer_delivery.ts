/**
 * Turns a parked timer record back into the message its producer sent (upstream
 * `TimerMessageStore.convertMessage`, store-and-semantics.md §7.5 "Dequeue"). Pure.
 */
import type { MessageExt, MessageExtBrokerInner } from "../message/message.ts";
import { MessageConst } from "../message/message_const.ts";
import { encodeProperties } from "../message/properties.ts";
import { tagsHashCode } from "../message/tags.ts";

/**
 * The message to store in the real topic/queue: same body, flag, sysFlag, born info, store host, reconsume
 * times and UNIQ_KEY; REAL_TOPIC/REAL_QID removed; TIMER_ENQUEUE_MS (store time of the parked record) and
 * TIMER_DEQUEUE_MS (`dequeueMs`) added. TIMER_OUT_MS is kept, as upstream does: it marks the message as
 * already timed, so a consumer that re-sends it (send-back, forwarding) does not park it again.
 *
 * Returns an error text instead when the record does not say where it belongs.
 *
 * @example
 * ```ts
 * const out = toDeliveryMessage(parked, Date.now());
 * if (typeof out !== "string") await store.putMessage(out);
 * ```
 */
export function toDeliveryMessage(parked: MessageExt, dequeueMs: number): MessageExtBrokerInner | string {
  const props = { ...parked.properties };
  const topic = props[MessageConst.REAL_TOPIC];
  const qidText = props[MessageConst.REAL_QID];
  const queueId = qidText === undefined ? NaN : Number(qidText);
  if (topic === undefined || topic === "" || !Number.isInteger(queueId) || queueId < 0) {
    return `Timer record at offset ${parked.commitLogOffset} has no valid REAL_TOPIC/REAL_QID ("${topic}", "${qidText}")`;
  }
  delete props[MessageConst.REAL_TOPIC];
  delete props[MessageConst.REAL_QID];
  return reissue(parked, topic, queueId, props, dequeueMs);
}

/**
 * A copy of a parked timer written back to the timer topic (upstream "roll"), used when its delivery time lies
 * beyond the roll window so that its record stays younger than the commitlog's retention. TIMER_ROLL_TIMES is
 * incremented; TIMER_ENQUEUE_MS/TIMER_DEQUEUE_MS are stamped as for a delivery so a crash check can find it.
 */
export function toRollMessage(parked: MessageExt, dequeueMs: number): MessageExtBrokerInner {
  const props = { ...parked.properties };
  props[MessageConst.TIMER_ROLL_TIMES] = String((Number(props[MessageConst.TIMER_ROLL_TIMES]) || 0) + 1);
  return reissue(parked, parked.topic, parked.queueId, props, dequeueMs);
}

/**
 * `parked` as a new record in `topic`/`queueId` with `props`, stamped with TIMER_ENQUEUE_MS (the parked
 * record's store time) and TIMER_DEQUEUE_MS: the pair isDeliveryOf() looks for after a crash.
 */
function reissue(
  parked: MessageExt,
  topic: string,
  queueId: number,
  props: Record<string, string>,
  dequeueMs: number,
): MessageExtBrokerInner {
  props[MessageConst.TIMER_ENQUEUE_MS] = String(parked.storeTimestamp);
  props[MessageConst.TIMER_DEQUEUE_MS] = String(dequeueMs);
  return {
    topic,
    queueId,
    flag: parked.flag,
    body: parked.body,
    properties: props,
    propertiesString: encodeProperties(props),
    tagsCode: tagsHashCode(props[MessageConst.TAGS]),
    sysFlag: parked.sysFlag,
    bornTimestamp: parked.bornTimestamp,
    bornHost: parked.bornHost,
    storeHost: parked.storeHost,
    reconsumeTimes: parked.reconsumeTimes,
    preparedTransactionOffset: 0,
  };
}

/**
 * True when `candidate` (a record found in the real topic, or the timer topic for a roll) is the delivery of the
 * parked record: the same
 * UNIQ_KEY, a TIMER_DEQUEUE_MS, and TIMER_ENQUEUE_MS equal to the parked record's store time. Used after a
 * crash to avoid delivering twice.
 */
export function isDeliveryOf(candidate: Record<string, string>, parked: MessageExt): boolean {
  return candidate[MessageConst.TIMER_DEQUEUE_MS] !== undefined &&
    candidate[MessageConst.TIMER_ENQUEUE_MS] === String(parked.storeTimestamp) &&
    candidate[MessageConst.UNIQ_KEY] === parked.properties[MessageConst.UNIQ_KEY];
}
