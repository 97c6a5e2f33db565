/**
 * Consumer group settings (store-and-semantics.md §10.1.5): built-in groups, subscriptionGroup.json,
 * auto-creation of unknown groups.
 */
import {
  type SubscriptionGroupConfig,
  subscriptionGroupConfig,
  subscriptionGroupConfigJson,
  toSubscriptionGroupConfig,
} from "../protocol/bodies/subscription_group.ts";
import { type DataVersion, toDataVersion } from "../protocol/bodies/topic_config.ts";
import { ConfigFile, loadConfigFile, members } from "./config_file.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("broker");

const BUILT_IN_GROUPS = [
  "TOOLS_CONSUMER",
  "FILTERSRV_CONSUMER",
  "SELF_TEST_C_GROUP",
  "CID_ONS-HTTP-PROXY",
  "CID_ONSAPI_PULL",
  "CID_ONSAPI_PERMISSION",
  "CID_ONSAPI_OWNER",
];

const SYS_GROUP_PREFIX = "CID_RMQ_SYS_";

export class SubscriptionGroupManager {
  private readonly table = new Map<string, SubscriptionGroupConfig>();
  private version: DataVersion;
  readonly #file: ConfigFile;

  /** `path` is `<storePathRootDir>/config/subscriptionGroup.json`. */
  constructor(
    private readonly autoCreateSubscriptionGroup: boolean,
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {
    this.version = { counter: 0, timestamp: now() };
    this.#file = new ConfigFile(path, () => {
      const table: Record<string, unknown> = {};
      for (const [k, g] of this.table) table[k] = subscriptionGroupConfigJson(g);
      return { dataVersion: this.version, subscriptionGroupTable: table };
    });
    for (const g of BUILT_IN_GROUPS) this.table.set(g, subscriptionGroupConfig(g));
  }

  /** Overlays subscriptionGroup.json (or its .bak). */
  load(): void {
    const doc = loadConfigFile(this.path);
    if (doc === null) return;
    const m = members(doc);
    for (const [name, v] of Object.entries(members(m.subscriptionGroupTable))) {
      this.table.set(name, toSubscriptionGroupConfig(v, name));
    }
    const dv = toDataVersion(m.dataVersion);
    if (dv.counter > 0) this.version = dv;
  }

  /** Writes subscriptionGroup.json now (after any scheduled write); throws when it cannot. */
  persist(): Promise<void> {
    return this.#file.persistNow();
  }

  /** Resolves once subscriptionGroup.json holds every change made so far (false when the write failed). */
  persisted(): Promise<boolean> {
    return this.#file.persistSoon();
  }

  private changed(): void {
    this.version = { counter: this.version.counter + 1, timestamp: this.now() };
    void this.#file.persistSoon(); // failures are logged by ConfigFile
  }

  /** The group's config, auto-created when allowed; undefined when unknown and not creatable. */
  findSubscriptionGroupConfig(group: string): SubscriptionGroupConfig | undefined {
    const g = this.table.get(group);
    if (g) return g;
    if (!this.autoCreateSubscriptionGroup && !group.startsWith(SYS_GROUP_PREFIX)) return undefined;
    const created = subscriptionGroupConfig(group);
    this.table.set(group, created);
    log.info(`Auto-created subscription group "${group}"`);
    this.changed();
    return created;
  }

  /** The group's config without auto-creation. */
  get(group: string): SubscriptionGroupConfig | undefined {
    return this.table.get(group);
  }

  /** Creates or replaces a group (admin). */
  updateSubscriptionGroupConfig(g: SubscriptionGroupConfig): void {
    this.table.set(g.groupName, { ...g });
    this.changed();
  }

  /** Deletes a group; returns whether it existed. */
  deleteSubscriptionGroupConfig(group: string): boolean {
    if (!this.table.delete(group)) return false;
    this.changed();
    return true;
  }

  /** Every group. */
  all(): SubscriptionGroupConfig[] {
    return [...this.table.values()];
  }

  get dataVersion(): DataVersion {
    return { ...this.version };
  }

  /** The SubscriptionGroupWrapper JSON (GET_ALL_SUBSCRIPTIONGROUP_CONFIG). */
  wrapperJson(): Record<string, unknown> {
    const table: Record<string, unknown> = {};
    for (const [k, g] of this.table) table[k] = subscriptionGroupConfigJson(g);
    return { dataVersion: this.version, subscriptionGroupTable: table };
  }
}
