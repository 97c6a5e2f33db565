/**
 * Names and bit flags shared by producers, the broker and the store (remoting-protocol.md §6.5–§6.6,
 * store-and-semantics.md §1.4–§1.5). Spellings are the upstream wire spellings; never rename them.
 */

/** Standard message property keys, exactly as peers write them. */
export const MessageConst = {
  KEYS: "KEYS",
  TAGS: "TAGS",
  WAIT: "WAIT",
  DELAY: "DELAY",
  RETRY_TOPIC: "RETRY_TOPIC",
  REAL_TOPIC: "REAL_TOPIC",
  REAL_QID: "REAL_QID",
  TRAN_MSG: "TRAN_MSG",
  PGROUP: "PGROUP",
  MIN_OFFSET: "MIN_OFFSET",
  MAX_OFFSET: "MAX_OFFSET",
  BUYER_ID: "BUYER_ID",
  ORIGIN_MESSAGE_ID: "ORIGIN_MESSAGE_ID",
  TRANSFER_FLAG: "TRANSFER_FLAG",
  CORRECTION_FLAG: "CORRECTION_FLAG",
  MQ2_FLAG: "MQ2_FLAG",
  RECONSUME_TIME: "RECONSUME_TIME",
  MSG_REGION: "MSG_REGION",
  TRACE_ON: "TRACE_ON",
  UNIQ_KEY: "UNIQ_KEY",
  MAX_RECONSUME_TIMES: "MAX_RECONSUME_TIMES",
  CONSUME_START_TIME: "CONSUME_START_TIME",
  TRAN_PREPARED_QUEUE_OFFSET: "TRAN_PREPARED_QUEUE_OFFSET",
  TRANSACTION_CHECK_TIMES: "TRANSACTION_CHECK_TIMES",
  CHECK_IMMUNITY_TIME_IN_SECONDS: "CHECK_IMMUNITY_TIME_IN_SECONDS",
  INSTANCE_ID: "INSTANCE_ID",
  CORRELATION_ID: "CORRELATION_ID",
  REPLY_TO_CLIENT: "REPLY_TO_CLIENT",
  TTL: "TTL",
  ARRIVE_TIME: "ARRIVE_TIME",
  PUSH_REPLY_TIME: "PUSH_REPLY_TIME",
  CLUSTER: "CLUSTER",
  MSG_TYPE: "MSG_TYPE",
  INNER_MULTI_DISPATCH: "INNER_MULTI_DISPATCH",
  INNER_MULTI_QUEUE_OFFSET: "INNER_MULTI_QUEUE_OFFSET",
  START_DELIVER_TIME: "__STARTDELIVERTIME",
  SHARDING_KEY: "__SHARDINGKEY",
  TIMER_DELIVER_MS: "TIMER_DELIVER_MS",
  TIMER_DELAY_SEC: "TIMER_DELAY_SEC",
  TIMER_DELAY_MS: "TIMER_DELAY_MS",
  TIMER_OUT_MS: "TIMER_OUT_MS",
  TIMER_ENQUEUE_MS: "TIMER_ENQUEUE_MS",
  TIMER_DEQUEUE_MS: "TIMER_DEQUEUE_MS",
  TIMER_ROLL_TIMES: "TIMER_ROLL_TIMES",
  TIMER_DEL_UNIQKEY: "TIMER_DEL_UNIQKEY",
  TIMER_DELAY_LEVEL: "TIMER_DELAY_LEVEL",
  TRANSACTION_ID: "__transactionId__",
  DLQ_ORIGIN_TOPIC: "DLQ_ORIGIN_TOPIC",
  DLQ_ORIGIN_MESSAGE_ID: "DLQ_ORIGIN_MESSAGE_ID",
  CRC32: "__CRC32#",
  /** Value of MSG_TYPE on request-reply replies. */
  REPLY_MESSAGE_FLAG: "reply",
  /** Separator between business keys in KEYS. */
  KEY_SEPARATOR: " ",
} as const;

/** The char 1 between a property's name and value (§1.4). */
export const NAME_VALUE_SEPARATOR = "\u0001";
/** The char 2 between property pairs (§1.4). */
export const PROPERTY_SEPARATOR = "\u0002";

/** Magic of a v1 message record: 0xDAA320A7 as a signed int32. */
export const MESSAGE_MAGIC_CODE = 0xdaa320a7 | 0;
/** Magic of a 5.x v2 message record (2-byte topic length): 0xDAA320AB as a signed int32. */
export const MESSAGE_MAGIC_CODE_V2 = 0xdaa320ab | 0;
/** Magic of the end-of-file filler record: 0xCBD43194 as a signed int32. */
export const BLANK_MAGIC_CODE = 0xcbd43194 | 0;

