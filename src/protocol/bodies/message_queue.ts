/** MessageQueue JSON (remoting-protocol.md §5.6): `{"brokerName":str,"queueId":int,"topic":str}`. */

/** A queue of a topic on a broker. Fields in fastjson's alphabetical order. */
export interface MessageQueue {
  brokerName: string;
  queueId: number;
  topic: string;
}

/** Builds a MessageQueue with members in the order fastjson writes them. */
export function messageQueue(topic: string, brokerName: string, queueId: number): MessageQueue {
  return { brokerName, queueId, topic };
}

/** Reads a MessageQueue from parsed JSON; returns null when a member is missing or mistyped. */
export function toMessageQueue(v: unknown): MessageQueue | null {
  if (typeof v !== "object" || v === null) return null;
  const o = v as Record<string, unknown>;
  const queueId = typeof o.queueId === "string" ? Number(o.queueId) : o.queueId;
  if (typeof o.topic !== "string" || typeof queueId !== "number" || !Number.isInteger(queueId)) return null;
  return { brokerName: typeof o.brokerName === "string" ? o.brokerName : "", queueId, topic: o.topic };
}

/** A stable string key for maps keyed by queue. */
export function mqKey(mq: MessageQueue): string {
  return `${mq.topic}\u0001${mq.brokerName}\u0001${mq.queueId}`;
}
