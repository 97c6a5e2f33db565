/**
 * Consumer offset stores (upstream OffsetStore): clustering groups keep offsets on the broker
 * (RemoteBrokerOffsetStore), broadcasting consumers keep them in a local file (LocalFileOffsetStore).
 * Both cache in memory; `persistAll` writes them out.
 */

import { getLogger } from "../log/logger.ts";
import { type MessageQueue, mqKey, toMessageQueue } from "../protocol/bodies/message_queue.ts";
import { parseJson } from "../util/json.ts";
import { readTextIfExists, writeFileAtomicSync } from "../util/atomic_file.ts";
import type { MQClientInstance } from "./mq_client_instance.ts";
import type { MessageModel } from "./rebalance.ts";
import { describeQueue } from "./route_info.ts";

const log = getLogger("offset-store");

/** Where readOffset looks. */
export type ReadOffsetType = "memory" | "store" | "memoryThenStore";

/** A consumer's offset bookkeeping. */
export interface OffsetStore {
  /** Loads persisted offsets (local store only). */
  load(): Promise<void>;
  /** Records `offset` for `mq`; with `increaseOnly`, never moves it backwards. */
  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void;
  /** The offset to resume from, or -1 when none is known. */
  readOffset(mq: MessageQueue, type: ReadOffsetType): Promise<number>;
  /** Writes the offsets of `mqs` out. */
  persistAll(mqs: readonly MessageQueue[]): Promise<void>;
  /** Writes one queue's offset out. */
  persist(mq: MessageQueue): Promise<void>;
  /** Forgets a queue no longer owned. */
  removeOffset(mq: MessageQueue): void;
  /** Updates the stored offset everywhere now (used by reset-offset and offset-moved). */
  updateConsumeOffsetToBroker(mq: MessageQueue, offset: number): Promise<void>;
}

/** In-memory table shared by both stores. */
class OffsetTable {
  readonly table = new Map<string, { mq: MessageQueue; offset: number }>();

  update(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    const key = mqKey(mq);
    const cur = this.table.get(key);
    if (!cur) this.table.set(key, { mq, offset });
    else if (!increaseOnly || offset > cur.offset) cur.offset = offset;
  }

  get(mq: MessageQueue): number | undefined {
    return this.table.get(mqKey(mq))?.offset;
  }
}

/** Offsets kept on the broker that hosts each queue. */
export class RemoteBrokerOffsetStore implements OffsetStore {
  readonly #t = new OffsetTable();

  constructor(private readonly instance: MQClientInstance, private readonly group: string) {}

  load(): Promise<void> {
    return Promise.resolve();
  }

  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    this.#t.update(mq, offset, increaseOnly);
  }

  async readOffset(mq: MessageQueue, type: ReadOffsetType): Promise<number> {
    if (type !== "store") {
      const v = this.#t.get(mq);
      if (v !== undefined) return v;
      if (type === "memory") return -1;
    }
    const addr = await this.#brokerAddr(mq);
    if (!addr) return -1;
    try {
      const offset = await this.instance.api.queryConsumerOffset(
        addr,
        { consumerGroup: this.group, topic: mq.topic, queueId: mq.queueId },
        this.instance.config.requestTimeoutMs,
      );
      if (offset >= 0) this.#t.update(mq, offset, false);
      return offset;
    } catch (e) {
      // Like Java 4.9: any failure reads as "no offset", and the consume-from-where rule applies.
      log.debug(`Query offset of ${describeQueue(mq)} failed: ${e}`);
      return -1;
    }
  }

  async #brokerAddr(mq: MessageQueue): Promise<string | undefined> {
    let addr = this.instance.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) {
      await this.instance.updateTopicRouteInfoFromNameServer(mq.topic).catch(() => false);
      addr = this.instance.findBrokerAddressInPublish(mq.brokerName);
    }
    return addr;
  }

  async persistAll(mqs: readonly MessageQueue[]): Promise<void> {
    await Promise.all(mqs.map((mq) => this.persist(mq)));
  }

  async persist(mq: MessageQueue): Promise<void> {
    const offset = this.#t.get(mq);
    if (offset === undefined) return;
    const addr = await this.#brokerAddr(mq);
    if (!addr) return;
    try {
      await this.instance.api.updateConsumerOffsetOneway(addr, {
        consumerGroup: this.group,
        topic: mq.topic,
        queueId: mq.queueId,
        commitOffset: offset,
      });
    } catch (e) {
      log.warn(`Persisting offset ${offset} of ${mq.topic}:${mq.brokerName}:${mq.queueId} failed: ${e}`);
    }
  }

  removeOffset(mq: MessageQueue): void {
    this.#t.table.delete(mqKey(mq));
  }

  async updateConsumeOffsetToBroker(mq: MessageQueue, offset: number): Promise<void> {
    this.#t.update(mq, offset, false);
    const addr = await this.#brokerAddr(mq);
    if (!addr) return;
    await this.instance.api.updateConsumerOffset(
      addr,
      { consumerGroup: this.group, topic: mq.topic, queueId: mq.queueId, commitOffset: offset },
      this.instance.config.requestTimeoutMs,
    );
  }
}

