/**
 * One remoting connection, used by both the server and the client: a read loop (socket → FrameDecoder →
 * decodeCommand), response matching for our own outstanding requests, a coalescing write queue and an
 * idle timer. What to do with incoming requests is the owner's business (see dispatch.ts).
 *
 * All state of a connection is owned by its instance and touched only from the event loop.
 */

import { FLAG_ONEWAY, FLAG_RESPONSE, type RemotingCommand, SerializeType } from "./command.ts";
import { decodeCommand, encodeCommand } from "./codec.ts";
import { RemotingSendError, RemotingTimeoutError } from "./errors.ts";
import { DEFAULT_MAX_FRAME_LENGTH, FrameDecoder } from "./frame_decoder.ts";
import { allocBuffer, releaseBuffer } from "./slab.ts";
import { requestCodeName } from "./request_code.ts";
import type { Logger } from "../log/logger.ts";

/** A live connection as processors see it (server side: a client; client side: a broker or name server). */
export interface RemotingChannel {
  readonly id: number;
  /** The peer, "ip:port". */
  readonly remoteAddr: string;
  /** Our end, "ip:port". */
  readonly localAddr: string;
  readonly closed: boolean;
  /** Per-connection slot for processors (client id, language, version...). */
  readonly attrs: Map<string, unknown>;
  /** Queues a frame; frames queued in the same tick go out in one socket write. Dropped if closed. */
  send(cmd: RemotingCommand): void;
  /**
   * Queues an encoded frame. With `owned`, the caller hands the frame over: nothing else may view it, and
   * the connection recycles its buffer once written.
   */
  sendFrame?(frame: Uint8Array, owned?: boolean): void;
  /** Sends a request to the peer and resolves with its response (server → client requests are JSON). */
  invoke(req: RemotingCommand, timeoutMs: number): Promise<RemotingCommand>;
  /** Sends a request with the ONEWAY flag; nothing comes back. */
  invokeOneway(req: RemotingCommand): void;
  close(): void;
}

/**
 * Handles a request that arrived on a channel. Returning null/undefined sends nothing (the processor may
 * answer later with `channel.send`); a returned command is sent as the response unless the request was
 * oneway.
 */
export type RequestProcessor = (
  req: RemotingCommand,
  channel: RemotingChannel,
) => RemotingCommand | null | undefined | Promise<RemotingCommand | null | undefined>;

/** Tunables of a connection. */
export interface ConnectionOptions {
  /** Close after this long with no read and no write (ms). Default 120 000; 0 disables. */
  idleTimeoutMs?: number;
  /** Largest accepted frame including its length field. Default 16 MiB. */
  maxFrameLength?: number;
  /** Close the connection when more than this many bytes wait to be written. Default 64 MiB. */
  maxQueuedBytes?: number;
  /** Re-encode outgoing `invoke`/`invokeOneway` requests as JSON (server → client, §2.7). */
  forceJsonRequests?: boolean;
}

/** What a connection reports to its owner. */
export interface ConnectionHandlers {
  onRequest(cmd: RemotingCommand, channel: Connection): void;
  onClose(channel: Connection): void;
}

interface Pending {
  resolve(cmd: RemotingCommand): void;
  reject(err: Error): void;
  /** performance.now() after which the request times out. */
  deadline: number;
  timeoutMs: number;
  code: number;
}

/**
 * Bytes asked of the socket per read between frames, at first. Small on purpose: the frames of one read
 * are handled in one event-loop turn and their replies leave together at its end, so a large read makes a
 * closed-loop peer (16 senders, each waiting for its reply) wait for the whole batch, and the two
 * processes end up taking turns on the CPUs instead of working in parallel. Measured with 16 concurrent
 * 1 KiB sends on 2 cores: 64 KiB reads 37k msg/s, 8 KiB reads 50-73k.
 */
const READ_CHUNK_SIZE = 8 * 1024;
/**
 * A peer that keeps this many full reads in a row waiting is pipelining deeply (thousands of requests
 * outstanding): nobody waits on a small batch there, so reads grow (doubling, up to READ_CHUNK_MAX) to
 * spend fewer reads, commitlog writes and socket writes per message. The first short read shrinks back.
 */
