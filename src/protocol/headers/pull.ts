/** PULL_MESSAGE (11) request and response headers (remoting-protocol.md §4.4). */
import type { ExtFields } from "../../remoting/command.ts";
import { optInt, optStr, reqInt, reqLong, reqStr, toExt } from "./fields.ts";

/** Upstream PullMessageRequestHeader. */
export interface PullMessageRequestHeader {
  consumerGroup: string;
  topic: string;
  queueId: number;
  queueOffset: number;
  maxMsgNums: number;
  sysFlag: number;
  commitOffset: number;
  suspendTimeoutMillis: number;
  subscription?: string | undefined;
  subVersion: number;
  expressionType?: string | undefined;
  maxMsgBytes?: number | undefined;
  bname?: string | undefined;
}

/** Decodes PULL_MESSAGE extFields; `subscription` keeps "" out (absent), `subVersion` defaults to 0. */
export function decodePullMessageRequestHeader(ext: ExtFields): PullMessageRequestHeader {
  return {
    consumerGroup: reqStr(ext, "consumerGroup"),
    topic: reqStr(ext, "topic"),
    queueId: reqInt(ext, "queueId"),
    queueOffset: reqLong(ext, "queueOffset"),
    maxMsgNums: reqInt(ext, "maxMsgNums"),
    sysFlag: reqInt(ext, "sysFlag"),
    commitOffset: reqLong(ext, "commitOffset"),
    suspendTimeoutMillis: reqLong(ext, "suspendTimeoutMillis"),
    subscription: ext["subscription"],
    // Upstream marks it required, but a missing one must not fail a pull that carries its own subscription.
    subVersion: optStr(ext, "subVersion") === undefined ? 0 : reqLong(ext, "subVersion"),
    expressionType: optStr(ext, "expressionType"),
    maxMsgBytes: optInt(ext, "maxMsgBytes"),
    bname: optStr(ext, "bname"),
  };
}

/** Encodes PULL_MESSAGE extFields. */
export function encodePullMessageRequestHeader(h: PullMessageRequestHeader): ExtFields {
  return toExt({
    consumerGroup: h.consumerGroup,
    topic: h.topic,
    queueId: h.queueId,
    queueOffset: h.queueOffset,
    maxMsgNums: h.maxMsgNums,
    sysFlag: h.sysFlag,
    commitOffset: h.commitOffset,
    suspendTimeoutMillis: h.suspendTimeoutMillis,
    subscription: h.subscription,
    subVersion: h.subVersion,
    expressionType: h.expressionType,
    maxMsgBytes: h.maxMsgBytes,
    bname: h.bname,
  });
}

/** Upstream PullMessageResponseHeader: all four fields on SUCCESS/19/20/21. */
export interface PullMessageResponseHeader {
  suggestWhichBrokerId: number;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
}

/** Encodes the pull response header. */
export function encodePullMessageResponseHeader(h: PullMessageResponseHeader): ExtFields {
  return {
    suggestWhichBrokerId: String(h.suggestWhichBrokerId),
    nextBeginOffset: String(h.nextBeginOffset),
    minOffset: String(h.minOffset),
    maxOffset: String(h.maxOffset),
  };
}

/** Decodes the pull response header. */
export function decodePullMessageResponseHeader(ext: ExtFields): PullMessageResponseHeader {
  return {
    suggestWhichBrokerId: reqLong(ext, "suggestWhichBrokerId"),
    nextBeginOffset: reqLong(ext, "nextBeginOffset"),
    minOffset: reqLong(ext, "minOffset"),
    maxOffset: reqLong(ext, "maxOffset"),
  };
}
