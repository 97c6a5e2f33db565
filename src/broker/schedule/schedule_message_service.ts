/**
 * Delayed delivery (store-and-semantics.md §7.3, §7.4): messages parked in SCHEDULE_TOPIC_XXXX queue
 * level−1 are re-stored into REAL_TOPIC/REAL_QID once `storeTimestamp + delay(level)` has passed.
 * Each level is a FIFO timer; its next offset is kept in delayOffset.json.
 */
import { MessageConst } from "../../message/message_const.ts";
import { decodeRecord } from "../../message/record_codec.ts";
import type { HostAddress } from "../../message/host.ts";
import type { BrokerStore } from "../broker_context.ts";
import { asNumber, ConfigFile, loadConfigFile, members } from "../config_file.ts";
import { innerFromStored } from "../message_factory.ts";
import { SystemTopics } from "../topic_validator.ts";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("broker");

const POLL_INTERVAL_MS = 100;
const BATCH = 32;
const MAX_BYTES = 4 * 1024 * 1024;

export class ScheduleMessageService {
  private readonly offsetTable = new Map<number, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private stopped = true;
  private shuttingDown = false;
  private idle: Promise<void> = Promise.resolve();
  readonly #file: ConfigFile;

  /** `path` is `<storePathRootDir>/config/delayOffset.json`. */
  constructor(
    private readonly store: BrokerStore,
    private readonly delayLevelTable: ReadonlyMap<number, number>,
    private readonly path: string,
    private readonly storeHost: () => HostAddress,
    private readonly now: () => number = Date.now,
  ) {
    this.#file = new ConfigFile(path, () => ({ offsetTable: Object.fromEntries(this.offsetTable) }));
  }

  /** Loads delayOffset.json (bare integer keys accepted). */
  load(): void {
    const doc = loadConfigFile(this.path);
    if (doc === null) return;
    for (const [k, v] of Object.entries(members(members(doc).offsetTable))) {
      const n = asNumber(v);
      if (n !== null && /^\d+$/.test(k)) this.offsetTable.set(Number(k), n);
    }
  }

  /** Writes delayOffset.json now (after any scheduled write); throws when it cannot. */
  persist(): Promise<void> {
    return this.#file.persistNow();
  }

  /** Schedules a write of delayOffset.json (the periodic flush); failures are logged. */
  persistSoon(): Promise<boolean> {
    return this.#file.persistSoon();
  }

  /** GET_ALL_DELAY_OFFSET body: integer keys bare, as fastjson writes them. */
  encodeAllDelayOffset(): Uint8Array {
    const parts = [...this.offsetTable].map(([l, o]) => `${l}:${o}`);
    return new TextEncoder().encode(`{"offsetTable":{${parts.join(",")}}}`);
  }

  /** The next offset to deliver for a level. */
  offsetOf(level: number): number {
    return this.offsetTable.get(level) ?? 0;
  }

  /** Starts delivering (first pass after one poll interval). */
  start(): void {
    this.stopped = false;
    this.schedule(POLL_INTERVAL_MS);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.idle = this.tick().finally(() => this.schedule(POLL_INTERVAL_MS));
    }, ms);
  }

  /** Stops delivering, waits for an in-flight pass, persists offsets. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.shuttingDown = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle;
    await this.persist();
  }

  /** One delivery pass over every level; public so tests can drive it without timers. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const [level, delay] of this.delayLevelTable) {
        if (this.shuttingDown) break;
        await this.deliverLevel(level, delay);
      }
    } catch (e) {
      log.warn("Delayed delivery pass failed", e);
    } finally {
      this.running = false;
    }
  }

  private async deliverLevel(level: number, delay: number): Promise<void> {
    const queueId = level - 1;
    const topic = SystemTopics.SCHEDULE_TOPIC;
    let offset = this.offsetOf(level);
    const max = this.store.getMaxOffsetInQueue(topic, queueId);
    if (offset >= max) {
      if (offset > max) this.offsetTable.set(level, max);
      return;
    }
    const min = this.store.getMinOffsetInQueue(topic, queueId);
    if (offset < min) offset = min;
    const r = await this.store.getMessage("SCHEDULE", topic, queueId, offset, BATCH, MAX_BYTES);
    if (r.status !== "FOUND") {
      if (r.status === "OFFSET_TOO_SMALL" || r.status === "OFFSET_OVERFLOW_BADLY") {
        this.offsetTable.set(level, r.nextBeginOffset);
      }
      return;
    }
    const now = this.now();
    for (const rec of r.records) {
      const [ext] = decodeRecord(rec, 0);
      const deliverAt = ext.storeTimestamp + delay;
      // Clock-skew guard as upstream: a delivery time beyond now + delay is delivered at once.
      if (deliverAt > now && deliverAt <= now + delay) return;
      const props = { ...ext.properties };
      const realTopic = props[MessageConst.REAL_TOPIC];
      const realQid = Number(props[MessageConst.REAL_QID] ?? "0");
      if (realTopic !== undefined && realTopic !== SystemTopics.TRANS_HALF_TOPIC) {
        delete props[MessageConst.DELAY];
        props[MessageConst.WAIT] = "false";
        const msg = innerFromStored(
          ext,
          realTopic,
          Number.isFinite(realQid) ? realQid : 0,
          props,
          this.storeHost(),
        );
        const put = await this.store.putMessage(msg);
        if (
          put.status !== "PUT_OK" && put.status !== "FLUSH_DISK_TIMEOUT" &&
          put.status !== "FLUSH_SLAVE_TIMEOUT" && put.status !== "SLAVE_NOT_AVAILABLE"
        ) {
          log.warn(`Delayed delivery of level ${level} offset ${ext.queueOffset} failed: ${put.status}`);
          return;
        }
      } else {
        log.warn(`Dropping delayed message at level ${level} offset ${ext.queueOffset}: bad REAL_TOPIC`);
      }
      this.offsetTable.set(level, ext.queueOffset + 1);
    }
  }
}
