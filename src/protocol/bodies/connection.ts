/** Connection bodies (remoting-protocol.md §5.7): GET_CONSUMER_CONNECTION_LIST / GET_PRODUCER_CONNECTION_LIST. */
import { parseJson } from "../../util/json.ts";
import { type SubscriptionData, subscriptionDataJson, toSubscriptionData } from "./heartbeat.ts";

/** One client connection as the admin tools print it. */
export interface Connection {
  clientAddr: string;
  clientId: string;
  language: string;
  version: number;
}

/** GET_CONSUMER_CONNECTION_LIST (203) response body. */
export interface ConsumerConnection {
  connectionSet: Connection[];
  consumeFromWhere: string;
  consumeType: string;
  messageModel: string;
  subscriptionTable: Record<string, SubscriptionData>;
}

/** Writes a ConsumerConnection body. */
export function encodeConsumerConnection(c: ConsumerConnection): Uint8Array {
  const subs: Record<string, unknown> = {};
  for (const [t, s] of Object.entries(c.subscriptionTable)) subs[t] = subscriptionDataJson(s);
  return new TextEncoder().encode(JSON.stringify({
    connectionSet: c.connectionSet.map(connectionJson),
    consumeFromWhere: c.consumeFromWhere,
    consumeType: c.consumeType,
    messageModel: c.messageModel,
    subscriptionTable: subs,
  }));
}

function connectionJson(c: Connection): Connection {
  return { clientAddr: c.clientAddr, clientId: c.clientId, language: c.language, version: c.version };
}

function toConnection(v: unknown): Connection {
  const o = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
  return {
    clientAddr: String(o.clientAddr ?? ""),
    clientId: String(o.clientId ?? ""),
    language: String(o.language ?? "OTHER"),
    version: Number(o.version ?? 0),
  };
}

/** Reads a ConsumerConnection body. */
export function decodeConsumerConnection(body: Uint8Array): ConsumerConnection {
  const o = parseJson(new TextDecoder().decode(body)) as Record<string, never>;
  const table: Record<string, SubscriptionData> = {};
  const subs = (o.subscriptionTable ?? {}) as Record<string, never>;
  for (const [t, s] of Object.entries(subs)) table[t] = toSubscriptionData(s);
  return {
    connectionSet: ((o.connectionSet ?? []) as unknown[]).map(toConnection),
    consumeFromWhere: String(o.consumeFromWhere ?? ""),
    consumeType: String(o.consumeType ?? ""),
    messageModel: String(o.messageModel ?? ""),
    subscriptionTable: table,
  };
}

/** GET_PRODUCER_CONNECTION_LIST (204) response body. */
export interface ProducerConnection {
  connectionSet: Connection[];
}

/** Writes a ProducerConnection body. */
export function encodeProducerConnection(p: ProducerConnection): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ connectionSet: p.connectionSet.map(connectionJson) }));
}

/** Reads a ProducerConnection body. */
export function decodeProducerConnection(body: Uint8Array): ProducerConnection {
  const o = parseJson(new TextDecoder().decode(body)) as Record<string, never>;
  return { connectionSet: ((o.connectionSet ?? []) as unknown[]).map(toConnection) };
}
