/**
 * Reading a consumer client's ConsumerRunningInfo (the GET_CONSUMER_RUNNING_INFO body, relayed by the
 * broker) and printing it the way upstream's admin does: the `formatString()` report and the
 * group-level checks consumerStatus runs across clients. Pure: no I/O.
 */
import { isEntryMap, type LooseValue, parseLooseJson } from "../protocol/bodies/object_key_map.ts";
import { type MessageQueue, toMessageQueue } from "../protocol/bodies/message_queue.ts";
import { javaFormat } from "./output.ts";

/** A ProcessQueueInfo as the client reported it (numbers default to 0, flags to false). */
export interface ProcessQueueView {
  commitOffset: number;
  cachedMsgMinOffset: number;
  cachedMsgMaxOffset: number;
  cachedMsgCount: number;
  cachedMsgSizeInMiB: number;
  transactionMsgMinOffset: number;
  transactionMsgMaxOffset: number;
  transactionMsgCount: number;
  locked: boolean;
  tryUnlockTimes: number;
  lastLockTimestamp: number;
  droped: boolean;
  lastPullTimestamp: number;
  lastConsumeTimestamp: number;
}

/** Per-topic consume rates (upstream ConsumeStatus). */
export interface ConsumeStatusView {
  pullRT: number;
  pullTPS: number;
  consumeRT: number;
  consumeOKTPS: number;
  consumeFailedTPS: number;
  consumeFailedMsgs: number;
}

/** One subscription as printed (upstream SubscriptionData, the members the report uses). */
export interface SubscriptionView {
  topic: string;
  subString: string;
  classFilterMode: boolean;
}

/** A decoded ConsumerRunningInfo, with its tables in upstream's (TreeMap/TreeSet) order. */
export interface RunningInfoView {
  properties: Map<string, string>;
  subscriptionSet: SubscriptionView[];
  mqTable: Array<[MessageQueue, ProcessQueueView]>;
  statusTable: Array<[string, ConsumeStatusView]>;
  jstack?: string;
}

const PROP_CONSUME_TYPE = "PROP_CONSUME_TYPE";
const PROP_CONSUME_ORDERLY = "PROP_CONSUMEORDERLY";
const PROP_CONSUMER_START_TIMESTAMP = "PROP_CONSUMER_START_TIMESTAMP";

type Obj = Record<string, LooseValue>;

function asObj(v: LooseValue | undefined): Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isEntryMap(v) ? v as Obj : {};
}

function num(v: LooseValue | undefined): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "") {
    const n = Number(v);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}

const bool = (v: LooseValue | undefined): boolean => v === true || v === "true";
const text = (v: LooseValue | undefined): string =>
  typeof v === "string" ? v : v === null || v === undefined ? "" : String(v);

