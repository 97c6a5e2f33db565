/**
 * The message value types that flow between the broker, the store and clients.
 */

import type { HostAddress } from "./host.ts";

/** What the broker hands the store to append (upstream MessageExtBrokerInner). */
export interface MessageExtBrokerInner {
  topic: string;
  queueId: number;
  flag: number;
  body: Uint8Array;
  /** Decoded form, for the broker's use. */
  properties: Record<string, string>;
  /** Encoded form written to the record (kept in sync by the caller). */
  propertiesString: string;
  /** Tag hash, or deliver time for SCHEDULE_TOPIC_XXXX. */
  tagsCode: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: HostAddress;
  storeHost: HostAddress;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  /** Set by the store inside its append critical section. */
  storeTimestamp?: number;
}

/** A decoded stored record (upstream MessageExt). */
export interface MessageExt {
  storeSize: number;
  bodyCRC: number;
  queueId: number;
  flag: number;
  queueOffset: number;
  commitLogOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: HostAddress;
  storeTimestamp: number;
  storeHost: HostAddress;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  body: Uint8Array;
  topic: string;
  properties: Record<string, string>;
  /** Offset msg id: 32 upper-hex chars for an IPv4 store host, 56 for IPv6. */
  msgId: string;
}
