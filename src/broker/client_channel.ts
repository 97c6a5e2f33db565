/**
 * What the broker's client registries need from a connection. RemotingChannel (src/remoting/channel.ts)
 * satisfies it structurally; keeping the registries on this narrow shape lets them be tested without
 * sockets and keeps them from reaching into the transport.
 */
import type { RemotingCommand } from "../remoting/command.ts";

/** A client connection as seen by the registries. */
export interface ClientChannel {
  readonly id: number;
  readonly remoteAddr: string;
  readonly closed: boolean;
  invokeOneway(req: RemotingCommand): void;
  invoke(req: RemotingCommand, timeoutMs: number): Promise<RemotingCommand>;
}

/** A client connection as processors see it: the registry view plus replying later. */
export interface BrokerChannel extends ClientChannel {
  readonly localAddr: string;
  readonly attrs: Map<string, unknown>;
  send(cmd: RemotingCommand): void;
  /**
   * Queues an already encoded frame (RemotingChannel has it; channels without it get `send` only); with
   * `owned` the frame is handed over and its buffer recycled once written.
   */
  sendFrame?(frame: Uint8Array, owned?: boolean): void;
}

/** One registration of a client on a connection. */
export interface ClientChannelInfo {
  channel: ClientChannel;
  clientId: string;
  language: string;
  version: number;
  lastUpdateTimestamp: number;
}
