/**
 * QUERY_CONSUME_QUEUE (321, remoting-protocol.md §4.11): the raw consume-queue entries of one queue from
 * an index, plus the asked group's subscription and filter data — what mqadmin `queryCq` prints.
 *
 * The store's public read path is getMessage, which yields records rather than consume-queue entries, so
 * each entry is rebuilt from what that path sees: the tag hash the filter is asked about, then the record
 * it reads (the commitlog offset is the record's PHYSICALOFFSET field, the size its length). Entries the
 * read path skips (filler entries, records already deleted) are therefore absent from the answer.
 */
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import {
  type ConsumeQueueData,
  decodeQueryConsumeQueueRequestHeader,
  encodeQueryConsumeQueueResponseBody,
  type QueryConsumeQueueResponseBody,
} from "../../protocol/bodies/query_consume_queue.ts";
import type { SubscriptionData } from "../../protocol/bodies/heartbeat.ts";
import { toFastjson } from "../../protocol/fastjson.ts";
import { isTagType } from "../filter/subscription_filter.ts";
import type { BrokerContext, GetMessageStatus, MessageFilter } from "../broker_context.ts";

/** Bytes of one consume-queue entry: commitlog offset, size, tag hash. */
const CQ_STORE_UNIT_SIZE = 20;
/** Offset of the PHYSICALOFFSET field in a stored record (§6.1). */
const PHYSICAL_OFFSET_AT = 28;
/** Read statuses after which the queue may hold more entries further on. */
const READ_ON: ReadonlySet<GetMessageStatus> = new Set<GetMessageStatus>([
  "FOUND",
  "NO_MATCHED_MESSAGE",
  "MESSAGE_WAS_REMOVING",
  "OFFSET_FOUND_NULL",
]);

export class QueryConsumeQueueProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  /** The RequestProcessor for code 321. */
  async process(req: RemotingCommand): Promise<RemotingCommand> {
    const h = decodeQueryConsumeQueueRequestHeader(req.extFields);
    const { store } = this.ctx;
    const entries: ConsumeQueueData[] = [];
    let tagsCode = 0;
    const recorder: MessageFilter = {
      isMatchedByConsumeQueue: (code) => {
        tagsCode = code;
        return true;
      },
      isMatchedByCommitLog: (rec) => {
        const phy = new DataView(rec.buffer, rec.byteOffset, rec.length).getBigInt64(PHYSICAL_OFFSET_AT);
        entries.push({ physicOffset: Number(phy), physicSize: rec.length, tagsCode, eval: false });
        return true;
      },
    };
    const group = h.consumerGroup ?? "";
    // Upstream answers from one consume-queue file at most; the same bound keeps a huge count cheap.
    const count = Math.min(
      h.count,
      Math.floor(this.ctx.storeConfig.mappedFileSizeConsumeQueue / CQ_STORE_UNIT_SIZE),
    );
    const first = await store.getMessage(group, h.topic, h.queueId, h.index, count, Infinity, recorder);
    if (first.status === "NO_MATCHED_LOGIC_QUEUE") {
      return createResponse(req, ResponseCode.SYSTEM_ERROR, `${h.queueId}@${h.topic} is not exist!`);
    }
    const body: QueryConsumeQueueResponseBody = {
      maxQueueIndex: first.maxOffset,
      minQueueIndex: first.minOffset,
    };
    if (h.consumerGroup !== undefined) this.#describeGroup(body, h.consumerGroup, h.topic);
    if (!READ_ON.has(first.status)) {
      return createResponse(
        req,
        ResponseCode.SUCCESS,
        `Index ${h.index} of ${h.queueId}@${h.topic} is not exist!`,
        {},
        encodeQueryConsumeQueueResponseBody(body),
      );
    }
    // One read stops at the store's per-pull transfer limits; keep reading until `count` entries.
    let r = first;
    let offset = h.index;
    while (entries.length < h.count && READ_ON.has(r.status) && r.nextBeginOffset > offset) {
      offset = r.nextBeginOffset;
      if (offset >= r.maxOffset) break;
      r = await store.getMessage(
        group,
        h.topic,
        h.queueId,
        offset,
        h.count - entries.length,
        Infinity,
        recorder,
      );
    }
    body.queueData = entries;
    return createResponse(
      req,
      ResponseCode.SUCCESS,
      undefined,
      {},
      encodeQueryConsumeQueueResponseBody(body),
    );
  }

  /** Upstream's subscriptionData/filterData members for the asked group. */
  #describeGroup(body: QueryConsumeQueueResponseBody, group: string, topic: string): void {
    const sub = this.ctx.consumerManager.findSubscriptionData(group, topic);
    if (!sub) {
      body.filterData = `${group}@${topic} is not online!`;
      return;
    }
    body.subscriptionData = sub;
    body.filterData = filterDataJson(sub, group);
  }
}

/**
 * The group's ConsumerFilterData as upstream prints it: `null` for TAG subscriptions (they have none), else
 * its members pretty-printed. The broker keeps no registration time, so `bornTime` is the subscription's
 * version (the client's timestamp of it).
 */
function filterDataJson(sub: SubscriptionData, group: string): string {
  if (isTagType(sub.expressionType)) return "null";
  return toFastjson({
    bornTime: sub.subVersion,
    clientVersion: sub.subVersion,
    consumerGroup: group,
    dead: false,
    deadTime: 0,
    expression: sub.subString,
    expressionType: sub.expressionType,
    topic: sub.topic,
  }, { pretty: true });
}