/** Offsets kept in `<dir>/<clientId>/<group>/offsets.json` (broadcasting consumers). */
export class LocalFileOffsetStore implements OffsetStore {
  readonly #t = new OffsetTable();
  readonly path: string;

  constructor(dir: string, clientId: string, group: string) {
    const safe = (s: string) => s.replace(/[^A-Za-z0-9_.@#%-]/g, "_");
    this.path = `${dir}/${safe(clientId)}/${safe(group)}/offsets.json`;
  }

  load(): Promise<void> {
    const text = readTextIfExists(this.path);
    if (text === null) return Promise.resolve();
    try {
      const o = parseJson(text);
      const list = typeof o === "object" && o !== null && !Array.isArray(o) ? o["offsetTable"] : undefined;
      for (const entry of Array.isArray(list) ? list : []) {
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) continue;
        const mq = toMessageQueue(entry["mq"]);
        const offset = Number(entry["offset"]);
        if (mq && Number.isFinite(offset)) this.#t.update(mq, offset, false);
      }
    } catch (e) {
      log.warn(`Ignoring unreadable offset file "${this.path}": ${e}`);
    }
    return Promise.resolve();
  }

  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    this.#t.update(mq, offset, increaseOnly);
  }

  readOffset(mq: MessageQueue, _type: ReadOffsetType): Promise<number> {
    return Promise.resolve(this.#t.get(mq) ?? -1);
  }

  persistAll(_mqs: readonly MessageQueue[]): Promise<void> {
    const offsetTable = [...this.#t.table.values()].map(({ mq, offset }) => ({ mq, offset }));
    try {
      Deno.mkdirSync(this.path.slice(0, this.path.lastIndexOf("/")), { recursive: true });
      writeFileAtomicSync(this.path, JSON.stringify({ offsetTable }, null, 2));
    } catch (e) {
      log.warn(`Cannot write offset file "${this.path}": ${e}`);
    }
    return Promise.resolve();
  }

  persist(mq: MessageQueue): Promise<void> {
    return this.persistAll([mq]);
  }

  removeOffset(_mq: MessageQueue): void {
    // Broadcasting consumers keep every queue's offset; nothing to forget.
  }

  updateConsumeOffsetToBroker(mq: MessageQueue, offset: number): Promise<void> {
    this.#t.update(mq, offset, false);
    return this.persistAll([mq]);
  }
}

/**
 * The store a consumer keeps its offsets in: clustering groups share theirs on the broker, each
 * broadcasting member keeps its own under `offsetStoreDir` (default `$HOME/.rocketmq_offsets`).
 */
export function createOffsetStore(
  instance: MQClientInstance,
  group: string,
  messageModel: MessageModel,
  offsetStoreDir: string | undefined,
): OffsetStore {
  return messageModel === "CLUSTERING"
    ? new RemoteBrokerOffsetStore(instance, group)
    : new LocalFileOffsetStore(
      offsetStoreDir ?? `${Deno.env.get("HOME") ?? "."}/.rocketmq_offsets`,
      instance.clientId,
      group,
    );
}

/**
 * The in-memory offsets of those `owned` queues that belong to `topic` (GET_CONSUMER_STATUS_FROM_CLIENT);
 * empty before the store exists.
 */
export async function memoryOffsetsOf(
  store: OffsetStore | null,
  owned: readonly MessageQueue[],
  topic: string,
): Promise<Array<[MessageQueue, number]>> {
  const out: Array<[MessageQueue, number]> = [];
  for (const mq of owned) {
    if (mq.topic === topic && store) out.push([mq, await store.readOffset(mq, "memory")]);
  }
  return out;
}
