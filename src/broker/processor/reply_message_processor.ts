/**
 * Request/reply (store-and-semantics.md §10.11): SEND_REPLY_MESSAGE (324) / _V2 (325). The reply is
 * pushed with PUSH_REPLY_MESSAGE_TO_CLIENT (326) to the producer connection whose client id is the
 * message's REPLY_TO_CLIENT, and stored in the reply topic when `storeReplyMessageEnable`.
 */
import { createRequest, createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import {
  decodeSendMessageRequestHeader,
  decodeSendMessageRequestHeaderV2,
  encodeSendMessageResponseHeader,
} from "../../protocol/headers/send.ts";
import { toExt } from "../../protocol/headers/fields.ts";
import { MessageConst } from "../../message/message_const.ts";
import { hostToString } from "../../message/host.ts";
import { decodeProperties, encodeProperties } from "../../message/properties.ts";
import type { MessageExtBrokerInner } from "../../message/message.ts";
import type { BrokerContext } from "../broker_context.ts";
import type { BrokerChannel } from "../client_channel.ts";
import { setProperties } from "../message_factory.ts";
import { hostOf } from "./send_message_processor.ts";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("broker");
const PUSH_TIMEOUT_MS = 3000;

export class ReplyMessageProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  /** The RequestProcessor for codes 324 and 325. */
  async process(req: RemotingCommand, channel: BrokerChannel): Promise<RemotingCommand> {
    const { ctx } = this;
    const h = req.code === RequestCode.SEND_REPLY_MESSAGE
      ? decodeSendMessageRequestHeader(req.extFields)
      : decodeSendMessageRequestHeaderV2(req.extFields);
    const ext = { MSG_REGION: ctx.brokerConfig.regionId, TRACE_ON: String(ctx.brokerConfig.traceOn) };
    const tc = ctx.topicConfigManager.selectTopicConfig(h.topic);
    if (!tc) {
      return createResponse(
        req,
        ResponseCode.TOPIC_NOT_EXIST,
        `topic[${h.topic}] not exist, apply first please!`,
        ext,
      );
    }
    const props = decodeProperties(h.properties ?? "");
    props[MessageConst.PUSH_REPLY_TIME] = String(ctx.now());
    const body = req.body ?? new Uint8Array(0);
    const queueId = h.queueId < 0 ? 0 : h.queueId;
    const storeTimestamp = ctx.now();

    const target = props[MessageConst.REPLY_TO_CLIENT];
    const producer = target === undefined ? undefined : ctx.producerManager.findChannelByClientId(target);
    let pushed = false;
    if (producer) {
      const push = createRequest(
        RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT,
        toExt({
          producerGroup: h.producerGroup,
          topic: h.topic,
          defaultTopic: h.defaultTopic,
          defaultTopicQueueNums: h.defaultTopicQueueNums,
          queueId,
          sysFlag: h.sysFlag,
          bornTimestamp: h.bornTimestamp,
          flag: h.flag,
          properties: encodeProperties(props),
          reconsumeTimes: h.reconsumeTimes ?? 0,
          unitMode: h.unitMode ?? false,
          bornHost: channel.remoteAddr,
          storeHost: hostToString(ctx.storeHost),
          storeTimestamp,
        }),
        body,
      );
      try {
        const res = await producer.channel.invoke(push, PUSH_TIMEOUT_MS);
        pushed = res.code === ResponseCode.SUCCESS;
      } catch (e) {
        log.warn(`Cannot push a reply to client "${target}": ${(e as Error).message}`);
      }
    } else {
      log.warn(`No producer connection for reply client "${target ?? ""}"`);
    }

    if (ctx.brokerConfig.storeReplyMessageEnable) {
      const msg: MessageExtBrokerInner = {
        topic: h.topic,
        queueId,
        flag: h.flag,
        body,
        properties: {},
        propertiesString: "",
        tagsCode: 0,
        sysFlag: h.sysFlag,
        bornTimestamp: h.bornTimestamp,
        bornHost: hostOf(channel.remoteAddr),
        storeHost: ctx.storeHost,
        reconsumeTimes: h.reconsumeTimes ?? 0,
        preparedTransactionOffset: 0,
      };
      setProperties(msg, { ...props, [MessageConst.CLUSTER]: ctx.brokerConfig.brokerClusterName });
      const put = await ctx.store.putMessage(msg);
      if (put.status !== "PUT_OK") log.warn(`Cannot store a reply message: ${put.status}`);
    }
    if (!pushed) {
      return createResponse(
        req,
        ResponseCode.SYSTEM_ERROR,
        `push reply message to ${target ?? ""} failed`,
        ext,
      );
    }
    return createResponse(
      req,
      ResponseCode.SUCCESS,
      undefined,
      encodeSendMessageResponseHeader({ msgId: "0", queueId, queueOffset: 0, ...ext }),
    );
  }
}
