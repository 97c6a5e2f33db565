/**
 * The README's "Using rmq from TypeScript" examples, each run against a real in-process name server and
 * broker. Each README snippet is the code between a `// README:<name>` marker and the next `// README end`
 * below, copied verbatim (the README declares `namesrvAddr` and `enc` once): change one and the other must
 * follow. Unused markers (custom-selector, broadcast, ...) are examples kept verified for later docs.
 */
import assert from "node:assert/strict";
import ons from "ali-ons";
import { startNamesrv } from "../namesrv/helpers.ts";
import { BrokerController } from "../../src/broker/broker_controller.ts";
import { type BrokerConfig, BrokerConfigSchema } from "../../src/config/broker_config.ts";
import { type MessageStoreConfig, MessageStoreConfigSchema } from "../../src/config/store_config.ts";
import { defaultsOf } from "../../src/config/schema.ts";
import { runAdmin } from "../../src/admin/main.ts";
import { BufferOutput } from "../../src/admin/output.ts";
import {
  type ConsumedMessage,
  createReplyMessage,
  LitePullConsumer,
  type LocalTransactionState,
  type MessageQueueSelector,
  MessageSelector,
  MQClientError,
  Producer,
  PushConsumer,
  selectByHash,
} from "../../src/client/mod.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Short delay levels so retries and delayed messages arrive within the test's patience. */
const SHORT_DELAY_LEVELS = Array.from({ length: 18 }, (_, i) => `${(i + 1) * 100}ms`).join(" ");

/** Polls `cond` every 20 ms until it holds, failing after `ms`. */
async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Cluster {
  namesrvAddr: string;
  /** Stops the broker cleanly and starts a new one over the same store. */
  restartBroker(): Promise<void>;
  close(): Promise<void>;
}

