/**
 * The name server's namespaced key/value store (store-and-semantics.md §13.4), e.g. `ORDER_TOPIC_CONFIG`.
 *
 * Persisted after every change as `{"configTable":{"<namespace>":{"<key>":"<value>"}}}` with an atomic
 * replace, so a crash leaves either the old or the new file. Only the request processor calls this, on the
 * single JS thread, so no locking is needed.
 */
import { readTextIfExists, writeFileAtomicSync } from "../util/atomic_file.ts";
import { parseJson } from "../util/json.ts";
import { asObject, optObject, optString, toFastjson } from "../protocol/fastjson.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("namesrv");

/** Namespace the name server consults for `orderTopicConf` and returns to registering brokers. */
export const NAMESPACE_ORDER_TOPIC_CONFIG = "ORDER_TOPIC_CONFIG";

/** Namespace → key → value, loaded from and saved to `path` (empty path: memory only). */
export class KVConfigManager {
  readonly #table = new Map<string, Map<string, string>>();

  constructor(readonly path: string) {}

  /**
   * Loads the file if it exists. A file that does not parse is an error naming the path: starting with
   * an empty table would silently drop every order-topic setting on the next write.
   */
  load(): void {
    if (!this.path) return;
    const text = readTextIfExists(this.path);
    if (text === null || text.trim() === "") return;
    let root;
    try {
      root = asObject(parseJson(text), "kvConfig");
    } catch (e) {
      throw new Error(`Cannot load KV config file "${this.path}": ${(e as Error).message}`);
    }
    this.#table.clear();
    for (const [ns, kv] of Object.entries(optObject(root.configTable, "configTable"))) {
      const m = new Map<string, string>();
      for (const [k, v] of Object.entries(optObject(kv, ns))) m.set(k, optString(v, ""));
      this.#table.set(ns, m);
    }
    log.info(`Loaded KV config "${this.path}": ${this.#table.size} namespace(s)`);
  }

  /** Writes the whole table atomically. */
  persist(): void {
    if (!this.path) return;
    const table = new Map<string, Map<string, string>>();
    for (const [ns, kv] of this.#table) table.set(ns, new Map(kv));
    writeFileAtomicSync(this.path, toFastjson({ configTable: table }));
  }

  /** Sets a value and persists. */
  put(namespace: string, key: string, value: string): void {
    let kv = this.#table.get(namespace);
    if (!kv) {
      kv = new Map();
      this.#table.set(namespace, kv);
    }
    const prev = kv.get(key);
    kv.set(key, value);
    log.info(
      prev === undefined
        ? `putKVConfig create new config item, Namespace: ${namespace} Key: ${key} Value: ${value}`
        : `putKVConfig update config item, Namespace: ${namespace} Key: ${key} Value: ${value}`,
    );
    this.persist();
  }

  /** Removes a key (the namespace stays, possibly empty, as upstream) and persists. */
  delete(namespace: string, key: string): void {
    const kv = this.#table.get(namespace);
    if (!kv) return;
    if (kv.delete(key)) log.info(`deleteKVConfig delete a config item, Namespace: ${namespace} Key: ${key}`);
    this.persist();
  }

  /** The value, or undefined. */
  get(namespace: string, key: string): string | undefined {
    return this.#table.get(namespace)?.get(key);
  }

  /** A copy of one namespace, or undefined when it was never created. */
  list(namespace: string): Map<string, string> | undefined {
    const kv = this.#table.get(namespace);
    return kv ? new Map(kv) : undefined;
  }
}
