/**
 * The live producer registry: producer group → connections, refreshed by heartbeats, expired after
 * 120 s of silence or on connection close. Used by admin connection listings and request/reply.
 */
import type { ClientChannel, ClientChannelInfo } from "./client_channel.ts";
import { CHANNEL_EXPIRED_TIMEOUT_MS } from "./consumer_manager.ts";

export class ProducerManager {
  private readonly groups = new Map<string, Map<number, ClientChannelInfo>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Registers or refreshes a producer connection. */
  registerProducer(group: string, info: ClientChannelInfo): void {
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, g = new Map());
    g.set(info.channel.id, info);
  }

  /** Removes a producer connection from a group. */
  unregisterProducer(group: string, channel: ClientChannel): void {
    const g = this.groups.get(group);
    if (!g) return;
    g.delete(channel.id);
    if (g.size === 0) this.groups.delete(group);
  }

  /** A connection closed: drop it everywhere. */
  doChannelCloseEvent(channel: ClientChannel): void {
    for (const group of [...this.groups.keys()]) this.unregisterProducer(group, channel);
  }

  /** Drops registrations idle for 120 s. */
  scanNotActiveChannel(): number {
    const now = this.now();
    let removed = 0;
    for (const [group, g] of [...this.groups]) {
      for (const info of [...g.values()]) {
        if (info.channel.closed || now - info.lastUpdateTimestamp > CHANNEL_EXPIRED_TIMEOUT_MS) {
          this.unregisterProducer(group, info.channel);
          removed++;
        }
      }
    }
    return removed;
  }

  /** The group's registrations (empty when unknown). */
  getGroup(group: string): ClientChannelInfo[] {
    return [...(this.groups.get(group)?.values() ?? [])];
  }

  /** The connection of a producer client id, in any group. */
  findChannelByClientId(clientId: string): ClientChannelInfo | undefined {
    for (const g of this.groups.values()) {
      for (const info of g.values()) if (info.clientId === clientId && !info.channel.closed) return info;
    }
    return undefined;
  }

  /** group → registrations, for GET_ALL_PRODUCER_INFO. */
  all(): Map<string, ClientChannelInfo[]> {
    const out = new Map<string, ClientChannelInfo[]>();
    for (const [k, g] of this.groups) out.set(k, [...g.values()]);
    return out;
  }
}
