/**
 * Admin statistics, connection listings, offset resets and client relays (remoting-protocol.md §4.11,
 * §9.11): codes 202, 203, 204, 208, 222, 300, 307, 309, 315.
 */
import { createRequest, createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import { RemotingTimeoutError } from "../../remoting/errors.ts";
import {
  decodeGetConsumeStatsRequestHeader,
  decodeProducerGroupRequestHeader,
  decodeTopicRequestHeader,
  decodeViewBrokerStatsDataRequestHeader,
} from "../../protocol/headers/admin.ts";
import {
  decodeConsumerGroupRequestHeader,
  decodeResetOffsetRequestHeader,
  encodeResetOffsetRequestHeader,
} from "../../protocol/headers/client.ts";
import { reqStr } from "../../protocol/headers/fields.ts";
import { encodeConsumerConnection, encodeProducerConnection } from "../../protocol/bodies/connection.ts";
import { type MessageQueue, messageQueue } from "../../protocol/bodies/message_queue.ts";
import {
  encodeBrokerStatsData,
  encodeConsumeStats,
  encodeResetOffsetBody,
  encodeResetOffsetBodyForC,
  encodeTopicStatsTable,
  type OffsetWrapper,
  type TopicOffset,
} from "../../protocol/bodies/stats.ts";
import { decodeOffsetMsgId } from "../../message/msg_id.ts";
import type { BrokerContext } from "../broker_context.ts";
import type { ClientChannelInfo } from "../client_channel.ts";

const enc = new TextEncoder();
/** Upstream's relay timeout for GET_CONSUMER_RUNNING_INFO / CONSUME_MESSAGE_DIRECTLY. */
const RELAY_TIMEOUT_MS = 10_000;

export class AdminStatsProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  private get brokerName(): string {
    return this.ctx.brokerConfig.brokerName;
  }

  /** The RequestProcessor for the codes listed in the module comment. */
  async process(req: RemotingCommand): Promise<RemotingCommand> {
    const { ctx } = this;
    switch (req.code) {
      case RequestCode.GET_TOPIC_STATS_INFO:
        return await this.topicStats(req);
      case RequestCode.GET_CONSUME_STATS:
        return await this.consumeStats(req);
      case RequestCode.GET_CONSUMER_CONNECTION_LIST: {
        const { consumerGroup } = decodeConsumerGroupRequestHeader(req.extFields);
        const g = ctx.consumerManager.getConsumerGroupInfo(consumerGroup);
        if (!g || g.channels.size === 0) {
          return createResponse(
            req,
            ResponseCode.CONSUMER_NOT_ONLINE,
            `the consumer group[${consumerGroup}] not online`,
          );
        }
        const body = encodeConsumerConnection({
          connectionSet: [...g.channels.values()].map(connectionOf),
          consumeFromWhere: g.consumeFromWhere,
          consumeType: g.consumeType,
          messageModel: g.messageModel,
          subscriptionTable: Object.fromEntries(g.subscriptionTable),
        });
        return createResponse(req, ResponseCode.SUCCESS, undefined, {}, body);
      }
      case RequestCode.GET_PRODUCER_CONNECTION_LIST: {
        const { producerGroup } = decodeProducerGroupRequestHeader(req.extFields);
        const list = ctx.producerManager.getGroup(producerGroup);
        if (list.length === 0) {
          return createResponse(
            req,
            ResponseCode.SYSTEM_ERROR,
            `the producer group[${producerGroup}] not exist`,
          );
        }
        return createResponse(
          req,
          ResponseCode.SUCCESS,
          undefined,
          {},
          encodeProducerConnection({ connectionSet: list.map(connectionOf) }),
        );
      }
      case RequestCode.INVOKE_BROKER_TO_RESET_OFFSET:
        return await this.resetOffset(req);
      case RequestCode.QUERY_TOPIC_CONSUME_BY_WHO: {
        const { topic } = decodeTopicRequestHeader(req.extFields);
        const groups = new Set([
          ...ctx.consumerManager.queryTopicConsumeByWho(topic),
          ...ctx.consumerOffsetManager.whichGroupByTopic(topic),
        ]);
        return createResponse(
          req,
          ResponseCode.SUCCESS,
          undefined,
          {},
          enc.encode(JSON.stringify({ groupList: [...groups] })),
        );
      }
      case RequestCode.GET_CONSUMER_RUNNING_INFO:
        return await this.relay(
          req,
          reqStr(req.extFields, "consumerGroup"),
          reqStr(req.extFields, "clientId"),
          req.extFields,
        );
      case RequestCode.CONSUME_MESSAGE_DIRECTLY:
        return await this.consumeDirectly(req);
      case RequestCode.VIEW_BROKER_STATS_DATA: {
        const h = decodeViewBrokerStatsDataRequestHeader(req.extFields);
        const data = ctx.stats.statsData(h.statsName, h.statsKey);
        if (!data) {
          return createResponse(
            req,
            ResponseCode.SYSTEM_ERROR,
            `The stats <${h.statsName}> <${h.statsKey}> not exist`,
          );
        }
        return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeBrokerStatsData(data));
      }
      default:
        return createResponse(
          req,
          ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
          ` request type ${req.code} not supported`,
        );
    }
  }

  private async topicStats(req: RemotingCommand): Promise<RemotingCommand> {
    const { topic } = decodeTopicRequestHeader(req.extFields);
    const tc = this.ctx.topicConfigManager.selectTopicConfig(topic);
    if (!tc) return createResponse(req, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist`);
    const table: Array<[MessageQueue, TopicOffset]> = [];
    for (let q = 0; q < tc.writeQueueNums; q++) {
      const min = Math.max(0, this.ctx.store.getMinOffsetInQueue(topic, q));
      const max = Math.max(0, this.ctx.store.getMaxOffsetInQueue(topic, q));
      const last = max > 0
        ? Math.max(0, await this.ctx.store.getMessageStoreTimeStamp(topic, q, max - 1))
        : 0;
      table.push([messageQueue(topic, this.brokerName, q), {
        minOffset: min,
        maxOffset: max,
        lastUpdateTimestamp: last,
      }]);
    }
    return createResponse(
      req,
      ResponseCode.SUCCESS,
      undefined,
      {},
      encodeTopicStatsTable({ offsetTable: table }),
    );
  }

  private async consumeStats(req: RemotingCommand): Promise<RemotingCommand> {
    const { ctx } = this;
    const h = decodeGetConsumeStatsRequestHeader(req.extFields);
    const topics = h.topic ? [h.topic] : [...ctx.consumerOffsetManager.whichTopicByConsumer(h.consumerGroup)];
    const table: Array<[MessageQueue, OffsetWrapper]> = [];
    for (const topic of topics) {
      const tc = ctx.topicConfigManager.selectTopicConfig(topic);
      if (!tc) continue;
      for (let q = 0; q < tc.readQueueNums; q++) {
        const brokerOffset = Math.max(0, ctx.store.getMaxOffsetInQueue(topic, q));
        const consumerOffset = Math.max(0, ctx.consumerOffsetManager.queryOffset(h.consumerGroup, topic, q));
        const lastTimestamp = consumerOffset > 0
          ? Math.max(0, await ctx.store.getMessageStoreTimeStamp(topic, q, consumerOffset - 1))
          : 0;
        table.push([messageQueue(topic, this.brokerName, q), {
          brokerOffset,
          consumerOffset,
          lastTimestamp,
        }]);
      }
    }
    return createResponse(
      req,
      ResponseCode.SUCCESS,
      undefined,
      {},
      encodeConsumeStats({ consumeTps: 0, offsetTable: table }),
    );
  }

  /** §9.11: compute target offsets, store them, push RESET_CONSUMER_CLIENT_OFFSET to the group. */
  private async resetOffset(req: RemotingCommand): Promise<RemotingCommand> {
    const { ctx } = this;
    const h = decodeResetOffsetRequestHeader(req.extFields);
    const tc = ctx.topicConfigManager.selectTopicConfig(h.topic);
    if (!tc) {
      return createResponse(
        req,
        ResponseCode.SYSTEM_ERROR,
        `[reset-offset] topic does not exist, ${h.topic}`,
      );
    }
    const table: Array<[MessageQueue, number]> = [];
    for (let q = 0; q < tc.writeQueueNums; q++) {
      if (h.queueId !== undefined && h.queueId >= 0 && h.queueId !== q) continue;
      const current = ctx.consumerOffsetManager.queryOffset(h.group, h.topic, q);
      if (current < 0) {
        return createResponse(req, ResponseCode.SYSTEM_ERROR, `THe consumer group <${h.group}> not exist`);
      }
      let target: number;
      if (h.offset !== undefined && h.offset >= 0) target = h.offset;
      else if (h.timestamp === -1) target = ctx.store.getMaxOffsetInQueue(h.topic, q);
      else target = Math.max(0, await ctx.store.getOffsetInQueueByTime(h.topic, q, h.timestamp));
      const offset = h.isForce || target < current ? target : current;
      table.push([messageQueue(h.topic, this.brokerName, q), offset]);
    }
    const body = req.language === "CPP" ? encodeResetOffsetBodyForC(table) : encodeResetOffsetBody(table);
    const g = ctx.consumerManager.getConsumerGroupInfo(h.group);
    if (!g || g.channels.size === 0) {
      return createResponse(
        req,
        ResponseCode.CONSUMER_NOT_ONLINE,
        `Consumer not online, so can not reset offset, Group: ${h.group}`,
      );
    }
    for (const [mq, offset] of table) {
      ctx.consumerOffsetManager.commitOffset(h.group, mq.topic, mq.queueId, offset);
    }
    const push = encodeResetOffsetRequestHeader({
      topic: h.topic,
      group: h.group,
      timestamp: h.timestamp,
      isForce: false,
    });
    for (const info of g.channels.values()) {
      // Clients older than V3_0_7_SNAPSHOT (ordinal 28) cannot apply a pushed reset.
      if (info.version < 28) {
        return createResponse(
          req,
          ResponseCode.SYSTEM_ERROR,
          `the client does not support this feature. version=${info.version}`,
        );
      }
    }
    for (const info of g.channels.values()) {
      info.channel.invokeOneway(createRequest(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, { ...push }, body));
    }
    return createResponse(req, ResponseCode.SUCCESS, undefined, {}, body);
  }

  private async relay(
    req: RemotingCommand,
    group: string,
    clientId: string,
    ext: Record<string, string>,
    body?: Uint8Array,
  ): Promise<RemotingCommand> {
    const info = this.ctx.consumerManager.findChannel(group, clientId);
    if (!info || info.channel.closed) {
      return createResponse(
        req,
        ResponseCode.SYSTEM_ERROR,
        `The Consumer <${group}> <${clientId}> not online`,
      );
    }
    try {
      const res = await info.channel.invoke(createRequest(req.code, { ...ext }, body), RELAY_TIMEOUT_MS);
      return createResponse(req, res.code, res.remark, res.extFields, res.body);
    } catch (e) {
      if (e instanceof RemotingTimeoutError) {
        return createResponse(
          req,
          ResponseCode.CONSUME_MSG_TIMEOUT,
          `consumer <${group}> <${clientId}> Timeout`,
        );
      }
      return createResponse(
        req,
        ResponseCode.SYSTEM_ERROR,
        `invoke consumer <${group}> <${clientId}> Exception: ${(e as Error).message}`,
      );
    }
  }

  private async consumeDirectly(req: RemotingCommand): Promise<RemotingCommand> {
    const group = reqStr(req.extFields, "consumerGroup");
    const clientId = reqStr(req.extFields, "clientId");
    const msgId = reqStr(req.extFields, "msgId");
    let record: Uint8Array | null = null;
    try {
      record = await this.ctx.store.selectOneMessageByOffset(decodeOffsetMsgId(msgId).offset);
    } catch {
      record = null;
    }
    if (!record) {
      return createResponse(req, ResponseCode.SYSTEM_ERROR, `can not find message by the msgId, ${msgId}`);
    }
    return await this.relay(req, group, clientId, { ...req.extFields, brokerName: this.brokerName }, record);
  }
}

function connectionOf(
  info: ClientChannelInfo,
): { clientAddr: string; clientId: string; language: string; version: number } {
  return {
    clientAddr: info.channel.remoteAddr,
    clientId: info.clientId,
    language: info.language,
    version: info.version,
  };
}
