/**
 * The name server's settings: upstream NamesrvConfig plus the server-socket keys
 * (store-and-semantics.md §14.3), with upstream key names and defaults, plus rmq extras.
 *
 * rmq extras: `listenHost` (bind address, default every interface) and `logDir` (default
 * `${HOME}/logs/rmq`, next to where upstream writes `~/logs/rocketmqlogs` but separate from it so a Java
 * installation on the same host keeps its own files).
 *
 * @example
 * ```ts
 * import { defaultsOf } from "./schema.ts";
 * const config = { ...defaultsOf(NamesrvConfigSchema), listenPort: 0 };
 * ```
 */
import { bool, type ConfigOf, int, long, str } from "./schema.ts";
import { homeDir } from "./host.ts";
import { NettyServerConfigSchema } from "./netty_config.ts";

const HOME = homeDir();

/** Default log directory for every role. */
export const DEFAULT_LOG_DIR = `${HOME}/logs/rmq`;

/** Schema of the name server config; `buildConfig(NamesrvConfigSchema, props)` validates a file. */
export const NamesrvConfigSchema = {
  listenPort: int(9876, { min: 0, max: 65535 }),
  ...NettyServerConfigSchema,
  rocketmqHome: str(Deno.env.get("ROCKETMQ_HOME") ?? ""),
  kvConfigPath: str(`${HOME}/namesrv/kvConfig.json`),
  configStorePath: str(`${HOME}/namesrv/namesrv.properties`),
  productEnvName: str("center"),
  clusterTest: bool(false),
  orderMessageEnable: bool(false),
  /** 5.x key; 4.9 scans every 10 s. Brokers silent for 120 s are dropped either way. */
  scanNotActiveBrokerInterval: long(5000, { min: 1 }),
  returnOrderTopicConfigToBroker: bool(true),
  clientRequestThreadPoolNums: int(8, { min: 1 }),
  defaultThreadPoolNums: int(16, { min: 1 }),
  clientRequestThreadPoolQueueCapacity: int(50000, { min: 1 }),
  defaultThreadPoolQueueCapacity: int(10000, { min: 1 }),
  unRegisterBrokerQueueCapacity: int(3000, { min: 1 }),
  supportActingMaster: bool(false),
  enableAllTopicList: bool(true),
  enableTopicList: bool(true),
  notifyMinBrokerIdChanged: bool(false),
  enableControllerInNamesrv: bool(false),
  needWaitForService: bool(false),
  waitSecondsForService: int(45, { min: 0 }),
  deleteTopicWithBrokerRegistration: bool(false),
  /** Keys UPDATE_NAMESRV_CONFIG refuses to change, `;`-separated. */
  configBlackList: str("configBlackList;configStorePath;kvConfigPath"),
  logDir: str(DEFAULT_LOG_DIR),
} as const;

/** The name server's typed, validated settings. */
export type NamesrvConfig = ConfigOf<typeof NamesrvConfigSchema>;
