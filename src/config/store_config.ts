/**
 * Typed MessageStoreConfig: upstream key names and 4.9.x defaults (store-and-semantics.md §14.2).
 *
 * Keys upstream spelled `maped*` are declared once with the `mapped*` spelling; {@link STORE_CONFIG_ALIASES}
 * maps the old spellings so a config loader can accept both.
 */
import { bool, type ConfigOf, int, long, oneOf, str } from "./schema.ts";
import { TimerConfigSchema } from "../timer/timer_config.ts";

function homeDir(): string {
  try {
    return Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  } catch {
    // Without env permission the default root is relative to the working directory.
    return ".";
  }
}

/** Schema of the store config; every §14.2 key with its 4.9.x default. */
export const MessageStoreConfigSchema = {
  storePathRootDir: str(`${homeDir()}/store`),
  /** "" means `<storePathRootDir>/commitlog`. */
  storePathCommitLog: str(""),
  storePathDLedgerCommitLog: str(""),
  mappedFileSizeCommitLog: int(1073741824, { min: 4096 }),
  mappedFileSizeConsumeQueue: int(6000000, { min: 20 }),
  enableConsumeQueueExt: bool(false),
  mappedFileSizeConsumeQueueExt: int(50331648),
  bitMapLengthConsumeQueueExt: int(64),
  maxMessageSize: int(4194304, { min: 1 }),
  brokerRole: oneOf(["ASYNC_MASTER", "SYNC_MASTER", "SLAVE"] as const, "ASYNC_MASTER"),
  flushDiskType: oneOf(["ASYNC_FLUSH", "SYNC_FLUSH"] as const, "ASYNC_FLUSH"),
  haListenPort: int(10912, { min: 0, max: 65535 }),
  haMasterAddress: str(""),
  haSendHeartbeatInterval: int(5000),
  haHousekeepingInterval: int(20000),
  haTransferBatchSize: int(32768),
  haSlaveFallbehindMax: long(268435456),
  syncFlushTimeout: long(5000, { min: 1 }),
  slaveTimeout: int(3000),
  flushIntervalCommitLog: int(500, { min: 1 }),
  flushCommitLogTimed: bool(true),
  flushCommitLogLeastPages: int(4, { min: 0 }),
  flushCommitLogThoroughInterval: int(10000, { min: 0 }),
  commitIntervalCommitLog: int(200),
  commitCommitLogLeastPages: int(4),
  commitCommitLogThoroughInterval: int(200),
  flushIntervalConsumeQueue: int(1000, { min: 1 }),
  flushConsumeQueueLeastPages: int(2, { min: 0 }),
  flushConsumeQueueThoroughInterval: int(60000, { min: 0 }),
  useReentrantLockWhenPutMessage: bool(true),
  transientStorePoolEnable: bool(false),
  transientStorePoolSize: int(5),
  fastFailIfNoBufferInStorePool: bool(false),
  warmMapedFileEnable: bool(false),
  flushLeastPagesWhenWarmMapedFile: int(4096),
  deleteWhen: str("04"),
  fileReservedTime: int(72, { min: 0 }),
  diskMaxUsedSpaceRatio: int(75),
  diskSpaceWarningLevelRatio: int(90),
  diskSpaceCleanForciblyRatio: int(85),
  cleanFileForciblyEnable: bool(true),
  cleanResourceInterval: int(10000, { min: 1 }),
  deleteCommitLogFilesInterval: int(100, { min: 0 }),
  deleteConsumeQueueFilesInterval: int(100, { min: 0 }),
  destroyMapedFileIntervalForcibly: int(120000),
  redeleteHangedFileInterval: int(120000),
  checkCRCOnRecover: bool(true),
  messageIndexEnable: bool(true),
  messageIndexSafe: bool(false),
  maxHashSlotNum: int(5000000, { min: 1 }),
  maxIndexNum: int(20000000, { min: 1 }),
  maxMsgsNumBatch: int(64, { min: 1 }),
  defaultQueryMaxNum: int(32, { min: 1 }),
  maxTransferBytesOnMessageInMemory: int(262144, { min: 1 }),
  maxTransferCountOnMessageInMemory: int(32, { min: 1 }),
  maxTransferBytesOnMessageInDisk: int(65536, { min: 1 }),
  maxTransferCountOnMessageInDisk: int(8, { min: 1 }),
  accessMessageInMemoryMaxRatio: int(40, { min: 0, max: 100 }),
  messageDelayLevel: str("1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h"),
  flushDelayOffsetInterval: long(10000),
  enableScheduleAsyncDeliver: bool(false),
  scheduleAsyncDeliverMaxPendingLimit: int(2000),
  scheduleAsyncDeliverMaxResendNum2Blocked: int(3),
  offsetCheckInSlave: bool(false),
  osPageCacheBusyTimeOutMills: long(1000),
  duplicationEnable: bool(false),
  enableDLegerCommitLog: bool(false),
  dLegerGroup: str(""),
  dLegerPeers: str(""),
  dLegerSelfId: str(""),
  preferredLeaderId: str(""),
  enableLmq: bool(false),
  enableMultiDispatch: bool(false),
  maxLmqConsumeQueueNum: long(20000),
  /**
   * rmq extra: bytes of recently written commitlog kept in memory so tail reads never touch the disk.
   * 32 MiB holds a few tenths of a second at full write speed, which is what consumers keeping up need;
   * older data is read through read-ahead windows, so more would mostly add to the broker's RSS.
   */
  hotTailCacheBytes: int(32 * 1024 * 1024, { min: 0 }),
  /** rmq extra: the write buffer is handed to the writer once it holds this many bytes. */
  writeBatchBytes: int(256 * 1024, { min: 4096 }),
  /** 5.x timer messages (§7.5): timerWheelEnable, timerMaxDelaySec and the accepted wheel layout keys. */
  ...TimerConfigSchema,
};

