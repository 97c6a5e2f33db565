/**
 * The admin client (upstream DefaultMQAdminExt): typed calls to name servers and brokers over one
 * RemotingClient, turning non-SUCCESS answers into AdminError with the server's code and remark.
 */
import { RemotingClient } from "../remoting/client.ts";
import { createRequest, type ExtFields, type RemotingCommand } from "../remoting/command.ts";
import { RemotingConnectError } from "../remoting/errors.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { type ClusterInfo, decodeClusterInfo } from "../protocol/cluster.ts";
import { decodeTopicRouteData, type TopicRouteData } from "../protocol/route.ts";
import { decodeTopicList, type TopicList } from "../protocol/topic_list.ts";
import { decodeKVTable } from "../protocol/kv.ts";
import { encodeKVConfigRequestHeader } from "../protocol/namesrv_headers.ts";
import { parseProperties } from "../config/properties.ts";
import {
  encodeCreateTopicRequestHeader,
  encodeDeleteSubscriptionGroupRequestHeader,
} from "../protocol/headers/admin.ts";
import type { TopicConfig } from "../protocol/register_broker.ts";
import {
  encodeSubscriptionGroupConfig,
  type SubscriptionGroupConfig,
  toSubscriptionGroupConfig,
} from "../protocol/bodies/subscription_group.ts";
import { parseJson } from "../util/json.ts";
import {
  type ConsumeStats,
  decodeConsumeStats,
  decodeResetOffsetBody,
  decodeTopicStatsTable,
  type TopicStatsTable,
} from "../protocol/bodies/stats.ts";
import {
  type ConsumerConnection,
  decodeConsumerConnection,
  decodeProducerConnection,
  type ProducerConnection,
} from "../protocol/bodies/connection.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import type { BrokerData } from "../protocol/route.ts";
import { encodeQueryMessageRequestHeader } from "../protocol/headers/query.ts";
import { encodeGetConsumerRunningInfoRequestHeader } from "../protocol/headers/client.ts";
import { encodePullMessageRequestHeader } from "../protocol/headers/pull.ts";
import { decodeRecords } from "../message/record_codec.ts";
import { decodeOffsetMsgId } from "../message/msg_id.ts";
import { hostToString } from "../message/host.ts";
import type { MessageExt } from "../message/message.ts";
import { type ConsumeStatsList, decodeConsumeStatsList } from "./consume_stats_list.ts";
import {
  decodeQueryConsumeQueueResponseBody,
  encodeQueryConsumeQueueRequestHeader,
  type QueryConsumeQueueResponseBody,
} from "../protocol/bodies/query_consume_queue.ts";

/** Admin RPC timeout, as upstream's tool uses. */
export const ADMIN_TIMEOUT_MS = 5000;

/** A server answered with a failure code. */
export class AdminError extends Error {
  override name = "AdminError";
  constructor(readonly code: number, readonly remark: string | undefined, readonly addr?: string) {
    super(`CODE: ${code}  DESC: ${remark ?? ""}`);
  }
}

/** No name server address was configured. */
export class NoNamesrvError extends Error {
  override name = "NoNamesrvError";
  constructor() {
    super(
      "No name server address: pass -n host:port[;host:port], set NAMESRV_ADDR, or set rocketmq.namesrv.addr " +
        "(JAVA_OPT=-Drocketmq.namesrv.addr=host:port)",
    );
  }
}

