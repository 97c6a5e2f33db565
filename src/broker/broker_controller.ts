/**
 * Composes the broker role: the store, the metadata managers, the request processors on the main and
 * VIP ports, long polling, delayed and timer delivery, transaction checks, name-server registration and the periodic chores
 * (offset persistence, idle-client expiry, stats sampling). Composition only: behaviour lives in the
 * modules it wires together.
 */
import type { BrokerConfig } from "../config/broker_config.ts";
import { type MessageStoreConfig, storePaths } from "../config/store_config.ts";
import { DefaultMessageStore } from "../store/message_store.ts";
import { RemotingServer } from "../remoting/server.ts";
import { RemotingClient } from "../remoting/client.ts";
import { createRequest, type RemotingCommand } from "../remoting/command.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { encodeConsumerGroupRequestHeader } from "../protocol/headers/client.ts";
import { type HostAddress, parseHostAddress } from "../message/host.ts";
import type { BrokerContext, BrokerStore } from "./broker_context.ts";
import type { BrokerChannel, ClientChannel } from "./client_channel.ts";
import { TopicConfigManager } from "./topic_config_manager.ts";
import { SubscriptionGroupManager } from "./subscription_group_manager.ts";
import { ConsumerOffsetManager } from "./consumer_offset_manager.ts";
import { ConsumerManager } from "./consumer_manager.ts";
import { ProducerManager } from "./producer_manager.ts";
import { RebalanceLockManager } from "./rebalance_lock_manager.ts";
import { BrokerStats } from "./broker_stats.ts";
import { RegisteredFilters } from "./filter/subscription_filter.ts";
import { BrokerOuterAPI, parseNamesrvAddrs } from "./broker_outer_api.ts";
import { parseDelayLevels } from "./message_factory.ts";
import { ScheduleMessageService } from "./schedule/schedule_message_service.ts";
import { SendMessageProcessor } from "./processor/send_message_processor.ts";
import { PullMessageProcessor } from "./processor/pull_message_processor.ts";
import { ConsumerManageProcessor } from "./processor/consumer_manage_processor.ts";
import { ClientManageProcessor } from "./processor/client_manage_processor.ts";
import { SendBackProcessor } from "./processor/send_back_processor.ts";
import { QueryMessageProcessor } from "./processor/query_message_processor.ts";
import { EndTransactionProcessor } from "./processor/end_transaction_processor.ts";
import { TransactionCheckService } from "./transaction/transaction_check_service.ts";
import { ReplyMessageProcessor } from "./processor/reply_message_processor.ts";
import { AdminBrokerProcessor } from "./processor/admin_broker_processor.ts";
import { AdminStatsProcessor } from "./processor/admin_stats_processor.ts";
import { AdminOffsetProcessor } from "./processor/admin_offset_processor.ts";
import { QueryConsumeQueueProcessor } from "./processor/query_consume_queue_processor.ts";
import { TimerMessageService } from "../timer/timer_message_service.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("broker");

/** Test and embedding knobs; production passes none. */
export interface BrokerControllerOptions {
  /** Wall clock shared by the store and the broker. */
  clock?: () => number;
  /** How often parked pulls are swept for expiry (default 1000 ms). */
  longPollingCheckIntervalMs?: number;
  /** Listen on listenPort − 2 as well (default true). */
  vipChannelEnabled?: boolean;
}

const SCAN_CHANNELS_INTERVAL_MS = 10_000;
const STATS_SAMPLE_INTERVAL_MS = 10_000;

