/**
 * Admin views across groups and offsets (remoting-protocol.md §4.11, §5.8): QUERY_CONSUME_TIME_SPAN
 * (303), GET_BROKER_CONSUME_STATS (317), CLONE_GROUP_OFFSET (314), GET_ALL_PRODUCER_INFO (328) and the
 * maintenance triggers 306/316/329, which rmq's store handles on its own schedule.
 */
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import { optBool, optStr, reqStr } from "../../protocol/headers/fields.ts";
import { messageQueue } from "../../protocol/bodies/message_queue.ts";
import { encodeConsumeStats, type OffsetWrapper } from "../../protocol/bodies/stats.ts";
import type { MessageQueue } from "../../protocol/bodies/message_queue.ts";
import type { BrokerContext } from "../broker_context.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

export class AdminOffsetProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  /** The RequestProcessor for the codes listed in the module comment. */
  async process(req: RemotingCommand): Promise<RemotingCommand> {
    const { ctx } = this;
    switch (req.code) {
      case RequestCode.QUERY_CONSUME_TIME_SPAN:
        return await this.consumeTimeSpan(req);
      case RequestCode.GET_BROKER_CONSUME_STATS:
        return await this.brokerConsumeStats(req);
      case RequestCode.CLONE_GROUP_OFFSET: {
        const src = reqStr(req.extFields, "srcGroup");
        const dest = reqStr(req.extFields, "destGroup");
        const only = optStr(req.extFields, "topic");
        const topics = only ? [only] : [...ctx.consumerOffsetManager.whichTopicByConsumer(src)];
        for (const t of topics) {
          for (const [q, o] of ctx.consumerOffsetManager.queryOffsetTable(src, t) ?? []) {
            ctx.consumerOffsetManager.commitOffset(dest, t, q, o);
          }
        }
        return createResponse(req, ResponseCode.SUCCESS);
      }
      case RequestCode.GET_ALL_PRODUCER_INFO: {
        const data: Record<string, unknown[]> = {};
        for (const [group, list] of ctx.producerManager.all()) {
          data[group] = list.map((i) => ({
            clientId: i.clientId,
            remoteIP: i.channel.remoteAddr,
            language: i.language,
            version: i.version,
            lastUpdateTimestamp: i.lastUpdateTimestamp,
          }));
        }
        return createResponse(req, ResponseCode.SUCCESS, undefined, {}, enc.encode(JSON.stringify({ data })));
      }
      case RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE:
      case RequestCode.CLEAN_UNUSED_TOPIC:
      case RequestCode.DELETE_EXPIRED_COMMITLOG:
        return createResponse(req, ResponseCode.SUCCESS);
      default:
        return createResponse(
          req,
          ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
          ` request type ${req.code} not supported`,
        );
    }
  }

  private storeTime(topic: string, q: number, offset: number): Promise<number> {
    return this.ctx.store.getMessageStoreTimeStamp(topic, q, offset).then((t) => Math.max(0, t));
  }

  private async consumeTimeSpan(req: RemotingCommand): Promise<RemotingCommand> {
    const { ctx } = this;
    const topic = reqStr(req.extFields, "topic");
    const group = reqStr(req.extFields, "group");
    const tc = ctx.topicConfigManager.selectTopicConfig(topic);
    if (!tc) return createResponse(req, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist`);
    const set = [];
    const now = ctx.now();
    for (let q = 0; q < tc.writeQueueNums; q++) {
      const min = Math.max(0, ctx.store.getMinOffsetInQueue(topic, q));
      const max = Math.max(0, ctx.store.getMaxOffsetInQueue(topic, q));
      const minTimeStamp = max > min ? await this.storeTime(topic, q, min) : 0;
      const maxTimeStamp = max > 0 ? await this.storeTime(topic, q, max - 1) : 0;
      const consumed = ctx.consumerOffsetManager.queryOffset(group, topic, q);
      const consumeTimeStamp = consumed > 0 ? await this.storeTime(topic, q, consumed - 1) : minTimeStamp;
      const delayTime = consumed >= 0 && consumed < max
        ? Math.max(0, now - await this.storeTime(topic, q, consumed))
        : 0;
      set.push({
        consumeTimeStamp,
        delayTime,
        maxTimeStamp,
        messageQueue: messageQueue(topic, ctx.brokerConfig.brokerName, q),
        minTimeStamp,
      });
    }
    return createResponse(
      req,
      ResponseCode.SUCCESS,
      undefined,
      {},
      enc.encode(JSON.stringify({ consumeTimeSpanSet: set })),
    );
  }

  /** ConsumeStatsList: per online group, one ConsumeStats per subscribed topic. */
  private async brokerConsumeStats(req: RemotingCommand): Promise<RemotingCommand> {
    const { ctx } = this;
    const isOrder = optBool(req.extFields, "isOrder") ?? false;
    let totalDiff = 0;
    const groupParts: string[] = [];
    for (const group of ctx.consumerManager.groupNames()) {
      const info = ctx.consumerManager.getConsumerGroupInfo(group);
      if (!info || (isOrder && info.consumeType !== "CONSUME_PASSIVELY")) continue;
      const statsParts: string[] = [];
      for (const topic of info.subscriptionTable.keys()) {
        const tc = ctx.topicConfigManager.selectTopicConfig(topic);
        if (!tc) continue;
        const table: Array<[MessageQueue, OffsetWrapper]> = [];
        for (let q = 0; q < tc.readQueueNums; q++) {
          const brokerOffset = Math.max(0, ctx.store.getMaxOffsetInQueue(topic, q));
          const consumerOffset = Math.max(0, ctx.consumerOffsetManager.queryOffset(group, topic, q));
          const lastTimestamp = consumerOffset > 0 ? await this.storeTime(topic, q, consumerOffset - 1) : 0;
          totalDiff += Math.max(0, brokerOffset - consumerOffset);
          table.push([messageQueue(topic, ctx.brokerConfig.brokerName, q), {
            brokerOffset,
            consumerOffset,
            lastTimestamp,
          }]);
        }
        statsParts.push(dec.decode(encodeConsumeStats({ consumeTps: 0, offsetTable: table })));
      }
      groupParts.push(`{${JSON.stringify(group)}:[${statsParts.join(",")}]}`);
    }
    const body = `{"brokerAddr":${JSON.stringify(ctx.brokerAddr)},"consumeStatsList":[${
      groupParts.join(",")
    }],"totalDiff":${totalDiff}}`;
    return createResponse(req, ResponseCode.SUCCESS, undefined, {}, enc.encode(body));
  }
}
