/**
 * The name server's route tables (store-and-semantics.md §13.1–§13.3, remoting-protocol.md §9.1):
 * which brokers exist, which topics each master serves, and when each broker last registered.
 *
 * One owner: only the request processor and the liveness scan mutate these tables, both on the single
 * JS thread, so upstream's read-write lock has no equivalent here. Time comes from an injected clock so
 * expiry is testable without sleeping.
 */
import type { ClusterInfo } from "../protocol/cluster.ts";
import { type BrokerData, cloneBrokerData, type QueueData, type TopicRouteData } from "../protocol/route.ts";
import {
  type DataVersion,
  dataVersionEquals,
  type RegisterBrokerResult,
  type TopicConfig,
  type TopicConfigSerializeWrapper,
} from "../protocol/register_broker.ts";
import { PermName, TopicSysFlag } from "../message/message_const.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("namesrv");

/** A broker silent for this long is dropped (BROKER_CHANNEL_EXPIRED_TIME). */
export const BROKER_CHANNEL_EXPIRED_TIME_MS = 120_000;

/** The connection a broker registered over; closed when the broker expires. */
export interface BrokerChannel {
  readonly id: number;
  close(): void;
}

/** Liveness record of one broker address. */
export interface BrokerLiveInfo {
  lastUpdateTimestamp: number;
  dataVersion: DataVersion;
  channel: BrokerChannel | null;
  haServerAddr: string;
  /** 5.x brokers send their own expiry; 4.9 brokers get BROKER_CHANNEL_EXPIRED_TIME_MS. */
  heartbeatTimeoutMillis: number;
}

/** Everything REGISTER_BROKER carries, decoded. */
export interface RegisterBrokerRequest {
  clusterName: string;
  brokerAddr: string;
  brokerName: string;
  brokerId: number;
  haServerAddr: string;
  topicConfigWrapper: TopicConfigSerializeWrapper;
  channel: BrokerChannel | null;
  heartbeatTimeoutMillis?: number | undefined;
}

const MASTER_ID = 0;

/** Route, cluster and liveness tables of one name server. */
export class RouteInfoManager {
  /** topic → brokerName → QueueData */
  readonly #topicQueueTable = new Map<string, Map<string, QueueData>>();
  /** brokerName → BrokerData */
  readonly #brokerAddrTable = new Map<string, BrokerData>();
  /** cluster → brokerNames */
  readonly #clusterAddrTable = new Map<string, Set<string>>();
  /** brokerAddr → liveness */
  readonly #brokerLiveTable = new Map<string, BrokerLiveInfo>();

  constructor(private readonly clock: () => number = Date.now) {}

