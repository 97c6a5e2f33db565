/**
 * Half-message bookkeeping and check-back (store-and-semantics.md §9.3–§9.5). All state lives in the store,
 * so it survives restarts: resolutions are op messages in RMQ_SYS_TRANS_OP_HALF_TOPIC whose body is the half's
 * queue offset, check counts are the TRANSACTION_CHECK_TIMES property of re-appended half copies, and the read
 * positions over both queues are the consumer offsets of group CID_RMQ_SYS_TRANS (consumerOffset.json).
 *
 * Every `transactionCheckInterval` one pass walks the half queue from its read position: resolved halves are
 * skipped, halves checked `transactionCheckMax` times (or about to expire) are moved to
 * TRANS_CHECK_MAX_TIME_TOPIC, and each unresolved half older than `transactionTimeOut` is re-appended with
 * its count raised and announced with CHECK_TRANSACTION_STATE to one live producer of its group. The pass
 * stops at the first half that is still too young; halves are in store order, so later ones are younger.
 * Ages are measured from the store time of the copy being looked at, so a half just checked waits another
 * `transactionTimeOut` for its answer before it is checked again.
 */
import { createRequest } from "../../remoting/command.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { encodeCheckTransactionStateRequestHeader } from "../../protocol/headers/transaction.ts";
import type { MessageExt, MessageExtBrokerInner } from "../../message/message.ts";
import { MessageConst, PermName } from "../../message/message_const.ts";
import { createUniqId } from "../../message/msg_id.ts";
import { decodeRecord, encodeRecord, recordSizeOf } from "../../message/record_codec.ts";
import type { BrokerContext } from "../broker_context.ts";
import { innerFromStored } from "../message_factory.ts";
import { SystemTopics } from "../topic_validator.ts";
import { OpWindow, REMOVE_TAG } from "./op_window.ts";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("broker");

/** The internal group whose offsets record check progress. */
export const TRANS_CHECK_GROUP = "CID_RMQ_SYS_TRANS";
const HALF = SystemTopics.TRANS_HALF_TOPIC;
const OP = SystemTopics.TRANS_OP_HALF_TOPIC;
const BATCH = 32;
const MAX_BYTES = 4 * 1024 * 1024;
/** Upstream's limit on one pass over a queue. */
const MAX_PASS_MS = 60_000;
const utf8 = new TextEncoder();
/** How many resolved transactions are remembered to drop late duplicate answers. */
const RECENTLY_RESOLVED_MAX = 65_536;

/** The queue offset of the half message a copy was made from (its own offset for an original). */
function originOffset(half: MessageExt): number {
  const prepared = half.properties[MessageConst.TRAN_PREPARED_QUEUE_OFFSET];
  const n = prepared === undefined ? NaN : Number(prepared);
  return Number.isSafeInteger(n) && n >= 0 ? n : half.queueOffset;
}

/** The identity shared by a half message and all its copies. */
function transactionKey(half: MessageExt): string {
  return `${half.properties[MessageConst.PGROUP] ?? ""}\u0001${originOffset(half)}`;
}

/** Runs the periodic check-back and records resolutions. */
export class TransactionCheckService {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pass: Promise<void> | null = null;
  #stopped = true;
  /** Set by shutdown: a running pass stops reading at once. */
  #closed = false;
  /** Transactions resolved since start, oldest first (a bounded insertion-ordered set). */
  readonly #recentlyResolved = new Set<string>();

  /** `ctx` gives the store, the offsets of CID_RMQ_SYS_TRANS and the producer registry. */
  constructor(private readonly ctx: BrokerContext) {}

  /**
   * True when another copy of this transaction was already committed or rolled back since start. A half
   * checked twice can be answered twice (the second check goes out when the first answer is slower than
   * `transactionTimeOut`); the second answer must not publish the message again.
   */
  wasResolved(half: MessageExt): boolean {
    return this.#recentlyResolved.has(transactionKey(half));
  }

