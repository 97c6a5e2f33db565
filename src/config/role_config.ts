/**
 * The effective configuration of each server role (`rmq serve --role=...`): which schemas a role's
 * file feeds, and the start-up rules upstream's BrokerStartup applies after loading (operations.md §3.1).
 */
import { ConfigError, type ConfigOf, int } from "./schema.ts";
import { type LoadOptions, loadRoleConfig } from "./load.ts";
import { type NamesrvConfig, NamesrvConfigSchema } from "./namesrv_config.ts";
import { type BrokerConfig, BrokerConfigSchema } from "./broker_config.ts";
import { type MessageStoreConfig, MessageStoreConfigSchema } from "./store_config.ts";
import { isWildcardHost } from "./host.ts";

/** Server roles `rmq serve` runs. */
export const ROLES = ["namesrv", "broker", "all"] as const;
export type Role = typeof ROLES[number];

/** rmq extras only meaningful for `--role=all`, where one process runs a name server and a broker. */
export const AllInOneConfigSchema = {
  /** Port of the embedded name server; `listenPort` is the broker's. */
  namesrvPort: int(9876, { min: 0, max: 65535 }),
} as const;
export type AllInOneConfig = ConfigOf<typeof AllInOneConfigSchema>;

/** In role `all` the name server takes its port from `namesrvPort`, so its `listenPort` is not a key. */
const { listenPort: _namesrvListenPort, ...EmbeddedNamesrvSchema } = NamesrvConfigSchema;

/** The validated settings of one role. */
export type RoleConfig =
  | { role: "namesrv"; namesrv: NamesrvConfig }
  | { role: "broker"; broker: BrokerConfig; store: MessageStoreConfig }
  | {
    role: "all";
    namesrv: NamesrvConfig;
    broker: BrokerConfig;
    store: MessageStoreConfig;
    allInOne: AllInOneConfig;
  };

/**
 * Loads the config of `role` from the sources in `opts` and applies the role rules.
 *
 * @throws {ConfigError} for unreadable files, invalid values and contradictory settings.
 */
export function loadRole(role: Role, opts: LoadOptions = {}): RoleConfig {
  switch (role) {
    case "namesrv": {
      const { configs: [namesrv] } = loadRoleConfig([NamesrvConfigSchema], opts);
      return { role, namesrv };
    }
    case "broker": {
      const { configs: [broker, store], explicit } = loadRoleConfig(
        [BrokerConfigSchema, MessageStoreConfigSchema],
        opts,
      );
      applyBrokerRules(broker, store, explicit, opts.warn);
      rememberConfigFile(broker, explicit, opts.configFile);
      return { role, broker, store };
    }
    case "all": {
      // The embedded name server is the default target, so an exported NAMESRV_ADDR must not win over it.
      const env = (name: string) =>
        name === "NAMESRV_ADDR" ? undefined : opts.env ? opts.env(name) : Deno.env.get(name);
      const { configs: [broker, store, embedded, allInOne], explicit } = loadRoleConfig(
        [BrokerConfigSchema, MessageStoreConfigSchema, EmbeddedNamesrvSchema, AllInOneConfigSchema],
        { ...opts, env },
      );
      const namesrv: NamesrvConfig = { ...embedded, listenPort: allInOne.namesrvPort };
      if (broker.namesrvAddr === "") broker.namesrvAddr = localNamesrvAddr(namesrv, allInOne.namesrvPort);
      applyBrokerRules(broker, store, explicit, opts.warn);
      rememberConfigFile(broker, explicit, opts.configFile);
      return { role, namesrv, broker, store, allInOne };
    }
  }
}

/** The address a co-located broker uses to reach the embedded name server listening on `port`. */
export function localNamesrvAddr(namesrv: Pick<NamesrvConfig, "listenHost">, port: number): string {
  const host = isWildcardHost(namesrv.listenHost) ? "127.0.0.1" : namesrv.listenHost;
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * Upstream's start-up rules: masters are brokerId 0, slaves need brokerId > 0, DLedger brokers start
 * as -1, and the HA port follows the listen port unless set explicitly (the 5.x rule). rmq adds one: a
 * broker bound to one specific address advertises that address unless brokerIP1/brokerIP2 say otherwise.
 */
export function applyBrokerRules(
  broker: BrokerConfig,
  store: MessageStoreConfig,
  explicit: ReadonlySet<string>,
  warn: (message: string) => void = () => {},
): void {
  if (store.enableDLegerCommitLog) {
    broker.brokerId = -1;
  } else if (store.brokerRole === "SLAVE") {
    if (broker.brokerId <= 0) {
      throw new ConfigError(`Slave's brokerId must be > 0, got "${broker.brokerId}" (brokerRole=SLAVE)`);
    }
  } else if (broker.brokerId !== 0) {
    warn(`brokerId "${broker.brokerId}" is ignored: a ${store.brokerRole} is always brokerId 0`);
    broker.brokerId = 0;
  }
  if (!isWildcardHost(broker.listenHost)) {
    if (!explicit.has("brokerIP1")) broker.brokerIP1 = broker.listenHost;
    if (!explicit.has("brokerIP2")) broker.brokerIP2 = broker.listenHost;
  }
  if (!explicit.has("haListenPort")) store.haListenPort = broker.listenPort === 0 ? 0 : broker.listenPort + 1;
}

/**
 * Records the `-c` file in `brokerConfigPath` as upstream does, so GET_BROKER_CONFIG shows where the
 * settings came from. rmq never rewrites that file wholesale (operations.md §6.12).
 */
function rememberConfigFile(
  broker: BrokerConfig,
  explicit: ReadonlySet<string>,
  file: string | undefined,
): void {
  if (file !== undefined && !explicit.has("brokerConfigPath")) broker.brokerConfigPath = file;
}
