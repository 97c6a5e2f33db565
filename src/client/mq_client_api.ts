/**
 * Typed request/response calls a client makes (upstream MQClientAPIImpl): one function per request
 * code, building extFields with the spec's exact key names and turning error codes into MQBrokerError.
 */

import { createRequest, type RemotingCommand } from "../remoting/command.ts";
import type { RemotingClient } from "../remoting/client.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { decodeTopicRouteData, type TopicRouteData } from "../protocol/route.ts";
import {
  type CheckClientRequestBody,
  encodeCheckClientRequestBody,
  encodeHeartbeatData,
  type HeartbeatData,
} from "../protocol/bodies/heartbeat.ts";
import {
  decodeLockBatchResponseBody,
  encodeLockBatchRequestBody,
  type LockBatchRequestBody,
} from "../protocol/bodies/lock.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import {
  type ConsumerSendMsgBackRequestHeader,
  decodeSendMessageResponseHeader,
  encodeConsumerSendMsgBackRequestHeader,
  encodeSendMessageRequestHeaderV2,
  type SendMessageRequestHeader,
} from "../protocol/headers/send.ts";
import {
  decodePullMessageResponseHeader,
  encodePullMessageRequestHeader,
  type PullMessageRequestHeader,
  type PullMessageResponseHeader,
} from "../protocol/headers/pull.ts";
import { encodeUnregisterClientRequestHeader } from "../protocol/headers/client.ts";
import {
  encodeEndTransactionRequestHeader,
  type EndTransactionRequestHeader,
} from "../protocol/headers/transaction.ts";
import { parseJson } from "../util/json.ts";
import { MQBrokerError } from "./errors.ts";
import type { SendStatus } from "./message.ts";

/** Send response fields as a client uses them. */
export interface SendResponse {
  sendStatus: SendStatus;
  offsetMsgId: string;
  queueId: number;
  queueOffset: number;
  transactionId?: string | undefined;
  regionId?: string | undefined;
  traceOn: boolean;
}

/** The four pull outcomes that carry a header; anything else is an MQBrokerError. */
export type PullStatus = "FOUND" | "NO_NEW_MSG" | "NO_MATCHED_MSG" | "OFFSET_ILLEGAL";

/** A pull response, body not yet decoded. */
export interface PullResponse extends PullMessageResponseHeader {
  status: PullStatus;
  body: Uint8Array | undefined;
}

function fail(res: RemotingCommand, addr: string): never {
  throw new MQBrokerError(res.code, res.remark, addr);
}

/** Maps a send response code to its status, or null when the message was not stored. */
export function sendStatusOf(code: number): SendStatus | null {
  switch (code) {
    case ResponseCode.SUCCESS:
      return "SEND_OK";
    case ResponseCode.FLUSH_DISK_TIMEOUT:
      return "FLUSH_DISK_TIMEOUT";
    case ResponseCode.FLUSH_SLAVE_TIMEOUT:
      return "FLUSH_SLAVE_TIMEOUT";
    case ResponseCode.SLAVE_NOT_AVAILABLE:
      return "SLAVE_NOT_AVAILABLE";
    default:
      return null;
  }
}

/** Maps a pull response code to its status, or null for an error code. */
export function pullStatusOf(code: number): PullStatus | null {
  switch (code) {
    case ResponseCode.SUCCESS:
      return "FOUND";
    case ResponseCode.PULL_NOT_FOUND:
      return "NO_NEW_MSG";
    case ResponseCode.PULL_RETRY_IMMEDIATELY:
      return "NO_MATCHED_MSG";
    case ResponseCode.PULL_OFFSET_MOVED:
      return "OFFSET_ILLEGAL";
    default:
      return null;
  }
}

/**
 * Builds a SEND_MESSAGE_V2 (310) request or, for batches, SEND_BATCH_MESSAGE (320); a request-reply
 * reply (`reply`) goes as SEND_REPLY_MESSAGE_V2 (325) with the same header.
 */
export function buildSendRequest(
  header: SendMessageRequestHeader,
  body: Uint8Array,
  reply = false,
): RemotingCommand {
  const code = reply
    ? RequestCode.SEND_REPLY_MESSAGE_V2
    : header.batch
    ? RequestCode.SEND_BATCH_MESSAGE
    : RequestCode.SEND_MESSAGE_V2;
  return createRequest(code, encodeSendMessageRequestHeaderV2(header), body);
}

