/**
 * Test helpers for timer messages: a small store over a temp dir, message builders that go through the
 * send-path rewrite, and readers of a real topic.
 */
import assert from "node:assert/strict";
import { defaultsOf } from "../../src/config/schema.ts";
import { type MessageStoreConfig, MessageStoreConfigSchema } from "../../src/config/store_config.ts";
import type { MessageExt, MessageExtBrokerInner } from "../../src/message/message.ts";
import { encodeProperties } from "../../src/message/properties.ts";
import { decodeRecord } from "../../src/message/record_codec.ts";
import { tagsHashCode } from "../../src/message/tags.ts";
import { createUniqId } from "../../src/message/msg_id.ts";
import { DefaultMessageStore } from "../../src/store/message_store.ts";
import { defaultTimerConfig } from "../../src/timer/timer_config.ts";
import { transformTimerMessage } from "../../src/timer/timer_rewrite.ts";
import { TimerMessageService, type TimerServiceOptions } from "../../src/timer/timer_message_service.ts";

/** A store config rooted at `root` with test-friendly geometry. */
export function timerStoreConfig(
  root: string,
  overrides: Partial<MessageStoreConfig> = {},
): MessageStoreConfig {
  return {
    ...defaultsOf(MessageStoreConfigSchema),
    storePathRootDir: root,
    mappedFileSizeCommitLog: 4 * 1024 * 1024,
    mappedFileSizeConsumeQueue: 20 * 10000,
    maxHashSlotNum: 10000,
    maxIndexNum: 40000,
    hotTailCacheBytes: 4 * 1024 * 1024,
    flushIntervalCommitLog: 50,
    flushIntervalConsumeQueue: 50,
    cleanResourceInterval: 60_000,
    ...overrides,
  };
}

const enc = new TextEncoder();
const TIMER_CFG = defaultTimerConfig();
const dec = new TextDecoder();

/** A plain message for `topic`/`queueId` with a fresh UNIQ_KEY and extra properties. */
export function plainMsg(
  topic: string,
  queueId: number,
  body: string,
  props: Record<string, string> = {},
): MessageExtBrokerInner {
  const properties: Record<string, string> = { UNIQ_KEY: createUniqId(), ...props };
  return {
    topic,
    queueId,
    flag: 0,
    body: enc.encode(body),
    properties,
    propertiesString: encodeProperties(properties),
    tagsCode: tagsHashCode(properties["TAGS"]),
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 50000 },
    storeHost: { ip: new Uint8Array([127, 0, 0, 1]), port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  };
}

/** Sends `body` to `topic` with TIMER_DELAY_MS = `delayMs` the way the broker would (rewrite, then put). */
export async function sendTimer(
  store: DefaultMessageStore,
  topic: string,
  queueId: number,
  body: string,
  delayMs: number,
  extra: Record<string, string> = {},
): Promise<{ deliverMs: number; uniqKey: string }> {
  const msg = plainMsg(topic, queueId, body, { TIMER_DELAY_MS: String(delayMs), ...extra });
  const uniqKey = msg.properties["UNIQ_KEY"]!;
  const r = transformTimerMessage(msg, store.now(), TIMER_CFG);
  assert.equal(r.action, "timer");
  const put = await store.putMessage(msg);
  assert.equal(put.status, "PUT_OK");
  return { deliverMs: r.action === "timer" ? r.deliverMs : 0, uniqKey };
}

/** Every stored message of one queue, in queue order. */
export async function readQueue(
  store: DefaultMessageStore,
  topic: string,
  queueId: number,
): Promise<MessageExt[]> {
  const out: MessageExt[] = [];
  let off = store.getMinOffsetInQueue(topic, queueId);
  const max = store.getMaxOffsetInQueue(topic, queueId);
  while (off < max) {
    const got = await store.getMessage("test", topic, queueId, off, 32, 1 << 30);
    for (const r of got.records) out.push(decodeRecord(r, 0)[0]);
    if (got.nextBeginOffset <= off) break;
    off = got.nextBeginOffset;
  }
  return out;
}

/** Body text of a decoded message. */
export function bodyText(m: MessageExt): string {
  return dec.decode(m.body);
}

/** Polls `cond` every 20 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** A started store and timer service over `root` (created when absent). */
export async function openTimerStack(
  root: string,
  storeOverrides: Partial<MessageStoreConfig> = {},
  opts: TimerServiceOptions = {},
): Promise<{ store: DefaultMessageStore; timer: TimerMessageService; close: () => Promise<void> }> {
  const store = new DefaultMessageStore(timerStoreConfig(root, storeOverrides));
  await store.start();
  const timer = new TimerMessageService(store, { storePathRootDir: root, timerWheelEnable: true }, opts);
  await timer.start();
  return {
    store,
    timer,
    close: async () => {
      await timer.shutdown();
      await store.shutdown();
    },
  };
}

/** Runs `fn` with a fresh temp dir, removed afterwards. */
export async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "rmq-timer-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
