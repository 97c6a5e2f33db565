/**
 * Request dispatch shared by server and client (remoting-protocol.md §2.8): look up the processor by
 * code, answer unknown codes with REQUEST_CODE_NOT_SUPPORTED, turn processor failures into SYSTEM_ERROR,
 * and never answer a oneway request.
 */

import { createResponse, FLAG_RESPONSE, isOneway, type RemotingCommand } from "./command.ts";
import type { RemotingChannel, RequestProcessor } from "./channel.ts";
import { describe } from "./channel.ts";
import { ResponseCode } from "./response_code.ts";
import type { Logger } from "../log/logger.ts";

/** A processor table plus the count of requests whose asynchronous processor has not settled yet. */
export class Dispatcher {
  readonly #processors = new Map<number, RequestProcessor>();
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(private readonly log: Logger) {}

  /** Registers (or replaces) the processor for a request code. */
  register(code: number, processor: RequestProcessor): void {
    this.#processors.set(code, processor);
  }

  /** Number of requests whose processor promise is still pending. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves when no processor promise is pending. */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Runs the processor for `req` and sends its answer on `channel`. Never throws. */
  dispatch(req: RemotingCommand, channel: RemotingChannel): void {
    const oneway = isOneway(req);
    const processor = this.#processors.get(req.code);
    if (!processor) {
      this.log.debug(`No processor for ${describe(req)} from ${channel.remoteAddr}`);
      if (!oneway) {
        channel.send(
          createResponse(
            req,
            ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
            ` request type ${req.code} not supported`,
          ),
        );
      }
      return;
    }
    let result: ReturnType<RequestProcessor>;
    try {
      result = processor(req, channel);
    } catch (e) {
      this.#fail(req, channel, e);
      return;
    }
    if (result instanceof Promise) {
      this.#inFlight++;
      // One reaction per request (a `.finally` would add a promise and a microtask to every send).
      result.then(
        (res) => {
          try {
            this.#reply(req, channel, res);
          } finally {
            this.#settled();
          }
        },
        (e) => {
          try {
            this.#fail(req, channel, e);
          } finally {
            this.#settled();
          }
        },
      );
    } else this.#reply(req, channel, result);
  }

  #settled(): void {
    if (--this.#inFlight === 0) { for (const w of this.#idleWaiters.splice(0)) w(); }
  }

  #reply(req: RemotingCommand, channel: RemotingChannel, res: RemotingCommand | null | undefined): void {
    if (!res || isOneway(req)) return;
    // Whatever the processor built, the response must carry the request's opaque and the response bit.
    res.opaque = req.opaque;
    res.flag |= FLAG_RESPONSE;
    try {
      channel.send(res);
    } catch (e) {
      // The response itself could not be encoded (e.g. a code beyond int16 in a binary header).
      this.#fail(req, channel, e);
    }
  }

  #fail(req: RemotingCommand, channel: RemotingChannel, e: unknown): void {
    this.log.error(`Processor for ${describe(req)} from ${channel.remoteAddr} failed`, e);
    if (isOneway(req)) return;
    const name = e instanceof Error ? e.name : "Error";
    const message = e instanceof Error ? e.message : String(e);
    try {
      channel.send(createResponse(req, ResponseCode.SYSTEM_ERROR, `${name}: ${message}`));
    } catch (e2) {
      this.log.error(`Cannot send SYSTEM_ERROR for ${describe(req)} to ${channel.remoteAddr}`, e2);
    }
  }
}
