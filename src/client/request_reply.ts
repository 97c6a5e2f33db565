/**
 * Request-reply (store-and-semantics.md §10.11, remoting-protocol.md §4.3.4, §4.12.7): the requester's
 * table of replies it waits for, the properties a request carries, the reply a responder builds, and
 * the decoding of the broker's PUSH_REPLY_MESSAGE_TO_CLIENT (326).
 */

import { decompressBody } from "../message/compression.ts";
import { type HostAddress, parseHostAddress } from "../message/host.ts";
import type { MessageExt } from "../message/message.ts";
import { MessageConst, MessageSysFlag } from "../message/message_const.ts";
import { decodeProperties } from "../message/properties.ts";
import type { RemotingCommand } from "../remoting/command.ts";
import { MQClientError, RequestTimeoutError } from "./errors.ts";
import { type ConsumedMessage, type Message, toConsumedMessage } from "./message.ts";

/** Suffix of the per-cluster topic replies are sent to (`<cluster>_REPLY_TOPIC`). */
export const REPLY_TOPIC_POSTFIX = "REPLY_TOPIC";

/** The reply topic of a cluster. */
export function replyTopic(cluster: string): string {
  return `${cluster}_${REPLY_TOPIC_POSTFIX}`;
}

/** A fresh correlation id (random UUID, as upstream's CorrelationIdUtil). */
export function createCorrelationId(): string {
  return crypto.randomUUID();
}

/**
 * The request message as sent: `msg` plus CORRELATION_ID, REPLY_TO_CLIENT (the requester's client id)
 * and TTL (the timeout in ms). The broker adds CLUSTER when it stores the request.
 *
 * @example
 * ```ts
 * const msg = { topic: "T", body: new TextEncoder().encode("q") };
 * const req = withRequestProperties(msg, "corr-1", "10.0.0.1@42", 3000);
 * req.properties!["REPLY_TO_CLIENT"]; // "10.0.0.1@42"
 * ```
 */
export function withRequestProperties(
  msg: Message,
  correlationId: string,
  clientId: string,
  timeoutMs: number,
): Message {
  return {
    ...msg,
    properties: {
      ...(msg.properties ?? {}),
      [MessageConst.CORRELATION_ID]: correlationId,
      [MessageConst.REPLY_TO_CLIENT]: clientId,
      [MessageConst.TTL]: String(timeoutMs),
    },
  };
}

/**
 * Builds the reply to a consumed request message (upstream MessageUtil.createReplyMessage): topic
 * `<CLUSTER>_REPLY_TOPIC`, MSG_TYPE=reply, with CORRELATION_ID, REPLY_TO_CLIENT and TTL copied. Send it
 * with `producer.send(reply)`; the producer uses SEND_REPLY_MESSAGE_V2 for it.
 *
 * @throws {MQClientError} when the request has no CLUSTER property (it was not a stored request).
 */
export function createReplyMessage(request: Pick<MessageExt, "properties">, body: Uint8Array): Message {
  const p = request.properties;
  const cluster = p[MessageConst.CLUSTER];
  if (!cluster) {
    throw new MQClientError('Cannot create a reply: the request message has no "CLUSTER" property');
  }
  const properties: Record<string, string> = { [MessageConst.MSG_TYPE]: MessageConst.REPLY_MESSAGE_FLAG };
  for (const k of [MessageConst.CORRELATION_ID, MessageConst.REPLY_TO_CLIENT, MessageConst.TTL]) {
    const v = p[k];
    if (v !== undefined) properties[k] = v;
  }
  return { topic: replyTopic(cluster), body, properties };
}

/** True for a message built by createReplyMessage (sent with SEND_REPLY_MESSAGE_V2). */
export function isReplyMessage(msg: Message): boolean {
  return msg.properties?.[MessageConst.MSG_TYPE] === MessageConst.REPLY_MESSAGE_FLAG;
}

function hostOrZero(text: string | undefined): HostAddress {
  try {
    if (text) return parseHostAddress(text);
  } catch {
    // A malformed host must not lose the reply; it is informational only.
  }
  return { ip: new Uint8Array(4), port: 0 };
}

/**
 * Turns a PUSH_REPLY_MESSAGE_TO_CLIENT request (header fields + body) into the reply message the
 * requester receives; the body is inflated when the sysFlag says it is compressed.
 */
export function decodePushedReply(req: RemotingCommand): ConsumedMessage {
  const ext = req.extFields;
  const num = (k: string) => {
    const n = Number(ext[k] ?? 0);
    return Number.isFinite(n) ? n : 0;
  };
  const sysFlag = num("sysFlag");
  const storeHost = hostOrZero(ext["storeHost"]);
  const record: MessageExt = {
    storeSize: 0,
    bodyCRC: 0,
    queueId: num("queueId"),
    flag: num("flag"),
    queueOffset: 0,
    commitLogOffset: 0,
    sysFlag,
    bornTimestamp: num("bornTimestamp"),
    bornHost: hostOrZero(ext["bornHost"]),
    storeTimestamp: num("storeTimestamp"),
    storeHost,
    reconsumeTimes: num("reconsumeTimes"),
    preparedTransactionOffset: 0,
    body: req.body ?? new Uint8Array(0),
    topic: ext["topic"] ?? "",
    properties: decodeProperties(ext["properties"] ?? ""),
    msgId: "",
  };
  if ((sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0 && record.body.length > 0) {
    try {
      record.body = decompressBody(record.body);
      record.sysFlag &= ~MessageSysFlag.COMPRESSED_FLAG;
    } catch {
      // Deliver the bytes as pushed rather than dropping the reply.
    }
  }
  return toConsumedMessage(record, "");
}

interface PendingRequest {
  resolve(msg: ConsumedMessage): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The replies a client instance is waiting for, by correlation id (upstream RequestFutureTable). Each
 * entry times out on its own; a reply that arrives late finds no entry and is dropped.
 */
export class RequestResponseTable {
  readonly #pending = new Map<string, PendingRequest>();

  /** Number of requests still waiting. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers `correlationId` and returns the promise of its reply; it rejects with
   * RequestTimeoutError after `timeoutMs` (measured from now). The error names `requestTimeoutMs`, the
   * caller's whole timeout, of which `timeoutMs` is what is left.
   */
  wait(
    correlationId: string,
    timeoutMs: number,
    topic: string,
    requestTimeoutMs = timeoutMs,
  ): Promise<ConsumedMessage> {
    return new Promise<ConsumedMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(correlationId);
        reject(
          new RequestTimeoutError(
            `Request to topic "${topic}" was sent but no reply arrived within ${requestTimeoutMs} ms`,
          ),
        );
      }, Math.max(0, timeoutMs));
      this.#pending.set(correlationId, { resolve, reject, timer });
    });
  }

  /** Completes the request the reply belongs to; false when nobody waits for it (late or foreign). */
  complete(reply: ConsumedMessage): boolean {
    const id = reply.properties[MessageConst.CORRELATION_ID];
    const entry = id === undefined ? undefined : this.#pending.get(id);
    if (!entry || id === undefined) return false;
    this.#pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(reply);
    return true;
  }

  /** Fails one waiting request (e.g. its send failed). */
  fail(correlationId: string, e: Error): void {
    const entry = this.#pending.get(correlationId);
    if (!entry) return;
    this.#pending.delete(correlationId);
    clearTimeout(entry.timer);
    entry.reject(e);
  }

  /** Fails every waiting request (client shutdown). */
  failAll(e: Error): void {
    for (const id of [...this.#pending.keys()]) this.fail(id, e);
  }
}
