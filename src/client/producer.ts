/**
 * The producer (upstream DefaultMQProducer): picks a queue from the topic's publish info, sends with
 * SEND_MESSAGE_V2 (or SEND_BATCH_MESSAGE), and retries on another broker when a send fails.
 */

import { getLogger } from "../log/logger.ts";
import { encodeBatchBody } from "../message/batch_codec.ts";
import { MessageConst, MessageSysFlag } from "../message/message_const.ts";
import { encodeProperties } from "../message/properties.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import type { SendMessageRequestHeader } from "../protocol/headers/send.ts";
import { RemotingError } from "../remoting/errors.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import type { ClientConfig } from "./client_config.ts";
import { MQBrokerError, MQClientError } from "./errors.ts";
import {
  type ConsumedMessage,
  ensureUniqKey,
  maybeCompress,
  type Message,
  messageProperties,
  type SendResult,
  toConsumedMessage,
} from "./message.ts";
import type { MessageExt } from "../message/message.ts";
import { decodeOffsetMsgId } from "../message/msg_id.ts";
import type { CheckTransactionStateRequestHeader } from "../protocol/headers/transaction.ts";
import { buildSendRequest } from "./mq_client_api.ts";
import { createCorrelationId, withRequestProperties } from "./request_reply.ts";
import { AsyncTraceDispatcher, TRACE_PRODUCER_GROUP } from "./trace/trace_dispatcher.ts";
import { emptyTraceBean, emptyTraceContext, type TraceContext } from "./trace/trace_data.ts";
import { AUTO_CREATE_TOPIC_KEY, MQClientInstance, type ProducerMember } from "./mq_client_instance.ts";
import { type TopicPublishInfo, topicRouteToPublishInfo } from "./route_info.ts";

const log = getLogger("producer");

/** Producer settings (upstream names). */
export interface ProducerOptions extends ClientConfig {
  /** Producer group. */
  group: string;
  /** Send timeout (ms). Default 3 000. */
  sendMsgTimeoutMs?: number;
  /** Bodies at least this large are zlib-compressed. Default 4 096. */
  compressMsgBodyOverHowmuch?: number;
  /** Extra attempts for a failed synchronous send. Default 2. */
  retryTimesWhenSendFailed?: number;
  /** Extra attempts for a failed async send. Default 2. */
  retryTimesWhenSendAsyncFailed?: number;
  /** Queue count of topics auto-created on first send. Default 4. */
  defaultTopicQueueNums?: number;
  /** Largest body accepted (bytes). Default 4 MiB. */
  maxMessageSize?: number;
  /** Use an existing client instance instead of creating one. */
  clientInstance?: MQClientInstance;
  /** Makes this a transactional producer (upstream TransactionMQProducer). */
  transactionListener?: TransactionListener;
  /** Emit a Pub trace record for every successful send (upstream enableMsgTrace). Default false. */
  enableMsgTrace?: boolean;
  /** Topic of the trace records. Default RMQ_SYS_TRACE_TOPIC. */
  customizedTraceTopic?: string;
}

/** Outcome of a local transaction ("UNKNOW" is upstream's spelling). */
export type LocalTransactionState = "COMMIT_MESSAGE" | "ROLLBACK_MESSAGE" | "UNKNOW";

/** Application hooks of a transactional producer. */
export interface TransactionListener {
  /** Runs the local transaction after the half message is stored. */
  executeLocalTransaction(msg: Message, arg: unknown): LocalTransactionState | Promise<LocalTransactionState>;
  /** Answers the broker's check of a transaction whose outcome it never learned. */
  checkLocalTransaction(msg: ConsumedMessage): LocalTransactionState | Promise<LocalTransactionState>;
}

/** Result of sendMessageInTransaction. */
export interface TransactionSendResult extends SendResult {
  localTransactionState: LocalTransactionState;
}

/** END_TRANSACTION commitOrRollback values (sysFlag transaction types). */
export function transactionTypeOf(state: LocalTransactionState): number {
  return state === "COMMIT_MESSAGE"
    ? MessageSysFlag.TRANSACTION_COMMIT_TYPE
    : state === "ROLLBACK_MESSAGE"
    ? MessageSysFlag.TRANSACTION_ROLLBACK_TYPE
    : MessageSysFlag.TRANSACTION_NOT_TYPE;
}

