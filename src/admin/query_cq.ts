/**
 * queryCq (operations.md §1.4.5): prints raw consume-queue entries of one queue, with a consumer group's
 * subscription and filter data on `-g`, in upstream's QueryConsumeQueueCommand layout.
 */
import type { AdminCommand } from "./command.ts";
import { opt } from "./options.ts";
import type { AdminOutput } from "./output.ts";
import { AdminError } from "./admin_ext.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { subscriptionDataJson } from "../protocol/bodies/heartbeat.ts";
import {
  consumeQueueDataString,
  type QueryConsumeQueueResponseBody,
} from "../protocol/bodies/query_consume_queue.ts";
import { type FjValue, toFastjson } from "../protocol/fastjson.ts";

const SEPARATOR = "======================================\n";

/**
 * Writes a QUERY_CONSUME_QUEUE answer as upstream does; entries are numbered from `index`.
 *
 * @example
 * ```ts
 * printConsumeQueue(out, { maxQueueIndex: 3, minQueueIndex: 0, queueData: [] }, 0);
 * // Queue data: \nmax: 3, min: 0\n=====...
 * ```
 */
export function printConsumeQueue(
  out: AdminOutput,
  body: QueryConsumeQueueResponseBody,
  index: number,
): void {
  if (body.subscriptionData) {
    const json = toFastjson(subscriptionDataJson(body.subscriptionData) as FjValue, { pretty: true });
    out.out(`Subscription data: \n${json}\n${SEPARATOR}`);
  }
  if (body.filterData !== undefined) out.out(`Filter data: \n${body.filterData}\n${SEPARATOR}`);
  out.out(`Queue data: \nmax: ${body.maxQueueIndex}, min: ${body.minQueueIndex}\n${SEPARATOR}`);
  let i = index;
  for (const d of body.queueData ?? []) {
    out.out(`idx: ${i++}\n${consumeQueueDataString(d)}\n${SEPARATOR}`);
  }
}

/** queryCq. */
export const queryCq: AdminCommand = {
  name: "queryCq",
  group: "Message query and trace",
  description: "Query cq command.",
  options: [
    opt("t", "topic", "topic name", true),
    opt("q", "queue", "queue num, ie. 1", true),
    opt("i", "index", "start queue index.", true),
    opt("c", "count", "how many."),
    opt("b", "broker", "broker addr."),
    opt("g", "consumer", "consumer group."),
  ],
  async run({ opts, out, admin }) {
    const topic = opts.required("topic");
    const queueId = opts.int("queue", 0);
    const index = opts.int("index", 0);
    const count = opts.int("count", 10);
    const group = opts.get("consumer");
    let broker = opts.get("broker");
    if (broker === undefined || broker === "") {
      // Like upstream: the master of the first broker in the route.
      const route = await admin.examineTopicRouteInfo(topic);
      const first = route.brokerDatas[0];
      if (!first) throw new AdminError(ResponseCode.TOPIC_NOT_EXIST, "No topic route data!");
      broker = first.brokerAddrs.get(0);
      if (broker === undefined) {
        throw new AdminError(ResponseCode.SYSTEM_ERROR, `The broker "${first.brokerName}" has no master`);
      }
    }
    const { body, remark } = await admin.queryConsumeQueue(broker, topic, queueId, index, count, group);
    printConsumeQueue(out, body, index);
    // Upstream drops the broker's remark; it is the only hint why no entries came back, so show it aside.
    if (remark) out.err(`${remark}\n`);
    return 0;
  },
};