const FULL_READS_TO_GROW = 4;
const READ_CHUNK_MAX = 64 * 1024;
/** A large frame still arriving is read in pieces of up to this size (one read per piece, no copies). */
const MAX_READ_BUFFER_SIZE = 512 * 1024;
/** Default idle limit: Java's serverChannelMaxIdleTimeSeconds / clientChannelMaxIdleTimeSeconds. */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

/** Default write backlog limit; a healthy peer never gets near it. */
export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

let nextChannelId = 0;

function formatAddr(addr: Deno.Addr): string {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    return addr.hostname.includes(":") ? `[${addr.hostname}]:${addr.port}` : `${addr.hostname}:${addr.port}`;
  }
  return String((addr as { path?: string }).path ?? addr.transport);
}

/** A remoting connection over a `Deno.Conn`. Call `start()` once to begin reading. */
export class Connection implements RemotingChannel {
  readonly id = ++nextChannelId;
  readonly remoteAddr: string;
  readonly localAddr: string;
  readonly attrs = new Map<string, unknown>();

  #closed = false;
  readonly #conn: Deno.Conn;
  readonly #handlers: ConnectionHandlers;
  readonly #log: Logger;
  readonly #idleTimeoutMs: number;
  readonly #forceJson: boolean;
  readonly #maxQueuedBytes: number;
  readonly #decoder: FrameDecoder;
  readonly #pending = new Map<number, Pending>();
  /**
   * One timer for all outstanding requests, armed for the earliest deadline, instead of a setTimeout per
   * request (which cost ~6% of a sending client's CPU). Left armed when the map empties: re-arming on every
   * request of a one-at-a-time caller would cost more than one spare wake-up.
   */
  #sweepTimer: ReturnType<typeof setTimeout> | undefined;
  #sweepAt = Infinity;

  #queue: Uint8Array[] = [];
  /** Frames of #queue handed over by their encoder (see sendFrame), recycled once copied or written. */
  #owned: Uint8Array[] = [];
  #queuedBytes = 0;
  #flushScheduled = false;
  #writing: Promise<void> | null = null;
  #drainWaiters: (() => void)[] = [];

  #lastActivity = Date.now();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #readLoop: Promise<void> | null = null;