/** Picks the queue for an ordered send. */
export type MessageQueueSelector<A> = (mqs: readonly MessageQueue[], msg: Message, arg: A) => MessageQueue;

/** Selects by `hash(arg) % queues`, the usual ordered-send selector (upstream SelectMessageQueueByHash). */
export function selectByHash(mqs: readonly MessageQueue[], _msg: Message, arg: unknown): MessageQueue {
  let h = 0;
  const s = String(arg);
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return mqs[Math.abs(h % mqs.length)]!;
}

/** Codes after which a sync send is retried on another broker (upstream's retryResponseCodes). */
const RETRY_CODES: ReadonlySet<number> = new Set([
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.SERVICE_NOT_AVAILABLE,
  ResponseCode.SYSTEM_ERROR,
  ResponseCode.NO_PERMISSION,
  ResponseCode.NO_BUYER_ID,
  ResponseCode.NOT_IN_CURRENT_UNIT,
]);

/** Whether a failed attempt may be retried. */
export function isRetryableSendError(e: unknown): boolean {
  if (e instanceof MQBrokerError) return RETRY_CODES.has(e.code);
  return e instanceof RemotingError;
}

/** Validation of a message before sending; returns the error text or null. */
export function checkMessage(msg: Message, maxMessageSize: number): string | null {
  if (!msg.topic || msg.topic.trim() === "") return "The specified topic is blank";
  if (!/^[%|a-zA-Z0-9_-]+$/.test(msg.topic)) {
    return `The specified topic "${msg.topic}" contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`;
  }
  if (msg.topic.length > 127) return `The specified topic "${msg.topic}" is longer than topic max length 127`;
  if (!msg.body || msg.body.length === 0) return "The message body length is zero";
  if (msg.body.length > maxMessageSize) {
    return `The message body size "${msg.body.length}" is over max value ${maxMessageSize}`;
  }
  return null;
}

/** A message producer. */
export class Producer implements ProducerMember {
  readonly group: string;
  readonly #opts: Required<
    Omit<
      ProducerOptions,
      | keyof ClientConfig
      | "clientInstance"
      | "transactionListener"
      | "enableMsgTrace"
      | "customizedTraceTopic"
    >
  >;
  readonly #trace: AsyncTraceDispatcher | null;
  readonly #instance: MQClientInstance;
  readonly #ownsInstance: boolean;
  readonly #publishInfo = new Map<string, TopicPublishInfo>();
  readonly #transactionListener: TransactionListener | undefined;
  #state: "created" | "running" | "stopped" = "created";

