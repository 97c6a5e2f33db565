/** Client-level errors. Remoting failures (timeouts, connect errors) surface as RemotingError. */

import { responseCodeName } from "../remoting/response_code.ts";

/** Any client failure that is not a remoting error. */
export class MQClientError extends Error {
  override name = "MQClientError";
}

/** A broker or name server answered with an error code. */
export class MQBrokerError extends MQClientError {
  override name = "MQBrokerError";
  constructor(readonly code: number, readonly remark: string | undefined, readonly addr?: string) {
    super(`Server ${addr ? `"${addr}" ` : ""}answered ${responseCodeName(code)} (${code}): ${remark ?? ""}`);
  }
}

/** A request (request-reply) was sent but no reply arrived in time (upstream RequestTimeoutException). */
export class RequestTimeoutError extends MQClientError {
  override name = "RequestTimeoutError";
}
