/**
 * Shared test helpers for the store: configs over temp dirs and message builders.
 */
import { defaultsOf } from "../../src/config/schema.ts";
import { type MessageStoreConfig, MessageStoreConfigSchema } from "../../src/config/store_config.ts";
import type { MessageExtBrokerInner } from "../../src/message/message.ts";
import { encodeProperties } from "../../src/message/properties.ts";
import { tagsHashCode } from "../../src/message/tags.ts";
import { DefaultMessageStore, type MessageStoreOptions } from "../../src/store/message_store.ts";

/** A small-geometry config rooted at `root`. */
export function testConfig(root: string, overrides: Partial<MessageStoreConfig> = {}): MessageStoreConfig {
  return {
    ...defaultsOf(MessageStoreConfigSchema),
    storePathRootDir: root,
    mappedFileSizeCommitLog: 64 * 1024,
    mappedFileSizeConsumeQueue: 20 * 100,
    maxHashSlotNum: 1000,
    maxIndexNum: 4000,
    hotTailCacheBytes: 256 * 1024,
    flushIntervalCommitLog: 50,
    flushIntervalConsumeQueue: 50,
    cleanResourceInterval: 60_000,
    ...overrides,
  };
}

const enc = new TextEncoder();

/** A message for `topic`/`queueId` with optional tags and keys. */
export function makeMsg(
  topic: string,
  queueId: number,
  body: string | Uint8Array,
  opts: { tags?: string; keys?: string; props?: Record<string, string>; sysFlag?: number } = {},
): MessageExtBrokerInner {
  const properties: Record<string, string> = { ...opts.props };
  if (opts.tags !== undefined) properties["TAGS"] = opts.tags;
  if (opts.keys !== undefined) properties["KEYS"] = opts.keys;
  return {
    topic,
    queueId,
    flag: 0,
    body: typeof body === "string" ? enc.encode(body) : body,
    properties,
    propertiesString: encodeProperties(properties),
    tagsCode: tagsHashCode(opts.tags),
    sysFlag: opts.sysFlag ?? 0,
    bornTimestamp: Date.now(),
    bornHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 50000 },
    storeHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  };
}

/** Runs `fn` with a started store over a fresh temp dir; always shuts down and removes the dir. */
export async function withStore(
  overrides: Partial<MessageStoreConfig>,
  fn: (store: DefaultMessageStore, root: string) => Promise<void>,
  opts: MessageStoreOptions = {},
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "rmq-store-" });
  const store = new DefaultMessageStore(testConfig(root, overrides), opts);
  try {
    await store.start();
    await fn(store, root);
  } finally {
    await store.shutdown();
    await Deno.remove(root, { recursive: true });
  }
}

/** Opens a store over an existing root (caller shuts it down). */
export async function openStore(
  root: string,
  overrides: Partial<MessageStoreConfig> = {},
  opts: MessageStoreOptions = {},
): Promise<DefaultMessageStore> {
  const store = new DefaultMessageStore(testConfig(root, overrides), opts);
  await store.start();
  return store;
}

const dec = new TextDecoder();

/** Bodies of the records a getMessage returned. */
export async function bodiesOf(records: Uint8Array[]): Promise<string[]> {
  const { decodeRecord } = await import("../../src/message/record_codec.ts");
  return records.map((r) => dec.decode(decodeRecord(r, 0)[0].body));
}

/** Names of the segments (20-digit files) in a commitlog directory, sorted; ignores preallocated files. */
export function segmentNames(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => /^\d{20}$/.test(n)).sort();
}
