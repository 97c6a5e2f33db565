/**
 * Value types of the store facade (re-exported by message_store.ts).
 */

/** Outcome of an append; maps to a send response code (store-and-semantics.md §1.11). */
export type PutMessageStatus =
  | "PUT_OK"
  | "FLUSH_DISK_TIMEOUT"
  | "FLUSH_SLAVE_TIMEOUT"
  | "SLAVE_NOT_AVAILABLE"
  | "SERVICE_NOT_AVAILABLE"
  | "CREATE_MAPPED_FILE_FAILED"
  | "MESSAGE_ILLEGAL"
  | "PROPERTIES_SIZE_EXCEEDED"
  | "OS_PAGECACHE_BUSY"
  | "UNKNOWN_ERROR";

/** Result of putMessage/putMessages. */
export interface PutMessageResult {
  status: PutMessageStatus;
  remark?: string;
  wroteOffset: number;
  wroteBytes: number;
  /** Offset msgId; comma-joined for batches. */
  msgId: string;
  /** Queue offset of the first message. */
  queueOffset: number;
  msgNum: number;
  storeTimestamp: number;
}

/** Outcome of getMessage (§2.6). */
export type GetMessageStatus =
  | "FOUND"
  | "NO_MATCHED_MESSAGE"
  | "MESSAGE_WAS_REMOVING"
  | "OFFSET_FOUND_NULL"
  | "OFFSET_OVERFLOW_BADLY"
  | "OFFSET_OVERFLOW_ONE"
  | "OFFSET_TOO_SMALL"
  | "NO_MATCHED_LOGIC_QUEUE"
  | "NO_MESSAGE_IN_QUEUE";

/** Result of getMessage. */
export interface GetMessageResult {
  status: GetMessageStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /**
   * Each one stored record, ready to be concatenated into a pull body. Records are views of shared read
   * buffers (neighbouring records come from one read), not copies. They stay valid until {@link release}
   * is called, or for as long as they are referenced when it never is; do not write to them.
   */
  records: Uint8Array[];
  /**
   * Present when the records live in pooled read buffers: call it once they were copied out (e.g. encoded
   * into the response frame) so the next pull reuses the buffers instead of allocating. Optional to call;
   * idempotent. After it, the records may be overwritten at any time.
   */
  release?: () => void;
  bufferTotalSize: number;
  messageCount: number;
  suggestPullingFromSlave: boolean;
  msgCount4Commercial: number;
}

/**
 * Called for each consume-queue entry in order (tag-hash filter), then, for an entry it accepted, optionally on
 * the record. The record passed to `isMatchedByCommitLog` may be a view of a scratch buffer: it is valid only
 * during the call (copy what must be kept).
 */
export interface MessageFilter {
  isMatchedByConsumeQueue(tagsCode: number): boolean;
  isMatchedByCommitLog?(record: Uint8Array): boolean;
}

/** One record as the dispatchers see it (upstream DispatchRequest). */
export interface DispatchRequest {
  topic: string;
  queueId: number;
  commitLogOffset: number;
  msgSize: number;
  tagsCode: number;
  storeTimestamp: number;
  consumeQueueOffset: number;
  keys: string;
  uniqKey: string | undefined;
  sysFlag: number;
  preparedTransactionOffset: number;
  propertiesMap: Record<string, string>;
}

/** Result of queryMessage (QUERY_MESSAGE body + header values). */
export interface QueryMessageResult {
  records: Uint8Array[];
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

/** Long-polling hook: a message reached its consume queue. */
export type MessageArrivingListener = (
  topic: string,
  queueId: number,
  logicOffset: number,
  tagsCode: number,
  storeTimestamp: number,
  properties: Record<string, string>,
) => void;

/** Options beyond the config: injectable time and disk usage, for tests. */
export interface MessageStoreOptions {
  /** Milliseconds since the epoch; drives store timestamps, retention and deleteWhen. */
  clock?: () => number;
  /** Used fraction (0..1) of the partition holding `path`; -1 on error. */
  diskUsage?: (path: string) => number;
}
