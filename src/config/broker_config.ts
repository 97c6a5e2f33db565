/**
 * The broker's own settings: upstream BrokerConfig plus the server- and client-socket keys
 * (store-and-semantics.md §14.1), with upstream key names and defaults. Store settings (brokerRole,
 * flushDiskType, storePathRootDir, ...) live in MessageStoreConfigSchema; one broker file feeds both,
 * as upstream feeds one file to four config objects.
 *
 * Host-dependent defaults are computed once at module load: `brokerName` is the host name,
 * `brokerIP1`/`brokerIP2` the first non-loopback IPv4 address (see `detectHostIPv4`), and thread-pool
 * sizes follow the CPU count as upstream's do. rmq extras: `listenHost`, `logDir`.
 *
 * @example
 * ```ts
 * import { defaultsOf } from "./schema.ts";
 * const config = { ...defaultsOf(BrokerConfigSchema), listenPort: 0, namesrvAddr: "127.0.0.1:9876" };
 * ```
 */
import { bool, ConfigError, type ConfigOf, type FieldSpec, int, long, str } from "./schema.ts";
import { cpuCount, detectHostIPv4, localHostName } from "./host.ts";
import { NettyClientConfigSchema, NettyServerConfigSchema } from "./netty_config.ts";
import { DEFAULT_LOG_DIR } from "./namesrv_config.ts";

const CPUS = cpuCount();
const HOST_IP = detectHostIPv4();
const SEND_THREADS = Math.min(CPUS, 4);

/**
 * A permission bit set as upstream's PermName uses it for brokers: 2 = write, 4 = read, 6 = read and
 * write, 0 = neither. INHERIT (1) only makes sense on topics, so it is refused here.
 */
function permission(defaultValue: number): FieldSpec<number> {
  const allowed = [0, 2, 4, 6];
  return {
    kind: "int",
    defaultValue,
    min: 0,
    max: 7,
    parse(raw, key) {
      const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!allowed.includes(n)) {
        throw new ConfigError(
          `Cannot parse config value "${raw}" for key "${key}": expected one of 0, 2 (write), 4 (read), 6 (read and write)`,
        );
      }
      return n;
    },
  };
}

