/** Broker-driven client features against the real broker: broadcasting, offset reset, running info. */
import assert from "node:assert/strict";
import { startRealCluster } from "./e2e_helpers.ts";
import { waitFor } from "./scripted_broker.ts";
import { Producer } from "../../src/client/producer.ts";
import { PushConsumer } from "../../src/client/push_consumer.ts";
import type { ConsumedMessage } from "../../src/client/message.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest } from "../../src/remoting/command.ts";
import { parseLooseJson } from "../../src/protocol/bodies/object_key_map.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("e2e: broadcasting consumers of one group each receive every message", async () => {
  const cluster = await startRealCluster();
  const dir = await Deno.makeTempDir();
  const producer = new Producer({ group: "BC_PG", namesrvAddr: cluster.namesrvAddr });
  const consumers = [0, 1].map(() =>
    new PushConsumer({
      group: "BC_CG",
      namesrvAddr: cluster.namesrvAddr,
      messageModel: "BROADCASTING",
      consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
      offsetStoreDir: dir,
    })
  );
  const got: string[][] = [[], []];
  try {
    await producer.start();
    for (let i = 0; i < 4; i++) await producer.send({ topic: "BcTopic", body: enc(`b${i}`) });
    consumers.forEach((c, i) => {
      c.subscribe("BcTopic", "*");
      c.registerMessageListener((msgs) => {
        got[i]!.push(...msgs.map((m) => dec(m.body)));
        return "CONSUME_SUCCESS";
      });
    });
    for (const c of consumers) await c.start();
    await waitFor(() => got[0]!.length >= 4 && got[1]!.length >= 4, 10_000, "both consumers to get all four");
    assert.deepEqual(got[0]!.sort(), ["b0", "b1", "b2", "b3"]);
    assert.deepEqual(got[1]!.sort(), ["b0", "b1", "b2", "b3"]);
  } finally {
    for (const c of consumers) await c.shutdown();
    await producer.shutdown();
    await cluster.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("e2e: an admin offset reset makes a push consumer re-read, and running info is answered", async () => {
  const cluster = await startRealCluster();
  const producer = new Producer({ group: "RS_PG", namesrvAddr: cluster.namesrvAddr });
  const consumer = new PushConsumer({
    group: "RS_CG",
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
    persistConsumerOffsetIntervalMs: 100,
  });
  const admin = new RemotingClient();
  const got: ConsumedMessage[] = [];
  const brokerAddr = `127.0.0.1:${cluster.broker.port}`;
  try {
    await producer.start();
    for (let i = 0; i < 3; i++) await producer.send({ topic: "RsTopic", body: enc(`r${i}`) });
    consumer.subscribe("RsTopic", "*");
    consumer.registerMessageListener((msgs) => {
      got.push(...msgs);
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    await waitFor(() => got.length >= 3, 10_000, "the first pass");
    // Let the periodic persistence tell the broker how far the group got.
    await new Promise((r) => setTimeout(r, 400));

    const info = await admin.invokeSync(
      brokerAddr,
      createRequest(307, {
        consumerGroup: "RS_CG",
        clientId: consumer.instance.clientId,
        jstackEnable: "false",
      }),
      5000,
    );
    assert.equal(info.code, 0, info.remark);
    const text = dec(info.body!);
    // fastjson form: the MessageQueue-keyed mqTable is not plain JSON.
    const parsed = parseLooseJson(text) as {
      properties: Record<string, string>;
      mqTable: { entries: unknown[] };
    };
    assert.equal(parsed.properties["PROP_CONSUME_TYPE"], "CONSUME_PASSIVELY");
    assert.equal(parsed.properties["consumerGroup"], "RS_CG");
    assert.ok(parsed.mqTable.entries.length >= 4, "one entry per owned queue");
    assert.ok(text.includes(`{"brokerName":`), text);

    const direct = await admin.invokeSync(
      brokerAddr,
      createRequest(309, {
        consumerGroup: "RS_CG",
        clientId: consumer.instance.clientId,
        msgId: got[0]!.offsetMsgId,
      }),
      5000,
    );
    assert.equal(direct.code, 0, direct.remark);
    assert.equal(JSON.parse(dec(direct.body!)).consumeResult, "CR_SUCCESS");
    assert.equal(got.length, 4, "the listener saw the directly consumed message");

    const reset = await admin.invokeSync(
      brokerAddr,
      createRequest(222, { topic: "RsTopic", group: "RS_CG", timestamp: "0", isForce: "true", offset: "0" }),
      5000,
    );
    assert.equal(reset.code, 0, reset.remark);
    await waitFor(() => got.length >= 7, 10_000, "the second pass after the reset");
    assert.deepEqual(got.slice(4).map((m) => dec(m.body)).sort(), ["r0", "r1", "r2"]);
  } finally {
    admin.close();
    await admin.closed();
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
});
