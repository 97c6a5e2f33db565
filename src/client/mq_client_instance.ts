/**
 * The shared core of one client (upstream MQClientInstance): name server lookups, the route and broker
 * address tables, periodic route refresh / heartbeat / offset persistence / rebalance, and the requests
 * brokers send to clients. Producers and consumers register themselves as members.
 */

import { getLogger } from "../log/logger.ts";
import { createResponse, extString, type RemotingCommand } from "../remoting/command.ts";
import { RemotingClient } from "../remoting/client.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import type { ConsumerData, HeartbeatData } from "../protocol/bodies/heartbeat.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import { decodeResetOffsetBody } from "../protocol/bodies/stats.ts";
import type { TopicRouteData } from "../protocol/route.ts";
import {
  type CheckTransactionStateRequestHeader,
  decodeCheckTransactionStateRequestHeader,
} from "../protocol/headers/transaction.ts";
import { decodeRecord } from "../message/record_codec.ts";
import type { MessageExt } from "../message/message.ts";
import {
  buildClientId,
  type ClientConfig,
  parseNamesrvAddr,
  resolveClientConfig,
  type ResolvedClientConfig,
} from "./client_config.ts";
import { MQClientAPI } from "./mq_client_api.ts";
import { encodeConsumerStatusBody } from "./running_info.ts";
import { MQClientError } from "./errors.ts";
import { decodePushedReply, RequestResponseTable } from "./request_reply.ts";
import {
  MASTER_ID,
  routeFromDefaultTopic,
  sameRoute,
  type TopicPublishInfo,
  topicRouteToPublishInfo,
  topicRouteToSubscribeInfo,
} from "./route_info.ts";

const log = getLogger("client");

/** The auto-create template topic producers fall back to for unknown topics. */
export const AUTO_CREATE_TOPIC_KEY = "TBW102";

/** Upstream's answer to a broker asking about a consumer group this client does not run. */
function noSuchConsumerGroup(req: RemotingCommand, group: string): RemotingCommand {
  return createResponse(
    req,
    ResponseCode.SYSTEM_ERROR,
    `The Consumer Group <${group}> not exist in this consumer`,
  );
}

/** What the instance needs from a producer. */
export interface ProducerMember {
  readonly group: string;
  /** Topics whose publish info should be kept fresh. */
  publishTopics(): string[];
  updatePublishInfo(topic: string, info: TopicPublishInfo): void;
  /** CHECK_TRANSACTION_STATE hook; absent for non-transactional producers. */
  checkTransactionState?(addr: string, msg: MessageExt, header: CheckTransactionStateRequestHeader): void;
}

/** What the instance needs from a consumer. */
export interface ConsumerMember {
  readonly group: string;
  consumerData(): ConsumerData;
  subscribedTopics(): string[];
  updateSubscribeInfo(topic: string, mqs: MessageQueue[]): void;
  doRebalance(): Promise<void>;
  persistConsumerOffset(): Promise<void>;
  resetOffset(topic: string, table: Array<[MessageQueue, number]>): Promise<void>;
  /** The ConsumerRunningInfo body (see running_info.ts). */
  runningInfo(): Promise<Uint8Array>;
  /** The group's in-memory offsets of `topic`'s queues (GET_CONSUMER_STATUS_FROM_CLIENT). */
  offsetTable(topic: string): Promise<Array<[MessageQueue, number]>>;
  /** CONSUME_MESSAGE_DIRECTLY; absent for consumers without a listener (lite pull). */
  consumeMessageDirectly?(msg: MessageExt, brokerName: string): Promise<Record<string, unknown>>;
}

/** One client's shared connections, routes and timers. */
export class MQClientInstance {
  readonly config: ResolvedClientConfig;
  readonly clientId: string;
  readonly remoting: RemotingClient;
  readonly api: MQClientAPI;
  /** Replies awaited by this instance's producers' request() calls. */
  readonly requestTable = new RequestResponseTable();
  readonly #namesrvs: string[];
  #namesrvIndex = 0;
  readonly #routes = new Map<string, TopicRouteData>();
  /** brokerName → brokerId → address. */
  readonly #brokerAddrs = new Map<string, Map<number, string>>();
  readonly #producers = new Map<string, ProducerMember>();
  readonly #consumers = new Map<string, ConsumerMember>();
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  #rebalanceTimer: ReturnType<typeof setTimeout> | undefined;
  #rebalancing: Promise<void> | null = null;
  #started = false;
  #stopped = false;

