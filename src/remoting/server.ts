/**
 * The remoting server: accepts TCP connections and dispatches each incoming request to the processor
 * registered for its code (remoting-protocol.md §1.1, §2.8). Used by the name server and the broker.
 */

import { Connection, type ConnectionOptions } from "./channel.ts";
import type { RemotingChannel, RequestProcessor } from "./channel.ts";
import { Dispatcher } from "./dispatch.ts";
import { getLogger, type Logger } from "../log/logger.ts";

export type { RemotingChannel, RequestProcessor } from "./channel.ts";

/** Where and how to listen. */
export interface RemotingServerOptions {
  /** Interface to bind. Default "0.0.0.0"; tests pass "127.0.0.1". */
  hostname?: string;
  /** Port to bind; 0 picks an ephemeral port (read it back from `port`). */
  port: number;
  /** Component name for log lines, e.g. "namesrv" or "broker". */
  name?: string;
  /** Close connections with no read and no write for this long (ms). Default 120 000. */
  idleTimeoutMs?: number;
  /** Largest accepted frame including its length field. Default 16 MiB. */
  maxFrameLength?: number;
  /** How long `shutdown()` waits for in-flight processors and queued replies (ms). Default 3 000. */
  shutdownGraceMs?: number;
}

/**
 * A remoting server.
 *
 * @example
 * ```ts
 * import { createResponse } from "./command.ts";
 * const server = new RemotingServer({ hostname: "127.0.0.1", port: 0 });
 * server.registerProcessor(105, (req) => createResponse(req, 0));
 * await server.start();
 * console.log(server.port);
 * await server.shutdown();
 * ```
 */
export class RemotingServer {
  readonly #opts: RemotingServerOptions;
  readonly #log: Logger;
  readonly #dispatcher: Dispatcher;
  readonly #connOpts: ConnectionOptions;
  readonly #channels = new Set<Connection>();
  readonly #closeListeners: ((ch: RemotingChannel) => void)[] = [];
  #listener: Deno.Listener | null = null;
  #acceptLoop: Promise<void> | null = null;
  #port = 0;
  #stopping = false;

  constructor(opts: RemotingServerOptions) {
    this.#opts = opts;
    this.#log = getLogger(opts.name ?? "remoting");
    this.#dispatcher = new Dispatcher(this.#log);
    this.#connOpts = { forceJsonRequests: true };
    if (opts.idleTimeoutMs !== undefined) this.#connOpts.idleTimeoutMs = opts.idleTimeoutMs;
    if (opts.maxFrameLength !== undefined) this.#connOpts.maxFrameLength = opts.maxFrameLength;
  }

  /** Registers (or replaces) the processor for a request code. */
  registerProcessor(code: number, processor: RequestProcessor): void {
    this.#dispatcher.register(code, processor);
  }

  /** Adds a listener called once for every channel that closes, whoever closed it. */
  onChannelClosed(listener: (ch: RemotingChannel) => void): void {
    this.#closeListeners.push(listener);
  }

  /** The bound port (the ephemeral one when started with port 0). */
  get port(): number {
    return this.#port;
  }

  /** The open channels. */
  get channels(): ReadonlySet<RemotingChannel> {
    return this.#channels;
  }

  /** Binds and starts accepting. */
  start(): Promise<void> {
    if (this.#listener) return Promise.resolve();
    const hostname = this.#opts.hostname ?? "0.0.0.0";
    this.#listener = Deno.listen({ hostname, port: this.#opts.port, transport: "tcp" });
    this.#port = (this.#listener.addr as Deno.NetAddr).port;
    this.#acceptLoop = this.#accept(this.#listener);
    this.#log.info(`Remoting server listening on ${hostname}:${this.#port}`);
    return Promise.resolve();
  }

  /** Stops accepting, lets in-flight replies go out (bounded by the grace period), then closes all. */
  async shutdown(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    try {
      this.#listener?.close();
    } catch {
      // Already closed.
    }
    await this.#acceptLoop;
    const grace = this.#opts.shutdownGraceMs ?? 3000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => timer = setTimeout(resolve, grace));
    const settle = (async () => {
      await this.#dispatcher.idle();
      await Promise.all([...this.#channels].map((ch) => ch.drained()));
    })();
    await Promise.race([settle, deadline]);
    clearTimeout(timer);
    const channels = [...this.#channels];
    for (const ch of channels) ch.close();
    await Promise.all(channels.map((ch) => ch.finished()));
    this.#log.info(`Remoting server on port ${this.#port} shut down`);
  }

  async #accept(listener: Deno.Listener): Promise<void> {
    while (!this.#stopping) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (this.#stopping || e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted) {
          return;
        }
        // Transient (e.g. out of file descriptors): keep serving the connections we have and retry.
        this.#log.error("Accept failed; retrying in 100 ms", e);
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      if (this.#stopping) {
        conn.close();
        return;
      }
      const ch = new Connection(
        conn,
        {
          onRequest: (cmd, channel) => this.#dispatcher.dispatch(cmd, channel),
          onClose: (channel) => this.#closed(channel),
        },
        this.#log,
        this.#connOpts,
      );
      this.#channels.add(ch);
      this.#log.debug(`Accepted connection ${ch.id} from ${ch.remoteAddr}`);
      ch.start();
    }
  }

  #closed(ch: Connection): void {
    this.#channels.delete(ch);
    this.#log.debug(`Connection ${ch.id} from ${ch.remoteAddr} closed`);
    for (const l of this.#closeListeners) {
      try {
        l(ch);
      } catch (e) {
        this.#log.error(`Channel close listener failed for ${ch.remoteAddr}`, e);
      }
    }
  }
}
