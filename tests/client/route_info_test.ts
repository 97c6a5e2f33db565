import assert from "node:assert/strict";
import {
  routeFromDefaultTopic,
  sameRoute,
  topicRouteToPublishInfo,
  topicRouteToSubscribeInfo,
} from "../../src/client/route_info.ts";
import type { TopicRouteData } from "../../src/protocol/route.ts";

function route(): TopicRouteData {
  return {
    queueDatas: [
      { brokerName: "broker-b", readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
      { brokerName: "broker-a", readQueueNums: 3, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
      { brokerName: "broker-ro", readQueueNums: 1, writeQueueNums: 1, perm: 4, topicSysFlag: 0 },
      { brokerName: "broker-slaveonly", readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 },
    ],
    brokerDatas: [
      { cluster: "c", brokerName: "broker-a", brokerAddrs: new Map([[0, "127.0.0.1:10911"]]) },
      {
        cluster: "c",
        brokerName: "broker-b",
        brokerAddrs: new Map([[0, "127.0.0.1:10921"], [1, "127.0.0.1:10922"]]),
      },
      { cluster: "c", brokerName: "broker-ro", brokerAddrs: new Map([[0, "127.0.0.1:10931"]]) },
      { cluster: "c", brokerName: "broker-slaveonly", brokerAddrs: new Map([[1, "127.0.0.1:10941"]]) },
    ],
    filterServerTable: new Map(),
  };
}

Deno.test("topicRouteToPublishInfo() lists writable master queues grouped by sorted broker name", () => {
  const info = topicRouteToPublishInfo("T", route());
  assert.deepEqual(
    info.messageQueues.map((q) => `${q.brokerName}:${q.queueId}`),
    ["broker-a:0", "broker-a:1", "broker-b:0", "broker-b:1"],
  );
  assert.ok(info.ok);
});

Deno.test("selectOneMessageQueue() rotates over all queues and avoids the broker that just failed", () => {
  const info = topicRouteToPublishInfo("T", route());
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const q = info.selectOneMessageQueue()!;
    seen.add(`${q.brokerName}:${q.queueId}`);
  }
  assert.equal(seen.size, 4);
  for (let i = 0; i < 10; i++) assert.equal(info.selectOneMessageQueue("broker-a")!.brokerName, "broker-b");
});

Deno.test("topicRouteToPublishInfo() honours orderTopicConf and yields nothing for an empty route", () => {
  const r = { ...route(), orderTopicConf: "broker-x:2;broker-y:1" };
  assert.deepEqual(
    topicRouteToPublishInfo("T", r).messageQueues.map((q) => `${q.brokerName}:${q.queueId}`),
    ["broker-x:0", "broker-x:1", "broker-y:0"],
  );
  const empty = topicRouteToPublishInfo("T", {
    queueDatas: [],
    brokerDatas: [],
    filterServerTable: new Map(),
  });
  assert.equal(empty.ok, false);
  assert.equal(empty.selectOneMessageQueue(), undefined);
});

Deno.test("topicRouteToSubscribeInfo() lists readable queues sorted, including read-only brokers", () => {
  const mqs = topicRouteToSubscribeInfo("T", route());
  assert.deepEqual(mqs.map((q) => `${q.brokerName}:${q.queueId}`), [
    "broker-a:0",
    "broker-a:1",
    "broker-a:2",
    "broker-b:0",
    "broker-b:1",
    "broker-ro:0",
    "broker-slaveonly:0",
  ]);
});

Deno.test("routeFromDefaultTopic() caps queue counts at defaultTopicQueueNums", () => {
  const r = routeFromDefaultTopic(
    {
      ...route(),
      queueDatas: [{ brokerName: "broker-a", readQueueNums: 8, writeQueueNums: 8, perm: 7, topicSysFlag: 0 }],
    },
    4,
  );
  assert.equal(r.queueDatas[0]!.readQueueNums, 4);
  assert.equal(r.queueDatas[0]!.writeQueueNums, 4);
});

Deno.test("sameRoute() ignores ordering but notices address changes", () => {
  const a = route();
  const b = { ...route(), brokerDatas: [...route().brokerDatas].reverse() };
  assert.ok(sameRoute(a, b));
  const c = route();
  c.brokerDatas[0]!.brokerAddrs.set(0, "127.0.0.1:1");
  assert.ok(!sameRoute(a, c));
  assert.ok(!sameRoute(undefined, a));
});
