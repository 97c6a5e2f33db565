/**
 * The producer against a real name server and a scripted broker endpoint on real sockets: checks what
 * goes on the wire and how answers are read, independent of the broker implementation.
 */
import assert from "node:assert/strict";
import { registerRequest, startNamesrv } from "../namesrv/helpers.ts";
import { defaultTopicConfig, type TopicConfig } from "../../src/protocol/register_broker.ts";
import { RemotingServer } from "../../src/remoting/server.ts";
import { createRequest, createResponse, type RemotingCommand } from "../../src/remoting/command.ts";
import { encodeProperties } from "../../src/message/properties.ts";
import { parseHostAddress } from "../../src/message/host.ts";
import { encodeRecord, recordSizeOf } from "../../src/message/record_codec.ts";
import { waitFor } from "./scripted_broker.ts";
import { Producer } from "../../src/client/producer.ts";
import { decodeProperties } from "../../src/message/properties.ts";
import { decodeBatchBody } from "../../src/message/batch_codec.ts";
import { MQBrokerError } from "../../src/client/errors.ts";

async function withCluster(
  answer: (req: RemotingCommand, n: number) => RemotingCommand,
  body: (p: Producer, seen: RemotingCommand[]) => Promise<void>,
  topics?: TopicConfig[],
): Promise<void> {
  const ns = await startNamesrv();
  const broker = new RemotingServer({ port: 0, hostname: "127.0.0.1" });
  const seen: RemotingCommand[] = [];
  for (const code of [310, 320]) {
    broker.registerProcessor(code, (req) => {
      seen.push(req);
      return answer(req, seen.length);
    });
  }
  broker.registerProcessor(34, (req) => createResponse(req, 0));
  broker.registerProcessor(35, (req) => createResponse(req, 0));
  await broker.start();
  const producer = new Producer({ group: "PG", namesrvAddr: ns.addr, retryTimesWhenSendFailed: 2 });
  try {
    const reg = await ns.client.invokeSync(
      ns.addr,
      registerRequest({ brokerAddr: `127.0.0.1:${broker.port}`, ...(topics ? { topics } : {}) }),
      3000,
    );
    assert.equal(reg.code, 0);
    await producer.start();
    await body(producer, seen);
  } finally {
    await producer.shutdown();
    await broker.shutdown();
    await ns.dispose();
  }
}

const stored = (req: RemotingCommand) =>
  createResponse(req, 0, undefined, {
    msgId: "7F00000100002A9F0000000000000F2C",
    queueId: req.extFields["e"] ?? "0",
    queueOffset: "41",
    MSG_REGION: "DefaultRegion",
    TRACE_ON: "true",
  });

Deno.test("Producer.send() fetches the route, sends SEND_MESSAGE_V2 and reports UNIQ_KEY and offset ids", async () => {
  await withCluster(stored, async (p, seen) => {
    const r = await p.send({
      topic: "TopicA",
      body: new TextEncoder().encode("hello"),
      tags: "TagA",
      keys: "k1",
    });
    assert.equal(r.sendStatus, "SEND_OK");
    assert.equal(r.offsetMsgId, "7F00000100002A9F0000000000000F2C");
    assert.equal(r.queueOffset, 41);
    assert.equal(r.messageQueue.brokerName, "broker-a");
    assert.equal(seen.length, 1);
    const req = seen[0]!;
    assert.equal(req.code, 310);
    assert.equal(req.extFields["a"], "PG");
    assert.equal(req.extFields["b"], "TopicA");
    assert.equal(req.extFields["c"], "TBW102");
    assert.equal(req.extFields["n"], "broker-a");
    assert.ok(Number(req.extFields["e"]) >= 0 && Number(req.extFields["e"]) < 4);
    const props = decodeProperties(req.extFields["i"]!);
    assert.equal(props["TAGS"], "TagA");
    assert.equal(props["KEYS"], "k1");
    assert.equal(props["WAIT"], "true");
    assert.equal(props["UNIQ_KEY"], r.msgId);
    assert.equal(new TextDecoder().decode(req.body), "hello");
  });
});

Deno.test("Producer.send() retries a SYSTEM_ERROR and gives up on MESSAGE_ILLEGAL", async () => {
  await withCluster(
    (req, n) =>
      n === 1 ? createResponse(req, 1, "busy") : n === 3 ? createResponse(req, 13, "bad") : stored(req),
    async (p, seen) => {
      const r = await p.send({ topic: "TopicA", body: new Uint8Array([1]) });
      assert.equal(r.sendStatus, "SEND_OK");
      assert.equal(seen.length, 2);
      await assert.rejects(
        p.send({ topic: "TopicA", body: new Uint8Array([1]) }),
        (e: unknown) => e instanceof MQBrokerError && e.code === 13,
      );
      assert.equal(seen.length, 3);
    },
  );
});

Deno.test("Producer.send() with a selector targets the chosen queue; batches go as 320 with own UNIQ_KEYs", async () => {
  await withCluster(stored, async (p, seen) => {
    const r = await p.send({ topic: "TopicA", body: new Uint8Array([1]) }, (mqs) => mqs[3]!, null);
    assert.equal(r.messageQueue.queueId, 3);
    assert.equal(seen[0]!.extFields["e"], "3");
    const batch = await p.send([
      { topic: "TopicA", body: new Uint8Array([1]), tags: "x" },
      { topic: "TopicA", body: new Uint8Array([2, 3]) },
    ]);
    const req = seen[1]!;
    assert.equal(req.code, 320);
    assert.equal(req.extFields["m"], "true");
    const items = decodeBatchBody(req.body!);
    assert.equal(items.length, 2);
    assert.equal(items[0]!.properties["TAGS"], "x");
    assert.equal(batch.msgId, items.map((i) => i.properties["UNIQ_KEY"]).join(","));
  });
});