/** A real name server and broker on ephemeral ports over a temp store, with the given overrides. */
async function startCluster(
  broker: Partial<BrokerConfig> = {},
  store: Partial<MessageStoreConfig> = {},
): Promise<Cluster> {
  const ns = await startNamesrv();
  const dir = await Deno.makeTempDir({ prefix: "rmq-readme-" });
  const newBroker = () =>
    new BrokerController(
      {
        ...defaultsOf(BrokerConfigSchema),
        listenPort: 0,
        listenHost: "127.0.0.1",
        brokerIP1: "127.0.0.1",
        namesrvAddr: ns.addr,
        autoCreateTopicEnable: true,
        ...broker,
      },
      {
        ...defaultsOf(MessageStoreConfigSchema),
        storePathRootDir: dir,
        mappedFileSizeCommitLog: 4 * 1024 * 1024,
        messageDelayLevel: SHORT_DELAY_LEVELS,
        ...store,
      },
      { vipChannelEnabled: false, longPollingCheckIntervalMs: 100 },
    );
  let controller = newBroker();
  try {
    await controller.start();
  } catch (e) {
    await ns.dispose();
    await Deno.remove(dir, { recursive: true });
    throw e;
  }
  return {
    namesrvAddr: ns.addr,
    async restartBroker() {
      await controller.shutdown();
      controller = newBroker();
      await controller.start();
    },
    async close() {
      await controller.shutdown();
      await ns.dispose();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Runs `body` with a fresh cluster; `cleanup` entries (clients) are shut down first, last-added first. */
async function withCluster(
  overrides: { broker?: Partial<BrokerConfig>; store?: Partial<MessageStoreConfig> },
  body: (
    namesrvAddr: string,
    cleanup: Array<{ shutdown(): Promise<void> }>,
    cluster: Cluster,
  ) => Promise<void>,
): Promise<void> {
  const cluster = await startCluster(overrides.broker, overrides.store);
  const cleanup: Array<{ shutdown(): Promise<void> }> = [];
  try {
    await body(cluster.namesrvAddr, cleanup, cluster);
  } finally {
    for (const c of cleanup.reverse()) await c.shutdown();
    await cluster.close();
  }
}

Deno.test("readme: sync, async, oneway and batch sends with tags and keys all reach a consumer", async () => {
  await withCluster({}, async (namesrvAddr, cleanup) => {
    // README:send
    const producer = new Producer({ group: "ExampleProducerGroup", namesrvAddr });
    await producer.start();
    const body = new TextEncoder().encode("Hello RocketMQ");
    // Sync: resolves once the broker has stored the message (result.sendStatus === "SEND_OK").
    const result = await producer.send({ topic: "TopicTest", tags: "TagA", keys: "OrderID188", body });
    // Async: the caller does not wait for each send; failed sends are retried on another broker.
    const pending = [1, 2, 3].map((i) =>
      producer.sendAsync({ topic: "TopicTest", keys: [`k${i}`, "x"], body })
    );
    const asyncResults = await Promise.all(pending);
    // Oneway: handed to the socket; no result and no retry.
    await producer.sendOneway({ topic: "TopicTest", tags: "TagB", body });
    // Batch: one topic, no delay levels, at most maxMessageSize in all; batch.msgId joins the ids with ",".
    const batch = await producer.send([
      { topic: "TopicTest", tags: "TagC", keys: "b1", body },
      { topic: "TopicTest", tags: "TagC", keys: "b2", body },
    ]);
    await producer.shutdown();
    // README end
    assert.equal(result.sendStatus, "SEND_OK");
    assert.ok(asyncResults.every((r) => r.sendStatus === "SEND_OK"));
    assert.equal(batch.msgId.split(",").length, 2);

    const consumer = new PushConsumer({
      group: "SendCheckGroup",
      namesrvAddr,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    cleanup.push(consumer);
    const got: ConsumedMessage[] = [];
    consumer.subscribe("TopicTest", "*");
    consumer.registerMessageListener((msgs) => {
      got.push(...msgs);
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    await waitFor(() => got.length >= 7, 10_000, "the seven messages");
    const byId = new Map(got.map((m) => [m.msgId, m]));
    assert.equal(byId.get(result.msgId)?.keys, "OrderID188");
    assert.equal(byId.get(result.msgId)?.tags, "TagA");
    assert.equal(byId.get(asyncResults[1]!.msgId)?.keys, "k2 x");
    assert.deepEqual(got.filter((m) => m.tags === "TagC").map((m) => m.keys).sort(), ["b1", "b2"]);
    assert.equal(got.filter((m) => m.tags === "TagB").length, 1);
  });
});

Deno.test("readme: ordered sends with a queue selector are consumed in order by an orderly listener", async () => {
  await withCluster({}, async (namesrvAddr, cleanup) => {
    const producer = new Producer({ group: "OrderProducerGroup", namesrvAddr });
    cleanup.push(producer);
    await producer.start();
    const seen = new Map<string, string[]>();
    // README:ordered
    for (const step of ["create", "pay", "ship"]) {
      for (const orderId of ["order-1", "order-2", "order-3"]) {
        const msg = { topic: "OrderTopic", tags: step, keys: orderId, body: enc(`${orderId}:${step}`) };
        // Every message of one order goes to the same queue; selectByHash is hash(arg) % queues.
        await producer.send(msg, selectByHash, orderId);
      }
    }

    const consumer = new PushConsumer({
      group: "OrderConsumerGroup",
      namesrvAddr,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    consumer.subscribe("OrderTopic", "*");
    consumer.registerOrderlyListener((msgs) => {
      for (const m of msgs) {
        const [orderId, step] = new TextDecoder().decode(m.body).split(":") as [string, string];
        seen.set(orderId, [...(seen.get(orderId) ?? []), step]);
      }
      return "SUCCESS"; // or "SUSPEND_CURRENT_QUEUE_A_MOMENT" to retry the same messages in place
    });
    await consumer.start();
    // README end
    cleanup.push(consumer);
    await waitFor(() => [...seen.values()].flat().length >= 9, 10_000, "every step of every order");
    for (const orderId of ["order-1", "order-2", "order-3"]) {
      assert.deepEqual(seen.get(orderId), ["create", "pay", "ship"], orderId);
    }
  });
});

Deno.test("readme: a custom queue selector picks the queue of every send", async () => {
  await withCluster({}, async (namesrvAddr, cleanup) => {
    const producer = new Producer({ group: "SelectorProducerGroup", namesrvAddr });
    cleanup.push(producer);
    await producer.start();
    // README:custom-selector
    const byOrderNumber: MessageQueueSelector<number> = (mqs, _msg, orderNo) => mqs[orderNo % mqs.length]!;
    const r = await producer.send({ topic: "OrderTopic", body: enc("x") }, byOrderNumber, 7);
    // README end
    assert.equal(r.messageQueue.queueId, 7 % 4);
  });
});

Deno.test("readme: a `TagA || TagC` push consumer gets only those tags", async () => {
  await withCluster({}, async (namesrvAddr, cleanup) => {
    const producer = new Producer({ group: "TagProducerGroup", namesrvAddr });
    cleanup.push(producer);
    await producer.start();
    for (const tags of ["TagA", "TagB", "TagC", "TagD"]) {
      await producer.send({ topic: "TopicTest", tags, body: enc(tags) });
    }
    const received: string[] = [];
    // README:push-consumer
    const consumer = new PushConsumer({
      group: "ExampleConsumerGroup",
      namesrvAddr,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET", // only for a group with no committed offset yet
    });
    consumer.subscribe("TopicTest", "TagA || TagC"); // "*" for every tag
    consumer.registerMessageListener((msgs, _ctx) => {
      for (const m of msgs) received.push(`${m.tags}:${new TextDecoder().decode(m.body)}`);
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    // README end
    cleanup.push(consumer);
    await waitFor(() => received.length >= 2, 10_000, "the TagA and TagC messages");
    await new Promise((r) => setTimeout(r, 300)); // a wrongly delivered message would show up by now
    assert.deepEqual(received.sort(), ["TagA:TagA", "TagC:TagC"]);
  });
});

Deno.test("readme: every broadcasting consumer of a group gets every message", async () => {
  const offsetStoreDir = await Deno.makeTempDir({ prefix: "rmq-readme-offsets-" });
  try {
    await withCluster({}, async (namesrvAddr, cleanup) => {
      const producer = new Producer({ group: "BroadcastProducerGroup", namesrvAddr });
      cleanup.push(producer);
      await producer.start();
      await producer.send({ topic: "BroadcastTopic", body: enc("first") });
      const counts = [0, 0];
      for (const i of [0, 1]) {
        // README:broadcast
        const consumer = new PushConsumer({
          group: "BroadcastGroup",
          namesrvAddr,
          messageModel: "BROADCASTING", // offsets are kept locally, in offsetStoreDir
          offsetStoreDir,
          consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
        });
        // README end
        consumer.subscribe("BroadcastTopic", "*");
        consumer.registerMessageListener((msgs) => {
          counts[i]! += msgs.length;
          return "CONSUME_SUCCESS";
        });
        await consumer.start();
        cleanup.push(consumer);
      }
      await producer.send({ topic: "BroadcastTopic", body: enc("second") });
      await waitFor(() => counts[0] === 2 && counts[1] === 2, 10_000, "both messages at both consumers");
    });
  } finally {
    await Deno.remove(offsetStoreDir, { recursive: true });
  }
});

Deno.test("readme: RECONSUME_LATER retries a message maxReconsumeTimes times, then it lands in the DLQ", async () => {
  await withCluster({}, async (namesrvAddr, cleanup) => {
    const producer = new Producer({ group: "RetryProducerGroup", namesrvAddr });
    cleanup.push(producer);
    await producer.start();
    const sent = await producer.send({ topic: "RetryTopic", body: enc("poison") });
    const attempts: number[] = [];
    // README:retry
    const consumer = new PushConsumer({
      group: "RetryGroup",
      namesrvAddr,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      maxReconsumeTimes: 2, // default 16; then the message goes to %DLQ%RetryGroup
    });
    consumer.subscribe("RetryTopic", "*");
    consumer.registerMessageListener((msgs) => {
      for (const m of msgs) attempts.push(m.reconsumeTimes); // 0, 1, 2
      return "RECONSUME_LATER"; // throwing has the same effect
    });
    await consumer.start();
    // README end
    cleanup.push(consumer);
    await waitFor(() => attempts.length >= 3, 10_000, "the first delivery and two retries");
    const dead: ConsumedMessage[] = [];
    // README:dlq
    const dlq = new PushConsumer({
      group: "RetryGroupDlqReader",
      namesrvAddr,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    dlq.subscribe("%DLQ%RetryGroup", "*");
    dlq.registerMessageListener((msgs) => {
      dead.push(...msgs); // m.properties.ORIGIN_MESSAGE_ID, m.properties.RETRY_TOPIC name the original
      return "CONSUME_SUCCESS";
    });
    await dlq.start();
    // README end
    cleanup.push(dlq);
    await waitFor(() => dead.length >= 1, 10_000, "the dead-lettered message");
    assert.deepEqual(attempts, [0, 1, 2]);
    assert.equal(dec(dead[0]!.body), "poison");
    assert.equal(dead[0]!.msgId, sent.msgId);
    assert.equal(dead[0]!.properties["RETRY_TOPIC"], "RetryTopic");
  });
});

Deno.test("readme: a lite pull consumer polls by subscription, and by assigned queue after a seek", async () => {
  await withCluster({}, async (namesrvAddr, cleanup) => {
    const producer = new Producer({ group: "PullProducerGroup", namesrvAddr });
    cleanup.push(producer);
    await producer.start();
    for (let i = 0; i < 4; i++) {
      await producer.sendToQueue({ topic: "PullTopic", body: enc(`m${i}`) }, {
        topic: "PullTopic",
        brokerName: (await producer.fetchPublishMessageQueues("PullTopic"))[0]!.brokerName,
        queueId: 0,
      });
    }
    const polled: string[] = [];
    // README:lite-pull-subscribe
    const consumer = new LitePullConsumer({
      group: "LitePullGroup",
      namesrvAddr,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      autoCommit: true, // the default: offsets of earlier polls are committed while polling
    });
    consumer.subscribe("PullTopic", "*");
    await consumer.start();
    while (polled.length < 4) {
      for (const m of await consumer.poll(1000)) polled.push(new TextDecoder().decode(m.body));
    }
    await consumer.shutdown();
    // README end
    assert.deepEqual(polled, ["m0", "m1", "m2", "m3"]);

    const again: string[] = [];
    // README:lite-pull-assign
    const reader = new LitePullConsumer({ group: "LitePullAssignGroup", namesrvAddr, autoCommit: false });
    const queues = await reader.fetchMessageQueues("PullTopic");
    reader.assign(queues.filter((q) => q.queueId === 0)); // no rebalancing: exactly these queues
    await reader.start();
    reader.seek(queues.find((q) => q.queueId === 0)!, 2); // or seekToBegin(mq) / seekToEnd(mq)
    while (again.length < 2) {
      for (const m of await reader.poll(1000)) again.push(new TextDecoder().decode(m.body));
    }
    await reader.commitSync(); // with autoCommit: false, offsets move only here
    await reader.shutdown();
    // README end
    assert.deepEqual(again, ["m2", "m3"]);
  });
});

Deno.test("readme: delay-level and timer messages are delivered after their delay, not before", async () => {
  await withCluster({}, async (namesrvAddr, cleanup) => {
    const producer = new Producer({ group: "DelayProducerGroup", namesrvAddr });
    cleanup.push(producer);
    await producer.start();
    const arrivals = new Map<string, number>();
    const consumer = new PushConsumer({ group: "DelayConsumerGroup", namesrvAddr });
    consumer.subscribe("DelayTopic", "*");
    consumer.registerMessageListener((msgs) => {
      for (const m of msgs) arrivals.set(dec(m.body), Date.now());
      return "CONSUME_SUCCESS";
    });
    await producer.send({ topic: "DelayTopic", body: enc("now") });
    await consumer.start();
    cleanup.push(consumer);
    await producer.send({ topic: "DelayTopic", body: enc("now") });
    await waitFor(() => arrivals.has("now"), 10_000, "the undelayed message");
    const sentAt = Date.now();
    // README:delay
    // Level 3 of messageDelayLevel (10s with the default "1s 5s 10s 30s 1m ... 2h").
    await producer.send({ topic: "DelayTopic", body: enc("level-3"), delayTimeLevel: 3 });

    // Any delay up to timerMaxDelaySec: TIMER_DELAY_MS / TIMER_DELAY_SEC (relative) or TIMER_DELIVER_MS (epoch ms).
    await producer.send({ topic: "DelayTopic", body: enc("soon"), properties: { TIMER_DELAY_MS: "700" } });
    const at = String(Date.now() + 900);
    await producer.send({ topic: "DelayTopic", body: enc("at-time"), properties: { TIMER_DELIVER_MS: at } });
    // README end
    await waitFor(
      () => arrivals.has("level-3") && arrivals.has("soon") && arrivals.has("at-time"),
      10_000,
      "delayed",
    );
    assert.ok(arrivals.get("level-3")! - sentAt >= 300, "level 3 is 300 ms in this test's messageDelayLevel");
    assert.ok(arrivals.get("soon")! - sentAt >= 700, "TIMER_DELAY_MS is never early");
    assert.ok(arrivals.get("at-time")! >= Number(at), "TIMER_DELIVER_MS is never early");
  });
});

Deno.test("readme: a timer message pending across a broker restart is delivered once, not early", async () => {
  await withCluster({}, async (namesrvAddr, cleanup, cluster) => {
    const producer = new Producer({ group: "TimerRestartProducerGroup", namesrvAddr });
    await producer.start();
    const sentAt = Date.now();
    await producer.send({ topic: "TimerTopic", body: enc("later"), properties: { TIMER_DELAY_MS: "1500" } });
    await producer.shutdown();
    await cluster.restartBroker();
    const arrivals: number[] = [];
    const consumer = new PushConsumer({
      group: "TimerRestartGroup",
      namesrvAddr,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    consumer.subscribe("TimerTopic", "*");
    consumer.registerMessageListener((msgs) => {
      for (const _ of msgs) arrivals.push(Date.now());
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    cleanup.push(consumer);
    await waitFor(() => arrivals.length >= 1, 10_000, "the timer message after the restart");
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would show up by now
    assert.equal(arrivals.length, 1);
    assert.ok(arrivals[0]! - sentAt >= 1500, "never early");
  });
});

Deno.test("readme: a timer send beyond timerMaxDelaySec is refused", async () => {
  await withCluster({ store: { timerMaxDelaySec: 60 } }, async (namesrvAddr, cleanup) => {
    const producer = new Producer({ group: "TimerLimitGroup", namesrvAddr, retryTimesWhenSendFailed: 0 });
    cleanup.push(producer);
    await producer.start();
    await producer.send({ topic: "DelayTopic", body: enc("create") });
    await assert.rejects(
      producer.send({ topic: "DelayTopic", body: enc("x"), properties: { TIMER_DELAY_SEC: "3600" } }),
      /timerMaxDelaySec/,
    );
  });
});

Deno.test("readme: an UNKNOW transaction is resolved by the broker's check-back and then delivered", async () => {
  const broker = { transactionTimeOut: 200, transactionCheckInterval: 200, transactionCheckMax: 5 };
  await withCluster({ broker }, async (namesrvAddr, cleanup) => {
    const orders = new Map<string, "paid" | "cancelled" | "pending">([
      ["o-1", "paid"],
      ["o-2", "cancelled"],
      ["o-3", "pending"],
    ]);
    const lookups: string[] = [];
    const states = new Map<string, LocalTransactionState>();
    /** Stands for the application's own database. */
    const orderState = (orderId: string) => {
      lookups.push(orderId);
      return orders.get(orderId) ?? "pending";
    };
    // README:transaction
    const producer = new Producer({
      group: "TxProducerGroup",
      namesrvAddr,
      transactionListener: {
        // Runs right after the half message is stored; consumers see nothing until COMMIT_MESSAGE.
        executeLocalTransaction(_msg, orderId): LocalTransactionState {
          const state = orderState(String(orderId));
          return state === "paid" ? "COMMIT_MESSAGE" : state === "cancelled" ? "ROLLBACK_MESSAGE" : "UNKNOW";
        },
        // The broker asks again about UNKNOW (or lost) outcomes, every transactionCheckInterval.
        checkLocalTransaction(msg) {
          return orderState(msg.keys ?? "") === "pending" ? "UNKNOW" : "COMMIT_MESSAGE";
        },
      },
    });
    await producer.start();
    for (const orderId of ["o-1", "o-2", "o-3"]) {
      const msg = { topic: "TxTopic", keys: orderId, body: enc(orderId) };
      const r = await producer.sendMessageInTransaction(msg, orderId);
      states.set(orderId, r.localTransactionState); // what executeLocalTransaction answered
    }
    // README end
    cleanup.push(producer);
    const got: string[] = [];
    const consumer = new PushConsumer({
      group: "TxConsumerGroup",
      namesrvAddr,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    consumer.subscribe("TxTopic", "*");
    consumer.registerMessageListener((msgs) => {
      got.push(...msgs.map((m) => dec(m.body)));
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    cleanup.push(consumer);
    assert.deepEqual([...states.values()], ["COMMIT_MESSAGE", "ROLLBACK_MESSAGE", "UNKNOW"]);
    await waitFor(() => got.includes("o-1"), 10_000, "the committed transaction");
    await waitFor(
      () => lookups.filter((id) => id === "o-3").length >= 2,
      10_000,
      "a check-back of the pending transaction",
    );
    orders.set("o-3", "paid");
    await waitFor(() => got.includes("o-3"), 10_000, "the transaction committed by a check-back");
    assert.ok(!got.includes("o-2"), "a rolled-back transaction is never delivered");
  });
});

Deno.test("readme: a transaction still UNKNOW after transactionCheckMax checks is parked and checked no more", async () => {
  const broker = { transactionTimeOut: 100, transactionCheckInterval: 100, transactionCheckMax: 2 };
  await withCluster({ broker }, async (namesrvAddr, cleanup) => {
    let checks = 0;
    const producer = new Producer({
      group: "TxGiveUpGroup",
      namesrvAddr,
      transactionListener: {
        executeLocalTransaction: () => "UNKNOW",
        checkLocalTransaction: () => {
          checks++;
          return "UNKNOW";
        },
      },
    });
    cleanup.push(producer);
    await producer.start();
    const r = await producer.sendMessageInTransaction({ topic: "TxGiveUpTopic", body: enc("stuck") });
    await waitFor(() => checks >= 2, 10_000, "two check-backs");
    const parked = new LitePullConsumer({
      group: "TxGiveUpReader",
      namesrvAddr,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    const found: ConsumedMessage[] = [];
    await waitFor(
      async () => (await parked.fetchMessageQueues("TRANS_CHECK_MAX_TIME_TOPIC").catch(() => [])).length > 0,
      10_000,
      "the give-up topic",
    );
    parked.subscribe("TRANS_CHECK_MAX_TIME_TOPIC", "*");
    await parked.start();
    cleanup.push(parked);
    await waitFor(
      async () => {
        found.push(...await parked.poll(200));
        return found.length > 0;
      },
      10_000,
      "the parked half message",
    );
    assert.equal(found[0]!.msgId, r.msgId);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(checks, 2, "no check after the maximum");
  });
});

Deno.test("readme: a SQL92 consumer gets only matching messages; bad selectors fail at subscribe()", async () => {
  await withCluster({ broker: { enablePropertyFilter: true } }, async (namesrvAddr, cleanup) => {
    const producer = new Producer({ group: "SqlProducerGroup", namesrvAddr });
    cleanup.push(producer);
    await producer.start();
    // README:sql-send
    for (let i = 0; i < 6; i++) {
      const tags = i % 2 === 0 ? "TagA" : "TagB";
      await producer.send({ topic: "SqlTopic", tags, body: enc(`m${i}`), properties: { a: String(i) } });
    }
    // README end
    const received: string[] = [];
    // README:sql-consumer
    const consumer = new PushConsumer({
      group: "SqlConsumerGroup",
      namesrvAddr,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    });
    consumer.subscribe("SqlTopic", MessageSelector.bySql("a BETWEEN 2 AND 5 AND TAGS IN ('TagA')"));
    consumer.registerMessageListener((msgs) => {
      for (const m of msgs) received.push(new TextDecoder().decode(m.body)); // m2, m4
      return "CONSUME_SUCCESS";
    });
    await consumer.start(); // rejects when the broker lacks enablePropertyFilter=true
    // README end
    cleanup.push(consumer);
    await waitFor(() => received.length >= 2, 10_000, "the two matching messages");
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(received.sort(), ["m2", "m4"]);
    // README:sql-strict
    assert.throws(() => consumer.subscribe("SqlTopic", MessageSelector.bySql("a > 1 b")), MQClientError);
    assert.throws(() => consumer.subscribe("SqlTopic", MessageSelector.bySql("a > 0.0")), MQClientError);
    // README end
  });
});

Deno.test("readme: a SQL92 consumer refuses to start against a broker without enablePropertyFilter", async () => {
  await withCluster({}, async (namesrvAddr) => {
    const producer = new Producer({ group: "SqlOffProducerGroup", namesrvAddr });
    await producer.start();
    await producer.send({ topic: "SqlTopic", body: enc("x") });
    await producer.shutdown();
    const consumer = new PushConsumer({ group: "SqlOffGroup", namesrvAddr });
    consumer.subscribe("SqlTopic", MessageSelector.bySql("a > 1"));
    consumer.registerMessageListener(() => "CONSUME_SUCCESS");
    await assert.rejects(consumer.start(), /enablePropertyFilter/);
  });
});

Deno.test("readme: producer.request() resolves with the reply built by createReplyMessage()", async () => {
  await withCluster({}, async (namesrvAddr, cleanup) => {
    // README:reply
    const replier = new Producer({ group: "ReplyProducerGroup", namesrvAddr });
    await replier.start();
    const server = new PushConsumer({ group: "RequestConsumerGroup", namesrvAddr });
    server.subscribe("RequestTopic", "*");
    server.registerMessageListener(async (msgs) => {
      for (const m of msgs) {
        const answer = `pong:${new TextDecoder().decode(m.body)}`;
        await replier.send(createReplyMessage(m, new TextEncoder().encode(answer)));
      }
      return "CONSUME_SUCCESS" as const;
    });
    await server.start();

    const requester = new Producer({ group: "RequestProducerGroup", namesrvAddr });
    await requester.start();
    // Rejects with RequestTimeoutError when no reply arrives within 3 s.
    const reply = await requester.request(
      { topic: "RequestTopic", body: new TextEncoder().encode("ping") },
      3000,
    );
    new TextDecoder().decode(reply.body); // "pong:ping"
    // README end
    cleanup.push(replier, server, requester);
    assert.equal(dec(reply.body), "pong:ping");
  });
});

Deno.test("readme: traced producers and consumers leave records queryMsgTraceById prints", async () => {
  await withCluster({ broker: { traceTopicEnable: true } }, async (namesrvAddr, cleanup) => {
    let consumed = 0;
    // README:trace
    const producer = new Producer({ group: "TraceProducerGroup", namesrvAddr, enableMsgTrace: true });
    const consumer = new PushConsumer({
      group: "TraceConsumerGroup",
      namesrvAddr,
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      enableMsgTrace: true, // customizedTraceTopic: "MyTraceTopic" to use another topic
    });
    // README end
    cleanup.push(producer);
    await producer.start();
    const sent = await producer.send({ topic: "TraceTopic", body: enc("traced"), keys: "order-9" });
    consumer.subscribe("TraceTopic", "*");
    consumer.registerMessageListener(() => {
      consumed++;
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    await waitFor(() => consumed >= 1, 10_000, "the traced message to be consumed");
    await consumer.shutdown(); // flushes its trace records
    await producer.traceDispatcher!.flush();
    let out = new BufferOutput();
    await waitFor(
      async () => {
        out = new BufferOutput();
        await runAdmin(["queryMsgTraceById", "-n", namesrvAddr, "-i", sent.msgId], out);
        return out.stdout.includes("TraceConsumerGroup");
      },
      10_000,
      "the Pub and Sub trace rows",
    );
    assert.match(out.stdout, /^Pub +TraceProducerGroup /m);
    assert.match(out.stdout, /^Sub +TraceConsumerGroup /m);
  });
});

// ali-ons ships no types; these describe only what the example touches.
interface OnsMessage {
  tags: string;
  body: Uint8Array;
}
const ali = ons as unknown as {
  Producer: new (opts: Record<string, unknown>) => {
    ready(): Promise<void>;
    send(msg: unknown): Promise<{ sendStatus: string }>;
    on(event: "error", listener: (err: Error) => void): void;
    close(): Promise<void>;
  };
  Consumer: new (opts: Record<string, unknown>) => {
    ready(): Promise<void>;
    subscribe(topic: string, expr: string, handler: (msg: OnsMessage) => Promise<void>): void;
    on(event: "error", listener: (err: Error) => void): void;
    close(): Promise<void>;
  };
  Message: new (topic: string, tags: string, body: string) => unknown;
};

/** The README's ali-ons example; `got` collects the consumed bodies. */
async function aliOnsExample(namesrvAddr: string, got: string[]) {
  const { Producer, Consumer, Message } = ali;
  const logger = { info() {}, warn(_text: string) {}, error() {}, debug() {} };
  const save = (text: string) => Promise.resolve(void got.push(text));
  // README:ali-ons
  const producer = new Producer({ httpclient: {}, nameSrv: namesrvAddr, producerGroup: "GID_demo", logger });
  producer.on("error", (err) => logger.warn(err.message));
  await producer.ready();
  const sendResult = await producer.send(new Message("OnsTopic", "TagA", "hello from ali-ons"));

  const consumer = new Consumer({ httpclient: {}, nameSrv: namesrvAddr, consumerGroup: "GID_demo", logger });
  consumer.on("error", (err) => logger.warn(err.message));
  consumer.subscribe("OnsTopic", "TagA", async (msg) => {
    await save(new TextDecoder().decode(msg.body));
  });
  await consumer.ready();
  // README end
  return { producer, consumer, sendResult };
}

Deno.test({
  name: "readme: the ali-ons client sends to and consumes from rmq given just the namesrv address",
  // ali-ons keeps its own timers and sockets past close().
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withCluster({}, async (namesrvAddr) => {
      // ali-ons never auto-creates topics: create it as the README says (rmq admin updateTopic).
      const out = new BufferOutput();
      const created = await runAdmin(
        ["updateTopic", "-n", namesrvAddr, "-c", "DefaultCluster", "-t", "OnsTopic", "-r", "4", "-w", "4"],
        out,
      );
      assert.equal(created, 0, out.stderr);
      await waitFor(
        async () =>
          await runAdmin(["topicRoute", "-n", namesrvAddr, "-t", "OnsTopic"], new BufferOutput()) === 0,
        10_000,
        "the route of OnsTopic",
      );
      const got: string[] = [];
      const { producer, consumer, sendResult } = await aliOnsExample(namesrvAddr, got);
      try {
        assert.equal(sendResult.sendStatus, "SEND_OK");
        await waitFor(() => got.length >= 1, 15_000, "the ali-ons message");
        assert.deepEqual(got, ["hello from ali-ons"]);
      } finally {
        await consumer.close();
        await producer.close();
      }
    });
  },
});
