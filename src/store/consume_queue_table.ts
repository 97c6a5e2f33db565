/**
 * ConsumeQueueTable: every consume queue of the store by topic and queue id (upstream's consumeQueueTable),
 * loaded from `consumequeue/<topic>/<queueId>/`, and the set of queues holding entries not yet written.
 * Owned by the store; called only from the event loop.
 */
import * as fs from "node:fs";
import { ConsumeQueue, CQ_WRITE_BATCH_BYTES } from "./consume_queue.ts";

export class ConsumeQueueTable {
  readonly #rootDir: string;
  readonly #fileSize: number;
  readonly #byTopic = new Map<string, Map<number, ConsumeQueue>>();
  /** Queues with buffered entries (see ConsumeQueue.writePending). */
  readonly #dirty = new Set<ConsumeQueue>();

  constructor(rootDir: string, fileSize: number) {
    this.#rootDir = rootDir;
    this.#fileSize = fileSize;
  }

  /** Opens every queue directory found on disk (their segments; recovery comes later). */
  load(): void {
    let topics: string[] = [];
    try {
      topics = fs.readdirSync(this.#rootDir);
    } catch { /* none yet */ }
    for (const topic of topics) {
      let qids: string[] = [];
      try {
        qids = fs.readdirSync(`${this.#rootDir}/${topic}`);
      } catch {
        continue;
      }
      for (const q of qids) {
        if (/^\d+$/.test(q)) this.findOrCreate(topic, Number(q)).load();
      }
    }
  }

  find(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.#byTopic.get(topic)?.get(queueId);
  }

  findOrCreate(topic: string, queueId: number): ConsumeQueue {
    let m = this.#byTopic.get(topic);
    if (!m) this.#byTopic.set(topic, m = new Map());
    let cq = m.get(queueId);
    if (!cq) m.set(queueId, cq = new ConsumeQueue(this.#rootDir, topic, queueId, this.#fileSize));
    return cq;
  }

  *all(): Generator<ConsumeQueue> {
    for (const m of this.#byTopic.values()) yield* m.values();
  }

  /** The queue ids of `topic`, ascending. */
  queueIds(topic: string): number[] {
    return [...(this.#byTopic.get(topic)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Destroys every queue (files included) and forgets them. */
  destroyAll(): void {
    for (const cq of this.all()) cq.destroy();
    this.#byTopic.clear();
    this.#dirty.clear();
  }

  /** Destroys `topic`'s queues and removes its directory; returns the queue ids it had. */
  deleteTopic(topic: string): number[] {
    const m = this.#byTopic.get(topic);
    if (!m) return [];
    for (const cq of m.values()) {
      this.#dirty.delete(cq);
      cq.destroy();
    }
    this.#byTopic.delete(topic);
    fs.rmSync(`${this.#rootDir}/${topic}`, { recursive: true, force: true });
    return [...m.keys()];
  }

  /** Notes that `cq` has buffered entries. */
  markDirty(cq: ConsumeQueue): void {
    this.#dirty.add(cq);
  }

  /**
   * Writes the buffered entries of queues that have a batch's worth waiting, or of every dirty queue with
   * `all` (flushes, shutdown, retention); the rest keep serving reads from memory until then. A failed
   * write is reported to `onError` and does not stop the others.
   */
  writeDirty(all: boolean, onError: (cq: ConsumeQueue, e: unknown) => void): void {
    for (const cq of this.#dirty) {
      if (!all && cq.pendingBytes < CQ_WRITE_BATCH_BYTES) continue;
      this.#dirty.delete(cq);
      try {
        cq.writePending();
      } catch (e) {
        onError(cq, e);
      }
    }
  }
}