/** Reads a send response; throws MQBrokerError if the message was not stored. */
export function processSendResponse(res: RemotingCommand, addr: string): SendResponse {
  const status = sendStatusOf(res.code);
  if (status === null) fail(res, addr);
  const h = decodeSendMessageResponseHeader(res.extFields);
  return {
    sendStatus: status,
    offsetMsgId: h.msgId,
    queueId: h.queueId,
    queueOffset: h.queueOffset,
    transactionId: h.transactionId,
    regionId: h.MSG_REGION,
    traceOn: h.TRACE_ON !== "false",
  };
}

/** The extFields of UPDATE_CONSUMER_OFFSET, shared by its oneway and acknowledged forms. */
function updateConsumerOffsetFields(
  h: { consumerGroup: string; topic: string; queueId: number; commitOffset: number },
): Record<string, string> {
  return {
    consumerGroup: h.consumerGroup,
    topic: h.topic,
    queueId: String(h.queueId),
    commitOffset: String(h.commitOffset),
  };
}

/** The remote calls of one client instance. */
export class MQClientAPI {
  constructor(private readonly remoting: RemotingClient) {}

  /** Sends `req` and returns the response; any code but SUCCESS becomes an MQBrokerError. */
  async #invokeOk(addr: string, req: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const res = await this.remoting.invokeSync(addr, req, timeoutMs);
    if (res.code !== ResponseCode.SUCCESS) fail(res, addr);
    return res;
  }

  /** GET_ROUTEINFO_BY_TOPIC (105); null when the name server knows no such topic. */
  async getTopicRouteInfo(
    namesrvAddr: string,
    topic: string,
    timeoutMs: number,
  ): Promise<TopicRouteData | null> {
    const res = await this.remoting.invokeSync(
      namesrvAddr,
      createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }),
      timeoutMs,
    );
    if (res.code === ResponseCode.TOPIC_NOT_EXIST) return null;
    if (res.code !== ResponseCode.SUCCESS) fail(res, namesrvAddr);
    return decodeTopicRouteData(res.body);
  }

  /** Sends one request built by buildSendRequest and reads the result. */
  async sendMessage(addr: string, req: RemotingCommand, timeoutMs: number): Promise<SendResponse> {
    return processSendResponse(await this.remoting.invokeSync(addr, req, timeoutMs), addr);
  }

  /** Sends without waiting for a result. */
  sendMessageOneway(addr: string, req: RemotingCommand): Promise<void> {
    return this.remoting.invokeOneway(addr, req);
  }

  /** PULL_MESSAGE (11). */
  async pullMessage(
    addr: string,
    header: PullMessageRequestHeader,
    timeoutMs: number,
  ): Promise<PullResponse> {
    const res = await this.remoting.invokeSync(
      addr,
      createRequest(RequestCode.PULL_MESSAGE, encodePullMessageRequestHeader(header)),
      timeoutMs,
    );
    const status = pullStatusOf(res.code);
    if (status === null) fail(res, addr);
    return { status, body: res.body, ...decodePullMessageResponseHeader(res.extFields) };
  }

  /** QUERY_CONSUMER_OFFSET (14): the stored offset, or -1 when the broker has none. */
  async queryConsumerOffset(
    addr: string,
    h: { consumerGroup: string; topic: string; queueId: number },
    timeoutMs: number,
  ): Promise<number> {
    const res = await this.remoting.invokeSync(
      addr,
      createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
        consumerGroup: h.consumerGroup,
        topic: h.topic,
        queueId: String(h.queueId),
      }),
      timeoutMs,
    );
    if (res.code === ResponseCode.QUERY_NOT_FOUND) return -1;
    if (res.code !== ResponseCode.SUCCESS) fail(res, addr);
    return Number(res.extFields["offset"] ?? -1);
  }

  /** UPDATE_CONSUMER_OFFSET (15), oneway as upstream's periodic persistence sends it. */
  updateConsumerOffsetOneway(
    addr: string,
    h: { consumerGroup: string; topic: string; queueId: number; commitOffset: number },
  ): Promise<void> {
    return this.remoting.invokeOneway(
      addr,
      createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, updateConsumerOffsetFields(h)),
    );
  }

  /** UPDATE_CONSUMER_OFFSET (15), waiting for the broker's answer. */
  async updateConsumerOffset(
    addr: string,
    h: { consumerGroup: string; topic: string; queueId: number; commitOffset: number },
    timeoutMs: number,
  ): Promise<void> {
    await this.#invokeOk(
      addr,
      createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, updateConsumerOffsetFields(h)),
      timeoutMs,
    );
  }

  /** GET_MAX_OFFSET (30) / GET_MIN_OFFSET (31). */
  async getQueueOffset(
    addr: string,
    which: "max" | "min",
    mq: MessageQueue,
    timeoutMs: number,
  ): Promise<number> {
    const code = which === "max" ? RequestCode.GET_MAX_OFFSET : RequestCode.GET_MIN_OFFSET;
    const res = await this.#invokeOk(
      addr,
      createRequest(code, { topic: mq.topic, queueId: String(mq.queueId) }),
      timeoutMs,
    );
    return Number(res.extFields["offset"] ?? 0);
  }

  /** SEARCH_OFFSET_BY_TIMESTAMP (29). */
  async searchOffset(addr: string, mq: MessageQueue, timestamp: number, timeoutMs: number): Promise<number> {
    const res = await this.#invokeOk(
      addr,
      createRequest(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, {
        topic: mq.topic,
        queueId: String(mq.queueId),
        timestamp: String(timestamp),
      }),
      timeoutMs,
    );
    return Number(res.extFields["offset"] ?? 0);
  }

  /** HEART_BEAT (34); resolves with the broker's version ordinal. */
  async sendHeartbeat(addr: string, data: HeartbeatData, timeoutMs: number): Promise<number> {
    const res = await this.#invokeOk(
      addr,
      createRequest(RequestCode.HEART_BEAT, {}, encodeHeartbeatData(data)),
      timeoutMs,
    );
    return res.version;
  }

  /** CHECK_CLIENT_CONFIG (46): throws MQBrokerError unless the broker accepts the subscription. */
  async checkClientConfig(addr: string, body: CheckClientRequestBody, timeoutMs: number): Promise<void> {
    await this.#invokeOk(
      addr,
      createRequest(RequestCode.CHECK_CLIENT_CONFIG, {}, encodeCheckClientRequestBody(body)),
      timeoutMs,
    );
  }

  /** UNREGISTER_CLIENT (35). */
  async unregisterClient(
    addr: string,
    clientID: string,
    groups: { producerGroup?: string; consumerGroup?: string },
    timeoutMs: number,
  ): Promise<void> {
    await this.#invokeOk(
      addr,
      createRequest(
        RequestCode.UNREGISTER_CLIENT,
        encodeUnregisterClientRequestHeader({ clientID, ...groups }),
      ),
      timeoutMs,
    );
  }

  /** GET_CONSUMER_LIST_BY_GROUP (38): client ids of the group's live members. */
  async getConsumerIdList(addr: string, consumerGroup: string, timeoutMs: number): Promise<string[]> {
    const res = await this.#invokeOk(
      addr,
      createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup }),
      timeoutMs,
    );
    if (!res.body) fail(res, addr);
    const o = parseJson(new TextDecoder().decode(res.body));
    const list = typeof o === "object" && o !== null && !Array.isArray(o) ? o["consumerIdList"] : undefined;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : [];
  }

  /** CONSUMER_SEND_MSG_BACK (36). */
  async consumerSendMessageBack(
    addr: string,
    h: ConsumerSendMsgBackRequestHeader,
    timeoutMs: number,
  ): Promise<void> {
    await this.#invokeOk(
      addr,
      createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, encodeConsumerSendMsgBackRequestHeader(h)),
      timeoutMs,
    );
  }

  /** LOCK_BATCH_MQ (41): the subset of queues now locked by us. */
  async lockBatchMQ(addr: string, body: LockBatchRequestBody, timeoutMs: number): Promise<MessageQueue[]> {
    const res = await this.#invokeOk(
      addr,
      createRequest(RequestCode.LOCK_BATCH_MQ, {}, encodeLockBatchRequestBody(body)),
      timeoutMs,
    );
    return decodeLockBatchResponseBody(res.body);
  }

  /** UNLOCK_BATCH_MQ (42), oneway. */
  unlockBatchMQOneway(addr: string, body: LockBatchRequestBody): Promise<void> {
    return this.remoting.invokeOneway(
      addr,
      createRequest(RequestCode.UNLOCK_BATCH_MQ, {}, encodeLockBatchRequestBody(body)),
    );
  }

  /** END_TRANSACTION (37), oneway. */
  endTransactionOneway(addr: string, h: EndTransactionRequestHeader, remark?: string): Promise<void> {
    const req = createRequest(RequestCode.END_TRANSACTION, encodeEndTransactionRequestHeader(h));
    if (remark !== undefined) req.remark = remark;
    return this.remoting.invokeOneway(addr, req);
  }
}
