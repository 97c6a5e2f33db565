/**
 * The remoting client: one connection per server address, shared by every caller, with per-request
 * timeouts (remoting-protocol.md §1.1, §2.4). Requests the peer sends us (a broker asking a consumer for
 * its running info, §3.4) go to processors registered here.
 */

import { FLAG_ONEWAY, type RemotingCommand } from "./command.ts";
import { Connection, type ConnectionOptions, type RequestProcessor } from "./channel.ts";
import { Dispatcher } from "./dispatch.ts";
import { RemotingConnectError, RemotingTimeoutError } from "./errors.ts";
import { getLogger, type Logger } from "../log/logger.ts";

/** Client tunables. */
export interface RemotingClientOptions {
  /** How long a connection attempt may take (ms). Default 3 000 (Java's connectTimeoutMillis). */
  connectTimeoutMs?: number;
  /** Component name for log lines. */
  name?: string;
  /** Close connections idle (no read, no write) for this long (ms). Default 120 000; 0 disables. */
  idleTimeoutMs?: number;
  /** Largest accepted frame including its length field. Default 16 MiB. */
  maxFrameLength?: number;
}

/**
 * Splits "host:port" (or "[v6]:port") into its parts.
 *
 * @throws {RemotingConnectError} when the address has no valid port.
 */
export function parseAddr(addr: string): { hostname: string; port: number } {
  const i = addr.lastIndexOf(":");
  const port = i > 0 ? Number(addr.slice(i + 1)) : NaN;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RemotingConnectError(`Cannot parse address "${addr}": expected host:port`);
  }
  let hostname = addr.slice(0, i).trim();
  if (hostname.startsWith("[") && hostname.endsWith("]")) hostname = hostname.slice(1, -1);
  return { hostname, port };
}

/**
 * A remoting client.
 *
 * @example
 * ```ts
 * import { createRequest } from "./command.ts";
 * const client = new RemotingClient();
 * const res = await client.invokeSync("127.0.0.1:9876", createRequest(105, { topic: "T1" }), 3000);
 * client.close();
 * ```
 */
export class RemotingClient {
  readonly #log: Logger;
  readonly #dispatcher: Dispatcher;
  readonly #connectTimeoutMs: number;
  readonly #connOpts: ConnectionOptions = {};
  /** Connection (or connection attempt) per address; concurrent callers share one attempt. */
  readonly #channels = new Map<string, Promise<Connection>>();
  readonly #live = new Map<string, Connection>();
  /** Every connection whose read loop may still be running. */
  readonly #all = new Set<Connection>();
  #closed = false;

  constructor(opts: RemotingClientOptions = {}) {
    this.#log = getLogger(opts.name ?? "remoting-client");
    this.#dispatcher = new Dispatcher(this.#log);
    this.#connectTimeoutMs = opts.connectTimeoutMs ?? 3000;
    if (opts.idleTimeoutMs !== undefined) this.#connOpts.idleTimeoutMs = opts.idleTimeoutMs;
    if (opts.maxFrameLength !== undefined) this.#connOpts.maxFrameLength = opts.maxFrameLength;
  }

  /**
   * Sends `req` to `addr` and resolves with the response. The timeout covers connecting and waiting.
   *
   * @throws {RemotingTimeoutError} no response in time.
   * @throws {RemotingConnectError} the address is unreachable.
   * @throws {RemotingSendError} the connection closed before the response arrived.
   */
  invokeSync(addr: string, req: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    // Hot path: an open connection needs no async wrapper (each one cost a promise and a microtask hop).
    const live = this.#closed ? undefined : this.#live.get(addr);
    if (live !== undefined && !live.closed) return live.invoke(req, timeoutMs);
    return this.#connectAndInvoke(addr, req, timeoutMs);
  }

