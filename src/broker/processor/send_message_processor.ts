/**
 * SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320): the checks of
 * remoting-protocol.md §9.3 in upstream's order, auto-creation from TBW102, retry/DLQ redirection
 * (§9.4), timer and delay rewrites (§9.5), half messages (§9.10), then one store append.
 */
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import {
  decodeSendMessageRequestHeader,
  decodeSendMessageRequestHeaderV2,
  encodeSendMessageResponseHeader,
  type SendMessageRequestHeader,
  type SendMessageResponseHeader,
  sendMessageResponseHeaderJson,
} from "../../protocol/headers/send.ts";
import { decodeBatchBody } from "../../message/batch_codec.ts";
import { type HostAddress, parseHostAddress } from "../../message/host.ts";
import type { MessageExtBrokerInner } from "../../message/message.ts";
import {
  getTransactionValue,
  MessageConst,
  MessageSysFlag,
  PermName,
  resetTransactionValue,
  TopicSysFlag,
} from "../../message/message_const.ts";
import { decodeProperties, encodeProperties, joinPropertiesStrings } from "../../message/properties.ts";
import { MAX_PROPERTIES_BYTES } from "../../message/record_codec.ts";
import { utf8ByteLength } from "../../util/utf8.ts";
import { tagsHashCode } from "../../message/tags.ts";
import type { TopicConfig } from "../../protocol/bodies/topic_config.ts";
import type { BrokerContext, PutMessageResult } from "../broker_context.ts";
import type { BrokerChannel } from "../client_channel.ts";
import { delayLevelOf, setProperties } from "../message_factory.ts";
import { applyDeliveryRewrites } from "../delivery_rewrite.ts";
import {
  dlqTopic,
  isNotAllowedSendTopic,
  RETRY_GROUP_TOPIC_PREFIX,
  SystemTopics,
  validateTopicName,
} from "../topic_validator.ts";

const FAQ = "\nSee http://rocketmq.apache.org/docs/faq/ for further details.";
const PERM_RW = PermName.PERM_READ | PermName.PERM_WRITE;
const UNKNOWN_HOST: HostAddress = { ip: new Uint8Array(4), port: 0 };
/** Topic names that passed {@link validateTopicName}; bounded so odd peers cannot grow it forever. */
const validTopics = new Set<string>();
const VALID_TOPICS_MAX = 10_000;
/** A connection's peer address never changes: parse it once per channel, not once per message. */
const bornHosts = new WeakMap<BrokerChannel, HostAddress>();

/** True when a properties string exceeds the record's 16-bit length field once UTF-8 encoded. */
function propertiesTooLong(s: string): boolean {
  // A UTF-16 unit never takes more than 3 UTF-8 bytes, so short strings need no scan.
  return s.length * 3 > MAX_PROPERTIES_BYTES && utf8ByteLength(s) > MAX_PROPERTIES_BYTES;
}

/** The validation remark for `topic`, or null; valid names are remembered. */
function checkTopicName(topic: string): string | null {
  if (validTopics.has(topic)) return null;
  const invalid = validateTopicName(topic);
  if (invalid === null) {
    if (validTopics.size >= VALID_TOPICS_MAX) validTopics.clear();
    validTopics.add(topic);
  }
  return invalid;
}

/** What one send produced: the store's answer and where the message went. */
interface SendOutcome {
  put: Promise<PutMessageResult>;
  queueId: number;
  topic: string;
}

/** A refused send: the code and remark to answer with. */
class SendRefused {
  constructor(readonly code: number, readonly remark: string) {}
}

/** Maps a put status to a response code and remark (store-and-semantics.md §1.11). */
export function putStatusToResponse(r: PutMessageResult): { code: number; remark?: string } {
  switch (r.status) {
    case "PUT_OK":
      return { code: ResponseCode.SUCCESS };
    case "FLUSH_DISK_TIMEOUT":
      return { code: ResponseCode.FLUSH_DISK_TIMEOUT };
    case "FLUSH_SLAVE_TIMEOUT":
      return { code: ResponseCode.FLUSH_SLAVE_TIMEOUT };
    case "SLAVE_NOT_AVAILABLE":
      return { code: ResponseCode.SLAVE_NOT_AVAILABLE };
    case "SERVICE_NOT_AVAILABLE":
      return {
        code: ResponseCode.SERVICE_NOT_AVAILABLE,
        remark: r.remark ?? "service not available now. It may be caused by one of the following reasons: " +
            "the broker's disk is full, messages are put to the slave, message store has been shut down, etc.",
      };
    case "CREATE_MAPPED_FILE_FAILED":
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: "create mapped file failed, server is busy or broken.",
      };
    case "MESSAGE_ILLEGAL":
    case "PROPERTIES_SIZE_EXCEEDED":
      return {
        code: ResponseCode.MESSAGE_ILLEGAL,
        remark: r.remark ?? "the message is illegal, maybe msg body or properties length not matched.",
      };
    case "OS_PAGECACHE_BUSY":
      return {
        code: ResponseCode.SYSTEM_ERROR,
        remark: "[PC_SYNCHRONIZED]broker busy, start flow control for a while",
      };
    default:
      return { code: ResponseCode.SYSTEM_ERROR, remark: r.remark ?? "UNKNOWN_ERROR" };
  }
}

