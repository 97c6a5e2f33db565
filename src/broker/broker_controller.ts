// PLACEHOLDER — owned by the broker work; replace entirely. Signature is the contract main.ts relies on.
import type { BrokerConfig } from "../config/broker_config.ts";
import type { MessageStoreConfig } from "../config/store_config.ts";

/** Composes the broker role: store, processors, registration with namesrvs, background services. */
export class BrokerController {
  constructor(readonly brokerConfig: BrokerConfig, readonly storeConfig: MessageStoreConfig) {}
  /** Opens/recovers the store, binds listenPort (0 = ephemeral) and the VIP port, registers with namesrvs. */
  start(): Promise<void> {
    return Promise.reject(new Error("broker not implemented yet"));
  }
  /** The bound main port (after start). */
  get port(): number {
    return 0;
  }
  /** Stops accepting, finishes in-flight replies, unregisters from namesrvs, flushes and closes the store. */
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
