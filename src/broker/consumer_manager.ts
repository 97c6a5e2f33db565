/**
 * The live consumer registry (remoting-protocol.md §9.8, store-and-semantics.md §10.8): per group,
 * the connections that heartbeat for it and the group's subscription table. Membership or topic-set
 * changes are reported to `onChange` listeners, which push NOTIFY_CONSUMER_IDS_CHANGED.
 */
import type { SubscriptionData } from "../protocol/bodies/heartbeat.ts";
import type { ClientChannel, ClientChannelInfo } from "./client_channel.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("broker");

/** Registrations idle this long are dropped (upstream channelExpiredTimeout). */
export const CHANNEL_EXPIRED_TIMEOUT_MS = 120_000;

/** One consumer group's members and subscriptions. */
export class ConsumerGroupInfo {
  /** channel id → registration. */
  readonly channels = new Map<number, ClientChannelInfo>();
  readonly subscriptionTable = new Map<string, SubscriptionData>();
  lastUpdateTimestamp = 0;

  constructor(
    readonly groupName: string,
    public consumeType: string,
    public messageModel: string,
    public consumeFromWhere: string,
  ) {}

  /** Client ids of the live connections. */
  allClientIds(): string[] {
    return [...this.channels.values()].map((c) => c.clientId);
  }

  /** Returns true when the channel is new to the group. */
  updateChannel(info: ClientChannelInfo, consumeType: string, messageModel: string, cfw: string): boolean {
    this.consumeType = consumeType;
    this.messageModel = messageModel;
    this.consumeFromWhere = cfw;
    const old = this.channels.get(info.channel.id);
    this.channels.set(info.channel.id, info);
    this.lastUpdateTimestamp = info.lastUpdateTimestamp;
    return old === undefined || old.clientId !== info.clientId;
  }

  /** Applies a heartbeat's subscriptions; returns true when the subscribed topic set changed. */
  updateSubscription(subs: SubscriptionData[]): boolean {
    let changed = false;
    const topics = new Set<string>();
    for (const s of subs) {
      topics.add(s.topic);
      const old = this.subscriptionTable.get(s.topic);
      if (!old) {
        this.subscriptionTable.set(s.topic, s);
        changed = true;
      } else if (s.subVersion > old.subVersion) {
        this.subscriptionTable.set(s.topic, s);
      }
    }
    for (const t of [...this.subscriptionTable.keys()]) {
      if (!topics.has(t)) {
        this.subscriptionTable.delete(t);
        changed = true;
      }
    }
    return changed;
  }
}

/** Why a group's membership changed. */
export type ConsumerChange = "CHANGE" | "UNREGISTER";

export class ConsumerManager {
  private readonly groups = new Map<string, ConsumerGroupInfo>();
  private readonly listeners: Array<
    (event: ConsumerChange, group: string, channels: ClientChannel[]) => void
  > = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Listens for membership changes; `channels` are the group's remaining connections. */
  onChange(listener: (event: ConsumerChange, group: string, channels: ClientChannel[]) => void): void {
    this.listeners.push(listener);
  }

  private emit(event: ConsumerChange, group: string): void {
    const info = this.groups.get(group);
    const channels = info ? [...info.channels.values()].map((c) => c.channel) : [];
    for (const l of this.listeners) {
      try {
        l(event, group, channels);
      } catch (e) {
        log.warn(`Consumer change listener failed for group "${group}"`, e);
      }
    }
  }

  /** Registers/refreshes a consumer connection; returns true when the group changed (and was notified). */
  registerConsumer(
    group: string,
    info: ClientChannelInfo,
    consumeType: string,
    messageModel: string,
    consumeFromWhere: string,
    subs: SubscriptionData[],
    notify = true,
  ): boolean {
    let g = this.groups.get(group);
    if (!g) {
      this.groups.set(group, g = new ConsumerGroupInfo(group, consumeType, messageModel, consumeFromWhere));
    }
    const channelChanged = g.updateChannel(info, consumeType, messageModel, consumeFromWhere);
    const subChanged = g.updateSubscription(subs);
    const changed = channelChanged || subChanged;
    if (changed) {
      log.info(`Consumer group "${group}" changed: client "${info.clientId}" at ${info.channel.remoteAddr}`);
      if (notify) this.emit("CHANGE", group);
    }
    return changed;
  }

  /** Removes a client's registration for a group on one connection. */
  unregisterConsumer(group: string, channel: ClientChannel, notify = true): void {
    const g = this.groups.get(group);
    if (!g || !g.channels.delete(channel.id)) return;
    if (g.channels.size === 0) {
      this.groups.delete(group);
      this.emit("UNREGISTER", group);
    } else if (notify) {
      this.emit("CHANGE", group);
    }
  }

  /** A connection closed: drop it from every group. */
  doChannelCloseEvent(channel: ClientChannel): void {
    for (const group of [...this.groups.keys()]) this.unregisterConsumer(group, channel);
  }

  /** Drops registrations idle for 120 s; returns the number removed. */
  scanNotActiveChannel(): number {
    const now = this.now();
    let removed = 0;
    for (const [group, g] of [...this.groups]) {
      for (const info of [...g.channels.values()]) {
        if (info.channel.closed || now - info.lastUpdateTimestamp > CHANNEL_EXPIRED_TIMEOUT_MS) {
          log.warn(`Consumer "${info.clientId}" of group "${group}" expired`);
          this.unregisterConsumer(group, info.channel);
          removed++;
        }
      }
    }
    return removed;
  }

  getConsumerGroupInfo(group: string): ConsumerGroupInfo | undefined {
    return this.groups.get(group);
  }

  /** The registered subscription of (group, topic). */
  findSubscriptionData(group: string, topic: string): SubscriptionData | undefined {
    return this.groups.get(group)?.subscriptionTable.get(topic);
  }

  /** The registration of a client id in a group. */
  findChannel(group: string, clientId: string): ClientChannelInfo | undefined {
    const g = this.groups.get(group);
    if (!g) return undefined;
    for (const c of g.channels.values()) if (c.clientId === clientId) return c;
    return undefined;
  }

  /** Groups with a live subscription to the topic. */
  queryTopicConsumeByWho(topic: string): Set<string> {
    const out = new Set<string>();
    for (const [name, g] of this.groups) if (g.subscriptionTable.has(topic)) out.add(name);
    return out;
  }

  /** All group names. */
  groupNames(): string[] {
    return [...this.groups.keys()];
  }
}