/** Composes the broker role: store, processors, registration with namesrvs, background services. */
export class BrokerController {
  readonly #clock: () => number;
  readonly #opts: BrokerControllerOptions;
  #store: DefaultMessageStore | null = null;
  #server: RemotingServer | null = null;
  #vipServer: RemotingServer | null = null;
  #client: RemotingClient | null = null;
  #ctx: BrokerContext | null = null;
  #pull: PullMessageProcessor | null = null;
  #schedule: ScheduleMessageService | null = null;
  #txChecks: TransactionCheckService | null = null;
  #timer: TimerMessageService | null = null;
  #outer: BrokerOuterAPI | null = null;
  #timers: Array<ReturnType<typeof setInterval>> = [];
  #registerTimer: ReturnType<typeof setTimeout> | undefined;
  #registering: Promise<void> = Promise.resolve();
  #storeHost: HostAddress = { ip: new Uint8Array([127, 0, 0, 1]), port: 0 };
  #brokerAddr = "";
  #port = 0;
  #started = false;
  #stopped = false;

  constructor(
    readonly brokerConfig: BrokerConfig,
    readonly storeConfig: MessageStoreConfig,
    opts: BrokerControllerOptions = {},
  ) {
    this.#clock = opts.clock ?? Date.now;
    this.#opts = opts;
  }

  /** The bound main port (after start). */
  get port(): number {
    return this.#port;
  }

