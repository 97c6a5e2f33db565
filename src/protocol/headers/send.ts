/**
 * Send headers (remoting-protocol.md §4.3): SEND_MESSAGE (10) long names, SEND_MESSAGE_V2 (310) and
 * SEND_BATCH_MESSAGE (320) one-letter names, and the send response. V2 decodes into the v1 model so the
 * broker processes both identically.
 */
import type { ExtFields } from "../../remoting/command.ts";
import { quote } from "../../remoting/json_header.ts";
import { optBool, optInt, optStr, reqInt, reqLong, reqStr, toExt } from "./fields.ts";

/** The v1 send request model (upstream SendMessageRequestHeader). */
export interface SendMessageRequestHeader {
  producerGroup: string;
  topic: string;
  defaultTopic: string;
  defaultTopicQueueNums: number;
  queueId: number;
  sysFlag: number;
  bornTimestamp: number;
  flag: number;
  properties?: string | undefined;
  reconsumeTimes?: number | undefined;
  unitMode?: boolean | undefined;
  batch?: boolean | undefined;
  maxReconsumeTimes?: number | undefined;
  bname?: string | undefined;
}

/** Decodes SEND_MESSAGE (10) extFields. */
export function decodeSendMessageRequestHeader(ext: ExtFields): SendMessageRequestHeader {
  return {
    producerGroup: reqStr(ext, "producerGroup"),
    topic: reqStr(ext, "topic"),
    defaultTopic: reqStr(ext, "defaultTopic"),
    defaultTopicQueueNums: reqInt(ext, "defaultTopicQueueNums"),
    queueId: reqInt(ext, "queueId"),
    sysFlag: reqInt(ext, "sysFlag"),
    bornTimestamp: reqLong(ext, "bornTimestamp"),
    flag: reqInt(ext, "flag"),
    properties: optStr(ext, "properties"),
    reconsumeTimes: optInt(ext, "reconsumeTimes"),
    unitMode: optBool(ext, "unitMode"),
    batch: optBool(ext, "batch"),
    maxReconsumeTimes: optInt(ext, "maxReconsumeTimes"),
    bname: optStr(ext, "bname"),
  };
}

/** Decodes SEND_MESSAGE_V2 (310) / SEND_BATCH_MESSAGE (320) one-letter extFields into the v1 model. */
export function decodeSendMessageRequestHeaderV2(ext: ExtFields): SendMessageRequestHeader {
  return {
    producerGroup: reqStr(ext, "a"),
    topic: reqStr(ext, "b"),
    defaultTopic: reqStr(ext, "c"),
    defaultTopicQueueNums: reqInt(ext, "d"),
    queueId: reqInt(ext, "e"),
    sysFlag: reqInt(ext, "f"),
    bornTimestamp: reqLong(ext, "g"),
    flag: reqInt(ext, "h"),
    properties: optStr(ext, "i"),
    reconsumeTimes: optInt(ext, "j"),
    unitMode: optBool(ext, "k") ?? false,
    maxReconsumeTimes: optInt(ext, "l"),
    batch: optBool(ext, "m") ?? false,
    bname: optStr(ext, "n"),
  };
}

/** Encodes the v1 (long-name) form, as SEND_MESSAGE (10) carries it. */
export function encodeSendMessageRequestHeader(h: SendMessageRequestHeader): ExtFields {
  return toExt({
    producerGroup: h.producerGroup,
    topic: h.topic,
    defaultTopic: h.defaultTopic,
    defaultTopicQueueNums: h.defaultTopicQueueNums,
    queueId: h.queueId,
    sysFlag: h.sysFlag,
    bornTimestamp: h.bornTimestamp,
    flag: h.flag,
    properties: h.properties,
    reconsumeTimes: h.reconsumeTimes,
    unitMode: h.unitMode,
    batch: h.batch,
    maxReconsumeTimes: h.maxReconsumeTimes,
    bname: h.bname,
  });
}

/** Encodes the one-letter form, as SEND_MESSAGE_V2 (310) / SEND_BATCH_MESSAGE (320) carry it. */
export function encodeSendMessageRequestHeaderV2(h: SendMessageRequestHeader): ExtFields {
  return toExt({
    a: h.producerGroup,
    b: h.topic,
    c: h.defaultTopic,
    d: h.defaultTopicQueueNums,
    e: h.queueId,
    f: h.sysFlag,
    g: h.bornTimestamp,
    h: h.flag,
    i: h.properties,
    j: h.reconsumeTimes ?? 0,
    k: h.unitMode ?? false,
    l: h.maxReconsumeTimes,
    m: h.batch ?? false,
    n: h.bname,
  });
}