  async #connectAndInvoke(addr: string, req: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const [ch, left] = await this.#channelWithin(addr, timeoutMs);
    return ch.invoke(req, left);
  }

  /**
   * Like {@linkcode invokeSync} for a request frame the caller encoded itself (see
   * `Connection.invokeFrame`); `opaque` must be the one in the frame's header.
   */
  invokeFrame(
    addr: string,
    frame: Uint8Array,
    opaque: number,
    code: number,
    timeoutMs: number,
  ): Promise<RemotingCommand> {
    const live = this.#closed ? undefined : this.#live.get(addr);
    if (live !== undefined && !live.closed) return live.invokeFrame(frame, opaque, code, timeoutMs);
    return this.#channelWithin(addr, timeoutMs).then(([ch, left]) =>
      ch.invokeFrame(frame, opaque, code, left)
    );
  }

  /** The connection to `addr` and what is left of `timeoutMs` once it is up. */
  async #channelWithin(addr: string, timeoutMs: number): Promise<[Connection, number]> {
    const start = Date.now();
    const ch = await this.#channel(addr);
    const left = timeoutMs - (Date.now() - start);
    if (left <= 0) {
      throw new RemotingTimeoutError(`Request to "${addr}" timed out after ${timeoutMs} ms while connecting`);
    }
    return [ch, left];
  }

  /** Same as {@linkcode invokeSync}; the name is kept for parity with upstream call sites. */
  invokeAsync(addr: string, req: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    return this.invokeSync(addr, req, timeoutMs);
  }

  /** Sends `req` with the ONEWAY flag and resolves once it has been handed to the socket. */
  async invokeOneway(addr: string, req: RemotingCommand): Promise<void> {
    const ch = await this.#channel(addr);
    ch.send({ ...req, flag: req.flag | FLAG_ONEWAY });
    await ch.drained();
  }

  /** Registers the processor for requests the peer sends us. */
  registerProcessor(code: number, processor: RequestProcessor): void {
    this.#dispatcher.register(code, processor);
  }

  /** Closes the connection to `addr`, if any; the next invoke reconnects. */
  closeChannel(addr: string): void {
    this.#live.get(addr)?.close();
  }

  /** Closes every connection; later invokes fail with RemotingConnectError. */
  close(): void {
    this.#closed = true;
    for (const ch of [...this.#live.values()]) ch.close();
  }

  /** Resolves once every connection's read loop has ended (after `close()`). */
  async closed(): Promise<void> {
    await Promise.all([...this.#channels.values()].map((p) => p.catch(() => {})));
    await Promise.all([...this.#all].map((ch) => ch.finished()));
  }

  #channel(addr: string): Promise<Connection> {
    if (this.#closed) {
      return Promise.reject(new RemotingConnectError(`Client is closed; cannot reach "${addr}"`));
    }
    const live = this.#live.get(addr);
    if (live && !live.closed) return Promise.resolve(live);
    let attempt = this.#channels.get(addr);
    if (!attempt) {
      attempt = this.#connect(addr);
      this.#channels.set(addr, attempt);
      const mine = attempt;
      attempt.catch(() => {
        if (this.#channels.get(addr) === mine) this.#channels.delete(addr);
      });
    }
    return attempt;
  }

  async #connect(addr: string): Promise<Connection> {
    const { hostname, port } = parseAddr(addr);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#connectTimeoutMs);
    let conn: Deno.Conn;
    try {
      conn = await Deno.connect({ hostname, port, transport: "tcp", signal: abort.signal });
    } catch (e) {
      const why = abort.signal.aborted
        ? `timed out after ${this.#connectTimeoutMs} ms`
        : (e as Error).message;
      throw new RemotingConnectError(`Cannot connect to "${addr}": ${why}`);
    } finally {
      clearTimeout(timer);
    }
    const ch = new Connection(
      conn,
      {
        onRequest: (cmd, channel) => this.#dispatcher.dispatch(cmd, channel),
        onClose: (channel) => {
          if (this.#live.get(addr) === channel) {
            this.#live.delete(addr);
            this.#channels.delete(addr);
          }
        },
      },
      this.#log,
      this.#connOpts,
    );
    this.#live.set(addr, ch);
    this.#all.add(ch);
    ch.start();
    ch.finished().then(() => this.#all.delete(ch));
    if (this.#closed) {
      ch.close();
      throw new RemotingConnectError(`Client is closed; cannot reach "${addr}"`);
    }
    this.#log.debug(`Connected to ${addr}`);
    return ch;
  }
}
