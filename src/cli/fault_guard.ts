/**
 * Keeps a serving process up when a bug leaves a promise rejection unhandled or an exception escapes a
 * timer or event callback. Deno ends the process on either by default; for a broker that would turn one
 * failed request, or one failed background pass, into an outage for every client. The JVM broker behaves
 * the same way this does: the failure is logged with its stack and the other work goes on.
 *
 * Only `rmq serve` installs it: library users of the client keep the runtime's default for their process.
 */
import type { Logger } from "../log/logger.ts";

/** Installs the guard; returns the function that removes it again. */
export function installFaultGuard(log: Logger): () => void {
  const onRejection = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    log.error("Unhandled promise rejection (a bug; the process keeps serving)", e.reason);
  };
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    log.error("Uncaught exception (a bug; the process keeps serving)", e.error ?? e.message);
  };
  globalThis.addEventListener("unhandledrejection", onRejection);
  globalThis.addEventListener("error", onError);
  return () => {
    globalThis.removeEventListener("unhandledrejection", onRejection);
    globalThis.removeEventListener("error", onError);
  };
}