/** SEND response header (§4.3.5) plus the MSG_REGION / TRACE_ON extFields every send response carries. */
export interface SendMessageResponseHeader {
  msgId: string;
  queueId: number;
  queueOffset: number;
  transactionId?: string | undefined;
  MSG_REGION?: string | undefined;
  TRACE_ON?: string | undefined;
}

/** Encodes a send response header (built field by field: it is written once per stored message). */
export function encodeSendMessageResponseHeader(h: SendMessageResponseHeader): ExtFields {
  const out: ExtFields = {
    msgId: h.msgId,
    queueId: String(h.queueId),
    queueOffset: String(h.queueOffset),
  };
  if (h.transactionId !== undefined) out["transactionId"] = h.transactionId;
  if (h.MSG_REGION !== undefined) out["MSG_REGION"] = h.MSG_REGION;
  if (h.TRACE_ON !== undefined) out["TRACE_ON"] = h.TRACE_ON;
  return out;
}

/**
 * `JSON.stringify(encodeSendMessageResponseHeader(h))`, built directly: it runs once per stored message,
 * and serializing the object was a tenth of the broker's CPU at high send rates.
 */
export function sendMessageResponseHeaderJson(h: SendMessageResponseHeader): string {
  let s = `{"msgId":${quote(h.msgId)},"queueId":"${h.queueId}","queueOffset":"${h.queueOffset}"`;
  if (h.transactionId !== undefined) s += `,"transactionId":${quote(h.transactionId)}`;
  if (h.MSG_REGION !== undefined) s += `,"MSG_REGION":${quote(h.MSG_REGION)}`;
  if (h.TRACE_ON !== undefined) s += `,"TRACE_ON":${quote(h.TRACE_ON)}`;
  return s + "}";
}

/** Decodes a send response header (for SUCCESS and the three stored-but-degraded codes). */
export function decodeSendMessageResponseHeader(ext: ExtFields): SendMessageResponseHeader {
  return {
    msgId: reqStr(ext, "msgId"),
    queueId: reqInt(ext, "queueId"),
    queueOffset: reqLong(ext, "queueOffset"),
    transactionId: optStr(ext, "transactionId"),
    MSG_REGION: optStr(ext, "MSG_REGION"),
    TRACE_ON: optStr(ext, "TRACE_ON"),
  };
}

/** CONSUMER_SEND_MSG_BACK (36) request header (§4.8). */
export interface ConsumerSendMsgBackRequestHeader {
  offset: number;
  group: string;
  delayLevel: number;
  originMsgId?: string | undefined;
  originTopic?: string | undefined;
  unitMode?: boolean | undefined;
  maxReconsumeTimes?: number | undefined;
  bname?: string | undefined;
}

/** Decodes CONSUMER_SEND_MSG_BACK (36) extFields. */
export function decodeConsumerSendMsgBackRequestHeader(ext: ExtFields): ConsumerSendMsgBackRequestHeader {
  return {
    offset: reqLong(ext, "offset"),
    group: reqStr(ext, "group"),
    delayLevel: reqInt(ext, "delayLevel"),
    originMsgId: optStr(ext, "originMsgId"),
    originTopic: optStr(ext, "originTopic"),
    unitMode: optBool(ext, "unitMode"),
    maxReconsumeTimes: optInt(ext, "maxReconsumeTimes"),
    bname: optStr(ext, "bname"),
  };
}

/** Encodes CONSUMER_SEND_MSG_BACK (36) extFields. */
export function encodeConsumerSendMsgBackRequestHeader(h: ConsumerSendMsgBackRequestHeader): ExtFields {
  return toExt({
    offset: h.offset,
    group: h.group,
    delayLevel: h.delayLevel,
    originMsgId: h.originMsgId,
    originTopic: h.originTopic,
    unitMode: h.unitMode ?? false,
    maxReconsumeTimes: h.maxReconsumeTimes,
    bname: h.bname,
  });
}
