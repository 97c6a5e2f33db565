/**
 * Topic routes for the benchmark clients: which broker master serves which queue of a topic, asked of the
 * name servers with GET_ROUTEINFO_BY_TOPIC (remoting-protocol.md §5.2), and topic creation for drivers
 * that want a known queue count.
 */
import { createRequest } from "../remoting/command.ts";
import type { RemotingClient } from "../remoting/client.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { decodeTopicRouteData, type TopicRouteData } from "../protocol/route.ts";
import { encodeCreateTopicRequestHeader } from "../protocol/headers/admin.ts";
import { PermName } from "../message/message_const.ts";

/** One queue the benchmark talks to. */
export interface BenchQueue {
  brokerName: string;
  /** The master's address, "host:port". */
  addr: string;
  queueId: number;
}

/** The topic producers fall back to when a topic does not exist yet (auto-creation on the broker). */
export const AUTO_CREATE_TOPIC = "TBW102";
/** Queues an auto-created topic gets, as the Java producer asks (defaultTopicQueueNums). */
export const DEFAULT_TOPIC_QUEUE_NUMS = 4;

/** Splits a name server list ("a:9876;b:9876"). */
export function splitNamesrvAddr(list: string): string[] {
  return list.split(/[;,]/).map((s) => s.trim()).filter((s) => s !== "");
}

/**
 * Asks the name servers, in order, for the route of `topic`; null when the topic does not exist.
 *
 * @throws {Error} when no name server answers.
 */
export async function fetchTopicRoute(
  client: RemotingClient,
  namesrvAddr: string,
  topic: string,
  timeoutMs = 3000,
): Promise<TopicRouteData | null> {
  const servers = splitNamesrvAddr(namesrvAddr);
  if (servers.length === 0) throw new Error(`Name server list "${namesrvAddr}" is empty`);
  let lastError: unknown;
  for (const addr of servers) {
    try {
      const res = await client.invokeSync(
        addr,
        createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }),
        timeoutMs,
      );
      if (res.code === ResponseCode.TOPIC_NOT_EXIST) return null;
      if (res.code !== ResponseCode.SUCCESS) {
        throw new Error(`Name server "${addr}" refused the route of "${topic}": ${res.remark ?? res.code}`);
      }
      return decodeTopicRouteData(res.body);
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`Cannot get the route of topic "${topic}": ${(lastError as Error).message}`);
}

function masterOf(route: TopicRouteData, brokerName: string): string | undefined {
  return route.brokerDatas.find((b) => b.brokerName === brokerName)?.brokerAddrs.get(0);
}

/**
 * The writable queues of a route, interleaved across brokers (queue 0 of every broker, then queue 1, ...)
 * so round-robin spreads load the way the Java producer's selectOneMessageQueue does. `limit` caps the
 * queues taken per broker (the auto-create fallback takes at most defaultTopicQueueNums).
 */
export function writeQueuesOf(route: TopicRouteData, limit = Infinity): BenchQueue[] {
  return queuesOf(route, PermName.PERM_WRITE, (q) => Math.min(q.writeQueueNums, limit));
}

/** The readable queues of a route (what a consumer pulls from). */
export function readQueuesOf(route: TopicRouteData): BenchQueue[] {
  return queuesOf(route, PermName.PERM_READ, (q) => q.readQueueNums);
}

function queuesOf(
  route: TopicRouteData,
  perm: number,
  count: (q: TopicRouteData["queueDatas"][number]) => number,
): BenchQueue[] {
  const perBroker: BenchQueue[][] = [];
  const datas = [...route.queueDatas].sort((a, b) => a.brokerName.localeCompare(b.brokerName));
  for (const q of datas) {
    if ((q.perm & perm) === 0) continue;
    const addr = masterOf(route, q.brokerName);
    if (addr === undefined) continue;
    const list: BenchQueue[] = [];
    for (let id = 0; id < count(q); id++) list.push({ brokerName: q.brokerName, addr, queueId: id });
    perBroker.push(list);
  }
  const out: BenchQueue[] = [];
  const longest = Math.max(0, ...perBroker.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const l of perBroker) if (i < l.length) out.push(l[i]!);
  return out;
}

/** The queues a producer sends to, and whether they come from the auto-create fallback. */
export interface ProducerRoute {
  queues: BenchQueue[];
  autoCreate: boolean;
}

/**
 * Resolves where to send `topic`: its own route, or (like the Java producer) TBW102's route so the
 * broker creates the topic on first send.
 *
 * @throws {Error} when neither route has a writable queue.
 */
export async function resolveProducerRoute(
  client: RemotingClient,
  namesrvAddr: string,
  topic: string,
): Promise<ProducerRoute> {
  const own = await fetchTopicRoute(client, namesrvAddr, topic);
  if (own !== null) {
    const queues = writeQueuesOf(own);
    if (queues.length > 0) return { queues, autoCreate: false };
  }
  const fallback = await fetchTopicRoute(client, namesrvAddr, AUTO_CREATE_TOPIC);
  const queues = fallback === null ? [] : writeQueuesOf(fallback, DEFAULT_TOPIC_QUEUE_NUMS);
  if (queues.length === 0) {
    throw new Error(`Topic "${topic}" has no writable queue and auto-creation is not available`);
  }
  return { queues, autoCreate: true };
}

/**
 * Creates (or updates) `topic` on one broker with `queueNums` read and write queues, readable and writable.
 *
 * @throws {Error} when the broker refuses.
 */
export async function createTopic(
  client: RemotingClient,
  brokerAddr: string,
  topic: string,
  queueNums: number,
  timeoutMs = 5000,
): Promise<void> {
  const ext = encodeCreateTopicRequestHeader({
    topic,
    defaultTopic: AUTO_CREATE_TOPIC,
    readQueueNums: queueNums,
    writeQueueNums: queueNums,
    perm: PermName.PERM_READ | PermName.PERM_WRITE,
    topicFilterType: "SINGLE_TAG",
    topicSysFlag: 0,
    order: false,
  });
  const res = await client.invokeSync(
    brokerAddr,
    createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, ext),
    timeoutMs,
  );
  if (res.code !== ResponseCode.SUCCESS) {
    throw new Error(`Broker "${brokerAddr}" refused to create topic "${topic}": ${res.remark ?? res.code}`);
  }
}
