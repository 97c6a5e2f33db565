/**
 * Consumer offsets and membership queries: QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15),
 * GET_CONSUMER_LIST_BY_GROUP (38), and the queue bounds GET_MAX/MIN_OFFSET (30/31),
 * SEARCH_OFFSET_BY_TIMESTAMP (29), GET_EARLIEST_MSG_STORETIME (32) — remoting-protocol.md §4.5, §9.7.
 */
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import {
  decodeQueryConsumerOffsetRequestHeader,
  decodeSearchOffsetRequestHeader,
  decodeTopicQueueRequestHeader,
  decodeUpdateConsumerOffsetRequestHeader,
  encodeOffsetResponseHeader,
  encodeTimestampResponseHeader,
} from "../../protocol/headers/offset.ts";
import { decodeConsumerGroupRequestHeader } from "../../protocol/headers/client.ts";
import type { BrokerContext } from "../broker_context.ts";

export class ConsumerManageProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  /** The RequestProcessor for codes 14, 15, 29, 30, 31, 32, 38. */
  async process(req: RemotingCommand): Promise<RemotingCommand> {
    switch (req.code) {
      case RequestCode.QUERY_CONSUMER_OFFSET:
        return this.queryConsumerOffset(req);
      case RequestCode.UPDATE_CONSUMER_OFFSET: {
        const h = decodeUpdateConsumerOffsetRequestHeader(req.extFields);
        this.ctx.consumerOffsetManager.commitOffset(h.consumerGroup, h.topic, h.queueId, h.commitOffset);
        return createResponse(req, ResponseCode.SUCCESS);
      }
      case RequestCode.GET_CONSUMER_LIST_BY_GROUP:
        return this.consumerList(req);
      case RequestCode.GET_MAX_OFFSET: {
        const h = decodeTopicQueueRequestHeader(req.extFields);
        const offset = Math.max(0, this.ctx.store.getMaxOffsetInQueue(h.topic, h.queueId));
        return createResponse(req, ResponseCode.SUCCESS, undefined, encodeOffsetResponseHeader(offset));
      }
      case RequestCode.GET_MIN_OFFSET: {
        const h = decodeTopicQueueRequestHeader(req.extFields);
        const offset = Math.max(0, this.ctx.store.getMinOffsetInQueue(h.topic, h.queueId));
        return createResponse(req, ResponseCode.SUCCESS, undefined, encodeOffsetResponseHeader(offset));
      }
      case RequestCode.SEARCH_OFFSET_BY_TIMESTAMP: {
        const h = decodeSearchOffsetRequestHeader(req.extFields);
        const offset = await this.ctx.store.getOffsetInQueueByTime(h.topic, h.queueId, h.timestamp);
        return createResponse(req, ResponseCode.SUCCESS, undefined, encodeOffsetResponseHeader(offset));
      }
      case RequestCode.GET_EARLIEST_MSG_STORETIME: {
        const h = decodeTopicQueueRequestHeader(req.extFields);
        const ts = await this.ctx.store.getEarliestMessageTime(h.topic, h.queueId);
        return createResponse(req, ResponseCode.SUCCESS, undefined, encodeTimestampResponseHeader(ts));
      }
      default:
        return createResponse(
          req,
          ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
          ` request type ${req.code} not supported`,
        );
    }
  }

  /**
   * §9.7: a committed offset wins; otherwise a queue that was never trimmed answers 0 (so a brand-new
   * group on a young queue reads from the start), unless the 5.x caller asked for QUERY_NOT_FOUND.
   */
  private queryConsumerOffset(req: RemotingCommand): RemotingCommand {
    const h = decodeQueryConsumerOffsetRequestHeader(req.extFields);
    const offset = this.ctx.consumerOffsetManager.queryOffset(h.consumerGroup, h.topic, h.queueId);
    if (offset >= 0) {
      return createResponse(req, ResponseCode.SUCCESS, undefined, encodeOffsetResponseHeader(offset));
    }
    const notFound = () =>
      createResponse(req, ResponseCode.QUERY_NOT_FOUND, "Not found, V3_0_6_SNAPSHOT maybe higher version");
    if (h.setZeroIfNotFound === false) return notFound();
    const min = this.ctx.store.getMinOffsetInQueue(h.topic, h.queueId);
    if (min <= 0) return createResponse(req, ResponseCode.SUCCESS, undefined, encodeOffsetResponseHeader(0));
    return notFound();
  }

  private consumerList(req: RemotingCommand): RemotingCommand {
    const h = decodeConsumerGroupRequestHeader(req.extFields);
    const info = this.ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
    const ids = info?.allClientIds() ?? [];
    if (ids.length === 0) {
      return createResponse(req, ResponseCode.SYSTEM_ERROR, `no consumer for this group, ${h.consumerGroup}`);
    }
    const body = new TextEncoder().encode(JSON.stringify({ consumerIdList: ids }));
    return createResponse(req, ResponseCode.SUCCESS, undefined, {}, body);
  }
}
