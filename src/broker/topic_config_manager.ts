/**
 * The broker's topic table (store-and-semantics.md §10.1.3, §10.2): built-in system topics, topics.json
 * persistence, auto-creation from TBW102 on send, retry/DLQ topic creation, and the DataVersion name
 * servers compare. Owns all topic state; callers are told about changes through `onChange` so the
 * registration service can re-register at once.
 */
import { PermName } from "../message/message_const.ts";
import {
  type DataVersion,
  toDataVersion,
  type TopicConfig,
  topicConfig,
  topicConfigWrapperJson,
  toTopicConfig,
} from "../protocol/bodies/topic_config.ts";
import { ConfigFile, loadConfigFile, members } from "./config_file.ts";
import { SystemTopics } from "./topic_validator.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("broker");

/** The parts of BrokerConfig that shape the topic table. */
export interface TopicConfigSettings {
  brokerClusterName: string;
  brokerName: string;
  autoCreateTopicEnable: boolean;
  defaultTopicQueueNums: number;
  clusterTopicEnable: boolean;
  brokerTopicEnable: boolean;
  traceTopicEnable: boolean;
  msgTraceTopicName: string;
}

const SCHEDULE_QUEUE_NUMS = 18;

export class TopicConfigManager {
  private readonly table = new Map<string, TopicConfig>();
  private readonly systemTopics = new Set<string>();
  private version: DataVersion;
  private readonly listeners: Array<(topic: TopicConfig | null) => void> = [];
  readonly #file: ConfigFile;

