/**
 * Interoperability with a client none of us wrote: the npm `ali-ons` 3.12.0 client (pure JS, classic
 * remoting protocol, JSON headers only, non-string extFields, never answers broker→client requests).
 *
 * A real `rmq serve --role=all` child process; ali-ons runs in this test process.
 */
import assert from "node:assert/strict";
import ons from "ali-ons";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { startRmq } from "../support/rmq_process.ts";

// ali-ons ships no types; describe just what this test touches.
interface OnsMessage {
  topic: string;
  tags: string;
  /** ali-ons exposes the KEYS property as one space-separated string on consumed messages. */
  keys: string;
  body: Uint8Array;
  msgId: string;
  queueId: number;
  queueOffset: number;
  reconsumeTimes: number;
}
interface OnsSendResult {
  sendStatus: string;
  msgId: string;
  messageQueue: { topic: string; brokerName: string; queueId: number };
  queueOffset: number;
}
interface OnsProducer {
  ready(): Promise<void>;
  send(msg: unknown): Promise<OnsSendResult>;
  close(): Promise<void>;
}
interface OnsConsumer {
  ready(): Promise<void>;
  subscribe(topic: string, expr: string, handler: (msg: OnsMessage) => Promise<void>): void;
  on(event: string, listener: (err: Error) => void): void;
  close(): Promise<void>;
}
const { Producer, Consumer, Message } = ons as unknown as {
  Producer: new (opts: Record<string, unknown>) => OnsProducer;
  Consumer: new (opts: Record<string, unknown>) => OnsConsumer;
  Message: new (topic: string, tags: string, body: string | Uint8Array) => { keys: string[] };
};

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

const TOPIC = "AliOnsInterop";
const COUNT = 1000;
const QUEUES = 4;

