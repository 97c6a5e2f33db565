/**
 * Broker traffic counters for GET_BROKER_RUNTIME_INFO (putTps, getTransferedTps, today's totals) and
 * VIEW_BROKER_STATS_DATA (per topic / group sums). Counting is a few map updates per request, never per
 * byte; rates come from snapshots the controller takes every 10 s.
 */
import type { BrokerStatsData } from "../protocol/bodies/stats.ts";

/** Upstream stats names used by mqadmin statsAll / brokerConsumeStats. */
export const StatsName = {
  TOPIC_PUT_NUMS: "TOPIC_PUT_NUMS",
  TOPIC_PUT_SIZE: "TOPIC_PUT_SIZE",
  GROUP_GET_NUMS: "GROUP_GET_NUMS",
  GROUP_GET_SIZE: "GROUP_GET_SIZE",
  SNDBCK_PUT_NUMS: "SNDBCK_PUT_NUMS",
  BROKER_PUT_NUMS: "BROKER_PUT_NUMS",
  BROKER_GET_NUMS: "BROKER_GET_NUMS",
} as const;

interface Sample {
  t: number;
  put: number;
  get: number;
}

const MAX_SAMPLES = 61;

interface StatsEntry {
  sum: number;
  first: number;
}

export class BrokerStats {
  private putTotal = 0;
  private getTotal = 0;
  private readonly samples: Sample[] = [];
  private readonly items = new Map<string, Map<string, StatsEntry>>();
  /** Shortcuts into `items` for the per-request counters (entries are never removed). */
  private readonly putCounters = new Map<string, [StatsEntry, StatsEntry]>();
  private readonly getCounters = new Map<string, Map<string, [StatsEntry, StatsEntry]>>();
  private brokerPut: StatsEntry | undefined;
  private brokerGet: StatsEntry | undefined;
  private todayMorning = { put: 0, get: 0, day: -1 };
  private yesterdayMorning = { put: 0, get: 0 };

  constructor(private readonly now: () => number = Date.now) {
    this.samples.push({ t: now(), put: 0, get: 0 });
  }

  /** The counter for `name`/`key`, created (with its start time) on first use. */
  private entry(name: string, key: string): StatsEntry {
    let m = this.items.get(name);
    if (!m) this.items.set(name, m = new Map());
    let e = m.get(key);
    if (!e) m.set(key, e = { sum: 0, first: this.now() });
    return e;
  }

  private add(name: string, key: string, n: number): void {
    this.entry(name, key).sum += n;
  }

  /** Counts stored messages. */
  incPut(topic: string, msgs: number, bytes: number): void {
    this.putTotal += msgs;
    // Counted once per send: one map lookup for the topic's pair of counters.
    let c = this.putCounters.get(topic);
    if (!c) {
      c = [this.entry(StatsName.TOPIC_PUT_NUMS, topic), this.entry(StatsName.TOPIC_PUT_SIZE, topic)];
      this.putCounters.set(topic, c);
    }
    c[0].sum += msgs;
    c[1].sum += bytes;
    (this.brokerPut ??= this.entry(StatsName.BROKER_PUT_NUMS, "")).sum += msgs;
  }

  /** Counts messages handed to consumers. */
  incGet(group: string, topic: string, msgs: number, bytes: number): void {
    this.getTotal += msgs;
    let byTopic = this.getCounters.get(group);
    if (!byTopic) this.getCounters.set(group, byTopic = new Map());
    let c = byTopic.get(topic);
    if (!c) {
      const key = `${topic}@${group}`;
      c = [this.entry(StatsName.GROUP_GET_NUMS, key), this.entry(StatsName.GROUP_GET_SIZE, key)];
      byTopic.set(topic, c);
    }
    c[0].sum += msgs;
    c[1].sum += bytes;
    (this.brokerGet ??= this.entry(StatsName.BROKER_GET_NUMS, "")).sum += msgs;
  }

  /** Counts send-backs of a group. */
  incSendBack(group: string, topic: string): void {
    this.add(StatsName.SNDBCK_PUT_NUMS, `${topic}@${group}`, 1);
  }

  /** Takes a rate snapshot; the controller calls this every 10 s. */
  sample(): void {
    const t = this.now();
    this.samples.push({ t, put: this.putTotal, get: this.getTotal });
    if (this.samples.length > MAX_SAMPLES) this.samples.shift();
    const day = new Date(t).getDate();
    if (this.todayMorning.day !== day) {
      this.yesterdayMorning = { put: this.todayMorning.put, get: this.todayMorning.get };
      this.todayMorning = { put: this.putTotal, get: this.getTotal, day };
    }
  }

  private rate(windowMs: number, pick: (s: Sample) => number, current: number): number {
    const t = this.now();
    let base = this.samples[0]!;
    for (const s of this.samples) {
      if (t - s.t <= windowMs) {
        base = s;
        break;
      }
      base = s;
    }
    const dt = (t - base.t) / 1000;
    return dt <= 0 ? 0 : (current - pick(base)) / dt;
  }

  private tpsTriple(pick: (s: Sample) => number, current: number): string {
    const f = (w: number) => this.rate(w, pick, current).toFixed(2);
    return `${f(10_000)} ${f(60_000)} ${f(600_000)}`;
  }

  /** The broker-side keys of GET_BROKER_RUNTIME_INFO. */
  runtimeInfo(): Record<string, string> {
    return {
      putTps: this.tpsTriple((s) => s.put, this.putTotal),
      getTransferedTps: this.tpsTriple((s) => s.get, this.getTotal),
      msgPutTotalYesterdayMorning: String(this.yesterdayMorning.put),
      msgPutTotalTodayMorning: String(this.todayMorning.put),
      msgPutTotalTodayNow: String(this.putTotal),
      msgGetTotalYesterdayMorning: String(this.yesterdayMorning.get),
      msgGetTotalTodayMorning: String(this.todayMorning.get),
      msgGetTotalTodayNow: String(this.getTotal),
    };
  }

  /** VIEW_BROKER_STATS_DATA: null when nothing was counted under that name and key. */
  statsData(name: string, key: string): BrokerStatsData | null {
    const e = this.items.get(name)?.get(key);
    if (!e) return null;
    const secs = Math.max(1, (this.now() - e.first) / 1000);
    const tps = e.sum / secs;
    const item = { sum: e.sum, tps, avgpt: 0 };
    return { statsMinute: item, statsHour: item, statsDay: item };
  }
}