Deno.test("Producer fails cleanly for an unknown topic when the name server has no TBW102 route", async () => {
  await withCluster(stored, async (p, seen) => {
    await assert.rejects(p.send({ topic: "NoSuchTopic", body: new Uint8Array([1]) }), /No route info/);
    assert.equal(seen.length, 0);
  });
});

Deno.test("Producer borrows the TBW102 route for a new topic, capped at defaultTopicQueueNums", async () => {
  const topics = [
    defaultTopicConfig("TopicA", { readQueueNums: 4, writeQueueNums: 4 }),
    defaultTopicConfig("TBW102", { readQueueNums: 8, writeQueueNums: 8, perm: 7 }),
  ];
  await withCluster(stored, async (p, seen) => {
    for (let i = 0; i < 8; i++) await p.send({ topic: "NewTopic", body: new Uint8Array([1]) });
    const queueIds = new Set(seen.map((r) => Number(r.extFields["e"])));
    assert.deepEqual([...queueIds].sort(), [0, 1, 2, 3]);
    assert.ok(seen.every((r) => r.extFields["b"] === "NewTopic" && r.extFields["c"] === "TBW102"));
  }, topics);
});

Deno.test("A transactional producer answers CHECK_TRANSACTION_STATE with END_TRANSACTION", async () => {
  const ns = await startNamesrv();
  const broker = new RemotingServer({ port: 0, hostname: "127.0.0.1" });
  const ends: RemotingCommand[] = [];
  let producerChannel: import("../../src/remoting/channel.ts").RemotingChannel | undefined;
  broker.registerProcessor(34, (req, ch) => {
    producerChannel = ch;
    return createResponse(req, 0);
  });
  broker.registerProcessor(35, (req) => createResponse(req, 0));
  broker.registerProcessor(310, (req) => stored(req));
  broker.registerProcessor(37, (req) => {
    ends.push(req);
    return null;
  });
  await broker.start();
  const producer = new Producer({
    group: "TXG",
    namesrvAddr: ns.addr,
    transactionListener: {
      executeLocalTransaction: () => "UNKNOW",
      checkLocalTransaction: (m) =>
        new TextDecoder().decode(m.body) === "pay" ? "COMMIT_MESSAGE" : "ROLLBACK_MESSAGE",
    },
  });
  try {
    await ns.client.invokeSync(ns.addr, registerRequest({ brokerAddr: `127.0.0.1:${broker.port}` }), 3000);
    await producer.start();
    const r = await producer.sendMessageInTransaction({
      topic: "TopicA",
      body: new TextEncoder().encode("pay"),
    });
    assert.equal(r.localTransactionState, "UNKNOW");
    await waitFor(
      () => ends.length === 1 && producerChannel !== undefined,
      3000,
      "END_TRANSACTION and a heartbeat",
    );
    assert.equal(ends[0]!.extFields["commitOrRollback"], "0");
    assert.equal(ends[0]!.extFields["fromTransactionCheck"], "false");
    assert.equal(ends[0]!.extFields["commitLogOffset"], "3884");
    assert.equal(ends[0]!.extFields["tranStateTableOffset"], "41");
    // The broker asks again later, with the half message as the body.
    const half = {
      topic: "RMQ_SYS_TRANS_HALF_TOPIC",
      queueId: 0,
      flag: 0,
      body: new TextEncoder().encode("pay"),
      properties: { PGROUP: "TXG", UNIQ_KEY: r.msgId, TRAN_MSG: "true" },
      propertiesString: encodeProperties({ PGROUP: "TXG", UNIQ_KEY: r.msgId, TRAN_MSG: "true" }),
      tagsCode: 0,
      sysFlag: 4,
      bornTimestamp: 1,
      bornHost: parseHostAddress("127.0.0.1:1"),
      storeHost: parseHostAddress("127.0.0.1:10911"),
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
    };
    const body = new Uint8Array(recordSizeOf(half));
    encodeRecord(half, 41, 3884, body, 0);
    producerChannel!.invokeOneway(
      createRequest(39, {
        tranStateTableOffset: "41",
        commitLogOffset: "3884",
        msgId: r.msgId,
        transactionId: r.msgId,
      }, body),
    );
    await waitFor(() => ends.length === 2, 3000, "the checked END_TRANSACTION");
    const e = ends[1]!.extFields;
    assert.equal(e["commitOrRollback"], "8");
    assert.equal(e["fromTransactionCheck"], "true");
    assert.equal(e["producerGroup"], "TXG");
    assert.equal(e["msgId"], r.msgId);
  } finally {
    await producer.shutdown();
    await broker.shutdown();
    await ns.dispose();
  }
});

Deno.test("Producer.sendAsync() resolves with a result and sendOneway() sends with the ONEWAY flag", async () => {
  await withCluster(stored, async (p, seen) => {
    const [a, b] = await Promise.all([
      p.sendAsync({ topic: "TopicA", body: new Uint8Array([1]) }),
      p.sendAsync({ topic: "TopicA", body: new Uint8Array([2]) }),
    ]);
    assert.equal(a.sendStatus, "SEND_OK");
    assert.notEqual(a.msgId, b.msgId);
    await p.sendOneway({ topic: "TopicA", body: new Uint8Array([3]) });
    await waitFor(() => seen.length === 3, 3000, "the oneway send");
    assert.equal(seen[2]!.flag & 2, 2);
  });
});
