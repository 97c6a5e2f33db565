/**
 * Client registration and coordination: HEART_BEAT (34), UNREGISTER_CLIENT (35), CHECK_CLIENT_CONFIG
 * (46), LOCK_BATCH_MQ (41), UNLOCK_BATCH_MQ (42) — remoting-protocol.md §4.6, §4.7, §9.8, §9.12.
 */
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import { decodeCheckClientRequestBody, decodeHeartbeatData } from "../../protocol/bodies/heartbeat.ts";
import { decodeLockBatchRequestBody, encodeLockBatchResponseBody } from "../../protocol/bodies/lock.ts";
import { decodeUnregisterClientRequestHeader } from "../../protocol/headers/client.ts";
import { PermName } from "../../message/message_const.ts";
import type { BrokerContext } from "../broker_context.ts";
import type { BrokerChannel, ClientChannelInfo } from "../client_channel.ts";
import { retryTopic } from "../topic_validator.ts";
import { resolveFilter } from "../filter/subscription_filter.ts";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("broker");

/** channel.attrs keys the broker records from heartbeats. */
export const ChannelAttr = {
  CLIENT_ID: "clientId",
  LANGUAGE: "language",
  VERSION: "version",
} as const;

const PERM_RW = PermName.PERM_READ | PermName.PERM_WRITE;

export class ClientManageProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  /** The RequestProcessor for codes 34, 35, 41, 42, 46. */
  process(req: RemotingCommand, channel: BrokerChannel): RemotingCommand {
    switch (req.code) {
      case RequestCode.HEART_BEAT:
        return this.heartBeat(req, channel);
      case RequestCode.UNREGISTER_CLIENT:
        return this.unregisterClient(req, channel);
      case RequestCode.CHECK_CLIENT_CONFIG:
        return this.checkClientConfig(req);
      case RequestCode.LOCK_BATCH_MQ: {
        const body = decodeLockBatchRequestBody(req.body);
        const locked = this.ctx.lockManager.tryLockBatch(body.consumerGroup, body.mqSet, body.clientId);
        return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeLockBatchResponseBody(locked));
      }
      case RequestCode.UNLOCK_BATCH_MQ: {
        const body = decodeLockBatchRequestBody(req.body);
        this.ctx.lockManager.unlockBatch(body.consumerGroup, body.mqSet, body.clientId);
        return createResponse(req, ResponseCode.SUCCESS);
      }
      default:
        return createResponse(
          req,
          ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
          ` request type ${req.code} not supported`,
        );
    }
  }

  private heartBeat(req: RemotingCommand, channel: BrokerChannel): RemotingCommand {
    const { ctx } = this;
    const hb = decodeHeartbeatData(req.body);
    channel.attrs.set(ChannelAttr.CLIENT_ID, hb.clientID);
    channel.attrs.set(ChannelAttr.LANGUAGE, req.language);
    channel.attrs.set(ChannelAttr.VERSION, req.version);
    const info: ClientChannelInfo = {
      channel,
      clientId: hb.clientID,
      language: req.language,
      version: req.version,
      lastUpdateTimestamp: ctx.now(),
    };
    for (const c of hb.consumerDataSet) {
      if (c.groupName === "") continue;
      const gc = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(c.groupName);
      if (gc && gc.retryQueueNums > 0) {
        ctx.topicConfigManager.createTopicInSendMessageBackMethod(
          retryTopic(c.groupName),
          gc.retryQueueNums,
          PERM_RW,
        );
      }
      ctx.consumerManager.registerConsumer(
        c.groupName,
        info,
        c.consumeType,
        c.messageModel,
        c.consumeFromWhere,
        c.subscriptionDataSet,
      );
      for (const { topic } of c.subscriptionDataSet) {
        // The table keeps one object per subscription version, so each selector is compiled once.
        const sub = ctx.consumerManager.findSubscriptionData(c.groupName, topic);
        const refused = sub ? ctx.consumerFilters.register(sub) : null;
        if (refused) {
          log.warn(`Consumer group "${c.groupName}" subscribed with no usable filter: ${refused.remark}`);
        }
      }
    }
    for (const p of hb.producerDataSet) {
      if (p.groupName !== "") ctx.producerManager.registerProducer(p.groupName, info);
    }
    // createResponse stamps our version (409 ≥ 232), which Java clients cache as the broker version.
    return createResponse(req, ResponseCode.SUCCESS);
  }

  private unregisterClient(req: RemotingCommand, channel: BrokerChannel): RemotingCommand {
    const h = decodeUnregisterClientRequestHeader(req.extFields);
    if (h.producerGroup) this.ctx.producerManager.unregisterProducer(h.producerGroup, channel);
    if (h.consumerGroup) this.ctx.consumerManager.unregisterConsumer(h.consumerGroup, channel);
    return createResponse(req, ResponseCode.SUCCESS);
  }

  /** Whether the broker can filter by the client's subscription (§4.6.3); a bad selector is named. */
  private checkClientConfig(req: RemotingCommand): RemotingCommand {
    const sub = decodeCheckClientRequestBody(req.body).subscriptionData;
    if (!sub) return createResponse(req, ResponseCode.SUCCESS);
    const r = resolveFilter(sub.expressionType, sub.subString, this.ctx.brokerConfig.enablePropertyFilter);
    return "filter" in r ? createResponse(req, ResponseCode.SUCCESS) : createResponse(req, r.code, r.remark);
  }
}
