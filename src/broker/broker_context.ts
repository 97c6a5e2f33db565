/**
 * The shared state processors work on, assembled once by BrokerController. Processors receive this
 * object instead of the controller so they cannot reach into each other; the store is seen through
 * the narrow `BrokerStore` view of the facade's contract.
 */
import type { BrokerConfig } from "../config/broker_config.ts";
import type { MessageStoreConfig } from "../config/store_config.ts";
import type { HostAddress } from "../message/host.ts";
import type { MessageExt, MessageExtBrokerInner } from "../message/message.ts";
import type { ConsumerManager } from "./consumer_manager.ts";
import type { ConsumerOffsetManager } from "./consumer_offset_manager.ts";
import type { ProducerManager } from "./producer_manager.ts";
import type { RebalanceLockManager } from "./rebalance_lock_manager.ts";
import type { SubscriptionGroupManager } from "./subscription_group_manager.ts";
import type { TopicConfigManager } from "./topic_config_manager.ts";
import type { BrokerStats } from "./broker_stats.ts";
import type { RegisteredFilters } from "./filter/subscription_filter.ts";

import type {
  GetMessageResult,
  MessageFilter,
  PutMessageResult,
  QueryMessageResult,
} from "../store/store_types.ts";

// The store's value types, re-exported so processors import everything they share from one place.
export type {
  GetMessageResult,
  GetMessageStatus,
  MessageFilter,
  PutMessageResult,
  PutMessageStatus,
  QueryMessageResult,
} from "../store/store_types.ts";

/** The store methods the broker uses (a structural view of DefaultMessageStore). */
export interface BrokerStore {
  putMessage(msg: MessageExtBrokerInner): Promise<PutMessageResult>;
  putMessages(msgs: MessageExtBrokerInner[]): Promise<PutMessageResult>;
  getMessage(
    group: string,
    topic: string,
    queueId: number,
    offset: number,
    maxMsgNums: number,
    maxTotalBytes: number,
    filter?: MessageFilter,
  ): Promise<GetMessageResult>;
  getMaxOffsetInQueue(topic: string, queueId: number): number;
  getMinOffsetInQueue(topic: string, queueId: number): number;
  getOffsetInQueueByTime(topic: string, queueId: number, timestamp: number): Promise<number>;
  getEarliestMessageTime(topic: string, queueId: number): Promise<number>;
  getMessageStoreTimeStamp(topic: string, queueId: number, consumeQueueOffset: number): Promise<number>;
  lookMessageByOffset(commitLogOffset: number): Promise<MessageExt | null>;
  selectOneMessageByOffset(commitLogOffset: number, size?: number): Promise<Uint8Array | null>;
  queryMessage(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<QueryMessageResult>;
  deleteTopics(topics: Iterable<string>): Promise<void>;
  getRuntimeInfo(): Record<string, string>;
  getMinPhyOffset(): number;
  getMaxPhyOffset(): number;
  now(): number;
}

/** Everything processors share. */
export interface BrokerContext {
  readonly brokerConfig: BrokerConfig;
  readonly storeConfig: MessageStoreConfig;
  readonly store: BrokerStore;
  readonly topicConfigManager: TopicConfigManager;
  readonly subscriptionGroupManager: SubscriptionGroupManager;
  readonly consumerOffsetManager: ConsumerOffsetManager;
  readonly consumerManager: ConsumerManager;
  readonly producerManager: ProducerManager;
  readonly lockManager: RebalanceLockManager;
  readonly stats: BrokerStats;
  /** Compiled TAG/SQL92 filters of heartbeat-registered subscriptions. */
  readonly consumerFilters: RegisteredFilters;
  /** The address clients reach us at (brokerIP1:listenPort), as bytes for records. */
  readonly storeHost: HostAddress;
  /** "brokerIP1:port" — what name servers publish. */
  readonly brokerAddr: string;
  /** Delay level → delay in ms (index 1..maxDelayLevel). */
  readonly delayLevelTable: ReadonlyMap<number, number>;
  readonly maxDelayLevel: number;
  /** Wall clock (injected for tests). */
  now(): number;
  /** Whether sends are accepted yet (startAcceptSendRequestTimeStamp). */
  isAcceptingSends(): boolean;
  /** Asks the registration service to re-register with every name server soon. */
  requestRegistration(): void;
}
