/**
 * The client-side message types: what applications send (Message), what they receive
 * (ConsumedMessage), and the conversions between them and the wire forms.
 */

import { compressBody, decompressBody } from "../message/compression.ts";
import type { MessageExt } from "../message/message.ts";
import { MessageConst, MessageSysFlag } from "../message/message_const.ts";
import { createUniqId } from "../message/msg_id.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";

/** A message to send. */
export interface Message {
  topic: string;
  body: Uint8Array;
  /** Single tag, used for server- and client-side filtering. */
  tags?: string;
  /** Business keys (indexed by the broker); an array is joined with spaces. */
  keys?: string | string[];
  /** User flag stored verbatim. */
  flag?: number;
  /** Delay level 1..18 (1s 5s 10s 30s 1m ... 2h). */
  delayTimeLevel?: number;
  /** Wait for flush/replication before the broker answers (default true). */
  waitStoreMsgOK?: boolean;
  /** User properties; the standard keys above win over same-named entries here. */
  properties?: Record<string, string>;
}

/** A message handed to a consumer's listener. */
export interface ConsumedMessage extends MessageExt {
  /** UNIQ_KEY when present, else the offset msg id (what Java's getMsgId returns). */
  msgId: string;
  /** Broker-side id: store host + commit-log offset. */
  offsetMsgId: string;
  tags: string | undefined;
  keys: string | undefined;
  brokerName: string;
}

/** The send statuses a broker reports for a stored message. */
export type SendStatus = "SEND_OK" | "FLUSH_DISK_TIMEOUT" | "FLUSH_SLAVE_TIMEOUT" | "SLAVE_NOT_AVAILABLE";

/** Result of a successful send. */
export interface SendResult {
  sendStatus: SendStatus;
  /** Client id (UNIQ_KEY); comma-joined for batches. */
  msgId: string;
  /** Broker offset msg id(s) from the response. */
  offsetMsgId: string;
  messageQueue: MessageQueue;
  queueOffset: number;
  transactionId?: string | undefined;
  regionId?: string | undefined;
  traceOn: boolean;
}

/**
 * The properties map a message is sent with: user properties, then TAGS, KEYS, DELAY, WAIT (Java
 * always sends WAIT=true unless told otherwise).
 */
export function messageProperties(msg: Message): Record<string, string> {
  const props: Record<string, string> = { ...(msg.properties ?? {}) };
  if (msg.tags !== undefined && msg.tags !== "") props[MessageConst.TAGS] = msg.tags;
  if (msg.keys !== undefined) {
    const keys = Array.isArray(msg.keys) ? msg.keys.join(MessageConst.KEY_SEPARATOR) : msg.keys;
    if (keys !== "") props[MessageConst.KEYS] = keys;
  }
  if (msg.delayTimeLevel !== undefined && msg.delayTimeLevel > 0) {
    props[MessageConst.DELAY] = String(msg.delayTimeLevel);
  }
  props[MessageConst.WAIT] = msg.waitStoreMsgOK === false ? "false" : "true";
  return props;
}

/** Sets a fresh UNIQ_KEY unless one is already present; returns it. */
export function ensureUniqKey(props: Record<string, string>): string {
  const existing = props[MessageConst.UNIQ_KEY];
  if (existing) return existing;
  const id = createUniqId();
  props[MessageConst.UNIQ_KEY] = id;
  return id;
}

/**
 * Compresses `body` when it is at least `threshold` bytes (compressMsgBodyOverHowmuch); returns the
 * body to send and the sysFlag bits to add. Compression that does not help is skipped.
 */
export function maybeCompress(body: Uint8Array, threshold: number): { body: Uint8Array; sysFlag: number } {
  if (body.length < threshold) return { body, sysFlag: 0 };
  const z = compressBody(body);
  if (z.length >= body.length) return { body, sysFlag: 0 };
  return { body: z, sysFlag: MessageSysFlag.COMPRESSED_FLAG };
}

/**
 * Turns a pulled record into what listeners see: body decompressed, ids split, tags/keys lifted,
 * queue bounds recorded, and a retry message's original topic restored.
 */
export function toConsumedMessage(
  ext: MessageExt,
  brokerName: string,
  bounds?: { minOffset: number; maxOffset: number },
  retryTopicOfGroup?: string,
): ConsumedMessage {
  const props = ext.properties;
  let body = ext.body;
  let sysFlag = ext.sysFlag;
  if ((sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0) {
    const type = (sysFlag & MessageSysFlag.COMPRESSION_TYPE_MASK) >> 8;
    // Only zlib (legacy 0 or explicit 3) is supported; other codecs are handed over as stored.
    if (type === 0 || type === 3) {
      try {
        body = decompressBody(body);
        sysFlag &= ~(MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.COMPRESSION_TYPE_MASK);
      } catch {
        // Undecodable: deliver the stored bytes rather than losing the message.
      }
    }
  }
  if (bounds) {
    props[MessageConst.MIN_OFFSET] = String(bounds.minOffset);
    props[MessageConst.MAX_OFFSET] = String(bounds.maxOffset);
  }
  let topic = ext.topic;
  const retryTopic = props[MessageConst.RETRY_TOPIC];
  if (retryTopic && retryTopicOfGroup !== undefined && topic === retryTopicOfGroup) topic = retryTopic;
  return {
    ...ext,
    topic,
    body,
    sysFlag,
    msgId: props[MessageConst.UNIQ_KEY] ?? ext.msgId,
    offsetMsgId: ext.msgId,
    tags: props[MessageConst.TAGS],
    keys: props[MessageConst.KEYS],
    brokerName,
  };
}

/** `%RETRY%<group>`: where a group's failed messages come back. */
export function retryTopic(group: string): string {
  return `%RETRY%${group}`;
}

/** `%DLQ%<group>`: where a group's messages go after too many retries. */
export function dlqTopic(group: string): string {
  return `%DLQ%${group}`;
}