  constructor(opts: ProducerOptions) {
    this.group = opts.group;
    this.#opts = {
      group: opts.group,
      sendMsgTimeoutMs: opts.sendMsgTimeoutMs ?? 3000,
      compressMsgBodyOverHowmuch: opts.compressMsgBodyOverHowmuch ?? 4096,
      retryTimesWhenSendFailed: opts.retryTimesWhenSendFailed ?? 2,
      retryTimesWhenSendAsyncFailed: opts.retryTimesWhenSendAsyncFailed ?? 2,
      defaultTopicQueueNums: opts.defaultTopicQueueNums ?? 4,
      maxMessageSize: opts.maxMessageSize ?? 4 * 1024 * 1024,
    };
    this.#ownsInstance = opts.clientInstance === undefined;
    this.#instance = opts.clientInstance ?? new MQClientInstance(opts);
    this.#transactionListener = opts.transactionListener;
    this.#trace = opts.enableMsgTrace ? createTraceDispatcher(opts, opts.customizedTraceTopic) : null;
  }

  /** The trace dispatcher when `enableMsgTrace` is on. */
  get traceDispatcher(): AsyncTraceDispatcher | null {
    return this.#trace;
  }

  /** The client instance (shared core). */
  get instance(): MQClientInstance {
    return this.#instance;
  }

  /** Registers with the client instance and starts its timers. */
  start(): Promise<void> {
    if (this.#state !== "created") throw new MQClientError(`Producer "${this.group}" cannot start twice`);
    this.#instance.registerProducer(this);
    this.#instance.start();
    this.#state = "running";
    return this.#trace?.start() ?? Promise.resolve();
  }

  /** Unregisters from every broker and closes connections (when the instance is ours). */
  async shutdown(): Promise<void> {
    if (this.#state !== "running") return;
    this.#state = "stopped";
    await this.#trace?.shutdown();
    this.#instance.unregisterProducer(this.group);
    await this.#unregisterFromBrokers();
    if (this.#ownsInstance) await this.#instance.shutdown();
  }

  async #unregisterFromBrokers(): Promise<void> {
    const addrs = new Set<string>();
    for (const info of this.#publishInfo.values()) {
      for (const mq of info.messageQueues) {
        const a = this.#instance.findBrokerAddressInPublish(mq.brokerName);
        if (a) addrs.add(a);
      }
    }
    await this.#instance.unregisterFromBrokers(addrs, { producerGroup: this.group });
  }

  /** ProducerMember: topics to keep fresh. */
  publishTopics(): string[] {
    return [...this.#publishInfo.keys()];
  }

  /** ProducerMember: new publish info from a route refresh. */
  updatePublishInfo(topic: string, info: TopicPublishInfo): void {
    // Only topics this producer has used are tracked; other members' routes are not our concern.
    if (this.#publishInfo.has(topic) || this.#pendingTopics.has(topic)) this.#publishInfo.set(topic, info);
  }

  readonly #pendingTopics = new Set<string>();

  /** The publish info of `topic`, fetched (or borrowed from TBW102) when unknown. */
  async findPublishInfo(topic: string): Promise<TopicPublishInfo> {
    const cached = this.#publishInfo.get(topic);
    if (cached?.ok) return cached;
    this.#pendingTopics.add(topic);
    try {
      await this.#instance.updateTopicRouteInfoFromNameServer(topic);
      let info = this.#publishInfo.get(topic);
      const cachedRoute = this.#instance.topicRoute(topic);
      if (!info?.ok && cachedRoute) {
        // Unchanged routes are not re-announced; another member of this instance may have fetched it.
        info = topicRouteToPublishInfo(topic, cachedRoute);
        if (info.ok) this.#publishInfo.set(topic, info);
      }
      if (!info?.ok) {
        await this.#instance.updateTopicRouteInfoFromNameServer(topic, this.#opts.defaultTopicQueueNums);
        info = this.#publishInfo.get(topic);
      }
      if (!info?.ok) throw new MQClientError(`No route info of topic "${topic}"`);
      // Brokers learn about this producer group (needed for transaction checks) from heartbeats.
      this.#instance.sendHeartbeatToAllBrokers().catch(() => {});
      return info;
    } finally {
      this.#pendingTopics.delete(topic);
    }
  }

  /** The writable queues of `topic`. */
  async fetchPublishMessageQueues(topic: string): Promise<readonly MessageQueue[]> {
    return (await this.findPublishInfo(topic)).messageQueues;
  }

  #checkRunning(): void {
    if (this.#state !== "running") throw new MQClientError(`Producer "${this.group}" is not running`);
  }

  /**
   * Sends synchronously, retrying on another broker. With a selector, the queue is chosen by
   * `selector(queues, msg, arg)` and not retried (ordered messages must not jump queues).
   */
  async send(msg: Message): Promise<SendResult>;
  async send(msgs: Message[]): Promise<SendResult>;
  async send<A>(msg: Message, selector: MessageQueueSelector<A>, arg: A): Promise<SendResult>;
  async send<A>(
    msg: Message | Message[],
    selector?: MessageQueueSelector<A>,
    arg?: A,
  ): Promise<SendResult> {
    this.#checkRunning();
    if (Array.isArray(msg)) {
      return this.#sendWithRetry(this.#prepareBatch(msg), this.#opts.retryTimesWhenSendFailed);
    }
    const prepared = this.#prepare(msg);
    if (selector) {
      const info = await this.findPublishInfo(msg.topic);
      const mq = selector(info.messageQueues, msg, arg as A);
      if (!mq) throw new MQClientError(`Queue selector returned no queue for topic "${msg.topic}"`);
      return this.#sendTo(prepared, mq, "sync");
    }
    return this.#sendWithRetry(prepared, this.#opts.retryTimesWhenSendFailed);
  }

  /** Sends to a specific queue (no retry). */
  sendToQueue(msg: Message, mq: MessageQueue): Promise<SendResult> {
    this.#checkRunning();
    return this.#sendTo(this.#prepare(msg), mq, "sync");
  }

  /** Asynchronous send; the promise settles with the result (named for upstream parity). */
  sendAsync(msg: Message): Promise<SendResult> {
    this.#checkRunning();
    return this.#sendWithRetry(this.#prepare(msg), this.#opts.retryTimesWhenSendAsyncFailed);
  }

  /** Fire-and-forget: resolves once handed to the socket; no result, no retry. */
  async sendOneway(msg: Message): Promise<void> {
    this.#checkRunning();
    const prepared = this.#prepare(msg);
    const info = await this.findPublishInfo(msg.topic);
    const mq = info.selectOneMessageQueue();
    if (!mq) throw new MQClientError(`No writable queue for topic "${msg.topic}"`);
    await this.#sendTo(prepared, mq, "oneway");
  }

  /**
   * Request-reply (upstream DefaultMQProducer.request): sends `msg` with CORRELATION_ID,
   * REPLY_TO_CLIENT and TTL and resolves with the reply a consumer sends back (see
   * createReplyMessage). Rejects with RequestTimeoutError when no reply arrives within `timeoutMs`
   * (counted from the call), or with the send's own error. With a selector the request goes to the
   * queue it picks.
   */
  async request(msg: Message, timeoutMs: number): Promise<ConsumedMessage>;
  async request<A>(
    msg: Message,
    timeoutMs: number,
    selector: MessageQueueSelector<A>,
    arg: A,
  ): Promise<ConsumedMessage>;
  async request<A>(
    msg: Message,
    timeoutMs: number,
    selector?: MessageQueueSelector<A>,
    arg?: A,
  ): Promise<ConsumedMessage> {
    this.#checkRunning();
    const begin = Date.now();
    const correlationId = createCorrelationId();
    const request = withRequestProperties(msg, correlationId, this.#instance.clientId, timeoutMs);
    const known = this.#publishInfo.get(msg.topic)?.ok === true;
    await this.findPublishInfo(msg.topic);
    // The broker pushes the reply to the connection it knows our client id from: make sure it knows.
    if (!known) await this.#instance.sendHeartbeatToAllBrokers();
    const table = this.#instance.requestTable;
    const reply = table.wait(correlationId, timeoutMs - (Date.now() - begin), msg.topic, timeoutMs);
    // The wait can time out while the send below is still on its way; it is awaited after the send, but
    // a rejection without a handler by then counts as unhandled and would end the caller's process.
    reply.catch(() => {});
    try {
      if (selector) await this.send(request, selector, arg as A);
      else await this.send(request);
    } catch (e) {
      table.fail(correlationId, e instanceof Error ? e : new MQClientError(String(e)));
    }
    return await reply;
  }

  /**
   * Sends a half message, runs the local transaction, and reports its outcome to the broker
   * (END_TRANSACTION, oneway). Requires `transactionListener`.
   */
  async sendMessageInTransaction(msg: Message, arg?: unknown): Promise<TransactionSendResult> {
    this.#checkRunning();
    const listener = this.#transactionListener;
    if (!listener) throw new MQClientError(`Producer "${this.group}" has no transaction listener`);
    if (msg.delayTimeLevel !== undefined && msg.delayTimeLevel > 0) {
      throw new MQClientError("Delay messages are not supported in a transaction");
    }
    const half: Message = {
      ...msg,
      properties: {
        ...(msg.properties ?? {}),
        [MessageConst.TRAN_MSG]: "true",
        [MessageConst.PGROUP]: this.group,
      },
    };
    const result = await this.send(half);
    let state: LocalTransactionState = "ROLLBACK_MESSAGE";
    if (result.sendStatus === "SEND_OK") {
      try {
        state = await listener.executeLocalTransaction({
          ...half,
          properties: { ...half.properties, UNIQ_KEY: result.msgId },
        }, arg);
      } catch (e) {
        log.warn(`Local transaction of "${result.msgId}" threw: ${e}`);
        state = "UNKNOW";
      }
    }
    await this.#endTransaction(result, state).catch((e) =>
      log.warn(`END_TRANSACTION for "${result.msgId}" failed: ${e}`)
    );
    this.#traceEndTransaction({
      topic: msg.topic,
      msgId: result.msgId,
      tags: msg.tags ?? "",
      keys: Array.isArray(msg.keys) ? msg.keys.join(MessageConst.KEY_SEPARATOR) : msg.keys ?? "",
      storeHost: this.#instance.findBrokerAddressInPublish(result.messageQueue.brokerName) ?? "",
      transactionId: result.transactionId ?? result.msgId,
      transactionState: state,
      fromTransactionCheck: false,
      regionId: result.regionId,
    });
    return { ...result, localTransactionState: state };
  }

  async #endTransaction(result: SendResult, state: LocalTransactionState): Promise<void> {
    const addr = this.#instance.findBrokerAddressInPublish(result.messageQueue.brokerName);
    if (!addr) throw new MQClientError(`The broker "${result.messageQueue.brokerName}" does not exist`);
    await this.#instance.api.endTransactionOneway(addr, {
      producerGroup: this.group,
      tranStateTableOffset: result.queueOffset,
      commitLogOffset: decodeOffsetMsgId(result.offsetMsgId).offset,
      commitOrRollback: transactionTypeOf(state),
      fromTransactionCheck: false,
      msgId: result.msgId,
      transactionId: result.transactionId ?? result.msgId,
      bname: result.messageQueue.brokerName,
    });
  }

  /** ProducerMember: the broker asks for the outcome of a half message. */
  checkTransactionState(addr: string, msg: MessageExt, header: CheckTransactionStateRequestHeader): void {
    const listener = this.#transactionListener;
    if (!listener) return;
    const view = toConsumedMessage(msg, header.bname ?? "");
    (async () => {
      let state: LocalTransactionState;
      try {
        state = await listener.checkLocalTransaction(view);
      } catch (e) {
        log.warn(`Transaction check of "${view.msgId}" threw: ${e}`);
        state = "UNKNOW";
      }
      await this.#instance.api.endTransactionOneway(addr, {
        producerGroup: this.group,
        tranStateTableOffset: header.tranStateTableOffset,
        commitLogOffset: header.commitLogOffset,
        commitOrRollback: transactionTypeOf(state),
        fromTransactionCheck: true,
        msgId: view.msgId,
        transactionId: header.transactionId ?? view.msgId,
        bname: header.bname,
      });
      this.#traceEndTransaction({
        topic: view.topic,
        msgId: view.msgId,
        tags: view.tags ?? "",
        keys: view.keys ?? "",
        storeHost: addr,
        transactionId: header.transactionId ?? view.msgId,
        transactionState: state,
        fromTransactionCheck: true,
        regionId: view.properties[MessageConst.MSG_REGION],
      });
    })().catch((e) => log.warn(`Answering a transaction check from "${addr}" failed: ${e}`));
  }

  /** EndTransaction trace record (upstream EndTransactionTraceHookImpl), when tracing is on. */
  #traceEndTransaction(t: {
    topic: string;
    msgId: string;
    tags: string;
    keys: string;
    storeHost: string;
    transactionId: string;
    transactionState: LocalTransactionState;
    fromTransactionCheck: boolean;
    regionId: string | undefined;
  }): void {
    if (!this.#trace || t.topic === this.#trace.traceTopic) return;
    const ctx = emptyTraceContext("EndTransaction");
    ctx.timeStamp = Date.now();
    ctx.regionId = t.regionId ?? "DefaultRegion";
    ctx.groupName = this.group;
    ctx.traceBeans.push({
      ...emptyTraceBean(),
      topic: t.topic,
      msgId: t.msgId,
      tags: t.tags,
      keys: t.keys,
      storeHost: t.storeHost,
      msgType: 2, // Trans_msg_Commit: upstream labels every end-of-transaction record so.
      transactionId: t.transactionId,
      transactionState: t.transactionState,
      fromTransactionCheck: t.fromTransactionCheck,
    });
    this.#trace.append(ctx);
  }

  /** Validates and turns a Message into the wire pieces (properties, compression, sysFlag, UNIQ_KEY). */
  #prepare(msg: Message): PreparedSend {
    const err = checkMessage(msg, this.#opts.maxMessageSize);
    if (err) throw new MQClientError(err);
    const props = messageProperties(msg);
    const uniqId = ensureUniqKey(props);
    const { body, sysFlag: compressFlag } = maybeCompress(msg.body, this.#opts.compressMsgBodyOverHowmuch);
    let sysFlag = compressFlag;
    if (props[MessageConst.TRAN_MSG] === "true") sysFlag |= MessageSysFlag.TRANSACTION_PREPARED_TYPE;
    let reconsumeTimes: number | undefined;
    let maxReconsumeTimes: number | undefined;
    if (msg.topic.startsWith("%RETRY%")) {
      // Retry bookkeeping travels in the header, not in the stored properties.
      const r = props[MessageConst.RECONSUME_TIME];
      const m = props[MessageConst.MAX_RECONSUME_TIMES];
      if (r !== undefined) reconsumeTimes = Number(r);
      if (m !== undefined) maxReconsumeTimes = Number(m);
      delete props[MessageConst.RECONSUME_TIME];
      delete props[MessageConst.MAX_RECONSUME_TIMES];
    }
    return {
      topic: msg.topic,
      reply: props[MessageConst.MSG_TYPE] === MessageConst.REPLY_MESSAGE_FLAG,
      traced: {
        tags: props[MessageConst.TAGS] ?? "",
        keys: props[MessageConst.KEYS] ?? "",
        bodyLength: msg.body.length,
        msgType: props[MessageConst.TRAN_MSG] === "true"
          ? 1
          : props[MessageConst.DELAY] !== undefined
          ? 3
          : 0,
      },
      body,
      flag: msg.flag ?? 0,
      sysFlag,
      properties: encodeProperties(props),
      msgId: uniqId,
      batch: false,
      reconsumeTimes,
      maxReconsumeTimes,
    };
  }

  #prepareBatch(msgs: Message[]): PreparedSend {
    if (msgs.length === 0) throw new MQClientError("A batch needs at least one message");
    const topic = msgs[0]!.topic;
    const ids: string[] = [];
    let total = 0;
    const items = msgs.map((m) => {
      const err = checkMessage(m, this.#opts.maxMessageSize);
      if (err) throw new MQClientError(err);
      if (m.topic !== topic) throw new MQClientError(`Batch mixes topics "${topic}" and "${m.topic}"`);
      if (m.delayTimeLevel !== undefined && m.delayTimeLevel > 0) {
        throw new MQClientError("Delay messages are not supported in a batch");
      }
      if (topic.startsWith("%RETRY%")) throw new MQClientError("Retry messages are not supported in a batch");
      const props = messageProperties(m);
      ids.push(ensureUniqKey(props));
      total += m.body.length;
      return { flag: m.flag ?? 0, body: m.body, properties: props };
    });
    if (total > this.#opts.maxMessageSize) {
      throw new MQClientError(
        `The batch body size "${total}" is over max value ${this.#opts.maxMessageSize}`,
      );
    }
    const waitOk = msgs[0]!.waitStoreMsgOK === false ? "false" : "true";
    return {
      topic,
      reply: false,
      traced: { tags: "", keys: "", bodyLength: total, msgType: 0 },
      body: encodeBatchBody(items),
      flag: 0,
      sysFlag: 0,
      properties: encodeProperties({ [MessageConst.WAIT]: waitOk }),
      msgId: ids.join(","),
      batch: true,
      reconsumeTimes: undefined,
      maxReconsumeTimes: undefined,
    };
  }

  async #sendWithRetry(p: PreparedSend, retries: number): Promise<SendResult> {
    const info = await this.findPublishInfo(p.topic);
    let lastBroker: string | undefined;
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const mq = info.selectOneMessageQueue(lastBroker);
      if (!mq) break;
      lastBroker = mq.brokerName;
      try {
        return await this.#sendTo(p, mq, "sync") as SendResult;
      } catch (e) {
        lastError = e;
        if (!isRetryableSendError(e)) throw e;
        log.warn(`Send to "${mq.brokerName}" queue ${mq.queueId} failed (attempt ${attempt + 1}): ${e}`);
      }
    }
    throw lastError ?? new MQClientError(`No writable queue for topic "${p.topic}"`);
  }

  async #sendTo(p: PreparedSend, mq: MessageQueue, mode: "sync"): Promise<SendResult>;
  async #sendTo(p: PreparedSend, mq: MessageQueue, mode: "oneway"): Promise<void>;
  async #sendTo(p: PreparedSend, mq: MessageQueue, mode: "sync" | "oneway"): Promise<SendResult | void> {
    let addr = this.#instance.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) {
      await this.#instance.updateTopicRouteInfoFromNameServer(p.topic);
      addr = this.#instance.findBrokerAddressInPublish(mq.brokerName);
    }
    if (!addr) throw new MQClientError(`The broker "${mq.brokerName}" does not exist`);
    const header: SendMessageRequestHeader = {
      producerGroup: this.group,
      topic: p.topic,
      defaultTopic: AUTO_CREATE_TOPIC_KEY,
      defaultTopicQueueNums: this.#opts.defaultTopicQueueNums,
      queueId: mq.queueId,
      sysFlag: p.sysFlag,
      bornTimestamp: Date.now(),
      flag: p.flag,
      properties: p.properties,
      reconsumeTimes: p.reconsumeTimes ?? 0,
      unitMode: false,
      batch: p.batch,
      maxReconsumeTimes: p.maxReconsumeTimes,
      bname: mq.brokerName,
    };
    const req = buildSendRequest(header, p.body, p.reply);
    if (mode === "oneway") return this.#instance.api.sendMessageOneway(addr, req);
    const begin = Date.now();
    const res = await this.#instance.api.sendMessage(addr, req, this.#opts.sendMsgTimeoutMs);
    const result: SendResult = {
      sendStatus: res.sendStatus,
      msgId: p.msgId,
      offsetMsgId: res.offsetMsgId,
      messageQueue: { topic: mq.topic, brokerName: mq.brokerName, queueId: res.queueId },
      queueOffset: res.queueOffset,
      transactionId: res.transactionId ?? p.msgId,
      regionId: res.regionId,
      traceOn: res.traceOn,
    };
    if (this.#trace && res.traceOn && p.topic !== this.#trace.traceTopic) {
      this.#trace.append(pubTraceContext(this.group, p, result, addr, begin));
    }
    return result;
  }
}

