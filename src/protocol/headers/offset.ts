/** Offset request/response headers (remoting-protocol.md §4.5): codes 14, 15, 29, 30, 31, 32. */
import type { ExtFields } from "../../remoting/command.ts";
import { optBool, optStr, reqInt, reqLong, reqStr, toExt } from "./fields.ts";

/** QUERY_CONSUMER_OFFSET (14) request. */
export interface QueryConsumerOffsetRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
  setZeroIfNotFound?: boolean | undefined;
  bname?: string | undefined;
}

/** Reads QueryConsumerOffsetRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeQueryConsumerOffsetRequestHeader(ext: ExtFields): QueryConsumerOffsetRequestHeader {
  return {
    consumerGroup: reqStr(ext, "consumerGroup"),
    topic: reqStr(ext, "topic"),
    queueId: reqInt(ext, "queueId"),
    setZeroIfNotFound: optBool(ext, "setZeroIfNotFound"),
    bname: optStr(ext, "bname"),
  };
}

/** Writes QueryConsumerOffsetRequestHeader as extFields, omitting absent optionals. */
export function encodeQueryConsumerOffsetRequestHeader(h: QueryConsumerOffsetRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** UPDATE_CONSUMER_OFFSET (15) request. */
export interface UpdateConsumerOffsetRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
  commitOffset: number;
  bname?: string | undefined;
}

/** Reads UpdateConsumerOffsetRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeUpdateConsumerOffsetRequestHeader(ext: ExtFields): UpdateConsumerOffsetRequestHeader {
  return {
    consumerGroup: reqStr(ext, "consumerGroup"),
    topic: reqStr(ext, "topic"),
    queueId: reqInt(ext, "queueId"),
    commitOffset: reqLong(ext, "commitOffset"),
    bname: optStr(ext, "bname"),
  };
}

/** Writes UpdateConsumerOffsetRequestHeader as extFields, omitting absent optionals. */
export function encodeUpdateConsumerOffsetRequestHeader(h: UpdateConsumerOffsetRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** GET_MAX_OFFSET (30), GET_MIN_OFFSET (31), GET_EARLIEST_MSG_STORETIME (32): a queue address. */
export interface TopicQueueRequestHeader {
  topic: string;
  queueId: number;
  committed?: boolean | undefined;
  bname?: string | undefined;
}

/** Reads TopicQueueRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeTopicQueueRequestHeader(ext: ExtFields): TopicQueueRequestHeader {
  return {
    topic: reqStr(ext, "topic"),
    queueId: reqInt(ext, "queueId"),
    committed: optBool(ext, "committed"),
    bname: optStr(ext, "bname"),
  };
}

/** Writes TopicQueueRequestHeader as extFields, omitting absent optionals. */
export function encodeTopicQueueRequestHeader(h: TopicQueueRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** SEARCH_OFFSET_BY_TIMESTAMP (29) request. */
export interface SearchOffsetRequestHeader {
  topic: string;
  queueId: number;
  timestamp: number;
  boundaryType?: string | undefined;
  bname?: string | undefined;
}

/** Reads SearchOffsetRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeSearchOffsetRequestHeader(ext: ExtFields): SearchOffsetRequestHeader {
  return {
    topic: reqStr(ext, "topic"),
    queueId: reqInt(ext, "queueId"),
    timestamp: reqLong(ext, "timestamp"),
    boundaryType: optStr(ext, "boundaryType"),
    bname: optStr(ext, "bname"),
  };
}

/** Writes SearchOffsetRequestHeader as extFields, omitting absent optionals. */
export function encodeSearchOffsetRequestHeader(h: SearchOffsetRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** The `offset` response header of codes 14, 29, 30, 31. */
export function encodeOffsetResponseHeader(offset: number): ExtFields {
  return { offset: String(offset) };
}

/** Reads OffsetResponseHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeOffsetResponseHeader(ext: ExtFields): number {
  return reqLong(ext, "offset");
}

/** The `timestamp` response header of GET_EARLIEST_MSG_STORETIME (32). */
export function encodeTimestampResponseHeader(timestamp: number): ExtFields {
  return { timestamp: String(timestamp) };
}

/** Reads TimestampResponseHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeTimestampResponseHeader(ext: ExtFields): number {
  return reqLong(ext, "timestamp");
}