/** Splits a `;`/`,`-separated name server list; `http://host:port` prefixes are dropped as upstream does. */
export function splitNamesrvList(value: string): string[] {
  return value.split(/[;,]/).map((s) => s.trim().replace(/^.*\//, "")).filter((s) => s !== "");
}

/** Typed admin calls. Call `close()` when done. */
export class MQAdminExt {
  readonly client: RemotingClient;

  constructor(readonly namesrvList: string[], readonly timeoutMs: number = ADMIN_TIMEOUT_MS) {
    this.client = new RemotingClient({ name: "admin", connectTimeoutMs: 3000 });
  }

  async close(): Promise<void> {
    this.client.close();
    await this.client.closed();
  }

  /** Sends to `addr`; throws AdminError unless the answer is SUCCESS (or one of `accept`). */
  async invoke(addr: string, req: RemotingCommand, accept: number[] = []): Promise<RemotingCommand> {
    const res = await this.client.invokeSync(addr, req, this.timeoutMs);
    if (res.code !== ResponseCode.SUCCESS && !accept.includes(res.code)) {
      throw new AdminError(res.code, res.remark, addr);
    }
    return res;
  }

  /** Sends to the first name server that can be reached (upstream picks one and fails over). */
  async invokeNamesrv(code: number, ext: ExtFields = {}, body?: Uint8Array): Promise<RemotingCommand> {
    if (this.namesrvList.length === 0) throw new NoNamesrvError();
    let lastError: unknown;
    for (const addr of this.namesrvList) {
      try {
        return await this.invoke(addr, createRequest(code, ext, body));
      } catch (e) {
        if (!(e instanceof RemotingConnectError)) throw e;
        lastError = e;
      }
    }
    throw lastError;
  }

  /** Sends the same request to every name server (KV writes, config updates); all must succeed. */
  async invokeAllNamesrv(code: number, ext: ExtFields = {}, body?: Uint8Array): Promise<void> {
    if (this.namesrvList.length === 0) throw new NoNamesrvError();
    for (const addr of this.namesrvList) await this.invoke(addr, createRequest(code, ext, body));
  }

  async examineBrokerClusterInfo(): Promise<ClusterInfo> {
    return decodeClusterInfo((await this.invokeNamesrv(RequestCode.GET_BROKER_CLUSTER_INFO)).body);
  }

  async examineTopicRouteInfo(topic: string): Promise<TopicRouteData> {
    return decodeTopicRouteData(
      (await this.invokeNamesrv(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic })).body,
    );
  }

  async fetchAllTopicList(): Promise<TopicList> {
    return decodeTopicList((await this.invokeNamesrv(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER)).body);
  }

  async fetchTopicsByCluster(cluster: string): Promise<TopicList> {
    return decodeTopicList((await this.invokeNamesrv(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster })).body);
  }

  async createAndUpdateKvConfig(namespace: string, key: string, value: string): Promise<void> {
    await this.invokeAllNamesrv(
      RequestCode.PUT_KV_CONFIG,
      encodeKVConfigRequestHeader({ namespace, key, value }),
    );
  }

  async deleteKvConfig(namespace: string, key: string): Promise<void> {
    await this.invokeAllNamesrv(
      RequestCode.DELETE_KV_CONFIG,
      encodeKVConfigRequestHeader({ namespace, key }),
    );
  }

  /** The value; a missing key fails with QUERY_NOT_FOUND as upstream. */
  async getKVConfig(namespace: string, key: string): Promise<string> {
    const res = await this.invokeNamesrv(RequestCode.GET_KV_CONFIG, { namespace, key });
    return res.extFields.value ?? "";
  }

  /** Each listed name server's config (`servers` defaults to all). */
  async getNameServerConfig(servers: string[] = this.namesrvList): Promise<Map<string, Map<string, string>>> {
    if (servers.length === 0) throw new NoNamesrvError();
    const out = new Map<string, Map<string, string>>();
    for (const addr of servers) {
      const res = await this.invoke(addr, createRequest(RequestCode.GET_NAMESRV_CONFIG));
      out.set(addr, parseProperties(new TextDecoder().decode(res.body ?? new Uint8Array())));
    }
    return out;
  }

  async updateNameServerConfig(
    props: ReadonlyMap<string, string>,
    servers: string[] = this.namesrvList,
  ): Promise<void> {
    if (servers.length === 0) throw new NoNamesrvError();
    const body = new TextEncoder().encode([...props].map(([k, v]) => `${k}=${v}\n`).join(""));
    for (const addr of servers) {
      await this.invoke(addr, createRequest(RequestCode.UPDATE_NAMESRV_CONFIG, {}, body));
    }
  }

  /** WIPE (205) or ADD (327) write perm on one name server; returns the topic count it reports. */
  async operateWritePerm(addr: string, brokerName: string, wipe: boolean): Promise<number> {
    const code = wipe ? RequestCode.WIPE_WRITE_PERM_OF_BROKER : RequestCode.ADD_WRITE_PERM_OF_BROKER;
    const res = await this.invoke(addr, createRequest(code, { brokerName }));
    return Number(res.extFields[wipe ? "wipeTopicCount" : "addTopicCount"] ?? 0);
  }

  /** GET_BROKER_RUNTIME_INFO (28) of one broker. */
  async fetchBrokerRuntimeStats(brokerAddr: string): Promise<Map<string, string>> {
    return decodeKVTable(
      (await this.invoke(brokerAddr, createRequest(RequestCode.GET_BROKER_RUNTIME_INFO))).body,
    );
  }

  /** QUERY_TOPIC_CONSUME_BY_WHO (300) on the first master found in the topic's route. */
  async queryTopicConsumeByWho(topic: string): Promise<string[]> {
    const route = await this.examineTopicRouteInfo(topic);
    for (const bd of route.brokerDatas) {
      const addr = bd.brokerAddrs.get(0) ?? bd.brokerAddrs.values().next().value;
      if (addr === undefined) continue;
      const res = await this.invoke(addr, createRequest(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic }));
      const body = res.body ? JSON.parse(new TextDecoder().decode(res.body)) as { groupList?: string[] } : {};
      return body.groupList ?? [];
    }
    return [];
  }

  // -------------------------------------------------------------------------------------------------
  // Broker administration (remoting-protocol.md §4.11)

  /** UPDATE_AND_CREATE_TOPIC (17) on one broker. */
  async createAndUpdateTopicConfig(brokerAddr: string, tc: TopicConfig): Promise<void> {
    const ext = encodeCreateTopicRequestHeader({
      topic: tc.topicName,
      defaultTopic: "TBW102",
      readQueueNums: tc.readQueueNums,
      writeQueueNums: tc.writeQueueNums,
      perm: tc.perm,
      topicFilterType: tc.topicFilterType,
      topicSysFlag: tc.topicSysFlag,
      order: tc.order,
    });
    await this.invoke(brokerAddr, createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, ext));
  }

  /** DELETE_TOPIC_IN_BROKER (215) on each broker. */
  async deleteTopicInBroker(brokerAddrs: Iterable<string>, topic: string): Promise<void> {
    for (const addr of brokerAddrs) {
      await this.invoke(addr, createRequest(RequestCode.DELETE_TOPIC_IN_BROKER, { topic }));
    }
  }

  /** DELETE_TOPIC_IN_NAMESRV (216) on every name server; with `clusterName` only that cluster's part. */
  async deleteTopicInNameServer(topic: string, clusterName?: string): Promise<void> {
    await this.invokeAllNamesrv(
      RequestCode.DELETE_TOPIC_IN_NAMESRV,
      clusterName === undefined ? { topic } : { topic, clusterName },
    );
  }

  /** GET_TOPIC_STATS_INFO (202) from every master serving the topic, merged. */
  async examineTopicStats(topic: string): Promise<TopicStatsTable> {
    const route = await this.examineTopicRouteInfo(topic);
    const merged: TopicStatsTable = { offsetTable: [] };
    for (const bd of route.brokerDatas) {
      const addr = bd.brokerAddrs.get(0);
      if (addr === undefined) continue;
      const res = await this.invoke(addr, createRequest(RequestCode.GET_TOPIC_STATS_INFO, { topic }));
      merged.offsetTable.push(...decodeTopicStatsTable(res.body ?? new Uint8Array()).offsetTable);
    }
    return merged;
  }

  /** UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200) on one broker. */
  async createAndUpdateSubscriptionGroupConfig(
    brokerAddr: string,
    g: SubscriptionGroupConfig,
  ): Promise<void> {
    const req = createRequest(
      RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
      {},
      encodeSubscriptionGroupConfig(g),
    );
    await this.invoke(brokerAddr, req);
  }

  /** DELETE_SUBSCRIPTIONGROUP (207) on one broker. */
  async deleteSubscriptionGroup(brokerAddr: string, groupName: string, removeOffset: boolean): Promise<void> {
    const ext = encodeDeleteSubscriptionGroupRequestHeader({ groupName, removeOffset });
    await this.invoke(brokerAddr, createRequest(RequestCode.DELETE_SUBSCRIPTIONGROUP, ext));
  }

  /** GET_BROKER_CONFIG (26): the broker's settings, in the order it sent them. */
  async getBrokerConfig(brokerAddr: string): Promise<Map<string, string>> {
    const res = await this.invoke(brokerAddr, createRequest(RequestCode.GET_BROKER_CONFIG));
    return parseProperties(new TextDecoder().decode(res.body ?? new Uint8Array()));
  }

  /** UPDATE_BROKER_CONFIG (25) with `key=value` lines. */
  async updateBrokerConfig(brokerAddr: string, props: ReadonlyMap<string, string>): Promise<void> {
    const body = new TextEncoder().encode([...props].map(([k, v]) => `${k}=${v}\n`).join(""));
    await this.invoke(brokerAddr, createRequest(RequestCode.UPDATE_BROKER_CONFIG, {}, body));
  }

  // -------------------------------------------------------------------------------------------------
  // Consumers and producers

  /** Every broker group's master (or any member) serving `topic`. */
  async #brokerAddrsOf(topic: string): Promise<string[]> {
    const route = await this.examineTopicRouteInfo(topic);
    return route.brokerDatas.map(selectBrokerAddr).filter((a): a is string => a !== undefined);
  }

  /** GET_CONSUME_STATS (208) from every broker serving the group's retry topic, merged. */
  async examineConsumeStats(group: string, topic?: string): Promise<ConsumeStats> {
    const merged: ConsumeStats = { consumeTps: 0, offsetTable: [] };
    for (const addr of await this.#brokerAddrsOf(`%RETRY%${group}`)) {
      const ext: ExtFields = topic === undefined ? { consumerGroup: group } : { consumerGroup: group, topic };
      const res = await this.invoke(addr, createRequest(RequestCode.GET_CONSUME_STATS, ext));
      const stats = decodeConsumeStats(res.body ?? new Uint8Array());
      merged.consumeTps += stats.consumeTps;
      merged.offsetTable.push(...stats.offsetTable);
    }
    if (merged.offsetTable.length === 0) {
      throw new AdminError(
        ResponseCode.CONSUMER_NOT_ONLINE,
        "Not found the consumer group consume stats, because return offset table is empty, maybe the consumer not consume any message",
      );
    }
    return merged;
  }

  /** GET_CONSUMER_CONNECTION_LIST (203) from a broker serving the group (or `brokerAddr`). */
  async examineConsumerConnectionInfo(group: string, brokerAddr?: string): Promise<ConsumerConnection> {
    const addr = brokerAddr ?? (await this.#brokerAddrsOf(`%RETRY%${group}`))[0];
    if (addr === undefined) {
      throw new AdminError(ResponseCode.CONSUMER_NOT_ONLINE, "Not found the consumer group connection");
    }
    const res = await this.invoke(
      addr,
      createRequest(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: group }),
    );
    const cc = decodeConsumerConnection(res.body ?? new Uint8Array());
    if (cc.connectionSet.length === 0) {
      throw new AdminError(ResponseCode.CONSUMER_NOT_ONLINE, "Not found the consumer group connection");
    }
    return cc;
  }

  /**
   * GET_CONSUMER_RUNNING_INFO (307) for one client, relayed by the first broker serving the group's
   * retry topic (as upstream picks it); the client's raw ConsumerRunningInfo body.
   */
  async getConsumerRunningInfo(group: string, clientId: string, jstack: boolean): Promise<Uint8Array> {
    const addr = (await this.#brokerAddrsOf(`%RETRY%${group}`))[0];
    if (addr === undefined) {
      throw new AdminError(ResponseCode.CONSUMER_NOT_ONLINE, "Not found the consumer group connection");
    }
    const ext = encodeGetConsumerRunningInfoRequestHeader({
      consumerGroup: group,
      clientId,
      jstackEnable: jstack,
    });
    // The broker waits up to 10 s for the client; upstream's admin allows three times its usual timeout.
    const res = await this.client.invokeSync(
      addr,
      createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO, ext),
      this.timeoutMs * 3,
    );
    if (res.code !== ResponseCode.SUCCESS) throw new AdminError(res.code, res.remark, addr);
    return res.body ?? new Uint8Array();
  }

  /** GET_PRODUCER_CONNECTION_LIST (204) from the first broker serving `topic`. */
  async examineProducerConnectionInfo(group: string, topic: string): Promise<ProducerConnection> {
    const addr = (await this.#brokerAddrsOf(topic))[0];
    if (addr === undefined) {
      throw new AdminError(ResponseCode.TOPIC_NOT_EXIST, `No broker serves topic ${topic}`);
    }
    const res = await this.invoke(
      addr,
      createRequest(RequestCode.GET_PRODUCER_CONNECTION_LIST, { producerGroup: group }),
    );
    return decodeProducerConnection(res.body ?? new Uint8Array());
  }

  /** INVOKE_BROKER_TO_RESET_OFFSET (222) on every broker serving `topic`; the offsets each reset to. */
  async resetOffsetByTimestamp(
    topic: string,
    group: string,
    timestamp: number,
    isForce: boolean,
  ): Promise<Array<[MessageQueue, number]>> {
    const out: Array<[MessageQueue, number]> = [];
    const ext = { topic, group, timestamp: String(timestamp), isForce: String(isForce) };
    for (const addr of await this.#brokerAddrsOf(topic)) {
      const res = await this.invoke(addr, createRequest(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, ext));
      if (res.body && res.body.length > 0) out.push(...decodeResetOffsetBody(res.body));
    }
    return out;
  }

  /** SEARCH_OFFSET_BY_TIMESTAMP (29): the queue offset of the first message stored at or after `timestamp`. */
  async searchOffset(brokerAddr: string, mq: MessageQueue, timestamp: number): Promise<number> {
    const ext = { topic: mq.topic, queueId: String(mq.queueId), timestamp: String(timestamp) };
    const res = await this.invoke(brokerAddr, createRequest(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, ext));
    return Number(res.extFields.offset ?? 0);
  }

  /** UPDATE_CONSUMER_OFFSET (15) for one queue. */
  async updateConsumerOffset(
    brokerAddr: string,
    group: string,
    mq: MessageQueue,
    offset: number,
  ): Promise<void> {
    const ext = {
      consumerGroup: group,
      topic: mq.topic,
      queueId: String(mq.queueId),
      commitOffset: String(offset),
    };
    await this.invoke(brokerAddr, createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, ext));
  }

  /** The master address of `brokerName` in the cluster table. */
  async masterAddrOf(brokerName: string): Promise<string | undefined> {
    const bd = (await this.examineBrokerClusterInfo()).brokerAddrTable.get(brokerName);
    return bd ? selectBrokerAddr(bd) : undefined;
  }

  // -------------------------------------------------------------------------------------------------
  // Messages (remoting-protocol.md §4.10)

  /** VIEW_MESSAGE_BY_ID (33) at the broker and offset an offset msgId encodes. */
  async viewMessage(offsetMsgId: string): Promise<MessageExt> {
    const { host, offset } = decodeOffsetMsgId(offsetMsgId);
    const res = await this.invoke(
      hostToString(host),
      createRequest(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(offset) }),
    );
    const msg = decodeRecords(res.body ?? new Uint8Array())[0];
    if (!msg) throw new AdminError(ResponseCode.SYSTEM_ERROR, `Message not found: ${offsetMsgId}`);
    return msg;
  }

  /**
   * QUERY_MESSAGE (12) on every broker of the topic, re-filtered like the Java client (exact key in
   * KEYS, or exact UNIQ_KEY for `unique`).
   */
  async queryMessage(
    topic: string,
    key: string,
    maxNum: number,
    unique: boolean,
    beginTimestamp = 0,
    endTimestamp = Number.MAX_SAFE_INTEGER,
  ): Promise<MessageExt[]> {
    const ext = encodeQueryMessageRequestHeader({
      topic,
      key,
      maxNum,
      beginTimestamp,
      endTimestamp,
      uniqueKeyQuery: unique,
    });
    const found: MessageExt[] = [];
    for (const addr of await this.#brokerAddrsOf(topic)) {
      const res = await this.invoke(addr, createRequest(RequestCode.QUERY_MESSAGE, ext), [
        ResponseCode.QUERY_NOT_FOUND,
      ]);
      if (res.code !== ResponseCode.SUCCESS || !res.body) continue;
      for (const m of decodeRecords(res.body)) {
        const keys = (m.properties.KEYS ?? "").split(" ");
        const match = unique ? m.properties.UNIQ_KEY === key : keys.includes(key);
        if (m.topic === topic && match) found.push(m);
      }
    }
    if (found.length === 0) {
      throw new AdminError(ResponseCode.NO_MESSAGE, "query message by key finished, but no message.");
    }
    return found;
  }

  /** PULL_MESSAGE (11) of at most one message at a queue offset, as group TOOLS_CONSUMER. */
  async pullOne(
    brokerAddr: string,
    topic: string,
    queueId: number,
    offset: number,
  ): Promise<MessageExt | undefined> {
    return (await this.pull(brokerAddr, topic, queueId, offset, 1)).msgs[0];
  }

  /** One group's config from GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201), or undefined if the broker lacks it. */
  async examineSubscriptionGroupConfig(
    brokerAddr: string,
    group: string,
  ): Promise<SubscriptionGroupConfig | undefined> {
    const res = await this.invoke(brokerAddr, createRequest(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG));
    const root = parseJson(new TextDecoder().decode(res.body ?? new Uint8Array()) || "{}");
    const table = root !== null && typeof root === "object" && !Array.isArray(root)
      ? root.subscriptionGroupTable
      : undefined;
    const entry = table !== null && typeof table === "object" && !Array.isArray(table)
      ? table[group]
      : undefined;
    return entry === undefined ? undefined : toSubscriptionGroupConfig(entry, group);
  }

  /** A store maintenance request without header (306, 316, 329); true on SUCCESS. */
  async brokerMaintenance(brokerAddr: string, code: number): Promise<boolean> {
    const res = await this.client.invokeSync(brokerAddr, createRequest(code), this.timeoutMs);
    return res.code === ResponseCode.SUCCESS;
  }

  /** GET_MIN_OFFSET (31) / GET_MAX_OFFSET (30) of one queue. */
  async queueOffset(brokerAddr: string, topic: string, queueId: number, max: boolean): Promise<number> {
    const code = max ? RequestCode.GET_MAX_OFFSET : RequestCode.GET_MIN_OFFSET;
    const res = await this.invoke(brokerAddr, createRequest(code, { topic, queueId: String(queueId) }));
    return Number(res.extFields.offset ?? 0);
  }

  /**
   * PULL_MESSAGE (11) of up to `max` messages from `offset` with a tag expression, as TOOLS_CONSUMER.
   * Returns the response code, the messages and where to continue.
   */
  async pull(
    brokerAddr: string,
    topic: string,
    queueId: number,
    offset: number,
    max: number,
    subscription = "*",
    group = "TOOLS_CONSUMER",
  ): Promise<{ code: number; msgs: MessageExt[]; nextBeginOffset: number }> {
    const ext = encodePullMessageRequestHeader({
      consumerGroup: group,
      topic,
      queueId,
      queueOffset: offset,
      maxMsgNums: max,
      sysFlag: 0x4, // subscription carried in the request
      commitOffset: 0,
      suspendTimeoutMillis: 0,
      subscription,
      subVersion: 0,
      expressionType: "TAG",
    });
    const res = await this.invoke(brokerAddr, createRequest(RequestCode.PULL_MESSAGE, ext), [
      ResponseCode.PULL_NOT_FOUND,
      ResponseCode.PULL_RETRY_IMMEDIATELY,
      ResponseCode.PULL_OFFSET_MOVED,
    ]);
    const msgs = res.code === ResponseCode.SUCCESS && res.body ? decodeRecords(res.body) : [];
    return { code: res.code, msgs, nextBeginOffset: Number(res.extFields.nextBeginOffset ?? offset) };
  }

  /** CLONE_GROUP_OFFSET (314) on every broker serving `topic`. */
  async cloneGroupOffset(
    srcGroup: string,
    destGroup: string,
    topic: string,
    offline: boolean,
  ): Promise<void> {
    const ext = { srcGroup, destGroup, topic, offline: String(offline) };
    for (const addr of await this.#brokerAddrsOf(topic)) {
      await this.invoke(addr, createRequest(RequestCode.CLONE_GROUP_OFFSET, ext));
    }
  }

  /** GET_BROKER_CONSUME_STATS (317): every group's progress on one broker. */
  async fetchConsumeStatsInBroker(
    brokerAddr: string,
    isOrder: boolean,
    timeoutMs: number,
  ): Promise<ConsumeStatsList> {
    const req = createRequest(RequestCode.GET_BROKER_CONSUME_STATS, { isOrder: String(isOrder) });
    const res = await this.client.invokeSync(brokerAddr, req, timeoutMs);
    if (res.code !== ResponseCode.SUCCESS) throw new AdminError(res.code, res.remark, brokerAddr);
    return decodeConsumeStatsList(res.body ?? new TextEncoder().encode("{}"));
  }

  /**
   * QUERY_CONSUME_QUEUE (321): `count` raw entries of one consume queue from `index`, with the group's
   * subscription and filter data when `consumerGroup` is given. `remark` says why no entries came back.
   */
  async queryConsumeQueue(
    brokerAddr: string,
    topic: string,
    queueId: number,
    index: number,
    count: number,
    consumerGroup?: string,
  ): Promise<{ body: QueryConsumeQueueResponseBody; remark: string | undefined }> {
    const h = { topic, queueId, index, count, ...(consumerGroup === undefined ? {} : { consumerGroup }) };
    const req = createRequest(RequestCode.QUERY_CONSUME_QUEUE, encodeQueryConsumeQueueRequestHeader(h));
    const res = await this.invoke(brokerAddr, req);
    return { body: decodeQueryConsumeQueueResponseBody(res.body), remark: res.remark };
  }

  /** VIEW_BROKER_STATS_DATA (315): [tps of the last minute, messages in the last 24 hours]. */
  async viewBrokerStatsData(
    brokerAddr: string,
    statsName: string,
    statsKey: string,
  ): Promise<[number, number]> {
    const req = createRequest(RequestCode.VIEW_BROKER_STATS_DATA, { statsName, statsKey });
    const res = await this.invoke(brokerAddr, req);
    const root = parseJson(new TextDecoder().decode(res.body ?? new Uint8Array()) || "{}");
    const item = (name: string): { sum: number; tps: number } => {
      const o = root !== null && typeof root === "object" && !Array.isArray(root) ? root[name] : undefined;
      const obj = o !== null && typeof o === "object" && !Array.isArray(o) ? o : {};
      return { sum: Number(obj.sum ?? 0), tps: Number(obj.tps ?? 0) };
    };
    const day = item("statsDay");
    const hour = item("statsHour");
    const minute = item("statsMinute");
    // Upstream's compute24HourSum: the widest window that has data.
    const sum = day.sum !== 0 ? day.sum : hour.sum !== 0 ? hour.sum : minute.sum;
    return [minute.tps, sum];
  }
}

/** The master's address, else any member's (upstream BrokerData.selectBrokerAddr). */
export function selectBrokerAddr(bd: BrokerData): string | undefined {
  return bd.brokerAddrs.get(0) ?? bd.brokerAddrs.values().next().value;
}