/** Parses a channel's "ip:port" into a record host, tolerating odd peers. */
export function hostOf(addr: string): HostAddress {
  try {
    return parseHostAddress(addr);
  } catch {
    return UNKNOWN_HOST;
  }
}

export class SendMessageProcessor {
  /** `CLUSTER\u0001<name>`, rebuilt only when brokerClusterName changes. */
  #clusterProp = "";
  #clusterName: string | undefined;

  constructor(private readonly ctx: BrokerContext) {}

  /** The RequestProcessor for codes 10, 310, 320. Refusals resolve; only unexpected failures reject. */
  process(req: RemotingCommand, channel: BrokerChannel): Promise<RemotingCommand> {
    try {
      const header = req.code === RequestCode.SEND_MESSAGE
        ? decodeSendMessageRequestHeader(req.extFields)
        : decodeSendMessageRequestHeaderV2(req.extFields);
      const batch = req.code === RequestCode.SEND_BATCH_MESSAGE || header.batch === true;
      const out = this.send(req, header, batch, channel);
      // One continuation per send: the store settles `put` straight from its ack queue.
      return out.put.then((put) => this.respond(req, put, out));
    } catch (e) {
      if (e instanceof SendRefused) return Promise.resolve(this.reply(req, e.code, e.remark));
      return Promise.reject(e);
    }
  }

  /** A response carrying the MSG_REGION / TRACE_ON extFields every send response has. */
  private reply(req: RemotingCommand, code: number, remark: string | undefined): RemotingCommand {
    const bc = this.ctx.brokerConfig;
    return createResponse(req, code, remark, { MSG_REGION: bc.regionId, TRACE_ON: String(bc.traceOn) });
  }

  private respond(req: RemotingCommand, put: PutMessageResult, out: SendOutcome): RemotingCommand {
    const { code, remark } = putStatusToResponse(put);
    if (
      code !== ResponseCode.SUCCESS && code !== ResponseCode.FLUSH_DISK_TIMEOUT &&
      code !== ResponseCode.FLUSH_SLAVE_TIMEOUT && code !== ResponseCode.SLAVE_NOT_AVAILABLE
    ) return this.reply(req, code, remark);
    this.ctx.stats.incPut(out.topic, put.msgNum || 1, put.wroteBytes);
    const bc = this.ctx.brokerConfig;
    const header: SendMessageResponseHeader = {
      msgId: put.msgId,
      queueId: out.queueId,
      queueOffset: put.queueOffset,
      MSG_REGION: bc.regionId,
      TRACE_ON: bc.traceOn ? "true" : "false",
    };
    const resp = createResponse(req, code, remark, encodeSendMessageResponseHeader(header));
    resp.extFieldsJson = sendMessageResponseHeaderJson(header);
    return resp;
  }

  /** The properties-string suffix naming this broker's cluster. */
  private clusterProp(cluster: string): string {
    if (this.#clusterName !== cluster) {
      this.#clusterName = cluster;
      this.#clusterProp = encodeProperties({ [MessageConst.CLUSTER]: cluster });
    }
    return this.#clusterProp;
  }

  private refuse(code: number, remark: string): never {
    throw new SendRefused(code, remark);
  }