/** A typed store config (see {@link MessageStoreConfigSchema}). */
export type MessageStoreConfig = ConfigOf<typeof MessageStoreConfigSchema>;

/** Old upstream spellings accepted by config loaders → canonical key. */
export const STORE_CONFIG_ALIASES: Readonly<Record<string, keyof MessageStoreConfig>> = {
  mapedFileSizeCommitLog: "mappedFileSizeCommitLog",
  mapedFileSizeConsumeQueue: "mappedFileSizeConsumeQueue",
};

/** Absolute-or-relative paths of every store file/dir derived from a config (§0.1). */
export interface StorePaths {
  root: string;
  commitLog: string;
  consumeQueue: string;
  index: string;
  checkpoint: string;
  abort: string;
  lock: string;
  config: string;
}

/**
 * Derives the store layout from a config.
 *
 * @example
 * ```ts
 * storePaths({ ...defaultsOf(MessageStoreConfigSchema), storePathRootDir: "/data" }).commitLog; // "/data/commitlog"
 * ```
 */
export function storePaths(
  config: Pick<MessageStoreConfig, "storePathRootDir" | "storePathCommitLog">,
): StorePaths {
  const root = config.storePathRootDir.replace(/\/+$/, "") || "/";
  const firstCommitLog = config.storePathCommitLog.split(",")[0]?.trim() ?? "";
  return {
    root,
    commitLog: firstCommitLog !== "" ? firstCommitLog : `${root}/commitlog`,
    consumeQueue: `${root}/consumequeue`,
    index: `${root}/index`,
    checkpoint: `${root}/checkpoint`,
    abort: `${root}/abort`,
    lock: `${root}/lock`,
    config: `${root}/config`,
  };
}

/** Clamps ratios the way upstream does (diskMaxUsedSpaceRatio 10–95, warning 35–90, forcibly 30–85), as fractions. */
export function diskRatios(
  config: MessageStoreConfig,
): { maxUsed: number; warning: number; forcibly: number } {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
  return {
    maxUsed: clamp(config.diskMaxUsedSpaceRatio, 10, 95) / 100,
    warning: clamp(config.diskSpaceWarningLevelRatio, 35, 90) / 100,
    forcibly: clamp(config.diskSpaceCleanForciblyRatio, 30, 85) / 100,
  };
}
