/** Settings shared by producers and consumers (upstream ClientConfig), with upstream defaults. */

/** Client settings; only `namesrvAddr` is required. */
export interface ClientConfig {
  /** Name server list, `;`-separated "host:port" entries. */
  namesrvAddr: string;
  /** Distinguishes instances in one process; default `<pid>#<hrtime>` so every instance is unique. */
  instanceName?: string;
  /** The IP used in the client id; default the first non-loopback IPv4 (or 127.0.0.1). */
  clientIP?: string;
  /** Route refresh period (ms). Default 30 000. */
  pollNameServerIntervalMs?: number;
  /** Heartbeat period (ms). Default 30 000. */
  heartbeatBrokerIntervalMs?: number;
  /** Consumer offset persistence period (ms). Default 5 000. */
  persistConsumerOffsetIntervalMs?: number;
  /** Periodic rebalance (ms). Default 20 000. */
  rebalanceIntervalMs?: number;
  /** Timeout of ordinary requests (ms). Default 3 000. */
  requestTimeoutMs?: number;
}

/** ClientConfig with every default applied. */
export type ResolvedClientConfig = Required<ClientConfig>;

let instanceSeq = 0;

function defaultClientIP(): string {
  try {
    for (const ni of Deno.networkInterfaces()) {
      if (ni.family === "IPv4" && !ni.address.startsWith("127.")) return ni.address;
    }
  } catch {
    // No --allow-sys: loopback is still a valid id component.
  }
  return "127.0.0.1";
}

/** Applies defaults. */
export function resolveClientConfig(c: ClientConfig): ResolvedClientConfig {
  return {
    namesrvAddr: c.namesrvAddr,
    instanceName: c.instanceName ?? `${Deno.pid}#${Date.now()}${++instanceSeq}`,
    clientIP: c.clientIP ?? defaultClientIP(),
    pollNameServerIntervalMs: c.pollNameServerIntervalMs ?? 30_000,
    heartbeatBrokerIntervalMs: c.heartbeatBrokerIntervalMs ?? 30_000,
    persistConsumerOffsetIntervalMs: c.persistConsumerOffsetIntervalMs ?? 5_000,
    rebalanceIntervalMs: c.rebalanceIntervalMs ?? 20_000,
    requestTimeoutMs: c.requestTimeoutMs ?? 3_000,
  };
}

/** `ip@instanceName`, the id brokers know this client by. */
export function buildClientId(c: ResolvedClientConfig): string {
  return `${c.clientIP}@${c.instanceName}`;
}

/** Splits a `;`-separated name server list, dropping blanks. */
export function parseNamesrvAddr(list: string): string[] {
  return list.split(";").map((s) => s.trim()).filter((s) => s.length > 0);
}
