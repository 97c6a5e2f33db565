/**
 * CONSUMER_SEND_MSG_BACK (36): a consumer gives a message back for a later retry
 * (store-and-semantics.md §8.2). The copy goes to %RETRY%<group> through the delay mechanism, or to
 * %DLQ%<group> once it has been reconsumed too often.
 */
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import { decodeConsumerSendMsgBackRequestHeader } from "../../protocol/headers/send.ts";
import { MessageConst, PermName } from "../../message/message_const.ts";
import type { BrokerContext } from "../broker_context.ts";
import { applyDelayRewrite, innerFromStored } from "../message_factory.ts";
import { dlqTopic, retryTopic } from "../topic_validator.ts";
import { putStatusToResponse } from "./send_message_processor.ts";

const PERM_RW = PermName.PERM_READ | PermName.PERM_WRITE;

export class SendBackProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  /** The RequestProcessor for code 36. */
  async process(req: RemotingCommand): Promise<RemotingCommand> {
    const { ctx } = this;
    const h = decodeConsumerSendMsgBackRequestHeader(req.extFields);
    const gc = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.group);
    if (!gc) {
      return createResponse(
        req,
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `subscription group not exist, ${h.group}`,
      );
    }
    if (!PermName.isWriteable(ctx.brokerConfig.brokerPermission)) {
      return createResponse(
        req,
        ResponseCode.NO_PERMISSION,
        `the broker[${ctx.brokerConfig.brokerIP1}] sending message is forbidden`,
      );
    }
    if (gc.retryQueueNums <= 0) return createResponse(req, ResponseCode.SUCCESS);

    let topic = retryTopic(h.group);
    let queueId = Math.floor(Math.random() * gc.retryQueueNums);
    const retryTc = ctx.topicConfigManager.createTopicInSendMessageBackMethod(
      topic,
      gc.retryQueueNums,
      PERM_RW,
    );
    if (!PermName.isWriteable(retryTc.perm)) {
      return createResponse(
        req,
        ResponseCode.NO_PERMISSION,
        `the topic[${topic}] sending message is forbidden`,
      );
    }
    const ext = await ctx.store.lookMessageByOffset(h.offset);
    if (!ext) {
      return createResponse(req, ResponseCode.SYSTEM_ERROR, `look message by offset failed, ${h.offset}`);
    }

    const props = { ...ext.properties };
    if (props[MessageConst.RETRY_TOPIC] === undefined) props[MessageConst.RETRY_TOPIC] = ext.topic;
    const maxReconsume = req.version >= 121 && h.maxReconsumeTimes !== undefined
      ? h.maxReconsumeTimes
      : gc.retryMaxTimes;
    let delayLevel = h.delayLevel;
    if (ext.reconsumeTimes >= maxReconsume || delayLevel < 0) {
      topic = dlqTopic(h.group);
      queueId = 0;
      const dlq = ctx.topicConfigManager.createTopicInSendMessageBackMethod(topic, 1, PERM_RW);
      if (!PermName.isWriteable(dlq.perm)) {
        return createResponse(
          req,
          ResponseCode.NO_PERMISSION,
          `the topic[${topic}] sending message is forbidden`,
        );
      }
      delete props[MessageConst.DELAY];
    } else {
      if (delayLevel === 0) delayLevel = 3 + ext.reconsumeTimes;
      props[MessageConst.DELAY] = String(delayLevel);
    }
    props[MessageConst.ORIGIN_MESSAGE_ID] = props[MessageConst.ORIGIN_MESSAGE_ID] ?? h.originMsgId ??
      ext.msgId;
    props[MessageConst.WAIT] = "false";

    const msg = innerFromStored(ext, topic, queueId, props, ctx.storeHost);
    msg.reconsumeTimes = ext.reconsumeTimes + 1;
    applyDelayRewrite(msg, ctx.delayLevelTable, ctx.maxDelayLevel, ctx.now());
    const put = await ctx.store.putMessage(msg);
    const { code, remark } = putStatusToResponse(put);
    if (code === ResponseCode.SUCCESS) {
      ctx.stats.incSendBack(h.group, h.originTopic ?? ext.topic);
      return createResponse(req, ResponseCode.SUCCESS);
    }
    return createResponse(req, ResponseCode.SYSTEM_ERROR, remark ?? put.status);
  }
}
