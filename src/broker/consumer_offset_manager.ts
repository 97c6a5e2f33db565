/**
 * Committed consumer offsets (store-and-semantics.md §10.1.4): `<topic>@<group>` → queueId → next
 * offset to consume, persisted to consumerOffset.json. Writes are in-memory; the controller persists
 * every `flushConsumerOffsetInterval` and at shutdown, so commits never cost a syscall.
 */
import { asNumber, ConfigFile, loadConfigFile, members } from "./config_file.ts";

const TOPIC_GROUP_SEPARATOR = "@";

function key(topic: string, group: string): string {
  return topic + TOPIC_GROUP_SEPARATOR + group;
}

export class ConsumerOffsetManager {
  private readonly table = new Map<string, Map<number, number>>();
  private dirty = false;
  readonly #file: ConfigFile;

  /** `path` is `<storePathRootDir>/config/consumerOffset.json`. */
  constructor(private readonly path: string) {
    this.#file = new ConfigFile(path, () => {
      // Read when the write starts: commits after this point mark the table dirty again.
      this.dirty = false;
      return this.wrapperJson();
    });
  }

  /** Loads consumerOffset.json (bare integer keys accepted). */
  load(): void {
    const doc = loadConfigFile(this.path);
    if (doc === null) return;
    for (const [k, queues] of Object.entries(members(members(doc).offsetTable))) {
      const m = new Map<number, number>();
      for (const [q, off] of Object.entries(members(queues))) {
        const n = asNumber(off);
        if (n !== null && /^\d+$/.test(q)) m.set(Number(q), n);
      }
      this.table.set(k, m);
    }
  }

  /** Writes consumerOffset.json now (after any scheduled write); throws when it cannot. */
  persist(): Promise<void> {
    return this.#file.persistNow();
  }

  /**
   * Schedules a write of consumerOffset.json when an offset changed since the last one (the periodic
   * flush); resolves true once written or when nothing changed.
   */
  persistIfDirty(): Promise<boolean> {
    if (!this.dirty) return Promise.resolve(true);
    return this.#file.persistSoon().then((ok) => {
      if (!ok) this.dirty = true; // try again at the next flush
      return ok;
    });
  }

  /** The ConsumerOffsetSerializeWrapper JSON (GET_ALL_CONSUMER_OFFSET, file content). */
  wrapperJson(): { offsetTable: Record<string, Record<string, number>> } {
    const offsetTable: Record<string, Record<string, number>> = {};
    for (const [k, m] of this.table) offsetTable[k] = Object.fromEntries(m);
    return { offsetTable };
  }

  /** Stores an offset as given (upstream does not range-check). */
  commitOffset(group: string, topic: string, queueId: number, offset: number): void {
    const k = key(topic, group);
    let m = this.table.get(k);
    if (!m) this.table.set(k, m = new Map());
    if (m.get(queueId) !== offset) this.dirty = true;
    m.set(queueId, offset);
  }

  /** The committed offset, or -1 when none. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.table.get(key(topic, group))?.get(queueId) ?? -1;
  }

  /** All committed offsets of (group, topic), or undefined. */
  queryOffsetTable(group: string, topic: string): ReadonlyMap<number, number> | undefined {
    return this.table.get(key(topic, group));
  }

  /** Topics the group has offsets for. */
  whichTopicByConsumer(group: string): Set<string> {
    const out = new Set<string>();
    for (const k of this.table.keys()) {
      const i = k.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (i > 0 && k.slice(i + 1) === group) out.add(k.slice(0, i));
    }
    return out;
  }

  /** Groups that have offsets for the topic. */
  whichGroupByTopic(topic: string): Set<string> {
    const out = new Set<string>();
    for (const k of this.table.keys()) {
      const i = k.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (i > 0 && k.slice(0, i) === topic) out.add(k.slice(i + 1));
    }
    return out;
  }

  /** Drops every offset of a group (DELETE_SUBSCRIPTIONGROUP with removeOffset). */
  removeGroup(group: string): void {
    this.dirty = true;
    for (const t of this.whichTopicByConsumer(group)) this.table.delete(key(t, group));
  }

  /** Drops every offset of a topic (topic deletion). */
  removeTopic(topic: string): void {
    this.dirty = true;
    for (const g of this.whichGroupByTopic(topic)) this.table.delete(key(topic, g));
  }
}
