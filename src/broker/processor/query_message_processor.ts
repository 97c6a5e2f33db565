/**
 * Message lookup: QUERY_MESSAGE (12) by key or unique key over a time range, VIEW_MESSAGE_BY_ID (33)
 * by physical offset (remoting-protocol.md §4.10).
 */
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import {
  decodeQueryMessageRequestHeader,
  decodeViewMessageRequestHeader,
  encodeQueryMessageResponseHeader,
} from "../../protocol/headers/query.ts";
import type { BrokerContext } from "../broker_context.ts";
import { concatRecords } from "./pull_message_processor.ts";

/** Upstream defaultQueryMaxNum, used for unique-key queries. */
const DEFAULT_QUERY_MAX_NUM = 32;

export class QueryMessageProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  /** The RequestProcessor for codes 12 and 33. */
  async process(req: RemotingCommand): Promise<RemotingCommand> {
    if (req.code === RequestCode.VIEW_MESSAGE_BY_ID) {
      const h = decodeViewMessageRequestHeader(req.extFields);
      const record = await this.ctx.store.selectOneMessageByOffset(h.offset);
      if (!record) {
        return createResponse(
          req,
          ResponseCode.SYSTEM_ERROR,
          `can not find message by the offset, ${h.offset}`,
        );
      }
      return createResponse(req, ResponseCode.SUCCESS, undefined, {}, record);
    }
    const h = decodeQueryMessageRequestHeader(req.extFields);
    const maxNum = h.uniqueKeyQuery ? DEFAULT_QUERY_MAX_NUM : h.maxNum;
    const r = await this.ctx.store.queryMessage(h.topic, h.key, maxNum, h.beginTimestamp, h.endTimestamp);
    const ext = encodeQueryMessageResponseHeader({
      indexLastUpdateTimestamp: r.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: r.indexLastUpdatePhyoffset,
    });
    if (r.records.length === 0) {
      return createResponse(
        req,
        ResponseCode.QUERY_NOT_FOUND,
        "can not find message, maybe time range not correct",
        ext,
      );
    }
    return createResponse(req, ResponseCode.SUCCESS, undefined, ext, concatRecords(r.records, 0));
  }
}