  /** The shared processor state (after start); for tests and embedding. */
  get context(): BrokerContext {
    if (!this.#ctx) throw new Error("The broker is not started");
    return this.#ctx;
  }

  /** The transaction check-back service (after start); tests drive passes with its check(). */
  get transactionCheckService(): TransactionCheckService {
    if (!this.#txChecks) throw new Error("The broker is not started");
    return this.#txChecks;
  }

  /** Opens/recovers the store, binds listenPort (0 = ephemeral) and the VIP port, registers with namesrvs. */
  async start(): Promise<void> {
    if (this.#started) throw new Error("The broker was already started");
    this.#started = true;
    const bc = this.brokerConfig;
    const sc = this.storeConfig;
    const now = this.#clock;
    const configDir = storePaths(sc).config;

    const topics = new TopicConfigManager(bc, `${configDir}/topics.json`, now);
    const groups = new SubscriptionGroupManager(
      bc.autoCreateSubscriptionGroup,
      `${configDir}/subscriptionGroup.json`,
      now,
    );
    const offsets = new ConsumerOffsetManager(`${configDir}/consumerOffset.json`);
    topics.load();
    groups.load();
    offsets.load();
    const delayLevelTable = parseDelayLevels(sc.messageDelayLevel);

    const store = new DefaultMessageStore(sc, { clock: now });
    await store.start();
    this.#store = store;
    // Timer messages parked before a restart are recovered before sends are accepted again.
    const timer = new TimerMessageService(store, sc, { clock: now });
    await timer.start();
    this.#timer = timer;

    const consumers = new ConsumerManager(now);
    const producers = new ProducerManager(now);
    const hostRef = () => this.#storeHost;
    const addrRef = () => this.#brokerAddr;
    const ctx: BrokerContext = {
      brokerConfig: bc,
      storeConfig: sc,
      store: store as BrokerStore,
      topicConfigManager: topics,
      subscriptionGroupManager: groups,
      consumerOffsetManager: offsets,
      consumerManager: consumers,
      producerManager: producers,
      lockManager: new RebalanceLockManager(now),
      stats: new BrokerStats(now),
      consumerFilters: new RegisteredFilters(() => bc.enablePropertyFilter),
      get storeHost() {
        return hostRef();
      },
      get brokerAddr() {
        return addrRef();
      },
      delayLevelTable,
      maxDelayLevel: delayLevelTable.size,
      now,
      // Checked per send: skip the clock when no start time is set (the default).
      isAcceptingSends: () =>
        bc.startAcceptSendRequestTimeStamp <= 0 || now() >= bc.startAcceptSendRequestTimeStamp,
      requestRegistration: () => this.#requestRegistration(),
    };
    this.#ctx = ctx;

    const schedule = new ScheduleMessageService(
      store,
      delayLevelTable,
      `${configDir}/delayOffset.json`,
      () => this.#storeHost,
      now,
    );
    schedule.load();
    this.#schedule = schedule;
    this.#txChecks = new TransactionCheckService(ctx);
    const pull = new PullMessageProcessor(ctx, this.#opts.longPollingCheckIntervalMs ?? 1000);
    this.#pull = pull;
    store.setMessageArrivingListener((topic, queueId, maxOffset, tagsCode) =>
      pull.holdService.notifyMessageArriving(topic, queueId, maxOffset, tagsCode)
    );

    consumers.onChange((event, group, channels) => this.#notifyConsumerIdsChanged(event, group, channels));
    topics.onChange(() => this.#requestRegistration());

    this.#server = new RemotingServer({ hostname: bc.listenHost, port: bc.listenPort, name: "broker" });
    this.#registerProcessors(this.#server, ctx, pull, schedule);
    await this.#server.start();
    this.#port = this.#server.port;
    this.#brokerAddr = `${bc.brokerIP1}:${this.#port}`;
    this.#storeHost = hostOrLoopback(this.#brokerAddr, this.#port);
    await this.#startVipServer(ctx, pull);

    pull.holdService.start();
    schedule.start();
    if (sc.brokerRole !== "SLAVE") this.#txChecks.start();
    this.#every(bc.flushConsumerOffsetInterval, () => void offsets.persistIfDirty());
    this.#every(sc.flushDelayOffsetInterval, () => void this.#schedule?.persistSoon());
    this.#every(SCAN_CHANNELS_INTERVAL_MS, () => {
      consumers.scanNotActiveChannel();
      producers.scanNotActiveChannel();
    });
    this.#every(STATS_SAMPLE_INTERVAL_MS, () => ctx.stats.sample());

    const namesrvs = parseNamesrvAddrs(bc.namesrvAddr);
    if (namesrvs.length > 0) {
      this.#client = new RemotingClient({ name: "broker-outer" });
      this.#outer = new BrokerOuterAPI(this.#client, bc.registerBrokerTimeoutMills);
      const period = Math.min(60_000, Math.max(10_000, bc.registerNameServerPeriod));
      this.#every(period, () => this.#requestRegistration());
      await this.#registerAll();
    } else {
      log.info("No namesrvAddr configured: the broker will not register with any name server");
    }
    log.info(`Broker "${bc.brokerName}" of cluster "${bc.brokerClusterName}" serving at ${this.#brokerAddr}`);
  }

  #registerProcessors(
    server: RemotingServer,
    ctx: BrokerContext,
    pull: PullMessageProcessor,
    schedule: ScheduleMessageService,
  ): void {
    const send = new SendMessageProcessor(ctx);
    const consumerManage = new ConsumerManageProcessor(ctx);
    const clientManage = new ClientManageProcessor(ctx);
    const sendBack = new SendBackProcessor(ctx);
    const query = new QueryMessageProcessor(ctx);
    const endTx = new EndTransactionProcessor(ctx, this.#txChecks!);
    const reply = new ReplyMessageProcessor(ctx);
    const adminBroker = new AdminBrokerProcessor(ctx, () => schedule.encodeAllDelayOffset());
    const adminStats = new AdminStatsProcessor(ctx);
    const adminOffsets = new AdminOffsetProcessor(ctx);
    const queryCq = new QueryConsumeQueueProcessor(ctx);
    const reg = (codes: number[], fn: (req: RemotingCommand, ch: BrokerChannel) => unknown) => {
      for (const c of codes) {
        server.registerProcessor(
          c,
          (req, ch) => fn(req, ch) as Promise<RemotingCommand | null> | RemotingCommand,
        );
      }
    };
    const R = RequestCode;
    reg([R.SEND_MESSAGE, R.SEND_MESSAGE_V2, R.SEND_BATCH_MESSAGE], (q, ch) => send.process(q, ch));
    reg([R.PULL_MESSAGE, R.LITE_PULL_MESSAGE], (q, ch) => pull.process(q, ch));
    reg([
      R.QUERY_CONSUMER_OFFSET,
      R.UPDATE_CONSUMER_OFFSET,
      R.GET_CONSUMER_LIST_BY_GROUP,
      R.GET_MAX_OFFSET,
      R.GET_MIN_OFFSET,
      R.SEARCH_OFFSET_BY_TIMESTAMP,
      R.GET_EARLIEST_MSG_STORETIME,
    ], (q) => consumerManage.process(q));
    reg(
      [R.HEART_BEAT, R.UNREGISTER_CLIENT, R.CHECK_CLIENT_CONFIG, R.LOCK_BATCH_MQ, R.UNLOCK_BATCH_MQ],
      (q, ch) => clientManage.process(q, ch),
    );
    reg([R.CONSUMER_SEND_MSG_BACK], (q) => sendBack.process(q));
    reg([R.QUERY_MESSAGE, R.VIEW_MESSAGE_BY_ID], (q) => query.process(q));
    reg([R.END_TRANSACTION], (q) => endTx.process(q));
    reg([R.SEND_REPLY_MESSAGE, R.SEND_REPLY_MESSAGE_V2], (q, ch) => reply.process(q, ch));
    reg([
      R.UPDATE_AND_CREATE_TOPIC,
      R.DELETE_TOPIC_IN_BROKER,
      R.GET_ALL_TOPIC_CONFIG,
      R.UPDATE_BROKER_CONFIG,
      R.GET_BROKER_CONFIG,
      R.GET_BROKER_RUNTIME_INFO,
      R.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP,
      R.GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
      R.DELETE_SUBSCRIPTIONGROUP,
      R.GET_ALL_CONSUMER_OFFSET,
      R.GET_ALL_DELAY_OFFSET,
      R.GET_SYSTEM_TOPIC_LIST_FROM_BROKER,
    ], (q) => adminBroker.process(q));
    reg([
      R.GET_TOPIC_STATS_INFO,
      R.GET_CONSUME_STATS,
      R.GET_CONSUMER_CONNECTION_LIST,
      R.GET_PRODUCER_CONNECTION_LIST,
      R.INVOKE_BROKER_TO_RESET_OFFSET,
      R.QUERY_TOPIC_CONSUME_BY_WHO,
      R.GET_CONSUMER_RUNNING_INFO,
      R.CONSUME_MESSAGE_DIRECTLY,
      R.VIEW_BROKER_STATS_DATA,
    ], (q) => adminStats.process(q));
    reg([
      R.QUERY_CONSUME_TIME_SPAN,
      R.GET_BROKER_CONSUME_STATS,
      R.CLONE_GROUP_OFFSET,
      R.GET_ALL_PRODUCER_INFO,
      R.CLEAN_EXPIRED_CONSUMEQUEUE,
      R.CLEAN_UNUSED_TOPIC,
      R.DELETE_EXPIRED_COMMITLOG,
    ], (q) => adminOffsets.process(q));
    reg([R.QUERY_CONSUME_QUEUE], (q) => queryCq.process(q));
    server.onChannelClosed((ch) => {
      ctx.consumerManager.doChannelCloseEvent(ch);
      ctx.producerManager.doChannelCloseEvent(ch);
    });
  }

  async #startVipServer(ctx: BrokerContext, pull: PullMessageProcessor): Promise<void> {
    if (this.#opts.vipChannelEnabled === false) return;
    const main = this.brokerConfig.listenPort;
    if (main !== 0 && main < 3) return;
    const vip = new RemotingServer({
      hostname: this.brokerConfig.listenHost,
      port: main === 0 ? 0 : main - 2,
      name: "broker-vip",
    });
    this.#registerProcessors(vip, ctx, pull, this.#schedule!);
    try {
      await vip.start();
      this.#vipServer = vip;
    } catch (e) {
      log.warn(`Cannot listen on the VIP port ${main - 2}: ${(e as Error).message}`);
    }
  }

  /** The bound VIP port, or 0 when not listening. */
  get vipPort(): number {
    return this.#vipServer?.port ?? 0;
  }

  #every(ms: number, fn: () => void): void {
    this.#timers.push(setInterval(() => {
      try {
        fn();
      } catch (e) {
        log.error("A periodic broker task failed", e);
      }
    }, Math.max(1, ms)));
  }

