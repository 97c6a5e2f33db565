import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { readQueuesOf, splitNamesrvAddr, writeQueuesOf } from "../../src/bench/route.ts";
import type { TopicRouteData } from "../../src/protocol/route.ts";

const route: TopicRouteData = {
  queueDatas: [
    { brokerName: "b", readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
    { brokerName: "a", readQueueNums: 3, writeQueueNums: 3, perm: 6, topicSysFlag: 0 },
    { brokerName: "ro", readQueueNums: 2, writeQueueNums: 2, perm: 4, topicSysFlag: 0 },
    { brokerName: "nomaster", readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
  ],
  brokerDatas: [
    { cluster: "c", brokerName: "a", brokerAddrs: new Map([[0, "h:1"], [1, "h:2"]]) },
    { cluster: "c", brokerName: "b", brokerAddrs: new Map([[0, "h:3"]]) },
    { cluster: "c", brokerName: "ro", brokerAddrs: new Map([[0, "h:4"]]) },
    { cluster: "c", brokerName: "nomaster", brokerAddrs: new Map([[1, "h:5"]]) },
  ],
  filterServerTable: new Map(),
};

Deno.test("writeQueuesOf() interleaves the writable queues of every broker master", () => {
  const qs = writeQueuesOf(route).map((q) => `${q.addr}/${q.queueId}`);
  assertEquals(qs, ["h:1/0", "h:3/0", "h:1/1", "h:3/1", "h:1/2"]);
  assertEquals(writeQueuesOf(route, 1).length, 2);
});

Deno.test("readQueuesOf() includes read-only brokers and skips brokers without a master", () => {
  const qs = readQueuesOf(route).map((q) => `${q.brokerName}/${q.queueId}`);
  assertEquals(qs, ["a/0", "b/0", "ro/0", "a/1", "b/1", "ro/1", "a/2"]);
});

Deno.test("splitNamesrvAddr() accepts ; and , separators and ignores blanks", () => {
  assertEquals(splitNamesrvAddr(" a:1; b:2,,c:3 ;"), ["a:1", "b:2", "c:3"]);
});
