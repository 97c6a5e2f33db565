/**
 * Errors raised by the remoting layer. Callers can catch {@linkcode RemotingError} for "anything went
 * wrong on the wire" or a subclass for the specific failure.
 */

/** Base class of every remoting failure. */
export class RemotingError extends Error {
  override name = "RemotingError";
}

/** A frame or header that cannot be decoded (bad length, unknown serialize type, bad JSON...). */
export class RemotingCodecError extends RemotingError {
  override name = "RemotingCodecError";
}

/** No response arrived within the caller's timeout. */
export class RemotingTimeoutError extends RemotingError {
  override name = "RemotingTimeoutError";
}

/** The connection to the peer could not be established. */
export class RemotingConnectError extends RemotingError {
  override name = "RemotingConnectError";
}

/** The request could not be written, or the connection closed before the response arrived. */
export class RemotingSendError extends RemotingError {
  override name = "RemotingSendError";
}
