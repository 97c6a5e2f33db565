/**
 * PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361): preconditions and subscription resolution of
 * remoting-protocol.md §9.6, a store read filtered by TAG or SQL92 (§7.6), the status → code mapping of
 * store-and-semantics.md §10.3, the commit-offset piggyback, and long polling through
 * PullRequestHoldService.
 */
import { createResponse, isOneway, type RemotingCommand } from "../../remoting/command.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import {
  decodePullMessageRequestHeader,
  encodePullMessageResponseHeader,
} from "../../protocol/headers/pull.ts";
import { PermName, PullSysFlag } from "../../message/message_const.ts";
import type { BrokerContext, GetMessageResult, MessageFilter } from "../broker_context.ts";
import { MATCH_ALL, resolveFilter } from "../filter/subscription_filter.ts";
import type { BrokerChannel } from "../client_channel.ts";
import { PullRequestHoldService } from "../long_polling/pull_request_hold_service.ts";
import { encodePullResponseFrame } from "./pull_response_frame.ts";
import { RETRY_GROUP_TOPIC_PREFIX } from "../topic_validator.ts";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("broker");

/** Upper bound of one pull response body; keeps frames far below the 16 MiB limit. */
const MAX_PULL_BYTES = 4 * 1024 * 1024;
const DEFAULT_PULL_BYTES = 1024 * 1024;

/**
 * A tag filter: `*` (or empty) matches everything; otherwise the consume-queue tag hash and then the exact
 * TAGS string must match (remoting-protocol.md §7.6).
 */
export function tagFilter(expression: string | undefined): MessageFilter {
  const r = resolveFilter("TAG", expression, false);
  return "filter" in r ? r.filter : MATCH_ALL;
}

/** Maps the store's status to the pull response code (§10.3 step 5). */
export function pullStatusToCode(r: GetMessageResult, requestOffset: number): number {
  switch (r.status) {
    case "FOUND":
      return ResponseCode.SUCCESS;
    case "MESSAGE_WAS_REMOVING":
    case "NO_MATCHED_MESSAGE":
      return ResponseCode.PULL_RETRY_IMMEDIATELY;
    case "NO_MATCHED_LOGIC_QUEUE":
    case "NO_MESSAGE_IN_QUEUE":
      return requestOffset !== 0 ? ResponseCode.PULL_OFFSET_MOVED : ResponseCode.PULL_NOT_FOUND;
    case "OFFSET_FOUND_NULL":
    case "OFFSET_OVERFLOW_ONE":
      return ResponseCode.PULL_NOT_FOUND;
    case "OFFSET_OVERFLOW_BADLY":
    case "OFFSET_TOO_SMALL":
      return ResponseCode.PULL_OFFSET_MOVED;
    default:
      return ResponseCode.SYSTEM_ERROR;
  }
}