/** Record-level system flags (store-and-semantics.md §1.5). */
export const MessageSysFlag = {
  COMPRESSED_FLAG: 0x1,
  MULTI_TAGS_FLAG: 0x2,
  TRANSACTION_NOT_TYPE: 0x0,
  TRANSACTION_PREPARED_TYPE: 0x4,
  TRANSACTION_COMMIT_TYPE: 0x8,
  TRANSACTION_ROLLBACK_TYPE: 0xc,
  BORNHOST_V6_FLAG: 0x10,
  STOREHOSTADDRESS_V6_FLAG: 0x20,
  NEED_UNWRAP_FLAG: 0x40,
  INNER_BATCH_FLAG: 0x80,
  /** Compression type bits (value = (flag >> 8) & 7): 0 legacy zlib, 1 LZ4, 2 ZSTD, 3 ZLIB. */
  COMPRESSION_TYPE_MASK: 0x700,
  COMPRESSION_LZ4_TYPE: 0x100,
  COMPRESSION_ZSTD_TYPE: 0x200,
  COMPRESSION_ZLIB_TYPE: 0x300,
} as const;

const TRANSACTION_MASK = 0xc;

/** The transaction type bits of a sysFlag (one of the TRANSACTION_*_TYPE values). */
export function getTransactionValue(sysFlag: number): number {
  return sysFlag & TRANSACTION_MASK;
}

/** `sysFlag` with its transaction type replaced by `type`. */
export function resetTransactionValue(sysFlag: number, type: number): number {
  return (sysFlag & ~TRANSACTION_MASK) | type;
}

/** PULL_MESSAGE sysFlag bits (remoting-protocol.md §4.4). */
export const PullSysFlag = {
  FLAG_COMMIT_OFFSET: 0x1,
  FLAG_SUSPEND: 0x2,
  FLAG_SUBSCRIPTION: 0x4,
  FLAG_CLASS_FILTER: 0x8,
  FLAG_LITE_PULL_MESSAGE: 0x10,

  build(
    commitOffset: boolean,
    suspend: boolean,
    subscription: boolean,
    classFilter = false,
    litePull = false,
  ) {
    return (commitOffset ? 0x1 : 0) | (suspend ? 0x2 : 0) | (subscription ? 0x4 : 0) |
      (classFilter ? 0x8 : 0) | (litePull ? 0x10 : 0);
  },
  clearCommitOffsetFlag(sysFlag: number): number {
    return sysFlag & ~0x1;
  },
  hasCommitOffsetFlag(sysFlag: number): boolean {
    return (sysFlag & 0x1) !== 0;
  },
  hasSuspendFlag(sysFlag: number): boolean {
    return (sysFlag & 0x2) !== 0;
  },
  hasSubscriptionFlag(sysFlag: number): boolean {
    return (sysFlag & 0x4) !== 0;
  },
  hasClassFilterFlag(sysFlag: number): boolean {
    return (sysFlag & 0x8) !== 0;
  },
  hasLitePullFlag(sysFlag: number): boolean {
    return (sysFlag & 0x10) !== 0;
  },
} as const;

/** Topic-level system flags carried in TopicConfig and QueueData (1 = UNIT, 2 = UNIT_SUB). */
export const TopicSysFlag = {
  FLAG_UNIT: 0x1,
  FLAG_UNIT_SUB: 0x2,

  build(unit: boolean, hasUnitSub: boolean): number {
    return (unit ? 0x1 : 0) | (hasUnitSub ? 0x2 : 0);
  },
  hasUnitFlag(sysFlag: number): boolean {
    return (sysFlag & 0x1) !== 0;
  },
  hasUnitSubFlag(sysFlag: number): boolean {
    return (sysFlag & 0x2) !== 0;
  },
} as const;

/** Topic and broker permission bits. */
export const PermName = {
  PERM_PRIORITY: 0x8,
  PERM_READ: 0x4,
  PERM_WRITE: 0x2,
  PERM_INHERIT: 0x1,

  isReadable(perm: number): boolean {
    return (perm & 0x4) === 0x4;
  },
  isWriteable(perm: number): boolean {
    return (perm & 0x2) === 0x2;
  },
  isInherited(perm: number): boolean {
    return (perm & 0x1) === 0x1;
  },
  isPriority(perm: number): boolean {
    return (perm & 0x8) === 0x8;
  },
  /** Three characters as the Java admin prints them: `R`/`-`, `W`/`-`, `X`/`-` (e.g. 6 ⇒ "RW-"). */
  perm2String(perm: number): string {
    return ((perm & 0x4) ? "R" : "-") + ((perm & 0x2) ? "W" : "-") + ((perm & 0x1) ? "X" : "-");
  },
} as const;
