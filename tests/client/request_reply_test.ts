/** Request-reply: the requester's side, the responder's reply helper, and the round trip through a broker. */
import assert from "node:assert/strict";
import { startRealCluster } from "./e2e_helpers.ts";
import { Producer, selectByHash } from "../../src/client/producer.ts";
import { PushConsumer } from "../../src/client/push_consumer.ts";
import { RequestTimeoutError } from "../../src/client/errors.ts";
import type { ConsumedMessage } from "../../src/client/message.ts";
import {
  createReplyMessage,
  isReplyMessage,
  RequestResponseTable,
  withRequestProperties,
} from "../../src/client/request_reply.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("withRequestProperties() adds CORRELATION_ID, REPLY_TO_CLIENT and TTL, keeping user properties", () => {
  const m = withRequestProperties({ topic: "T", body: enc("q"), properties: { a: "1" } }, "c1", "ip@x", 2500);
  assert.deepEqual(m.properties, { a: "1", CORRELATION_ID: "c1", REPLY_TO_CLIENT: "ip@x", TTL: "2500" });
});

Deno.test("createReplyMessage() targets <CLUSTER>_REPLY_TOPIC and copies the correlation properties", () => {
  const reply = createReplyMessage({
    properties: { CLUSTER: "C1", CORRELATION_ID: "c1", REPLY_TO_CLIENT: "ip@x", TTL: "3000", other: "no" },
  }, enc("r"));
  assert.equal(reply.topic, "C1_REPLY_TOPIC");
  assert.deepEqual(reply.properties, {
    MSG_TYPE: "reply",
    CORRELATION_ID: "c1",
    REPLY_TO_CLIENT: "ip@x",
    TTL: "3000",
  });
  assert.ok(isReplyMessage(reply));
});

Deno.test("createReplyMessage() refuses a message without CLUSTER", () => {
  assert.throws(() => createReplyMessage({ properties: {} }, enc("r")), /CLUSTER/);
});

Deno.test("RequestResponseTable times a request out and ignores its late reply", async () => {
  const table = new RequestResponseTable();
  const waiting = table.wait("c1", 20, "T");
  await assert.rejects(waiting, RequestTimeoutError);
  assert.equal(table.size, 0);
  const late = { properties: { CORRELATION_ID: "c1" } } as unknown as ConsumedMessage;
  assert.equal(table.complete(late), false);
});

Deno.test("e2e: producer.request() resolves with the reply a consumer sends back", async () => {
  const cluster = await startRealCluster();
  const requester = new Producer({ group: "RR_REQ_PG", namesrvAddr: cluster.namesrvAddr });
  const responder = new Producer({ group: "RR_REPLY_PG", namesrvAddr: cluster.namesrvAddr });
  const consumer = new PushConsumer({
    group: "RR_CG",
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  try {
    await requester.start();
    await responder.start();
    consumer.subscribe("RRTopic", "*");
    consumer.registerMessageListener(async (msgs): Promise<"CONSUME_SUCCESS"> => {
      for (const m of msgs) {
        await responder.send(createReplyMessage(m, enc(`re:${dec(m.body)}`)));
      }
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    const reply = await requester.request({ topic: "RRTopic", body: enc("ping"), tags: "q" }, 15_000);
    assert.equal(dec(reply.body), "re:ping");
    assert.equal(reply.properties["MSG_TYPE"], "reply");
    assert.equal(reply.properties["REPLY_TO_CLIENT"], requester.instance.clientId);
    assert.ok(reply.properties["PUSH_REPLY_TIME"], "the broker stamps the push time");
    assert.equal(reply.topic, "DefaultCluster_REPLY_TOPIC");
    // A second request on the now-known route is answered too, and matched by its own correlation id.
    const [a, b] = await Promise.all([
      requester.request({ topic: "RRTopic", body: enc("a") }, 10_000),
      requester.request({ topic: "RRTopic", body: enc("b") }, 10_000),
    ]);
    assert.deepEqual([dec(a.body), dec(b.body)], ["re:a", "re:b"]);
    // The selector variant sends the request to the queue it picks.
    let picked = -1;
    const viaQueue = await requester.request(
      { topic: "RRTopic", body: enc("q") },
      10_000,
      (mqs, msg, arg) => {
        const mq = selectByHash(mqs, msg, arg);
        picked = mq.queueId;
        return mq;
      },
      "order-7",
    );
    assert.equal(dec(viaQueue.body), "re:q");
    assert.ok(picked >= 0);
  } finally {
    await consumer.shutdown();
    await responder.shutdown();
    await requester.shutdown();
    await cluster.close();
  }
});

Deno.test("e2e: producer.request() fails with RequestTimeoutError when nobody replies", async () => {
  const cluster = await startRealCluster();
  const requester = new Producer({ group: "RR_REQ_PG2", namesrvAddr: cluster.namesrvAddr });
  try {
    await requester.start();
    const begin = Date.now();
    await assert.rejects(
      requester.request({ topic: "RRSilent", body: enc("anyone?") }, 400),
      (e) => e instanceof RequestTimeoutError && /RRSilent/.test(e.message),
    );
    assert.ok(Date.now() - begin >= 400);
    assert.equal(requester.instance.requestTable.size, 0);
  } finally {
    await requester.shutdown();
    await cluster.close();
  }
});

Deno.test("e2e: a request whose time runs out before its send completes fails with RequestTimeoutError", async () => {
  const cluster = await startRealCluster();
  const requester = new Producer({ group: "RR_REQ_PG3", namesrvAddr: cluster.namesrvAddr });
  try {
    await requester.start();
    // 1 ms is spent before the send is answered: the wait times out while the send is still on its way,
    // which must reach the caller as this rejection, not as an unhandled one that ends the process.
    await assert.rejects(
      requester.request({ topic: "RRTooShort", body: enc("hurry") }, 1),
      (e) => e instanceof RequestTimeoutError && /within 1 ms/.test(e.message),
    );
    assert.equal(requester.instance.requestTable.size, 0);
  } finally {
    await requester.shutdown();
    await cluster.close();
  }
});
