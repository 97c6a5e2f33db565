/**
 * The namesrv role: a RemotingServer wired to the name server's request handlers, the route and KV
 * tables, and the liveness scan that drops brokers silent for 120 s (store-and-semantics.md §13).
 */
import type { NamesrvConfig } from "../config/namesrv_config.ts";
import { RemotingServer } from "../remoting/server.ts";
import { getLogger } from "../log/logger.ts";
import { RouteInfoManager } from "./route_info_manager.ts";
import { KVConfigManager } from "./kv_config_manager.ts";
import { NamesrvConfigStore } from "./namesrv_config_store.ts";
import { createNamesrvProcessors } from "./default_request_processor.ts";

const log = getLogger("namesrv");

/** Test and embedding hooks. */
export interface NamesrvControllerOptions {
  /** Time source for broker liveness; default `Date.now`. */
  clock?: () => number;
  /** Disable the periodic liveness scan (tests call `routeInfoManager.scanNotActiveBroker()` themselves). */
  disableScan?: boolean;
}

/** Composes the namesrv role: remoting server, route info, KV config, liveness scanning. */
export class NamesrvController {
  readonly routeInfoManager: RouteInfoManager;
  readonly kvConfigManager: KVConfigManager;
  readonly configStore: NamesrvConfigStore;
  readonly #server: RemotingServer;
  #scanTimer: ReturnType<typeof setInterval> | undefined;
  #firstScan: ReturnType<typeof setTimeout> | undefined;
  #started = false;

  constructor(readonly config: NamesrvConfig, private readonly opts: NamesrvControllerOptions = {}) {
    this.routeInfoManager = new RouteInfoManager(opts.clock ?? Date.now);
    this.kvConfigManager = new KVConfigManager(config.kvConfigPath);
    this.configStore = new NamesrvConfigStore(config);
    const idle = config.serverChannelMaxIdleTimeSeconds;
    this.#server = new RemotingServer({
      hostname: config.listenHost,
      port: config.listenPort,
      name: "namesrv",
      ...(idle > 0 ? { idleTimeoutMs: idle * 1000 } : {}),
    });
    const ctx = {
      config,
      routes: this.routeInfoManager,
      kv: this.kvConfigManager,
      configStore: this.configStore,
    };
    for (const [code, p] of createNamesrvProcessors(ctx)) this.#server.registerProcessor(code, p);
    // BrokerHousekeepingService: a broker's connection closing (or going idle) removes it at once.
    this.#server.onChannelClosed((ch) => this.routeInfoManager.onChannelDestroy(ch.remoteAddr, ch));
  }

  /** Binds `config.listenPort` (0 = ephemeral) on `config.listenHost`; resolves once accepting. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.kvConfigManager.load();
    await this.#server.start();
    this.#started = true;
    if (!this.opts.disableScan) {
      const every = this.config.scanNotActiveBrokerInterval;
      const scan = () => {
        try {
          this.routeInfoManager.scanNotActiveBroker();
        } catch (e) {
          log.error("scanNotActiveBroker failed", e);
        }
      };
      this.#firstScan = setTimeout(() => {
        this.#firstScan = undefined;
        scan();
        this.#scanTimer = setInterval(scan, every);
      }, Math.min(5000, every));
    }
    log.info(`Name server listening on ${this.config.listenHost}:${this.port}`);
  }

  /** The bound port (after start). */
  get port(): number {
    return this.#server.port;
  }

  /** Stops accepting, lets in-flight replies finish, persists KV config. */
  async shutdown(): Promise<void> {
    clearTimeout(this.#firstScan);
    clearInterval(this.#scanTimer);
    this.#firstScan = undefined;
    this.#scanTimer = undefined;
    if (!this.#started) return;
    this.#started = false;
    await this.#server.shutdown();
    try {
      this.kvConfigManager.persist();
    } catch (e) {
      log.error(`Cannot persist KV config to "${this.config.kvConfigPath}"`, e);
    }
    log.info("Name server shut down");
  }
}