/** Schema of the broker config; pair it with MessageStoreConfigSchema when loading a broker file. */
export const BrokerConfigSchema = {
  // Identity and network.
  brokerClusterName: str("DefaultCluster"),
  brokerName: str(localHostName()),
  /** 0 = master, > 0 = slave, -1 under DLedger/controller mode until elected. */
  brokerId: long(0, { min: -1 }),
  brokerIP1: str(HOST_IP),
  brokerIP2: str(HOST_IP),
  /** `host:port` list separated by `;` (`,` accepted). Default comes from NAMESRV_ADDR, set by the loader. */
  namesrvAddr: str(""),
  listenPort: int(10911, { min: 0, max: 65535 }),
  ...NettyServerConfigSchema,
  ...NettyClientConfigSchema,
  rocketmqHome: str(Deno.env.get("ROCKETMQ_HOME") ?? ""),
  regionId: str("DefaultRegion"),
  brokerPermission: permission(6),
  fetchNamesrvAddrByAddressServer: bool(false),
  rmqAddressServerDomain: str("jmenv.tbsite.net"),
  rmqAddressServerSubGroup: str("nsaddr"),

  // Topics and groups.
  defaultTopicQueueNums: int(8, { min: 1 }),
  autoCreateTopicEnable: bool(true),
  clusterTopicEnable: bool(true),
  brokerTopicEnable: bool(true),
  autoCreateSubscriptionGroup: bool(true),
  messageStorePlugIn: str(""),
  traceTopicEnable: bool(false),
  msgTraceTopicName: str("RMQ_SYS_TRACE_TOPIC"),
  traceOn: bool(true),
  storeReplyMessageEnable: bool(true),
  autoDeleteUnusedStats: bool(false),
  isolateLogEnable: bool(false),

  // Executors (rmq runs on one event loop; sizes are accepted and used as concurrency hints only).
  sendMessageThreadPoolNums: int(SEND_THREADS, { min: 1 }),
  putMessageFutureThreadPoolNums: int(Math.min(CPUS, 4), { min: 1 }),
  pullMessageThreadPoolNums: int(16 + CPUS * 2, { min: 1 }),
  processReplyMessageThreadPoolNums: int(16 + CPUS * 2, { min: 1 }),
  queryMessageThreadPoolNums: int(8 + CPUS, { min: 1 }),
  adminBrokerThreadPoolNums: int(16, { min: 1 }),
  clientManageThreadPoolNums: int(32, { min: 1 }),
  consumerManageThreadPoolNums: int(32, { min: 1 }),
  heartbeatThreadPoolNums: int(Math.min(32, CPUS), { min: 1 }),
  endTransactionThreadPoolNums: int(Math.max(8 + CPUS * 2, SEND_THREADS * 4), { min: 1 }),
  sendThreadPoolQueueCapacity: int(10000, { min: 1 }),
  putThreadPoolQueueCapacity: int(10000, { min: 1 }),
  pullThreadPoolQueueCapacity: int(100000, { min: 1 }),
  replyThreadPoolQueueCapacity: int(10000, { min: 1 }),
  queryThreadPoolQueueCapacity: int(20000, { min: 1 }),
  clientManagerThreadPoolQueueCapacity: int(1000000, { min: 1 }),
  consumerManagerThreadPoolQueueCapacity: int(1000000, { min: 1 }),
  heartbeatThreadPoolQueueCapacity: int(50000, { min: 1 }),
  endTransactionPoolQueueCapacity: int(100000, { min: 1 }),

  // Persistence periods.
  flushConsumerOffsetInterval: int(5000, { min: 1 }),
  flushConsumerOffsetHistoryInterval: int(60000, { min: 1 }),

  // Pull and consumers.
  longPollingEnable: bool(true),
  shortPollingTimeMills: long(1000, { min: 0 }),
  notifyConsumerIdsChangedEnable: bool(true),
  highSpeedMode: bool(false),
  transferMsgByHeap: bool(true),
  maxDelayTime: int(40, { min: 0 }),
  slaveReadEnable: bool(false),
  disableConsumeIfConsumerReadSlowly: bool(false),
  consumerFallbehindThreshold: long(17179869184, { min: 0 }),
  filterServerNums: int(0, { min: 0 }),

  // Fast failure (queue-age thresholds, ms).
  brokerFastFailureEnable: bool(true),
  waitTimeMillsInSendQueue: long(200, { min: 0 }),
  waitTimeMillsInPullQueue: long(5000, { min: 0 }),
  waitTimeMillsInHeartbeatQueue: long(31000, { min: 0 }),
  waitTimeMillsInTransactionQueue: long(3000, { min: 0 }),
  startAcceptSendRequestTimeStamp: long(0, { min: 0 }),

  // Filtering.
  enablePropertyFilter: bool(false),
  filterSupportRetry: bool(false),
  enableCalcFilterBitMap: bool(false),
  expectConsumerNumUseFilter: int(32, { min: 1 }),
  maxErrorRateOfBloomFilter: int(20, { min: 1, max: 100 }),
  filterDataCleanTimeSpan: long(86400000, { min: 0 }),

  // Registration with name servers.
  registerNameServerPeriod: int(30000, { min: 1 }),
  registerBrokerTimeoutMills: int(6000, { min: 1 }),
  forceRegister: bool(true),
  compressedRegister: bool(false),

  // Transactions.
  rejectTransactionMessage: bool(false),
  transactionTimeOut: long(6000, { min: 0 }),
  transactionCheckMax: int(15, { min: 0 }),
  transactionCheckInterval: long(60000, { min: 1 }),
  transactionOpMsgMaxSize: int(4096, { min: 1 }),
  transactionOpBatchInterval: int(3000, { min: 1 }),

  // Commercial stats, kept so upstream files load.
  commercialEnable: bool(true),
  commercialTimerCount: int(1),
  commercialTransCount: int(1),
  commercialBigCount: int(1),
  commercialBaseCount: int(1),

  // Security and 5.x modes (accepted; not implemented unless stated elsewhere).
  aclEnable: bool(false),
  enableControllerMode: bool(false),
  controllerAddr: str(""),
  enableSlaveActingMaster: bool(false),
  brokerNotActiveTimeoutMillis: long(10000, { min: 0 }),
  reviveQueueNum: int(8, { min: 1 }),
  reviveInterval: long(1000, { min: 1 }),
  reviveAckWaitMs: long(180000, { min: 0 }),
  /** Keys UPDATE_BROKER_CONFIG refuses to change, `;`-separated. */
  configBlackList: str("configBlackList;brokerConfigPath"),
  brokerConfigPath: str(""),

  logDir: str(DEFAULT_LOG_DIR),
} as const;

/** The broker's typed, validated settings (without the store's). */
export type BrokerConfig = ConfigOf<typeof BrokerConfigSchema>;