function processQueueView(v: LooseValue): ProcessQueueView {
  const o = asObj(v);
  return {
    commitOffset: num(o.commitOffset),
    cachedMsgMinOffset: num(o.cachedMsgMinOffset),
    cachedMsgMaxOffset: num(o.cachedMsgMaxOffset),
    cachedMsgCount: num(o.cachedMsgCount),
    cachedMsgSizeInMiB: num(o.cachedMsgSizeInMiB),
    transactionMsgMinOffset: num(o.transactionMsgMinOffset),
    transactionMsgMaxOffset: num(o.transactionMsgMaxOffset),
    transactionMsgCount: num(o.transactionMsgCount),
    locked: bool(o.locked),
    tryUnlockTimes: num(o.tryUnlockTimes),
    lastLockTimestamp: num(o.lastLockTimestamp),
    droped: bool(o.droped),
    lastPullTimestamp: num(o.lastPullTimestamp),
    lastConsumeTimestamp: num(o.lastConsumeTimestamp),
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** MessageQueue's Java `compareTo`: topic, then broker name, then queue id. */
export function compareMessageQueue(a: MessageQueue, b: MessageQueue): number {
  return cmp(a.topic, b.topic) || cmp(a.brokerName, b.brokerName) || a.queueId - b.queueId;
}

/**
 * Decodes a ConsumerRunningInfo body. Tolerant: members that are missing or mistyped read as empty,
 * because the body comes from an arbitrary client; only text that is not JSON at all throws.
 */
export function decodeRunningInfo(body: Uint8Array): RunningInfoView {
  const root = asObj(parseLooseJson(new TextDecoder().decode(body) || "{}"));
  const properties = new Map<string, string>();
  for (const [k, v] of Object.entries(asObj(root.properties))) properties.set(k, text(v));
  const subs = Array.isArray(root.subscriptionSet) ? root.subscriptionSet : [];
  const subscriptionSet = subs.map((s) => {
    const o = asObj(s);
    return { topic: text(o.topic), subString: text(o.subString), classFilterMode: bool(o.classFilterMode) };
  }).sort((a, b) => cmp(`${a.topic}@${a.subString}`, `${b.topic}@${b.subString}`));
  const mqTable: Array<[MessageQueue, ProcessQueueView]> = [];
  if (isEntryMap(root.mqTable)) {
    for (const [k, v] of root.mqTable.entries) {
      const mq = toMessageQueue(k);
      if (mq) mqTable.push([mq, processQueueView(v)]);
    }
  }
  mqTable.sort(([a], [b]) => compareMessageQueue(a, b));
  const statusTable = Object.entries(asObj(root.statusTable)).map(
    ([topic, v]): [string, ConsumeStatusView] => {
      const o = asObj(v);
      return [topic, {
        pullRT: num(o.pullRT),
        pullTPS: num(o.pullTPS),
        consumeRT: num(o.consumeRT),
        consumeOKTPS: num(o.consumeOKTPS),
        consumeFailedTPS: num(o.consumeFailedTPS),
        consumeFailedMsgs: num(o.consumeFailedMsgs),
      }];
    },
  ).sort(([a], [b]) => cmp(a, b));
  const view: RunningInfoView = { properties, subscriptionSet, mqTable, statusTable };
  if (typeof root.jstack === "string") view.jstack = root.jstack;
  return view;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Upstream's `timeMillisToHumanString`: local time as `yyyyMMddHHmmssSSS`. */
export function timeMillisToHumanString(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}` +
    `${pad(d.getMinutes())}${pad(d.getSeconds())}${pad(d.getMilliseconds(), 3)}`;
}

/** ProcessQueueInfo's Java `toString()`. */
export function processQueueString(p: ProcessQueueView): string {
  return `ProcessQueueInfo [commitOffset=${p.commitOffset}, cachedMsgMinOffset=${p.cachedMsgMinOffset}, ` +
    `cachedMsgMaxOffset=${p.cachedMsgMaxOffset}, cachedMsgCount=${p.cachedMsgCount}, ` +
    `cachedMsgSizeInMiB=${p.cachedMsgSizeInMiB}, transactionMsgMinOffset=${p.transactionMsgMinOffset}, ` +
    `transactionMsgMaxOffset=${p.transactionMsgMaxOffset}, transactionMsgCount=${p.transactionMsgCount}, ` +
    `locked=${p.locked}, tryUnlockTimes=${p.tryUnlockTimes}, ` +
    `lastLockTimestamp=${timeMillisToHumanString(p.lastLockTimestamp)}, droped=${p.droped}, ` +
    `lastPullTimestamp=${timeMillisToHumanString(p.lastPullTimestamp)}, ` +
    `lastConsumeTimestamp=${timeMillisToHumanString(p.lastConsumeTimestamp)}]`;
}

/** MessageQueue's Java `toString()`. */
export function messageQueueString(mq: MessageQueue): string {
  return `MessageQueue [topic=${mq.topic}, brokerName=${mq.brokerName}, queueId=${mq.queueId}]`;
}

/** The full per-client report (upstream ConsumerRunningInfo.formatString). */
export function formatRunningInfo(info: RunningInfoView): string {
  let sb = "#Consumer Properties#\n";
  for (const [k, v] of [...info.properties].sort(([a], [b]) => cmp(a, b))) {
    sb += javaFormat("%-40s: %s%n", k, v);
  }
  sb += "\n\n#Consumer Subscription#\n";
  info.subscriptionSet.forEach((s, i) => {
    sb += javaFormat(
      "%03d Topic: %-40s ClassFilter: %-8s SubExpression: %s%n",
      i + 1,
      s.topic,
      s.classFilterMode,
      s.subString,
    );
  });
  sb += "\n\n#Consumer Offset#\n";
  sb += javaFormat("%-64s  %-32s  %-4s  %-20s%n", "#Topic", "#Broker Name", "#QID", "#Consumer Offset");
  for (const [mq, pq] of info.mqTable) {
    sb += javaFormat("%-32s  %-32s  %-4d  %-20d%n", mq.topic, mq.brokerName, mq.queueId, pq.commitOffset);
  }
  sb += "\n\n#Consumer MQ Detail#\n";
  sb += javaFormat("%-64s  %-32s  %-4s  %-20s%n", "#Topic", "#Broker Name", "#QID", "#ProcessQueueInfo");
  for (const [mq, pq] of info.mqTable) {
    sb += javaFormat("%-64s  %-32s  %-4d  %s%n", mq.topic, mq.brokerName, mq.queueId, processQueueString(pq));
  }
  sb += "\n\n#Consumer RT&TPS#\n";
  sb += javaFormat(
    "%-64s  %14s %14s %14s %14s %18s %25s%n",
    "#Topic",
    "#Pull RT",
    "#Pull TPS",
    "#Consume RT",
    "#ConsumeOK TPS",
    "#ConsumeFailed TPS",
    "#ConsumeFailedMsgsInHour",
  );
  for (const [topic, s] of info.statusTable) {
    sb += javaFormat(
      "%-64s  %14.2f %14.2f %14.2f %14.2f %18.2f %25d%n",
      topic,
      s.pullRT,
      s.pullTPS,
      s.consumeRT,
      s.consumeOKTPS,
      s.consumeFailedTPS,
      s.consumeFailedMsgs,
    );
  }
  if (info.jstack !== undefined) sb += `\n\n#Consumer jstack#\n${info.jstack}`;
  return sb;
}

const isPush = (info: RunningInfoView) => info.properties.get(PROP_CONSUME_TYPE) === "CONSUME_PASSIVELY";

/**
 * Whether every client of a group subscribes alike (upstream analyzeSubscription): only judged for
 * push consumers that have run for over two minutes; an empty subscription set also fails.
 * `clients` must be in client-id order.
 */
export function analyzeSubscription(clients: ReadonlyArray<RunningInfoView>, now = Date.now()): boolean {
  const first = clients[0];
  if (!first) return true;
  const started = num(first.properties.get(PROP_CONSUMER_START_TIMESTAMP));
  if (!isPush(first) || now - started <= 2 * 60 * 1000) return true;
  const key = (i: RunningInfoView) => JSON.stringify(i.subscriptionSet);
  if (clients.some((c) => key(c) !== key(first))) return false;
  return clients[clients.length - 1]!.subscriptionSet.length > 0;
}

/** Per-queue warnings for one push client (upstream analyzeProcessQueue); "" when all is well. */
export function analyzeProcessQueue(clientId: string, info: RunningInfoView, now = Date.now()): string {
  if (!isPush(info)) return "";
  const orderly = info.properties.get(PROP_CONSUME_ORDERLY)?.toLowerCase() === "true";
  let sb = "";
  for (const [mq, pq] of info.mqTable) {
    const q = messageQueueString(mq);
    if (orderly) {
      if (!pq.locked) {
        sb += javaFormat("%s %s can't lock for a while, %dms%n", clientId, q, now - pq.lastLockTimestamp);
      } else if (pq.droped && pq.tryUnlockTimes > 0) {
        sb += javaFormat("%s %s unlock %d times, still failed%n", clientId, q, pq.tryUnlockTimes);
      }
    } else {
      const diff = now - pq.lastConsumeTimestamp;
      if (diff > 60 * 1000 && pq.cachedMsgCount > 0) {
        sb += javaFormat("%s %s can't consume for a while, maybe blocked, %dms%n", clientId, q, diff);
      }
    }
  }
  return sb;
}