  constructor(config: ClientConfig) {
    this.config = resolveClientConfig(config);
    this.clientId = buildClientId(this.config);
    this.#namesrvs = parseNamesrvAddr(this.config.namesrvAddr);
    if (this.#namesrvs.length === 0) {
      throw new MQClientError(`Name server address "${config.namesrvAddr}" lists no servers`);
    }
    this.remoting = new RemotingClient({ name: "client" });
    this.api = new MQClientAPI(this.remoting);
    this.#registerProcessors();
  }

  /** Starts the periodic tasks (idempotent). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const every = (ms: number, task: () => Promise<void>) => {
      this.#timers.push(setInterval(() => {
        task().catch((e) => log.warn(`Periodic client task failed: ${e}`));
      }, ms));
    };
    every(this.config.pollNameServerIntervalMs, () => this.updateAllRoutes());
    every(this.config.heartbeatBrokerIntervalMs, () => this.sendHeartbeatToAllBrokers());
    every(this.config.persistConsumerOffsetIntervalMs, () => this.persistAllConsumerOffsets());
    every(this.config.rebalanceIntervalMs, () => this.doRebalance());
  }

  /** Stops timers and closes every connection; waits for the sockets to finish. */
  async shutdown(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    if (this.#rebalanceTimer !== undefined) clearTimeout(this.#rebalanceTimer);
    await this.#rebalancing?.catch(() => {});
    this.requestTable.failAll(new MQClientError("The client instance was shut down"));
    this.remoting.close();
    await this.remoting.closed();
  }

  /** True after shutdown() began. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Adds a producer; one per group per instance. */
  registerProducer(p: ProducerMember): void {
    if (this.#producers.has(p.group)) {
      throw new MQClientError(`Producer group "${p.group}" is already registered`);
    }
    this.#producers.set(p.group, p);
  }

  /** Removes a producer group. */
  unregisterProducer(group: string): void {
    this.#producers.delete(group);
  }

  /** Adds a consumer; one per group per instance. */
  registerConsumer(c: ConsumerMember): void {
    if (this.#consumers.has(c.group)) {
      throw new MQClientError(`Consumer group "${c.group}" is already registered`);
    }
    this.#consumers.set(c.group, c);
  }

  /** Removes a consumer group. */
  unregisterConsumer(group: string): void {
    this.#consumers.delete(group);
  }

  /**
   * UNREGISTER_CLIENT for `groups` to every broker in `addrs`, in parallel. Failures are only logged:
   * a broker also forgets a client whose heartbeats stop.
   */
  async unregisterFromBrokers(
    addrs: Iterable<string>,
    groups: { producerGroup?: string; consumerGroup?: string },
  ): Promise<void> {
    await Promise.all(
      [...new Set(addrs)].map((a) =>
        this.api.unregisterClient(a, this.clientId, groups, 3000)
          .catch((e) => log.debug(`Unregister from "${a}" failed: ${e}`))
      ),
    );
  }

  /**
   * Makes a subscription added while running take effect: fetches the topic's route, heartbeats so
   * brokers learn the subscription, then schedules a rebalance.
   */
  async activateSubscription(topic: string): Promise<void> {
    await this.updateTopicRouteInfoFromNameServer(topic);
    await this.sendHeartbeatToAllBrokers();
    this.rebalanceImmediately();
  }

  /** Runs `call` against each name server in turn until one answers. */
  async #withNamesrv<T>(call: (addr: string) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let i = 0; i < this.#namesrvs.length; i++) {
      const addr = this.#namesrvs[(this.#namesrvIndex + i) % this.#namesrvs.length]!;
      try {
        const out = await call(addr);
        this.#namesrvIndex = (this.#namesrvIndex + i) % this.#namesrvs.length;
        return out;
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError;
  }

  /**
   * Fetches `topic`'s route and, if it changed, updates broker addresses and every member's view.
   * With `defaultTopicQueueNums`, an unknown topic borrows the TBW102 route (producer auto-create).
   * Returns true when a route is now known.
   */
  async updateTopicRouteInfoFromNameServer(topic: string, defaultTopicQueueNums?: number): Promise<boolean> {
    let route = await this.#withNamesrv((addr) =>
      this.api.getTopicRouteInfo(addr, topic, this.config.requestTimeoutMs)
    );
    let fromDefault = false;
    if (route === null && defaultTopicQueueNums !== undefined) {
      const template = await this.#withNamesrv((addr) =>
        this.api.getTopicRouteInfo(addr, AUTO_CREATE_TOPIC_KEY, this.config.requestTimeoutMs)
      );
      if (template) {
        route = routeFromDefaultTopic(template, defaultTopicQueueNums);
        fromDefault = true;
      }
    }
    if (route === null) return false;
    const old = this.#routes.get(topic);
    if (sameRoute(old, route) && !fromDefault) return true;
    let newBroker = false;
    for (const bd of route.brokerDatas) {
      const known = this.#brokerAddrs.get(bd.brokerName);
      for (const [id, a] of bd.brokerAddrs) if (known?.get(id) !== a) newBroker = true;
      this.#brokerAddrs.set(bd.brokerName, new Map(bd.brokerAddrs));
    }
    // A broker first seen now has never heard our heartbeat: without it, it knows no members of our
    // groups (rebalance would see nobody) and cannot push replies to us.
    if (newBroker && this.#started && !this.#stopped) {
      this.sendHeartbeatToAllBrokers().catch((e) => log.debug(`Heartbeat to new brokers failed: ${e}`));
    }
    const publish = topicRouteToPublishInfo(topic, route);
    if (fromDefault) {
      // Not cached as the topic's own route: the next refresh should find the real one once created.
      for (const p of this.#producers.values()) p.updatePublishInfo(topic, publish);
      return publish.ok;
    }
    this.#routes.set(topic, route);
    for (const p of this.#producers.values()) p.updatePublishInfo(topic, publish);
    const subscribe = topicRouteToSubscribeInfo(topic, route);
    for (const c of this.#consumers.values()) {
      if (c.subscribedTopics().includes(topic)) c.updateSubscribeInfo(topic, subscribe);
    }
    return true;
  }

  /** Refreshes the route of every topic a member uses. */
  async updateAllRoutes(): Promise<void> {
    const topics = new Set<string>();
    for (const p of this.#producers.values()) for (const t of p.publishTopics()) topics.add(t);
    for (const c of this.#consumers.values()) for (const t of c.subscribedTopics()) topics.add(t);
    for (const t of topics) {
      try {
        await this.updateTopicRouteInfoFromNameServer(t);
      } catch (e) {
        log.warn(`Cannot refresh route of topic "${t}": ${e}`);
      }
    }
  }

  /** The cached route of `topic`. */
  topicRoute(topic: string): TopicRouteData | undefined {
    return this.#routes.get(topic);
  }

  /** The master address of `brokerName`, if known. */
  findBrokerAddressInPublish(brokerName: string): string | undefined {
    return this.#brokerAddrs.get(brokerName)?.get(MASTER_ID);
  }

  /** An address to read from: the master, else any member. */
  findBrokerAddressInSubscribe(brokerName: string): string | undefined {
    const addrs = this.#brokerAddrs.get(brokerName);
    if (!addrs) return undefined;
    return addrs.get(MASTER_ID) ?? [...addrs.values()][0];
  }

  /** Any broker serving `topic` (used for group-wide questions such as the member list). */
  findBrokerAddrByTopic(topic: string): string | undefined {
    const route = this.#routes.get(topic);
    const bd = route?.brokerDatas[0];
    if (!bd) return undefined;
    return bd.brokerAddrs.get(MASTER_ID) ?? [...bd.brokerAddrs.values()][0];
  }

  /** The heartbeat body describing every registered member. */
  heartbeatData(): HeartbeatData {
    return {
      clientID: this.clientId,
      producerDataSet: [...this.#producers.keys()].map((groupName) => ({ groupName })),
      consumerDataSet: [...this.#consumers.values()].map((c) => c.consumerData()),
    };
  }

  /** HEART_BEAT to every known broker (masters only when there are no consumers). */
  async sendHeartbeatToAllBrokers(): Promise<void> {
    const data = this.heartbeatData();
    if (data.producerDataSet.length === 0 && data.consumerDataSet.length === 0) return;
    const mastersOnly = data.consumerDataSet.length === 0;
    const sends: Promise<void>[] = [];
    for (const [name, addrs] of this.#brokerAddrs) {
      for (const [id, addr] of addrs) {
        if (mastersOnly && id !== MASTER_ID) continue;
        sends.push(
          this.api.sendHeartbeat(addr, data, this.config.requestTimeoutMs).then(
            () => {},
            (e) => log.warn(`Heartbeat to broker "${name}" at "${addr}" failed: ${e}`),
          ),
        );
      }
    }
    await Promise.all(sends);
  }

  /** Persists every consumer's offsets. */
  async persistAllConsumerOffsets(): Promise<void> {
    for (const c of this.#consumers.values()) await c.persistConsumerOffset();
  }

  /** Rebalances every consumer now; concurrent calls share one run. */
  doRebalance(): Promise<void> {
    if (this.#rebalancing) return this.#rebalancing;
    const run = (async () => {
      for (const c of this.#consumers.values()) {
        try {
          await c.doRebalance();
        } catch (e) {
          log.warn(`Rebalance of group "${c.group}" failed: ${e}`);
        }
      }
    })();
    this.#rebalancing = run.finally(() => {
      this.#rebalancing = null;
    });
    return this.#rebalancing;
  }

  /** Schedules a rebalance shortly (coalesces bursts of NOTIFY_CONSUMER_IDS_CHANGED). */
  rebalanceImmediately(): void {
    if (this.#stopped || this.#rebalanceTimer !== undefined) return;
    this.#rebalanceTimer = setTimeout(() => {
      this.#rebalanceTimer = undefined;
      if (!this.#stopped) this.doRebalance().catch(() => {});
    }, 10);
  }

  #registerProcessors(): void {
    this.remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
      log.info(`Broker says the members of group "${extString(req, "consumerGroup") ?? ""}" changed`);
      this.rebalanceImmediately();
      return null;
    });
    this.remoting.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, async (req) => {
      const group = extString(req, "group") ?? "";
      const topic = extString(req, "topic") ?? "";
      const consumer = this.#consumers.get(group);
      if (consumer && req.body) await consumer.resetOffset(topic, decodeResetOffsetBody(req.body));
      return createResponse(req, ResponseCode.SUCCESS);
    });
    this.remoting.registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, async (req) => {
      const group = extString(req, "consumerGroup") ?? "";
      const consumer = this.#consumers.get(group);
      if (!consumer) return noSuchConsumerGroup(req, group);
      return createResponse(req, ResponseCode.SUCCESS, undefined, {}, await consumer.runningInfo());
    });
    this.remoting.registerProcessor(RequestCode.GET_CONSUMER_STATUS_FROM_CLIENT, async (req) => {
      const group = extString(req, "group") ?? "";
      const consumer = this.#consumers.get(group);
      if (!consumer) return noSuchConsumerGroup(req, group);
      const table = await consumer.offsetTable(extString(req, "topic") ?? "");
      return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeConsumerStatusBody(table));
    });
    this.remoting.registerProcessor(RequestCode.CONSUME_MESSAGE_DIRECTLY, async (req) => {
      const group = extString(req, "consumerGroup") ?? "";
      const consumer = this.#consumers.get(group);
      if (!consumer?.consumeMessageDirectly || !req.body) return noSuchConsumerGroup(req, group);
      try {
        const [msg] = decodeRecord(req.body, 0);
        const result = await consumer.consumeMessageDirectly(msg, extString(req, "brokerName") ?? "");
        return createResponse(
          req,
          ResponseCode.SUCCESS,
          undefined,
          {},
          new TextEncoder().encode(JSON.stringify(result)),
        );
      } catch (e) {
        return createResponse(req, ResponseCode.SYSTEM_ERROR, `Consume message directly failed: ${e}`);
      }
    });
    this.remoting.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, (req, channel) => {
      try {
        const reply = decodePushedReply(req);
        if (!this.requestTable.complete(reply)) {
          log.warn(
            `Reply "${
              reply.properties["CORRELATION_ID"] ?? ""
            }" from "${channel.remoteAddr}" matches no request`,
          );
        }
        return createResponse(req, ResponseCode.SUCCESS);
      } catch (e) {
        return createResponse(req, ResponseCode.SYSTEM_ERROR, `Cannot handle the reply: ${e}`);
      }
    });
    this.remoting.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (req, channel) => {
      this.#onCheckTransactionState(req, channel.remoteAddr);
      return null;
    });
  }

  #onCheckTransactionState(req: RemotingCommand, addr: string): void {
    if (!req.body) return;
    try {
      const header = decodeCheckTransactionStateRequestHeader(req.extFields);
      const [msg] = decodeRecord(req.body, 0);
      const group = msg.properties["PGROUP"];
      const producer = group === undefined ? undefined : this.#producers.get(group);
      if (producer?.checkTransactionState) producer.checkTransactionState(addr, msg, header);
      else log.warn(`Transaction check for group "${group ?? ""}" has no transactional producer here`);
    } catch (e) {
      log.warn(`Cannot handle transaction check from "${addr}": ${e}`);
    }
  }
}