  /** `path` is `<storePathRootDir>/config/topics.json`. */
  constructor(
    private readonly settings: TopicConfigSettings,
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {
    this.version = { counter: 0, timestamp: now() };
    this.#file = new ConfigFile(path, () => topicConfigWrapperJson(this.table.values(), this.version));
    this.addBuiltIns();
  }

  private addSystem(name: string, over: Partial<TopicConfig>): void {
    this.table.set(name, topicConfig(name, over));
    this.systemTopics.add(name);
  }

  private addBuiltIns(): void {
    const s = this.settings;
    const rw = PermName.PERM_READ | PermName.PERM_WRITE;
    this.addSystem(SystemTopics.SELF_TEST_TOPIC, { readQueueNums: 1, writeQueueNums: 1 });
    if (s.autoCreateTopicEnable) {
      this.addSystem(SystemTopics.AUTO_CREATE_TOPIC_KEY, {
        readQueueNums: s.defaultTopicQueueNums,
        writeQueueNums: s.defaultTopicQueueNums,
        perm: PermName.PERM_INHERIT | rw,
      });
    }
    this.addSystem(SystemTopics.BENCHMARK_TOPIC, { readQueueNums: 1024, writeQueueNums: 1024 });
    this.addSystem(s.brokerClusterName, {
      perm: PermName.PERM_INHERIT | (s.clusterTopicEnable ? rw : 0),
    });
    this.addSystem(s.brokerName, {
      readQueueNums: 1,
      writeQueueNums: 1,
      perm: PermName.PERM_INHERIT | (s.brokerTopicEnable ? rw : 0),
    });
    this.addSystem(SystemTopics.OFFSET_MOVED_EVENT, { readQueueNums: 1, writeQueueNums: 1 });
    this.addSystem(SystemTopics.SCHEDULE_TOPIC, {
      readQueueNums: SCHEDULE_QUEUE_NUMS,
      writeQueueNums: SCHEDULE_QUEUE_NUMS,
    });
    if (s.traceTopicEnable) this.addSystem(s.msgTraceTopicName, { readQueueNums: 1, writeQueueNums: 1 });
    this.addSystem(`${s.brokerClusterName}_REPLY_TOPIC`, { readQueueNums: 1, writeQueueNums: 1 });
    for (const t of [SystemTopics.TRANS_HALF_TOPIC, SystemTopics.TRANS_OP_HALF_TOPIC]) {
      this.systemTopics.add(t);
    }
    this.systemTopics.add(SystemTopics.TRACE_TOPIC);
    this.systemTopics.add(SystemTopics.TRANS_CHECK_MAX_TIME_TOPIC);
  }

  /** Overlays topics.json (or its .bak) on the built-ins. */
  load(): void {
    const doc = loadConfigFile(this.path);
    if (doc !== null) {
      const m = members(doc);
      for (const [name, v] of Object.entries(members(m.topicConfigTable))) {
        this.table.set(name, toTopicConfig(v, name));
      }
      const dv = toDataVersion(m.dataVersion);
      if (dv.counter > 0) this.version = dv;
    }
    if (!this.settings.autoCreateTopicEnable) {
      // Without auto-create a stored TBW102 must not let sends inherit from it (§10.2).
      const tbw = this.table.get(SystemTopics.AUTO_CREATE_TOPIC_KEY);
      if (tbw) tbw.perm = PermName.PERM_READ | PermName.PERM_WRITE;
    }
  }

  /** Writes topics.json now (after any scheduled write); throws when it cannot. */
  persist(): Promise<void> {
    return this.#file.persistNow();
  }

  /** Resolves once topics.json holds every change made so far (false when the write failed). */
  persisted(): Promise<boolean> {
    return this.#file.persistSoon();
  }

  /** Called after every change (null = a deletion). */
  onChange(listener: (topic: TopicConfig | null) => void): void {
    this.listeners.push(listener);
  }

  private changed(topic: TopicConfig | null): void {
    this.version = { counter: this.version.counter + 1, timestamp: this.now() };
    void this.#file.persistSoon(); // failures are logged by ConfigFile
    for (const l of this.listeners) l(topic);
  }

  /** The topic's config, or undefined. */
  selectTopicConfig(topic: string): TopicConfig | undefined {
    return this.table.get(topic);
  }

  /** Every topic, in insertion order. */
  all(): TopicConfig[] {
    return [...this.table.values()];
  }

  get dataVersion(): DataVersion {
    return { ...this.version };
  }

  /** True for built-in system topics (admins may not create or delete them). */
  isSystemTopic(topic: string): boolean {
    return this.systemTopics.has(topic);
  }

  /** The built-in system topic names. */
  systemTopicList(): string[] {
    return [...this.systemTopics];
  }

  /** Creates or replaces a topic (admin UPDATE_AND_CREATE_TOPIC). */
  updateTopicConfig(tc: TopicConfig): void {
    this.table.set(tc.topicName, { ...tc });
    log.info(`Topic "${tc.topicName}" created or updated`, tc);
    this.changed(tc);
  }

  /** Deletes a topic; returns whether it existed. */
  deleteTopicConfig(topic: string): boolean {
    if (!this.table.delete(topic)) return false;
    log.info(`Topic "${topic}" deleted`);
    this.changed(null);
    return true;
  }

  /**
   * Auto-creation on send (§10.2): inherit from `defaultTopic` when it exists with the INHERIT bit.
   * Returns the (possibly pre-existing) config, or undefined when the topic cannot be created.
   */
  createTopicInSendMessageMethod(
    topic: string,
    defaultTopic: string,
    clientDefaultTopicQueueNums: number,
    topicSysFlag: number,
  ): TopicConfig | undefined {
    const existing = this.table.get(topic);
    if (existing) return existing;
    const def = this.table.get(defaultTopic);
    if (!def || !PermName.isInherited(def.perm)) {
      log.warn(
        `Cannot auto-create topic "${topic}": default topic "${defaultTopic}" missing or not inheritable`,
      );
      return undefined;
    }
    const queueNums = Math.max(1, Math.min(clientDefaultTopicQueueNums, def.writeQueueNums));
    const tc = topicConfig(topic, {
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm: def.perm & ~PermName.PERM_INHERIT,
      topicFilterType: def.topicFilterType,
      topicSysFlag,
    });
    this.table.set(topic, tc);
    log.info(`Auto-created topic "${topic}" from "${defaultTopic}"`, tc);
    this.changed(tc);
    return tc;
  }

  /** Retry/DLQ creation (no inheritance): returns the existing config or creates one. */
  createTopicInSendMessageBackMethod(
    topic: string,
    queueNums: number,
    perm: number,
    topicSysFlag = 0,
  ): TopicConfig {
    const existing = this.table.get(topic);
    if (existing) return existing;
    const tc = topicConfig(topic, {
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm,
      topicSysFlag,
    });
    this.table.set(topic, tc);
    log.info(`Created topic "${topic}"`, tc);
    this.changed(tc);
    return tc;
  }
}