  #notifyConsumerIdsChanged(event: string, group: string, channels: ClientChannel[]): void {
    if (event !== "CHANGE" || !this.brokerConfig.notifyConsumerIdsChangedEnable) return;
    const gc = this.#ctx?.subscriptionGroupManager.get(group);
    if (gc && !gc.notifyConsumerIdsChangedEnable) return;
    for (const ch of channels) {
      if (ch.closed) continue;
      ch.invokeOneway(
        createRequest(
          RequestCode.NOTIFY_CONSUMER_IDS_CHANGED,
          encodeConsumerGroupRequestHeader({ consumerGroup: group }),
        ),
      );
    }
  }

  /** Coalesces registration requests (topic changes come in bursts) into one round soon. */
  #requestRegistration(): void {
    if (!this.#outer || this.#stopped || this.#registerTimer !== undefined) return;
    this.#registerTimer = setTimeout(() => {
      this.#registerTimer = undefined;
      this.#registering = this.#registering.then(() => this.#registerAll());
    }, 0);
  }

  async #registerAll(): Promise<void> {
    const ctx = this.#ctx;
    if (!this.#outer || !ctx || this.#stopped) return;
    const bc = this.brokerConfig;
    const topics = ctx.topicConfigManager.all().map((t) => ({
      ...t,
      perm: t.perm & bc.brokerPermission | (t.perm & 1),
    }));
    const ok = await this.#outer.registerBrokerAll(
      parseNamesrvAddrs(bc.namesrvAddr),
      this.#identity(),
      topics,
      ctx.topicConfigManager.dataVersion,
      bc.compressedRegister,
    );
    log.debug(`Registered with ${ok} name server(s)`);
  }

  #identity() {
    const bc = this.brokerConfig;
    return {
      clusterName: bc.brokerClusterName,
      brokerName: bc.brokerName,
      brokerAddr: this.#brokerAddr,
      brokerId: this.storeConfig.brokerRole === "SLAVE" ? Math.max(1, bc.brokerId) : 0,
      haServerAddr: `${bc.brokerIP2}:${this.storeConfig.haListenPort}`,
    };
  }

  /** Stops accepting, finishes in-flight replies, unregisters from namesrvs, flushes and closes the store. */
  async shutdown(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    if (this.#registerTimer !== undefined) clearTimeout(this.#registerTimer);
    this.#registerTimer = undefined;
    await this.#registering.catch(() => {});
    if (this.#outer) {
      await this.#outer.unregisterBrokerAll(
        parseNamesrvAddrs(this.brokerConfig.namesrvAddr),
        this.#identity(),
      );
    }
    await this.#pull?.holdService.shutdown();
    await this.#vipServer?.shutdown();
    await this.#server?.shutdown();
    await this.#schedule?.shutdown();
    await this.#txChecks?.shutdown();
    await this.#timer?.shutdown();
    const ctx = this.#ctx;
    if (ctx) {
      for (
        const [what, fn] of [
          ["consumerOffset.json", () => ctx.consumerOffsetManager.persist()],
          ["topics.json", () => ctx.topicConfigManager.persist()],
          ["subscriptionGroup.json", () => ctx.subscriptionGroupManager.persist()],
        ] as const
      ) {
        try {
          await fn();
        } catch (e) {
          log.error(`Cannot persist ${what} at shutdown`, e);
        }
      }
    }
    await this.#store?.shutdown();
    if (this.#client) {
      this.#client.close();
      await this.#client.closed();
    }
    log.info(`Broker "${this.brokerConfig.brokerName}" stopped`);
  }
}

function hostOrLoopback(addr: string, port: number): HostAddress {
  try {
    return parseHostAddress(addr);
  } catch {
    return { ip: new Uint8Array([127, 0, 0, 1]), port };
  }
}
