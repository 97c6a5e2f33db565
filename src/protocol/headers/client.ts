/** Client registration and group coordination headers (remoting-protocol.md §4.6, §4.7, §4.12). */
import type { ExtFields } from "../../remoting/command.ts";
import { optBool, optInt, optLong, optStr, reqBool, reqLong, reqStr, toExt } from "./fields.ts";

/** UNREGISTER_CLIENT (35): note the capital "ID" in clientID. */
export interface UnregisterClientRequestHeader {
  clientID: string;
  producerGroup?: string | undefined;
  consumerGroup?: string | undefined;
}

/** Reads UnregisterClientRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeUnregisterClientRequestHeader(ext: ExtFields): UnregisterClientRequestHeader {
  return {
    clientID: reqStr(ext, "clientID"),
    producerGroup: optStr(ext, "producerGroup"),
    consumerGroup: optStr(ext, "consumerGroup"),
  };
}

/** Writes UnregisterClientRequestHeader as extFields, omitting absent optionals. */
export function encodeUnregisterClientRequestHeader(h: UnregisterClientRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** GET_CONSUMER_LIST_BY_GROUP (38), NOTIFY_CONSUMER_IDS_CHANGED (40), GET_CONSUMER_CONNECTION_LIST (203). */
export interface ConsumerGroupRequestHeader {
  consumerGroup: string;
}

/** Reads ConsumerGroupRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeConsumerGroupRequestHeader(ext: ExtFields): ConsumerGroupRequestHeader {
  return { consumerGroup: reqStr(ext, "consumerGroup") };
}

/** Writes ConsumerGroupRequestHeader as extFields, omitting absent optionals. */
export function encodeConsumerGroupRequestHeader(h: ConsumerGroupRequestHeader): ExtFields {
  return { consumerGroup: h.consumerGroup };
}

/** RESET_CONSUMER_CLIENT_OFFSET (220, broker → client) and INVOKE_BROKER_TO_RESET_OFFSET (222). */
export interface ResetOffsetRequestHeader {
  topic: string;
  group: string;
  timestamp: number;
  isForce: boolean;
  queueId?: number | undefined;
  offset?: number | undefined;
}

/** Reads ResetOffsetRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeResetOffsetRequestHeader(ext: ExtFields): ResetOffsetRequestHeader {
  return {
    topic: reqStr(ext, "topic"),
    group: reqStr(ext, "group"),
    timestamp: reqLong(ext, "timestamp"),
    isForce: reqBool(ext, "isForce"),
    queueId: optInt(ext, "queueId"),
    offset: optLong(ext, "offset"),
  };
}

/** Writes ResetOffsetRequestHeader as extFields, omitting absent optionals. */
export function encodeResetOffsetRequestHeader(h: ResetOffsetRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** GET_CONSUMER_RUNNING_INFO (307), admin → broker → client. */
export interface GetConsumerRunningInfoRequestHeader {
  consumerGroup: string;
  clientId: string;
  jstackEnable?: boolean | undefined;
}

/** Reads GetConsumerRunningInfoRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeGetConsumerRunningInfoRequestHeader(
  ext: ExtFields,
): GetConsumerRunningInfoRequestHeader {
  return {
    consumerGroup: reqStr(ext, "consumerGroup"),
    clientId: reqStr(ext, "clientId"),
    jstackEnable: optBool(ext, "jstackEnable"),
  };
}

/** Writes GetConsumerRunningInfoRequestHeader as extFields, omitting absent optionals. */
export function encodeGetConsumerRunningInfoRequestHeader(h: GetConsumerRunningInfoRequestHeader): ExtFields {
  return toExt({ ...h });
}
