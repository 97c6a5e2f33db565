/** Transaction headers (remoting-protocol.md §4.9): END_TRANSACTION (37), CHECK_TRANSACTION_STATE (39). */
import type { ExtFields } from "../../remoting/command.ts";
import { optBool, optStr, reqInt, reqLong, reqStr, toExt } from "./fields.ts";

/** END_TRANSACTION (37), sent oneway by producers. */
export interface EndTransactionRequestHeader {
  producerGroup: string;
  tranStateTableOffset: number;
  commitLogOffset: number;
  commitOrRollback: number;
  fromTransactionCheck?: boolean | undefined;
  msgId: string;
  transactionId?: string | undefined;
  topic?: string | undefined;
  bname?: string | undefined;
}

/** Reads EndTransactionRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeEndTransactionRequestHeader(ext: ExtFields): EndTransactionRequestHeader {
  return {
    producerGroup: reqStr(ext, "producerGroup"),
    tranStateTableOffset: reqLong(ext, "tranStateTableOffset"),
    commitLogOffset: reqLong(ext, "commitLogOffset"),
    commitOrRollback: reqInt(ext, "commitOrRollback"),
    fromTransactionCheck: optBool(ext, "fromTransactionCheck"),
    msgId: reqStr(ext, "msgId"),
    transactionId: optStr(ext, "transactionId"),
    topic: optStr(ext, "topic"),
    bname: optStr(ext, "bname"),
  };
}

/** Writes EndTransactionRequestHeader as extFields, omitting absent optionals. */
export function encodeEndTransactionRequestHeader(h: EndTransactionRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** CHECK_TRANSACTION_STATE (39), broker → producer. */
export interface CheckTransactionStateRequestHeader {
  tranStateTableOffset: number;
  commitLogOffset: number;
  msgId?: string | undefined;
  transactionId?: string | undefined;
  offsetMsgId?: string | undefined;
  topic?: string | undefined;
  bname?: string | undefined;
}

/** Reads CheckTransactionStateRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeCheckTransactionStateRequestHeader(ext: ExtFields): CheckTransactionStateRequestHeader {
  return {
    tranStateTableOffset: reqLong(ext, "tranStateTableOffset"),
    commitLogOffset: reqLong(ext, "commitLogOffset"),
    msgId: optStr(ext, "msgId"),
    transactionId: optStr(ext, "transactionId"),
    offsetMsgId: optStr(ext, "offsetMsgId"),
    topic: optStr(ext, "topic"),
    bname: optStr(ext, "bname"),
  };
}

/** Writes CheckTransactionStateRequestHeader as extFields, omitting absent optionals. */
export function encodeCheckTransactionStateRequestHeader(h: CheckTransactionStateRequestHeader): ExtFields {
  return toExt({ ...h });
}