  /** Records that `half` (as stored in the half queue) was committed or rolled back. */
  async markResolved(half: MessageExt): Promise<void> {
    const { ctx } = this;
    this.#recentlyResolved.add(transactionKey(half));
    if (this.#recentlyResolved.size > RECENTLY_RESOLVED_MAX) {
      this.#recentlyResolved.delete(this.#recentlyResolved.values().next().value!);
    }
    const msg = innerFromStored(
      { ...half, body: utf8.encode(String(half.queueOffset)), sysFlag: 0, reconsumeTimes: 0 },
      OP,
      half.queueId,
      {
        [MessageConst.TAGS]: REMOVE_TAG,
        [MessageConst.WAIT]: "false",
        [MessageConst.UNIQ_KEY]: createUniqId(),
      },
      ctx.storeHost,
    );
    msg.bornHost = ctx.storeHost;
    msg.bornTimestamp = ctx.now();
    msg.preparedTransactionOffset = 0;
    const put = await ctx.store.putMessage(msg);
    if (put.status !== "PUT_OK") {
      log.warn(`Cannot record the resolution of half message ${half.msgId}: ${put.status}`);
    }
  }

  /** Starts periodic checks. */
  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.check().catch((e) => log.warn("Transaction check failed", e)).finally(() => this.#schedule());
    }, Math.max(10, this.ctx.brokerConfig.transactionCheckInterval));
  }

  /** Stops checking and waits for a running pass. */
  async shutdown(): Promise<void> {
    this.#stopped = true;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#pass?.catch(() => {});
  }

  /** One pass over the unresolved halves (joins a pass already running); public so tests can drive it. */
  check(): Promise<void> {
    if (!this.#pass) this.#pass = this.#checkPass().finally(() => this.#pass = null);
    return this.#pass;
  }

  #readPosition(topic: string): number {
    const { ctx } = this;
    return Math.max(
      ctx.consumerOffsetManager.queryOffset(TRANS_CHECK_GROUP, topic, 0),
      ctx.store.getMinOffsetInQueue(topic, 0),
      0,
    );
  }

  /**
   * Reads queue 0 of `topic` from `from` up to `until`, batch by batch; `visit` returns false to stop.
   * Returns the offset after the last record visited (or skipped over as missing).
   */
  async #scan(
    topic: string,
    from: number,
    until: number,
    visit: (m: MessageExt) => Promise<boolean> | boolean,
  ): Promise<number> {
    let offset = from;
    while (offset < until && !this.#closed) {
      const r = await this.ctx.store.getMessage(TRANS_CHECK_GROUP, topic, 0, offset, BATCH, MAX_BYTES);
      if (r.status !== "FOUND") {
        if (r.nextBeginOffset <= offset) break;
        offset = r.nextBeginOffset;
        continue;
      }
      for (const rec of r.records) {
        let m: MessageExt;
        try {
          m = decodeRecord(rec, 0)[0];
        } catch (e) {
          log.warn(`Skipping an undecodable record in ${topic} after offset ${offset}`, e);
          continue;
        }
        if (m.queueOffset >= until) return offset;
        if (!(await visit(m))) return offset;
        offset = m.queueOffset + 1;
      }
      offset = Math.max(offset, r.nextBeginOffset);
    }
    return Math.min(offset, Math.max(from, until));
  }

  async #checkPass(): Promise<void> {
    const { ctx } = this;
    const bc = ctx.brokerConfig;
    const startTime = ctx.now();
    const halfFrom = this.#readPosition(HALF);
    const halfMax = ctx.store.getMaxOffsetInQueue(HALF, 0);
    const opFrom = this.#readPosition(OP);
    const ops = new OpWindow(opFrom);
    ops.readTo(
      await this.#scan(OP, opFrom, ctx.store.getMaxOffsetInQueue(OP, 0), (op) => {
        ops.add(op);
        return true;
      }),
    );

    const halfNext = await this.#scan(HALF, halfFrom, halfMax, async (half) => {
      // A copy is settled by an answer to any copy of its transaction, including the original.
      const origin = originOffset(half);
      if (ops.resolved.has(half.queueOffset) || ops.resolved.has(origin) || this.wasResolved(half)) {
        return true;
      }
      if (ctx.now() - startTime > MAX_PASS_MS) return false;
      const times = Number(half.properties[MessageConst.TRANSACTION_CHECK_TIMES] ?? "0") || 0;
      const expiresSoon = startTime - half.bornTimestamp > ctx.storeConfig.fileReservedTime * 3_600_000;
      if (times >= bc.transactionCheckMax || expiresSoon) return await this.#moveAside(half, times);

      const immunity = Number(half.properties[MessageConst.CHECK_IMMUNITY_TIME_IN_SECONDS] ?? "-1") * 1000;
      if (immunity >= 0 && startTime - half.bornTimestamp < Math.max(bc.transactionTimeOut, immunity)) {
        // A producer asked for a longer grace period: park a copy behind so later halves are not held up.
        return await this.#putBack(half, { [MessageConst.TRAN_PREPARED_QUEUE_OFFSET]: String(origin) }) !==
          null;
      }
      const age = startTime - half.storeTimestamp;
      if (age >= 0 && age < bc.transactionTimeOut) return false;
      return await this.#checkOne(half, origin, times + 1);
    });

    const offsets = ctx.consumerOffsetManager;
    offsets.commitOffset(TRANS_CHECK_GROUP, HALF, 0, halfNext);
    offsets.commitOffset(TRANS_CHECK_GROUP, OP, 0, ops.nextOffset(halfNext));
  }

  /** Appends a copy of `half` to the half queue with extra properties; null when the store refused it. */
  async #putBack(half: MessageExt, extra: Record<string, string>) {
    const { ctx } = this;
    const copy = innerFromStored(half, HALF, half.queueId, { ...half.properties, ...extra }, ctx.storeHost);
    const put = await ctx.store.putMessage(copy);
    if (put.status !== "PUT_OK") {
      log.warn(`Cannot re-append half message ${half.msgId}: ${put.status}`);
      return null;
    }
    return { copy, put };
  }

  /** Gives up on a half message: keeps it in TRANS_CHECK_MAX_TIME_TOPIC for inspection (§9.5). */
  async #moveAside(half: MessageExt, times: number): Promise<boolean> {
    const { ctx } = this;
    const topic = SystemTopics.TRANS_CHECK_MAX_TIME_TOPIC;
    ctx.topicConfigManager.createTopicInSendMessageBackMethod(
      topic,
      1,
      PermName.PERM_READ | PermName.PERM_WRITE,
    );
    const put = await ctx.store.putMessage(
      innerFromStored(half, topic, 0, { ...half.properties }, ctx.storeHost),
    );
    if (put.status !== "PUT_OK") {
      log.warn(`Cannot move half message ${half.msgId} to ${topic}: ${put.status}`);
      return false;
    }
    log.error(
      `Half message ${half.properties[MessageConst.UNIQ_KEY] ?? half.msgId} of producer group ` +
        `"${half.properties[MessageConst.PGROUP] ?? ""}" was never resolved after ${times} checks; ` +
        `moved to ${topic}`,
    );
    return true;
  }

  /** Re-appends the half with its check count and asks one live producer of its group about it. */
  async #checkOne(half: MessageExt, origin: number, times: number): Promise<boolean> {
    const { ctx } = this;
    const renewed = await this.#putBack(half, {
      [MessageConst.TRANSACTION_CHECK_TIMES]: String(times),
      [MessageConst.TRAN_PREPARED_QUEUE_OFFSET]: String(origin),
    });
    if (!renewed) return false;
    const { copy, put } = renewed;
    const group = half.properties[MessageConst.PGROUP] ?? "";
    const producers = ctx.producerManager.getGroup(group).filter((p) => !p.channel.closed);
    if (producers.length === 0) {
      log.debug(`No producer of group "${group}" online to check half message ${half.msgId}`);
      return true;
    }
    const producer = producers[Math.floor(Math.random() * producers.length)]!;
    const props = copy.properties;
    const uniq = props[MessageConst.UNIQ_KEY];
    const realTopic = props[MessageConst.REAL_TOPIC] ?? half.topic;
    const view: MessageExtBrokerInner = {
      ...copy,
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
    return true;
  }
}
