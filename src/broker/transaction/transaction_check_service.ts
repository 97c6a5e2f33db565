/**
 * Half-message bookkeeping and check-back (store-and-semantics.md §9.3–§9.5). Resolutions are
 * recorded, as upstream does, as op messages in RMQ_SYS_TRANS_OP_HALF_TOPIC whose body is the half's
 * queue offset. Every `transactionCheckInterval` the service walks unresolved halves older than
 * `transactionTimeOut`, re-appends each (so its check count survives restarts) and asks one producer of
 * its group with CHECK_TRANSACTION_STATE; after `transactionCheckMax` checks a half is dropped.
 * Progress is kept as the consumer offsets of group CID_RMQ_SYS_TRANS.
 */
import { createRequest } from "../../remoting/command.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { encodeCheckTransactionStateRequestHeader } from "../../protocol/headers/transaction.ts";
import type { MessageExt, MessageExtBrokerInner } from "../../message/message.ts";
import { MessageConst } from "../../message/message_const.ts";
import { decodeRecord, encodeRecord, recordSizeOf } from "../../message/record_codec.ts";
import type { BrokerContext } from "../broker_context.ts";
import { innerFromStored } from "../message_factory.ts";
import { SystemTopics } from "../topic_validator.ts";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("broker");

/** The internal group whose offsets record check progress. */
export const TRANS_CHECK_GROUP = "CID_RMQ_SYS_TRANS";
const HALF = SystemTopics.TRANS_HALF_TOPIC;
const OP = SystemTopics.TRANS_OP_HALF_TOPIC;
const BATCH = 32;
const MAX_BYTES = 4 * 1024 * 1024;
/** Upstream's tag on op messages ("d" = delete). */
const REMOVE_TAG = "d";

export class TransactionCheckService {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = true;

  constructor(private readonly ctx: BrokerContext) {}

  /** Records that the half at `halfQueueOffset` was committed or rolled back. */
  async markResolved(half: MessageExt): Promise<void> {
    const { ctx } = this;
    const msg = innerFromStored(
      { ...half, body: new TextEncoder().encode(String(half.queueOffset)), sysFlag: 0, reconsumeTimes: 0 },
      OP,
      0,
      { [MessageConst.TAGS]: REMOVE_TAG, [MessageConst.WAIT]: "false" },
      ctx.storeHost,
    );
    const put = await ctx.store.putMessage(msg);
    if (put.status !== "PUT_OK") {
      log.warn(`Cannot record the resolution of half message ${half.msgId}: ${put.status}`);
    }
  }

  /** Starts periodic checks. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.check().catch((e) => log.warn("Transaction check failed", e)).finally(() =>
        this.schedule()
      );
    }, Math.max(10, this.ctx.brokerConfig.transactionCheckInterval));
  }

  /** Stops checking and waits for a running pass. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async readAll(topic: string, from: number): Promise<MessageExt[]> {
    const out: MessageExt[] = [];
    let offset = from;
    const max = this.ctx.store.getMaxOffsetInQueue(topic, 0);
    while (offset < max) {
      const r = await this.ctx.store.getMessage(TRANS_CHECK_GROUP, topic, 0, offset, BATCH, MAX_BYTES);
      if (r.status !== "FOUND") {
        if (r.nextBeginOffset <= offset) break;
        offset = r.nextBeginOffset;
        continue;
      }
      for (const rec of r.records) out.push(decodeRecord(rec, 0)[0]);
      offset = r.nextBeginOffset;
    }
    return out;
  }

  /** One pass over the unresolved halves; public so tests can drive it. */
  async check(): Promise<void> {
    const { ctx } = this;
    const offsets = ctx.consumerOffsetManager;
    const start = Math.max(
      offsets.queryOffset(TRANS_CHECK_GROUP, HALF, 0),
      ctx.store.getMinOffsetInQueue(HALF, 0),
      0,
    );
    const max = ctx.store.getMaxOffsetInQueue(HALF, 0);
    if (start >= max) return;
    const resolved = new Set<number>();
    for (const op of await this.readAll(OP, Math.max(0, ctx.store.getMinOffsetInQueue(OP, 0)))) {
      const n = Number(new TextDecoder().decode(op.body));
      if (Number.isFinite(n) && n >= start) resolved.add(n);
    }
    const now = ctx.now();
    let next = start;
    for (const half of await this.readAll(HALF, start)) {
      if (half.queueOffset >= max) break;
      if (!resolved.has(half.queueOffset)) {
        const immunity = Number(half.properties[MessageConst.CHECK_IMMUNITY_TIME_IN_SECONDS] ?? "0") * 1000;
        const age = now - half.storeTimestamp;
        if (age < Math.max(ctx.brokerConfig.transactionTimeOut, immunity)) break;
        await this.checkOne(half);
      }
      next = half.queueOffset + 1;
    }
    offsets.commitOffset(TRANS_CHECK_GROUP, HALF, 0, next);
  }

  private async checkOne(half: MessageExt): Promise<void> {
    const { ctx } = this;
    const times = Number(half.properties[MessageConst.TRANSACTION_CHECK_TIMES] ?? "0");
    if (times >= ctx.brokerConfig.transactionCheckMax) {
      log.warn(`Dropping half message ${half.msgId} after ${times} checks`);
      return;
    }
    const props: Record<string, string> = {
      ...half.properties,
      [MessageConst.TRANSACTION_CHECK_TIMES]: String(times + 1),
    };
    const renewed = innerFromStored(half, HALF, 0, props, ctx.storeHost);
    const put = await ctx.store.putMessage(renewed);
    if (put.status !== "PUT_OK") {
      log.warn(`Cannot renew half message ${half.msgId}: ${put.status}`);
      return;
    }
    const group = half.properties[MessageConst.PGROUP] ?? "";
    const producer = ctx.producerManager.getGroup(group).find((p) => !p.channel.closed);
    if (!producer) {
      log.debug(`No producer of group "${group}" online to check half message ${half.msgId}`);
      return;
    }
    const uniq = props[MessageConst.UNIQ_KEY];
    const realTopic = props[MessageConst.REAL_TOPIC] ?? half.topic;
    const view: MessageExtBrokerInner = {
      ...renewed,
      topic: realTopic,
      queueId: Number(props[MessageConst.REAL_QID] ?? "0") || 0,
      storeTimestamp: put.storeTimestamp,
    };
    const body = new Uint8Array(recordSizeOf(view));
    encodeRecord(view, put.queueOffset, put.wroteOffset, body, 0);
    const ext = encodeCheckTransactionStateRequestHeader({
      tranStateTableOffset: put.queueOffset,
      commitLogOffset: put.wroteOffset,
      msgId: uniq,
      transactionId: uniq,
      offsetMsgId: put.msgId,
      topic: realTopic,
      bname: ctx.brokerConfig.brokerName,
    });
    producer.channel.invokeOneway(createRequest(RequestCode.CHECK_TRANSACTION_STATE, ext, body));
  }
}