/** Concatenates stored records into one pull body (a single copy). */
export function concatRecords(records: Uint8Array[], total: number): Uint8Array {
  if (records.length === 1) return records[0]!;
  const out = new Uint8Array(total || records.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of records) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

export class PullMessageProcessor {
  /** Parked requests; the controller wires the store's arrival listener to it. */
  readonly holdService: PullRequestHoldService;

  constructor(private readonly ctx: BrokerContext, checkIntervalMs = 1000) {
    this.holdService = new PullRequestHoldService(
      (topic, queueId) => ctx.store.getMaxOffsetInQueue(topic, queueId),
      (channel, request) => this.executeWhenWakeup(channel, request),
      () => ctx.now(),
      checkIntervalMs,
    );
  }

  /** The RequestProcessor for codes 11 and 361. */
  process(req: RemotingCommand, channel: BrokerChannel): Promise<RemotingCommand | null> {
    return this.processRequest(req, channel, true);
  }

  /** Re-runs a parked request (no second parking) and replies on its channel. */
  executeWhenWakeup(channel: BrokerChannel, req: RemotingCommand): Promise<void> {
    return this.processRequest(req, channel, false).then(
      (resp) => {
        if (resp && !channel.closed) channel.send(resp);
      },
      (e) => {
        log.warn("Held pull request failed on wake-up", e);
        if (!channel.closed) {
          channel.send(createResponse(req, ResponseCode.SYSTEM_ERROR, (e as Error).message ?? String(e)));
        }
      },
    );
  }

  private async processRequest(
    req: RemotingCommand,
    channel: BrokerChannel,
    brokerAllowSuspend: boolean,
  ): Promise<RemotingCommand | null> {
    const { ctx } = this;
    const h = decodePullMessageRequestHeader(req.extFields);
    const fail = (code: number, remark: string) => createResponse(req, code, remark);

    if (!PermName.isReadable(ctx.brokerConfig.brokerPermission)) {
      return fail(
        ResponseCode.NO_PERMISSION,
        `the broker[${ctx.brokerConfig.brokerIP1}] pulling message is forbidden`,
      );
    }
    const gc = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(h.consumerGroup);
    if (!gc) {
      return fail(
        ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
        `subscription group [${h.consumerGroup}] does not exist`,
      );
    }
    if (!gc.consumeEnable) {
      return fail(ResponseCode.NO_PERMISSION, `subscription group no permission, ${h.consumerGroup}`);
    }
    const tc = ctx.topicConfigManager.selectTopicConfig(h.topic);
    if (!tc) {
      return fail(ResponseCode.TOPIC_NOT_EXIST, `topic[${h.topic}] not exist, apply first please!`);
    }
    if (!PermName.isReadable(tc.perm)) {
      return fail(ResponseCode.NO_PERMISSION, `the topic[${h.topic}] pulling message is forbidden`);
    }
    if (h.queueId < 0 || h.queueId >= tc.readQueueNums) {
      return fail(
        ResponseCode.SYSTEM_ERROR,
        `queueId[${h.queueId}] is illegal, topic:[${h.topic}] topicConfig.readQueueNums:[${tc.readQueueNums}] ` +
          `consumer:[${channel.remoteAddr}]`,
      );
    }

    let filter: MessageFilter;
    if (PullSysFlag.hasSubscriptionFlag(h.sysFlag)) {
      const r = resolveFilter(h.expressionType, h.subscription, ctx.brokerConfig.enablePropertyFilter);
      if (!("filter" in r)) return fail(r.code, r.remark);
      filter = r.filter;
    } else {
      const group = ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
      if (!group) {
        return fail(ResponseCode.SUBSCRIPTION_NOT_EXIST, `the consumer's group info not exist${FAQ}`);
      }
      if (!gc.consumeBroadcastEnable && group.messageModel === "BROADCASTING") {
        return fail(
          ResponseCode.NO_PERMISSION,
          `the consumer group[${h.consumerGroup}] can not consume by broadcast way`,
        );
      }
      const sub = group.subscriptionTable.get(h.topic);
      if (!sub) {
        return fail(ResponseCode.SUBSCRIPTION_NOT_EXIST, `the consumer's subscription not exist${FAQ}`);
      }
      if (sub.subVersion < h.subVersion) {
        return fail(ResponseCode.SUBSCRIPTION_NOT_LATEST, "the consumer's subscription not latest");
      }
      const r = ctx.consumerFilters.resolve(sub);
      if (!("filter" in r)) return fail(r.code, r.remark);
      // Retry topics hold messages of every subscribed topic: unfiltered unless filterSupportRetry is on.
      if (!h.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) filter = r.filter;
      else if (!ctx.brokerConfig.filterSupportRetry) filter = MATCH_ALL;
      else filter = ctx.consumerFilters.retryFilter((topic) => group.subscriptionTable.get(topic));
    }

    const maxBytes = Math.min(MAX_PULL_BYTES, Math.max(DEFAULT_PULL_BYTES, h.maxMsgBytes ?? 0));
    const result = await ctx.store.getMessage(
      h.consumerGroup,
      h.topic,
      h.queueId,
      h.queueOffset,
      Math.max(1, h.maxMsgNums),
      maxBytes,
      filter,
    );
    const code = pullStatusToCode(result, h.queueOffset);

    if (
      brokerAllowSuspend && PullSysFlag.hasCommitOffsetFlag(h.sysFlag) &&
      ctx.storeConfig.brokerRole !== "SLAVE"
    ) {
      ctx.consumerOffsetManager.commitOffset(h.consumerGroup, h.topic, h.queueId, h.commitOffset);
    }

    if (code === ResponseCode.PULL_NOT_FOUND && brokerAllowSuspend && PullSysFlag.hasSuspendFlag(h.sysFlag)) {
      const timeout = ctx.brokerConfig.longPollingEnable
        ? h.suspendTimeoutMillis
        : ctx.brokerConfig.shortPollingTimeMills;
      this.holdService.suspendPullRequest(h.topic, h.queueId, {
        request: req,
        channel,
        pullFromThisOffset: h.queueOffset,
        suspendTimestamp: ctx.now(),
        timeoutMillis: Math.max(0, timeout),
        filter,
      });
      return null;
    }

    const ext = encodePullMessageResponseHeader({
      suggestWhichBrokerId: 0,
      nextBeginOffset: result.nextBeginOffset,
      minOffset: result.minOffset,
      maxOffset: result.maxOffset,
    });
    if (code === ResponseCode.SUCCESS) {
      const resp = createResponse(req, code, result.status, ext);
      let bytes = 0;
      for (const r of result.records) bytes += r.length;
      ctx.stats.incGet(h.consumerGroup, h.topic, result.messageCount, bytes);
      if (channel.sendFrame !== undefined && !isOneway(req)) {
        // Records go straight into the frame: one copy of the pulled bytes instead of two.
        channel.sendFrame(encodePullResponseFrame(resp, result.records), true);
        // The frame holds its own copy, so the store may reuse the read buffers behind the records.
        result.release?.();
        return null;
      }
      resp.body = concatRecords(result.records, bytes);
      return resp;
    }
    if (code === ResponseCode.SYSTEM_ERROR) {
      return createResponse(req, code, `store getMessage return ${result.status}`);
    }
    return createResponse(req, code, result.status, ext);
  }
}

const FAQ = ", see http://rocketmq.apache.org/docs/faq/";