function bodyFor(i: number): string {
  // Every 50th body is over 6 KiB so ali-ons compresses it (its threshold is 4 KiB).
  const base = `message-${i}-`;
  return i % 50 === 0 ? base + "x".repeat(6200 + i) : base + "payload";
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test({
  name: "ali-ons 3.12.0 sends, consumes by tag, commits offsets and retries through rmq",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // Short delay levels so the send-back retry arrives within a second.
    const rmq = await startRmq({
      flags: { autoCreateTopicEnable: true, messageDelayLevel: Array(18).fill("1s").join(" ") },
    });
    const admin = new RemotingClient();
    const producer = new Producer({
      httpclient: {},
      nameSrv: rmq.namesrvAddr,
      producerGroup: "GID_interop_producer",
      logger: quiet,
    });
    const consumers: OnsConsumer[] = [];
    try {
      const create = await admin.invokeSync(
        rmq.brokerAddr,
        createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
          topic: TOPIC,
          defaultTopic: "TBW102",
          readQueueNums: String(QUEUES),
          writeQueueNums: String(QUEUES),
          perm: "6",
          topicFilterType: "SINGLE_TAG",
          topicSysFlag: "0",
          order: "false",
        }),
        5000,
      );
      assert.equal(create.code, ResponseCode.SUCCESS, create.remark);
      // The broker re-registers at once; give the namesrv a moment to have the route.
      await waitFor("the topic route", async () => {
        const r = await admin.invokeSync(
          rmq.namesrvAddr,
          createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: TOPIC }),
          3000,
        );
        return r.code === ResponseCode.SUCCESS;
      }, 10_000);

      await producer.ready();
      const sent = new Map<string, { result: OnsSendResult; tag: string; body: string }>();
      for (let i = 0; i < COUNT; i++) {
        const tag = i % 2 === 0 ? "TagA" : "TagB";
        const msg = new Message(TOPIC, tag, bodyFor(i));
        msg.keys = [`key-${i}`];
        const result = await producer.send(msg);
        assert.equal(result.sendStatus, "SEND_OK");
        sent.set(`key-${i}`, { result, tag, body: bodyFor(i) });
      }
      const queuesUsed = new Set([...sent.values()].map((s) => Number(s.result.messageQueue.queueId)));
      assert.equal(queuesUsed.size, QUEUES, "ali-ons spreads sends over every queue");

      const received = { tagA: new Map<string, OnsMessage>(), all: new Map<string, OnsMessage>() };
      const decoder = new TextDecoder();
      const subscribe = async (group: string, expr: string, into: Map<string, OnsMessage>) => {
        const consumer = new Consumer({
          httpclient: {},
          nameSrv: rmq.namesrvAddr,
          consumerGroup: group,
          persistConsumerOffsetInterval: 500,
          rebalanceInterval: 1000,
          logger: quiet,
        });
        consumer.on("error", () => {});
        // ali-ons asserts that handlers are async functions.
        // deno-lint-ignore require-await
        consumer.subscribe(TOPIC, expr, async (msg) => {
          into.set(msg.keys, msg);
        });
        consumers.push(consumer);
        await consumer.ready();
      };
      await subscribe("GID_interop_tagA", "TagA", received.tagA);
      await subscribe("GID_interop_all", "*", received.all);

      await waitFor(
        "every message",
        () => received.all.size >= COUNT && received.tagA.size >= COUNT / 2,
        30_000,
      );
      assert.equal(received.all.size, COUNT);
      assert.equal(received.tagA.size, COUNT / 2);
      for (const [key, msg] of received.all) {
        const s = sent.get(key);
        assert.ok(s, `unexpected key ${key}`);
        assert.equal(decoder.decode(msg.body), s.body, `body of ${key}`);
        assert.equal(msg.tags, s.tag);
        assert.equal(msg.msgId, s.result.msgId, `msgId of ${key}`);
        // ali-ons keeps the send response header value as the string the broker sent.
        assert.equal(Number(msg.queueId), Number(s.result.messageQueue.queueId), `queueId of ${key}`);
        assert.equal(Number(msg.queueOffset), Number(s.result.queueOffset), `queueOffset of ${key}`);
      }
      for (const msg of received.tagA.values()) assert.equal(msg.tags, "TagA");

      // Committed offsets reach the max offsets of every queue for the '*' group.
      for (let q = 0; q < QUEUES; q++) {
        const max = await admin.invokeSync(
          rmq.brokerAddr,
          createRequest(RequestCode.GET_MAX_OFFSET, { topic: TOPIC, queueId: String(q) }),
          3000,
        );
        const maxOffset = Number(max.extFields.offset);
        await waitFor(`committed offset of queue ${q}`, async () => {
          const r = await admin.invokeSync(
            rmq.brokerAddr,
            createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
              consumerGroup: "GID_interop_all",
              topic: TOPIC,
              queueId: String(q),
            }),
            3000,
          );
          return r.code === ResponseCode.SUCCESS && Number(r.extFields.offset) === maxOffset;
        }, 15_000);
      }

      // Send-back: a handler that fails once makes ali-ons send the message back; it returns through
      // %RETRY%<group> with reconsumeTimes 1.
      let failedOnce = false;
      const retried: OnsMessage[] = [];
      const retryConsumer = new Consumer({
        httpclient: {},
        nameSrv: rmq.namesrvAddr,
        consumerGroup: "GID_interop_retry",
        persistConsumerOffsetInterval: 500,
        rebalanceInterval: 1000,
        logger: quiet,
      });
      retryConsumer.on("error", () => {});
      // deno-lint-ignore require-await
      retryConsumer.subscribe(TOPIC, "TagB", async (msg) => {
        if (msg.keys !== "key-1") return;
        if (!failedOnce) {
          failedOnce = true;
          throw new Error("fail once to exercise send-back");
        }
        retried.push(msg);
      });
      consumers.push(retryConsumer);
      await retryConsumer.ready();
      await waitFor("the retried message", () => retried.length > 0, 30_000);
      const again = retried[0]!;
      assert.equal(again.topic, TOPIC, "ali-ons restores the real topic from RETRY_TOPIC");
      assert.equal(again.reconsumeTimes, 1);
      assert.equal(decoder.decode(again.body), bodyFor(1));
    } finally {
      for (const c of consumers) await c.close().catch(() => {});
      await producer.close().catch(() => {});
      admin.close();
      const code = await rmq.stop();
      await Deno.remove(rmq.storeDir, { recursive: true }).catch(() => {});
      assert.equal(code, 0, `rmq exit code; output:\n${rmq.output()}`);
    }
  },
});