/** The internal producer and dispatcher of a traced client (upstream AsyncTraceDispatcher's producer). */
export function createTraceDispatcher(config: ClientConfig, traceTopic?: string): AsyncTraceDispatcher {
  // Only the connection settings carry over: the trace producer has its own instance and is never traced.
  const shared: ClientConfig = { namesrvAddr: config.namesrvAddr };
  if (config.clientIP !== undefined) shared.clientIP = config.clientIP;
  if (config.requestTimeoutMs !== undefined) shared.requestTimeoutMs = config.requestTimeoutMs;
  if (config.pollNameServerIntervalMs !== undefined) {
    shared.pollNameServerIntervalMs = config.pollNameServerIntervalMs;
  }
  if (config.heartbeatBrokerIntervalMs !== undefined) {
    shared.heartbeatBrokerIntervalMs = config.heartbeatBrokerIntervalMs;
  }
  const sink = new Producer({
    ...shared,
    group: TRACE_PRODUCER_GROUP,
    sendMsgTimeoutMs: 5000,
    maxMessageSize: 118_000,
  });
  return new AsyncTraceDispatcher(sink, traceTopic === undefined ? {} : { traceTopic });
}

function pubTraceContext(
  group: string,
  p: PreparedSend,
  result: SendResult,
  storeHost: string,
  begin: number,
): TraceContext {
  const ctx = emptyTraceContext("Pub");
  ctx.timeStamp = begin;
  ctx.regionId = result.regionId ?? "DefaultRegion";
  ctx.groupName = group;
  ctx.costTime = Date.now() - begin;
  ctx.success = result.sendStatus === "SEND_OK";
  ctx.traceBeans.push({
    ...emptyTraceBean(),
    topic: p.topic,
    msgId: result.msgId,
    offsetMsgId: result.offsetMsgId,
    tags: p.traced.tags,
    keys: p.traced.keys,
    storeHost,
    bodyLength: p.traced.bodyLength,
    msgType: p.traced.msgType,
  });
  return ctx;
}

/** A message ready for the wire. */
interface PreparedSend {
  topic: string;
  /** A request-reply reply: sent with SEND_REPLY_MESSAGE_V2. */
  reply: boolean;
  /** What a Pub trace record says about the message as the application gave it. */
  traced: { tags: string; keys: string; bodyLength: number; msgType: number };
  body: Uint8Array;
  flag: number;
  sysFlag: number;
  properties: string;
  msgId: string;
  batch: boolean;
  reconsumeTimes: number | undefined;
  maxReconsumeTimes: number | undefined;
}
