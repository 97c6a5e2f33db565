/** Message lookup headers (remoting-protocol.md §4.10): QUERY_MESSAGE (12), VIEW_MESSAGE_BY_ID (33). */
import type { ExtFields } from "../../remoting/command.ts";
import { optBool, optStr, reqInt, reqLong, reqStr, toExt } from "./fields.ts";

/** QUERY_MESSAGE (12) request; `uniqueKeyQuery` is the `_UNIQUE_KEY_QUERY` extField. */
export interface QueryMessageRequestHeader {
  topic: string;
  key: string;
  maxNum: number;
  beginTimestamp: number;
  endTimestamp: number;
  uniqueKeyQuery?: boolean | undefined;
}

/** Reads QueryMessageRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeQueryMessageRequestHeader(ext: ExtFields): QueryMessageRequestHeader {
  return {
    topic: reqStr(ext, "topic"),
    key: reqStr(ext, "key"),
    maxNum: reqInt(ext, "maxNum"),
    beginTimestamp: reqLong(ext, "beginTimestamp"),
    endTimestamp: reqLong(ext, "endTimestamp"),
    uniqueKeyQuery: optBool(ext, "_UNIQUE_KEY_QUERY"),
  };
}

/** Writes QueryMessageRequestHeader as extFields, omitting absent optionals. */
export function encodeQueryMessageRequestHeader(h: QueryMessageRequestHeader): ExtFields {
  return toExt({
    topic: h.topic,
    key: h.key,
    maxNum: h.maxNum,
    beginTimestamp: h.beginTimestamp,
    endTimestamp: h.endTimestamp,
    _UNIQUE_KEY_QUERY: h.uniqueKeyQuery ?? false,
  });
}

/** QUERY_MESSAGE (12) response header. */
export interface QueryMessageResponseHeader {
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

/** Writes QueryMessageResponseHeader as extFields, omitting absent optionals. */
export function encodeQueryMessageResponseHeader(h: QueryMessageResponseHeader): ExtFields {
  return toExt({ ...h });
}

/** Reads QueryMessageResponseHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeQueryMessageResponseHeader(ext: ExtFields): QueryMessageResponseHeader {
  return {
    indexLastUpdateTimestamp: reqLong(ext, "indexLastUpdateTimestamp"),
    indexLastUpdatePhyoffset: reqLong(ext, "indexLastUpdatePhyoffset"),
  };
}

/** VIEW_MESSAGE_BY_ID (33) request: the physical offset decoded from an offset msgId. */
export interface ViewMessageRequestHeader {
  offset: number;
  topic?: string | undefined;
}

/** Reads ViewMessageRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeViewMessageRequestHeader(ext: ExtFields): ViewMessageRequestHeader {
  return { offset: reqLong(ext, "offset"), topic: optStr(ext, "topic") };
}

/** Writes ViewMessageRequestHeader as extFields, omitting absent optionals. */
export function encodeViewMessageRequestHeader(h: ViewMessageRequestHeader): ExtFields {
  return toExt({ ...h });
}