  constructor(conn: Deno.Conn, handlers: ConnectionHandlers, log: Logger, opts: ConnectionOptions = {}) {
    this.#conn = conn;
    this.#handlers = handlers;
    this.#log = log;
    this.#idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.#forceJson = opts.forceJsonRequests ?? false;
    this.#maxQueuedBytes = opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.#decoder = new FrameDecoder(opts.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH);
    this.remoteAddr = formatAddr(conn.remoteAddr);
    this.localAddr = formatAddr(conn.localAddr);
    try {
      if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
    } catch {
      // Not every transport supports it; latency only.
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Starts the read loop and the idle timer. */
  start(): void {
    if (this.#readLoop) return;
    this.#armIdleTimer(this.#idleTimeoutMs);
    this.#readLoop = this.#read();
  }

  /** Resolves once the read loop and any in-flight write have finished (after close). */
  async finished(): Promise<void> {
    await this.#readLoop;
    await this.#writing;
  }

  /** Resolves when every queued frame has been handed to the socket (or the connection closed). */
  drained(): Promise<void> {
    if (this.#closed || (this.#queue.length === 0 && this.#writing === null)) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  send(cmd: RemotingCommand): void {
    if (this.#closed) {
      this.#log.debug(`Dropped ${describe(cmd)} for closed channel ${this.remoteAddr}`);
      return;
    }
    this.sendFrame(encodeCommand(cmd), true);
  }

  /**
   * Queues an already encoded frame. With `owned`, nothing else views the frame and its buffer is recycled
   * once copied or written (see slab.ts).
   */
  sendFrame(frame: Uint8Array, owned = false): void {
    if (this.#closed) return;
    this.#queue.push(frame);
    if (owned) this.#owned.push(frame);
    this.#queuedBytes += frame.length;
    if (this.#queuedBytes > this.#maxQueuedBytes) {
      // The peer stopped reading; buffering without bound would take the whole process down.
      this.#log.warn(
        `Closing connection ${this.remoteAddr}: ${this.#queuedBytes} bytes queued, peer is not reading`,
      );
      this.close();
      return;
    }
    if (!this.#flushScheduled && this.#writing === null) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  invoke(req: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    if (this.#closed) {
      return Promise.reject(new RemotingSendError(`Channel to "${this.remoteAddr}" is closed`));
    }
    const out = this.#forceJson && req.serializeType !== SerializeType.JSON
      ? { ...req, serializeType: SerializeType.JSON }
      : req;
    let frame: Uint8Array;
    try {
      frame = encodeCommand(out);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.invokeFrame(frame, out.opaque, out.code, timeoutMs);
  }

  /**
   * Sends an already encoded request frame whose header carries `opaque` and resolves with the response
   * (`code` only names the request in a timeout error).
   */
  invokeFrame(frame: Uint8Array, opaque: number, code: number, timeoutMs: number): Promise<RemotingCommand> {
    if (this.#closed) {
      return Promise.reject(new RemotingSendError(`Channel to "${this.remoteAddr}" is closed`));
    }
    return new Promise<RemotingCommand>((resolve, reject) => {
      const deadline = performance.now() + timeoutMs;
      this.#pending.set(opaque, { resolve, reject, deadline, timeoutMs, code });
      if (deadline < this.#sweepAt) this.#armSweep(deadline);
      this.sendFrame(frame);
    });
  }

  #armSweep(deadline: number): void {
    clearTimeout(this.#sweepTimer);
    this.#sweepAt = deadline;
    this.#sweepTimer = setTimeout(() => this.#sweep(), Math.max(0, Math.ceil(deadline - performance.now())));
  }

  /** Fails every request past its deadline and re-arms for the earliest one left. */
  #sweep(): void {
    this.#sweepTimer = undefined;
    this.#sweepAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [opaque, p] of this.#pending) {
      if (p.deadline <= now) {
        this.#pending.delete(opaque);
        p.reject(
          new RemotingTimeoutError(
            `Request ${
              requestCodeName(p.code)
            } opaque=${opaque} to "${this.remoteAddr}" timed out after ${p.timeoutMs} ms`,
          ),
        );
      } else if (p.deadline < next) next = p.deadline;
    }
    if (next !== Infinity && !this.#closed) this.#armSweep(next);
  }

  invokeOneway(req: RemotingCommand): void {
    const serializeType = this.#forceJson ? SerializeType.JSON : req.serializeType;
    this.send({ ...req, flag: req.flag | FLAG_ONEWAY, serializeType });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    this.#queue = [];
    this.#owned = [];
    this.#queuedBytes = 0;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer or the runtime.
    }
    const err = new RemotingSendError(`Channel to "${this.remoteAddr}" closed before the response arrived`);
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    for (const w of this.#drainWaiters.splice(0)) w();
    try {
      this.#handlers.onClose(this);
    } catch (e) {
      this.#log.error(`Channel close listener failed for ${this.remoteAddr}`, e);
    }
  }

  async #read(): Promise<void> {
    let buf = new Uint8Array(READ_CHUNK_SIZE);
    let chunk = READ_CHUNK_SIZE;
    let fullReads = 0;
    while (!this.#closed) {
      // Between frames read a chunk (see READ_CHUNK_SIZE); inside a large frame, the rest of it.
      const size = Math.max(chunk, Math.min(this.#decoder.partialRemaining, MAX_READ_BUFFER_SIZE));
      if (size > buf.length) buf = new Uint8Array(size);
      let n: number | null;
      try {
        n = await this.#conn.read(size === buf.length ? buf : buf.subarray(0, size));
      } catch (e) {
        if (!this.#closed) this.#log.debug(`Read from ${this.remoteAddr} failed: ${(e as Error).message}`);
        break;
      }
      if (n === null) break;
      if (n < size) {
        fullReads = 0;
        chunk = READ_CHUNK_SIZE;
      } else if (++fullReads >= FULL_READS_TO_GROW && chunk < READ_CHUNK_MAX) {
        chunk *= 2;
        fullReads = 0;
      }
      this.#lastActivity = Date.now();
      let frames: Uint8Array[];
      try {
        frames = this.#decoder.push(buf.subarray(0, n));
      } catch (e) {
        this.#log.warn(`Closing connection from ${this.remoteAddr}: ${(e as Error).message}`);
        break;
      }
      for (const frame of frames) {
        if (this.#closed) break;
        let cmd: RemotingCommand;
        try {
          cmd = decodeCommand(frame);
        } catch (e) {
          this.#log.warn(`Closing connection from ${this.remoteAddr}: ${(e as Error).message}`);
          this.close();
          break;
        }
        this.#receive(cmd);
      }
    }
    this.close();
  }

  #receive(cmd: RemotingCommand): void {
    if ((cmd.flag & FLAG_RESPONSE) === 0) {
      try {
        this.#handlers.onRequest(cmd, this);
      } catch (e) {
        // A bug in a handler must cost one request, not the connection or the process.
        this.#log.error(`Handling ${describe(cmd)} from ${this.remoteAddr} failed`, e);
      }
      return;
    }
    const p = this.#pending.get(cmd.opaque);
    if (!p) {
      // Late reply to a request that already timed out, or a stray opaque: upstream logs and drops too.
      this.#log.debug(`Dropped response with unknown opaque ${cmd.opaque} from ${this.remoteAddr}`);
      return;
    }
    this.#pending.delete(cmd.opaque);
    p.resolve(cmd);
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#closed || this.#queue.length === 0) return;
    const queue = this.#queue;
    const total = this.#queuedBytes;
    let owned = this.#owned;
    this.#queue = [];
    this.#queuedBytes = 0;
    let data: Uint8Array;
    if (queue.length === 1) data = queue[0]!;
    else {
      // Joined into a recycled buffer: the frames' own buffers can be recycled at once.
      data = allocBuffer(total);
      let off = 0;
      for (const f of queue) {
        data.set(f, off);
        off += f.length;
      }
      for (const f of owned) releaseBuffer(f);
      owned = [data];
    }
    this.#owned = [];
    this.#writing = this.#writeAll(data).then(() => {
      // The write op has finished with the bytes (or failed): the buffers are free.
      for (const f of owned) releaseBuffer(f);
      this.#writing = null;
      if (this.#queue.length > 0) this.#flush();
      else for (const w of this.#drainWaiters.splice(0)) w();
    });
  }

  async #writeAll(data: Uint8Array): Promise<void> {
    try {
      let off = 0;
      while (off < data.length) off += await this.#conn.write(data.subarray(off));
      this.#lastActivity = Date.now();
    } catch (e) {
      if (!this.#closed) {
        this.#log.warn(`Write to ${this.remoteAddr} failed, closing: ${(e as Error).message}`);
        this.close();
      }
    }
  }

  #armIdleTimer(delayMs: number): void {
    if (this.#idleTimeoutMs <= 0 || this.#closed) return;
    this.#idleTimer = setTimeout(() => {
      const idleFor = Date.now() - this.#lastActivity;
      // A write stuck behind a peer that stopped reading counts as idle too, as in upstream.
      if (idleFor >= this.#idleTimeoutMs) {
        this.#log.info(`Closing idle connection ${this.remoteAddr} after ${idleFor} ms`);
        this.close();
      } else this.#armIdleTimer(Math.max(1, this.#idleTimeoutMs - idleFor));
    }, delayMs);
  }
}

/** "CODE_NAME(code) opaque=N" for log lines. */
export function describe(cmd: RemotingCommand): string {
  return `${requestCodeName(cmd.code)} opaque=${cmd.opaque}`;
}