  /**
   * Registers (or re-registers) a broker. Queue data is rebuilt only for masters whose data version
   * changed or that register for the first time; topics absent from the body are kept (4.9 semantics).
   */
  registerBroker(req: RegisterBrokerRequest): RegisterBrokerResult {
    const { clusterName, brokerName, brokerAddr, brokerId } = req;
    let names = this.#clusterAddrTable.get(clusterName);
    if (!names) {
      names = new Set();
      this.#clusterAddrTable.set(clusterName, names);
    }
    names.add(brokerName);

    let registerFirst = false;
    let brokerData = this.#brokerAddrTable.get(brokerName);
    if (!brokerData) {
      registerFirst = true;
      brokerData = { cluster: clusterName, brokerName, brokerAddrs: new Map() };
      this.#brokerAddrTable.set(brokerName, brokerData);
    }
    // A slave promoted to master re-registers the same address under id 0: drop its old id.
    for (const [id, addr] of [...brokerData.brokerAddrs]) {
      if (addr === brokerAddr && id !== brokerId) brokerData.brokerAddrs.delete(id);
    }
    const oldAddr = brokerData.brokerAddrs.get(brokerId);
    brokerData.brokerAddrs.set(brokerId, brokerAddr);
    registerFirst ||= oldAddr === undefined;

    const wrapper = req.topicConfigWrapper;
    if (
      brokerId === MASTER_ID &&
      (registerFirst || this.isBrokerTopicConfigChanged(brokerAddr, wrapper.dataVersion))
    ) {
      for (const tc of wrapper.topicConfigTable.values()) this.#createAndUpdateQueueData(brokerName, tc);
    }

    const prev = this.#brokerLiveTable.get(brokerAddr);
    this.#brokerLiveTable.set(brokerAddr, {
      lastUpdateTimestamp: this.clock(),
      dataVersion: wrapper.dataVersion,
      channel: req.channel,
      haServerAddr: req.haServerAddr,
      heartbeatTimeoutMillis: req.heartbeatTimeoutMillis && req.heartbeatTimeoutMillis > 0
        ? req.heartbeatTimeoutMillis
        : BROKER_CHANNEL_EXPIRED_TIME_MS,
    });
    if (!prev) log.info(`new broker registered, ${brokerAddr} HAServer: ${req.haServerAddr}`);

    const result: RegisterBrokerResult = {};
    if (brokerId !== MASTER_ID) {
      const masterAddr = brokerData.brokerAddrs.get(MASTER_ID);
      const master = masterAddr === undefined ? undefined : this.#brokerLiveTable.get(masterAddr);
      if (masterAddr !== undefined && master) {
        result.haServerAddr = master.haServerAddr;
        result.masterAddr = masterAddr;
      }
    }
    return result;
  }

  #createAndUpdateQueueData(brokerName: string, tc: TopicConfig): void {
    const qd: QueueData = {
      brokerName,
      readQueueNums: tc.readQueueNums,
      writeQueueNums: tc.writeQueueNums,
      perm: tc.perm,
      topicSysFlag: tc.topicSysFlag,
    };
    let byBroker = this.#topicQueueTable.get(tc.topicName);
    if (!byBroker) {
      byBroker = new Map();
      this.#topicQueueTable.set(tc.topicName, byBroker);
      log.info(`new topic registered, ${tc.topicName} ${JSON.stringify(qd)}`);
    }
    byBroker.set(brokerName, qd);
  }

  /** True when the broker is unknown or its recorded data version differs from `dv`. */
  isBrokerTopicConfigChanged(brokerAddr: string, dv: DataVersion): boolean {
    const live = this.#brokerLiveTable.get(brokerAddr);
    return !live || !dataVersionEquals(live.dataVersion, dv);
  }

  /** The data version recorded at the broker's last registration. */
  queryBrokerTopicConfig(brokerAddr: string): DataVersion | undefined {
    return this.#brokerLiveTable.get(brokerAddr)?.dataVersion;
  }

  /** Refreshes a broker's liveness without a full registration (QUERY_DATA_VERSION, unchanged). */
  updateBrokerInfoUpdateTimestamp(brokerAddr: string): void {
    const live = this.#brokerLiveTable.get(brokerAddr);
    if (live) live.lastUpdateTimestamp = this.clock();
  }

  /** Removes one broker member (UNREGISTER_BROKER); the group goes when its last member leaves. */
  unregisterBroker(clusterName: string, brokerAddr: string, brokerName: string, brokerId: number): void {
    this.#brokerLiveTable.delete(brokerAddr);
    log.info(`unregisterBroker, remove from brokerLiveTable ${brokerAddr}`);
    const bd = this.#brokerAddrTable.get(brokerName);
    if (!bd) return;
    bd.brokerAddrs.delete(brokerId);
    if (bd.brokerAddrs.size > 0) return;
    this.#brokerAddrTable.delete(brokerName);
    const names = this.#clusterAddrTable.get(clusterName);
    if (names) {
      names.delete(brokerName);
      if (names.size === 0) this.#clusterAddrTable.delete(clusterName);
    }
    this.#removeTopicByBrokerName(brokerName);
  }

  #removeTopicByBrokerName(brokerName: string): void {
    for (const [topic, byBroker] of [...this.#topicQueueTable]) {
      if (byBroker.delete(brokerName)) {
        log.info(`removeTopicByBrokerName, remove one broker's topic ${brokerName} ${topic}`);
      }
      if (byBroker.size === 0) this.#topicQueueTable.delete(topic);
    }
  }

  /**
   * A connection closed (or a broker expired): drop the broker that registered over it, or, for a
   * connection no broker registered over, the broker at `remoteAddr`.
   */
  onChannelDestroy(remoteAddr: string, channel: BrokerChannel | null): void {
    let brokerAddr: string | undefined;
    if (channel) {
      for (const [addr, live] of this.#brokerLiveTable) {
        if (live.channel?.id === channel.id) {
          brokerAddr = addr;
          break;
        }
      }
    }
    brokerAddr ??= this.#brokerLiveTable.has(remoteAddr) ? remoteAddr : undefined;
    if (brokerAddr === undefined) return;
    log.info(`the broker's channel destroyed, ${brokerAddr}, clean it's data structure at once`);
    this.#brokerLiveTable.delete(brokerAddr);
    this.#removeAddress(brokerAddr);
  }

  /** Drops every broker whose last registration is older than 120 s; returns how many were dropped. */
  scanNotActiveBroker(): number {
    const now = this.clock();
    let removed = 0;
    for (const [addr, live] of [...this.#brokerLiveTable]) {
      if (live.lastUpdateTimestamp + live.heartbeatTimeoutMillis >= now) continue;
      log.warn(`The broker channel expired, ${addr} ${live.heartbeatTimeoutMillis}ms`);
      try {
        live.channel?.close();
      } catch {
        // Already closed: the removal below is what matters.
      }
      this.#brokerLiveTable.delete(addr);
      this.#removeAddress(addr);
      removed++;
    }
    return removed;
  }

  /** Removes an address from its broker group; an emptied group leaves its cluster and all topics. */
  #removeAddress(brokerAddr: string): void {
    for (const [brokerName, bd] of [...this.#brokerAddrTable]) {
      for (const [id, addr] of [...bd.brokerAddrs]) if (addr === brokerAddr) bd.brokerAddrs.delete(id);
      if (bd.brokerAddrs.size > 0) continue;
      this.#brokerAddrTable.delete(brokerName);
      for (const [cluster, names] of [...this.#clusterAddrTable]) {
        if (names.delete(brokerName) && names.size === 0) this.#clusterAddrTable.delete(cluster);
      }
      this.#removeTopicByBrokerName(brokerName);
    }
  }

  /**
   * The route of a topic, or undefined when it has no queue data or none of its brokers is registered.
   * Returned objects are copies.
   */
  pickupTopicRouteData(topic: string): TopicRouteData | undefined {
    const byBroker = this.#topicQueueTable.get(topic);
    if (!byBroker || byBroker.size === 0) return undefined;
    const brokerDatas: BrokerData[] = [];
    for (const name of byBroker.keys()) {
      const bd = this.#brokerAddrTable.get(name);
      if (bd) brokerDatas.push(cloneBrokerData(bd));
    }
    if (brokerDatas.length === 0) return undefined;
    return {
      queueDatas: [...byBroker.values()].map((q) => ({ ...q })),
      brokerDatas,
      filterServerTable: new Map(),
    };
  }

  /** Snapshot of the broker and cluster tables (GET_BROKER_CLUSTER_INFO). */
  getAllClusterInfo(): ClusterInfo {
    const brokerAddrTable = new Map<string, BrokerData>();
    for (const [name, bd] of this.#brokerAddrTable) brokerAddrTable.set(name, cloneBrokerData(bd));
    const clusterAddrTable = new Map<string, Set<string>>();
    for (const [c, names] of this.#clusterAddrTable) clusterAddrTable.set(c, new Set(names));
    return { brokerAddrTable, clusterAddrTable };
  }

  /** Every topic with queue data. */
  getAllTopicList(): string[] {
    return [...this.#topicQueueTable.keys()];
  }

  /** Topics served by any broker of `cluster`. */
  getTopicsByCluster(cluster: string): string[] {
    const names = this.#clusterAddrTable.get(cluster);
    if (!names) return [];
    const out: string[] = [];
    for (const [topic, byBroker] of this.#topicQueueTable) {
      for (const name of names) {
        if (byBroker.has(name)) {
          out.push(topic);
          break;
        }
      }
    }
    return out;
  }

  /** Cluster and broker names (implicit system topics) plus the address of some registered broker. */
  getSystemTopicList(): { topicList: string[]; brokerAddr?: string } {
    const topics = new Set<string>();
    for (const [cluster, names] of this.#clusterAddrTable) {
      topics.add(cluster);
      for (const n of names) topics.add(n);
    }
    const out: { topicList: string[]; brokerAddr?: string } = { topicList: [...topics] };
    for (const bd of this.#brokerAddrTable.values()) {
      const first = bd.brokerAddrs.values().next();
      if (!first.done) {
        out.brokerAddr = first.value;
        break;
      }
    }
    return out;
  }

  /** Topics whose (first) queue data matches `pred` on its topicSysFlag (unit topic lists 311–313). */
  #topicsBySysFlag(pred: (flag: number) => boolean): string[] {
    const out: string[] = [];
    for (const [topic, byBroker] of this.#topicQueueTable) {
      const first = byBroker.values().next();
      if (!first.done && pred(first.value.topicSysFlag)) out.push(topic);
    }
    return out;
  }

  getUnitTopics(): string[] {
    return this.#topicsBySysFlag((f) => TopicSysFlag.hasUnitFlag(f));
  }

  getHasUnitSubTopicList(): string[] {
    return this.#topicsBySysFlag((f) => TopicSysFlag.hasUnitSubFlag(f));
  }

  getHasUnitSubUnUnitTopicList(): string[] {
    return this.#topicsBySysFlag((f) => !TopicSysFlag.hasUnitFlag(f) && TopicSysFlag.hasUnitSubFlag(f));
  }

  /** Deletes a topic, or with `clusterName` only that cluster's brokers from it. */
  deleteTopic(topic: string, clusterName?: string): void {
    if (clusterName === undefined) {
      this.#topicQueueTable.delete(topic);
      return;
    }
    const byBroker = this.#topicQueueTable.get(topic);
    const names = this.#clusterAddrTable.get(clusterName);
    if (!byBroker || !names) return;
    for (const n of names) byBroker.delete(n);
    if (byBroker.size === 0) this.#topicQueueTable.delete(topic);
  }

  /** Clears the WRITE bit of every queue data of `brokerName`; returns the number of topics touched. */
  wipeWritePermOfBroker(brokerName: string): number {
    return this.#operateWritePerm(brokerName, (perm) => perm & ~PermName.PERM_WRITE);
  }

  /** Sets every queue data of `brokerName` to read+write; returns the number of topics touched. */
  addWritePermOfBroker(brokerName: string): number {
    return this.#operateWritePerm(brokerName, () => PermName.PERM_READ | PermName.PERM_WRITE);
  }

  #operateWritePerm(brokerName: string, change: (perm: number) => number): number {
    let count = 0;
    for (const byBroker of this.#topicQueueTable.values()) {
      const qd = byBroker.get(brokerName);
      if (!qd) continue;
      qd.perm = change(qd.perm);
      count++;
    }
    return count;
  }

  /**
   * Adds queue data for a topic on already registered brokers (5.x REGISTER_TOPIC_IN_NAMESRV). Like
   * upstream, stops at the first queue data naming an unknown broker.
   */
  registerTopic(topic: string, queueDatas: QueueData[]): void {
    if (queueDatas.length === 0) return;
    let byBroker = this.#topicQueueTable.get(topic);
    if (!byBroker) {
      byBroker = new Map();
      this.#topicQueueTable.set(topic, byBroker);
    }
    for (const qd of queueDatas) {
      if (!this.#brokerAddrTable.has(qd.brokerName)) {
        log.warn(`Register topic contains illegal broker, ${topic}, ${qd.brokerName}`);
        break;
      }
      byBroker.set(qd.brokerName, { ...qd });
    }
    if (byBroker.size === 0) this.#topicQueueTable.delete(topic);
  }

  /** The group of `brokerName` (5.x GET_BROKER_MEMBER_GROUP); empty addresses when unknown. */
  getBrokerMemberGroup(clusterName: string, brokerName: string): BrokerData {
    const bd = this.#brokerAddrTable.get(brokerName);
    return bd ? cloneBrokerData(bd) : { cluster: clusterName, brokerName, brokerAddrs: new Map() };
  }

  /** Liveness record of an address (for tests and diagnostics). */
  brokerLiveInfo(brokerAddr: string): Readonly<BrokerLiveInfo> | undefined {
    return this.#brokerLiveTable.get(brokerAddr);
  }
}