  /** §9.3 steps 1–4: returns the topic config to write into. */
  private checkTopic(header: SendMessageRequestHeader, channel: BrokerChannel): TopicConfig {
    const { ctx } = this;
    if (!ctx.isAcceptingSends()) {
      this.refuse(
        ResponseCode.SYSTEM_ERROR,
        "broker unable to service, until " + ctx.brokerConfig.startAcceptSendRequestTimeStamp,
      );
    }
    if (!PermName.isWriteable(ctx.brokerConfig.brokerPermission)) {
      this.refuse(
        ResponseCode.NO_PERMISSION,
        `the broker[${ctx.brokerConfig.brokerIP1}] sending message is forbidden`,
      );
    }
    const invalid = checkTopicName(header.topic);
    if (invalid !== null) this.refuse(ResponseCode.SYSTEM_ERROR, invalid);
    if (isNotAllowedSendTopic(header.topic)) {
      this.refuse(ResponseCode.NO_PERMISSION, `Sending message to topic[${header.topic}] is forbidden.`);
    }
    let tc = ctx.topicConfigManager.selectTopicConfig(header.topic);
    if (!tc) {
      const sysFlag = header.unitMode ? TopicSysFlag.build(true, false) : 0;
      tc = header.topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)
        ? ctx.topicConfigManager.createTopicInSendMessageBackMethod(header.topic, 1, PERM_RW, sysFlag)
        : ctx.topicConfigManager.createTopicInSendMessageMethod(
          header.topic,
          header.defaultTopic,
          header.defaultTopicQueueNums,
          sysFlag,
        );
      if (!tc) {
        this.refuse(
          ResponseCode.TOPIC_NOT_EXIST,
          `topic[${header.topic}] not exist, apply first please!${FAQ}`,
        );
      }
    }
    if (!PermName.isWriteable(tc.perm)) {
      this.refuse(ResponseCode.NO_PERMISSION, `the topic[${header.topic}] sending message is forbidden`);
    }
    const limit = Math.max(tc.writeQueueNums, tc.readQueueNums);
    if (header.queueId >= limit) {
      this.refuse(
        ResponseCode.SYSTEM_ERROR,
        `request queueId[${header.queueId}] is illegal, topic:[${header.topic}] topicConfig.writeQueueNums:` +
          `[${tc.writeQueueNums}] consumer IP:[${channel.remoteAddr}]`,
      );
    }
    return tc;
  }

  /** Checks, rewrites and hands the message to the store; refusals throw {@link SendRefused}. */
  private send(
    req: RemotingCommand,
    header: SendMessageRequestHeader,
    batch: boolean,
    channel: BrokerChannel,
  ): SendOutcome {
    const { ctx } = this;
    const tc = this.checkTopic(header, channel);
    let topic = header.topic;
    let queueId = header.queueId < 0
      ? Math.floor(Math.random() * Math.max(1, tc.writeQueueNums))
      : header.queueId;
    const body = req.body ?? new Uint8Array(0);
    const sent = header.properties ?? "";
    const props = decodeProperties(sent);
    // The properties string is stored as sent (plus CLUSTER) unless the broker had to edit it.
    let keepRaw = true;
    const reconsumeTimes = header.reconsumeTimes ?? 0;

    // §9.4: sends to a retry topic may be dead-lettered.
    if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) {
      const group = topic.slice(RETRY_GROUP_TOPIC_PREFIX.length);
      const gc = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(group);
      if (!gc) {
        this.refuse(
          ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST,
          `subscription group not exist, ${group}${FAQ}`,
        );
      }
      const maxReconsume = req.version >= 121 && header.maxReconsumeTimes !== undefined
        ? header.maxReconsumeTimes
        : gc.retryMaxTimes;
      if (reconsumeTimes >= maxReconsume) {
        topic = dlqTopic(group);
        queueId = 0;
        const dlq = ctx.topicConfigManager.createTopicInSendMessageBackMethod(topic, 1, PERM_RW);
        if (!PermName.isWriteable(dlq.perm)) {
          this.refuse(ResponseCode.NO_PERMISSION, `the topic[${topic}] sending message is forbidden`);
        }
        delete props[MessageConst.DELAY];
        keepRaw = false;
      }
    }

    let sysFlag = header.sysFlag;
    if (tc.topicFilterType === "MULTI_TAG") sysFlag |= MessageSysFlag.MULTI_TAGS_FLAG;
    if (body.length > ctx.storeConfig.maxMessageSize) {
      this.refuse(
        ResponseCode.MESSAGE_ILLEGAL,
        `the message body size over max value, MAX: ${ctx.storeConfig.maxMessageSize}`,
      );
    }
    const cluster = ctx.brokerConfig.brokerClusterName;
    let rawProps = "";
    if (keepRaw && props[MessageConst.CLUSTER] === undefined) {
      rawProps = joinPropertiesStrings(sent, this.clusterProp(cluster));
    } else keepRaw = false;
    props[MessageConst.CLUSTER] = cluster;
    let bornHost = bornHosts.get(channel);
    if (bornHost === undefined) bornHosts.set(channel, bornHost = hostOf(channel.remoteAddr));
    if (batch) {
      const base = {
        topic,
        queueId,
        bornTimestamp: header.bornTimestamp,
        bornHost,
        storeHost: ctx.storeHost,
        reconsumeTimes,
        preparedTransactionOffset: 0,
      };
      return { put: this.sendBatch(body, props, sysFlag, base), queueId, topic };
    }

    const msg: MessageExtBrokerInner = {
      topic,
      queueId,
      flag: header.flag,
      body,
      properties: props,
      propertiesString: rawProps,
      tagsCode: 0,
      sysFlag,
      bornTimestamp: header.bornTimestamp,
      bornHost,
      storeHost: ctx.storeHost,
      reconsumeTimes,
      preparedTransactionOffset: 0,
    };
    if (keepRaw) msg.tagsCode = tagsHashCode(props[MessageConst.TAGS]);
    else setProperties(msg, props);
    if (propertiesTooLong(msg.propertiesString)) {
      this.refuse(
        ResponseCode.MESSAGE_ILLEGAL,
        `the message properties size over max value, MAX: ${MAX_PROPERTIES_BYTES}`,
      );
    }
    if (props[MessageConst.TRAN_MSG] === "true") {
      if (ctx.brokerConfig.rejectTransactionMessage) {
        this.refuse(
          ResponseCode.NO_PERMISSION,
          `the broker[${ctx.brokerConfig.brokerIP1}] sending transaction message is forbidden`,
        );
      }
      this.toHalfMessage(msg);
    } else {
      const refused = applyDeliveryRewrites(msg, ctx);
      if (refused) this.refuse(ResponseCode.MESSAGE_ILLEGAL, refused.remark);
    }
    return { put: ctx.store.putMessage(msg), queueId, topic };
  }

  /** §9.10: park a prepared message, invisibly, in the half topic. */
  private toHalfMessage(msg: MessageExtBrokerInner): void {
    const props = {
      ...msg.properties,
      [MessageConst.REAL_TOPIC]: msg.topic,
      [MessageConst.REAL_QID]: String(msg.queueId),
    };
    setProperties(msg, props);
    msg.sysFlag = resetTransactionValue(msg.sysFlag, MessageSysFlag.TRANSACTION_NOT_TYPE);
    msg.topic = SystemTopics.TRANS_HALF_TOPIC;
    msg.queueId = 0;
  }

  private sendBatch(
    body: Uint8Array,
    batchProps: Record<string, string>,
    sysFlag: number,
    base: Omit<
      MessageExtBrokerInner,
      "flag" | "body" | "properties" | "propertiesString" | "tagsCode" | "sysFlag"
    >,
  ): Promise<PutMessageResult> {
    if (getTransactionValue(sysFlag) !== MessageSysFlag.TRANSACTION_NOT_TYPE) {
      this.refuse(ResponseCode.MESSAGE_ILLEGAL, "batch request does not support transaction message");
    }
    let items;
    try {
      items = decodeBatchBody(body);
    } catch (e) {
      this.refuse(ResponseCode.MESSAGE_ILLEGAL, `Cannot decode the batch body: ${(e as Error).message}`);
    }
    if (items.length === 0) this.refuse(ResponseCode.MESSAGE_ILLEGAL, "The batch body holds no message");
    const batchString = encodeProperties(batchProps);
    const msgs: MessageExtBrokerInner[] = [];
    for (const item of items) {
      const props = { ...item.properties, ...batchProps };
      if (delayLevelOf(props, this.ctx.maxDelayLevel) > 0) {
        this.refuse(ResponseCode.MESSAGE_ILLEGAL, "batch message does not support delay level");
      }
      const propertiesString = joinPropertiesStrings(item.propertiesString, batchString);
      if (propertiesTooLong(propertiesString)) {
        this.refuse(
          ResponseCode.MESSAGE_ILLEGAL,
          `the message properties size over max value, MAX: ${MAX_PROPERTIES_BYTES}`,
        );
      }
      msgs.push({
        ...base,
        flag: item.flag,
        body: item.body,
        properties: props,
        propertiesString,
        tagsCode: tagsHashCode(props[MessageConst.TAGS]),
        sysFlag,
      });
    }
    return this.ctx.store.putMessages(msgs);
  }
}
