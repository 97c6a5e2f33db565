import assert from "node:assert/strict";
import { createRequest, createResponse, type RemotingCommand } from "../../src/remoting/command.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { encodeHeartbeatData, type HeartbeatData } from "../../src/protocol/bodies/heartbeat.ts";
import { decodeLockBatchResponseBody, encodeLockBatchRequestBody } from "../../src/protocol/bodies/lock.ts";
import { messageQueue } from "../../src/protocol/bodies/message_queue.ts";
import { decodeRecords } from "../../src/message/record_codec.ts";
import { pullRequest, sendRequest, startBroker, waitFor } from "./helpers.ts";

function heartbeat(clientID: string, group: string, topics: string[]): RemotingCommand {
  const hb: HeartbeatData = {
    clientID,
    producerDataSet: [{ groupName: "CLIENT_INNER_PRODUCER" }],
    consumerDataSet: [{
      groupName: group,
      consumeType: "CONSUME_PASSIVELY",
      messageModel: "CLUSTERING",
      consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
      unitMode: false,
      subscriptionDataSet: topics.map((topic) => ({
        classFilterMode: false,
        topic,
        subString: "*",
        tagsSet: [],
        codeSet: [],
        subVersion: 1,
        expressionType: "TAG",
      })),
    }],
  };
  return createRequest(RequestCode.HEART_BEAT, {}, encodeHeartbeatData(hb));
}

Deno.test("heartbeats register consumers, create the retry topic and notify members of changes", async () => {
  const f = await startBroker();
  const second = new RemotingClient({ name: "second" });
  const notified: string[] = [];
  f.client.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
    notified.push(req.extFields.consumerGroup ?? "");
    return null;
  });
  try {
    const r1 = await f.client.invokeSync(f.addr, heartbeat("c1", "G1", ["T1"]), 3000);
    assert.equal(r1.code, ResponseCode.SUCCESS);
    assert.ok(r1.version >= 232);
    assert.ok(f.broker.context.topicConfigManager.selectTopicConfig("%RETRY%G1"));
    await waitFor(() => notified.length >= 1);
    await second.invokeSync(f.addr, heartbeat("c2", "G1", ["T1"]), 3000);
    await waitFor(() => notified.length >= 2);
    assert.deepEqual(notified, ["G1", "G1"]);

    const list = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: "G1" }),
      3000,
    );
    assert.equal(list.code, ResponseCode.SUCCESS);
    const ids = JSON.parse(new TextDecoder().decode(list.body)).consumerIdList as string[];
    assert.deepEqual(ids.sort(), ["c1", "c2"]);

    // The second client leaves: the first is told.
    second.close();
    await second.closed();
    await waitFor(() => notified.length >= 3);
    const after = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: "G1" }),
      3000,
    );
    assert.deepEqual(JSON.parse(new TextDecoder().decode(after.body)).consumerIdList, ["c1"]);

    const unknown = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: "Nobody" }),
      3000,
    );
    assert.equal(unknown.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(unknown.remark, "no consumer for this group, Nobody");
  } finally {
    second.close();
    await second.closed();
    await f.stop();
  }
});

Deno.test("a pull without its own subscription uses the heartbeat's", async () => {
  const f = await startBroker();
  try {
    await f.client.invokeSync(f.addr, sendRequest("HbTopic", "x"), 3000);
    await f.client.invokeSync(f.addr, heartbeat("c1", "G2", ["HbTopic"]), 3000);
    const res = await f.client.invokeSync(
      f.addr,
      pullRequest("G2", "HbTopic", 0, 0, { useSub: false }),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS);
  } finally {
    await f.stop();
  }
});

Deno.test("unregistering a client removes it from its group", async () => {
  const f = await startBroker();
  try {
    await f.client.invokeSync(f.addr, heartbeat("c1", "G3", ["T"]), 3000);
    const res = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.UNREGISTER_CLIENT, { clientID: "c1", consumerGroup: "G3" }),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS);
    assert.equal(f.broker.context.consumerManager.getConsumerGroupInfo("G3"), undefined);
  } finally {
    await f.stop();
  }
});

Deno.test("queue locks go to the first client and are refused to others until released", async () => {
  const f = await startBroker();
  try {
    const mqs = [messageQueue("T", "broker-a", 0), messageQueue("T", "broker-a", 1)];
    const lock = (clientId: string, code: number = RequestCode.LOCK_BATCH_MQ) =>
      f.client.invokeSync(
        f.addr,
        createRequest(code, {}, encodeLockBatchRequestBody({ clientId, consumerGroup: "G", mqSet: mqs })),
        3000,
      );
    assert.equal(decodeLockBatchResponseBody((await lock("a")).body).length, 2);
    assert.equal(decodeLockBatchResponseBody((await lock("b")).body).length, 0);
    assert.equal(decodeLockBatchResponseBody((await lock("a")).body).length, 2);
    assert.equal((await lock("a", RequestCode.UNLOCK_BATCH_MQ)).code, ResponseCode.SUCCESS);
    assert.equal(decodeLockBatchResponseBody((await lock("b")).body).length, 2);
  } finally {
    await f.stop();
  }
});

Deno.test("CHECK_CLIENT_CONFIG accepts TAG and refuses SQL92 as unsupported", async () => {
  const f = await startBroker();
  try {
    const body = (type: string) =>
      new TextEncoder().encode(JSON.stringify({
        clientId: "c",
        group: "G",
        subscriptionData: { topic: "T", subString: "a > 1", expressionType: type, tagsSet: [], codeSet: [] },
      }));
    const ok = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.CHECK_CLIENT_CONFIG, {}, body("TAG")),
      3000,
    );
    assert.equal(ok.code, ResponseCode.SUCCESS);
    const sql = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.CHECK_CLIENT_CONFIG, {}, body("SQL92")),
      3000,
    );
    assert.equal(sql.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(sql.remark, "The broker does not support consumer to filter message by SQL92");
  } finally {
    await f.stop();
  }
});

Deno.test("GET_CONSUMER_RUNNING_INFO is relayed to the client and its answer returned", async () => {
  const f = await startBroker();
  const admin = new RemotingClient({ name: "admin" });
  f.client.registerProcessor(
    RequestCode.GET_CONSUMER_RUNNING_INFO,
    (req) =>
      createResponse(req, ResponseCode.SUCCESS, undefined, {}, new TextEncoder().encode('{"jstack":"x"}')),
  );
  try {
    await f.client.invokeSync(f.addr, heartbeat("c1", "G4", ["T"]), 3000);
    const res = await admin.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO, {
        consumerGroup: "G4",
        clientId: "c1",
        jstackEnable: "false",
      }),
      5000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS);
    assert.equal(new TextDecoder().decode(res.body), '{"jstack":"x"}');
    const offline = await admin.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: "G4", clientId: "zz" }),
      5000,
    );
    assert.equal(offline.code, ResponseCode.SYSTEM_ERROR);
  } finally {
    admin.close();
    await admin.closed();
    await f.stop();
  }
});

Deno.test("a message with a delay level becomes pullable from its real topic only after the delay", async () => {
  const f = await startBroker({}, { messageDelayLevel: "1s 1s 1s" });
  try {
    const res = await f.client.invokeSync(f.addr, sendRequest("DelayTopic", "later", { DELAY: "1" }), 3000);
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    assert.equal(res.extFields.queueId, "0");
    const early = await f.client.invokeSync(f.addr, pullRequest("G", "DelayTopic", 0, 0), 3000);
    assert.notEqual(early.code, ResponseCode.SUCCESS);
    let pulled: RemotingCommand | undefined;
    await waitFor(async () => {
      pulled = await f.client.invokeSync(f.addr, pullRequest("G", "DelayTopic", 0, 0), 3000);
      return pulled.code === ResponseCode.SUCCESS;
    }, 5000);
    const [msg] = decodeRecords(pulled!.body!);
    assert.equal(new TextDecoder().decode(msg!.body), "later");
    assert.equal(msg!.properties.REAL_TOPIC, "DelayTopic");
    assert.equal(msg!.properties.REAL_QID, "0");
    assert.equal(msg!.properties.DELAY, undefined);
  } finally {
    await f.stop();
  }
});

Deno.test("send-back moves a message to %RETRY% after the delay and to %DLQ% past maxReconsumeTimes", async () => {
  const f = await startBroker({}, { messageDelayLevel: "1s 1s 1s 1s 1s" });
  try {
    await f.client.invokeSync(f.addr, sendRequest("RetryTopic", "payload", { UNIQ_KEY: "U1" }), 3000);
    const pulled = await f.client.invokeSync(f.addr, pullRequest("CG", "RetryTopic", 0, 0), 3000);
    const [orig] = decodeRecords(pulled.body!);
    const back = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, {
        offset: String(orig!.commitLogOffset),
        group: "CG",
        delayLevel: "0",
        originMsgId: "U1",
        maxReconsumeTimes: "1",
      }),
      3000,
    );
    assert.equal(back.code, ResponseCode.SUCCESS, back.remark);
    let retried: RemotingCommand | undefined;
    await waitFor(async () => {
      retried = await f.client.invokeSync(f.addr, pullRequest("CG", "%RETRY%CG", 0, 0), 3000);
      return retried.code === ResponseCode.SUCCESS;
    }, 5000);
    const [r] = decodeRecords(retried!.body!);
    assert.equal(r!.reconsumeTimes, 1);
    assert.equal(r!.properties.RETRY_TOPIC, "RetryTopic");
    assert.equal(r!.properties.ORIGIN_MESSAGE_ID, "U1");

    const again = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, {
        offset: String(r!.commitLogOffset),
        group: "CG",
        delayLevel: "0",
        maxReconsumeTimes: "1",
      }),
      3000,
    );
    assert.equal(again.code, ResponseCode.SUCCESS);
    const dlq = await f.client.invokeSync(f.addr, pullRequest("CG", "%DLQ%CG", 0, 0), 3000);
    assert.equal(dlq.code, ResponseCode.SUCCESS);
    const [d] = decodeRecords(dlq.body!);
    assert.equal(new TextDecoder().decode(d!.body), "payload");
    assert.equal(d!.properties.RETRY_TOPIC, "RetryTopic");
  } finally {
    await f.stop();
  }
});

Deno.test("a send to %RETRY% with reconsumeTimes at the maximum is dead-lettered", async () => {
  const f = await startBroker();
  try {
    const res = await f.client.invokeSync(
      f.addr,
      sendRequest("%RETRY%G9", "dead", {}, { reconsumeTimes: 16 }),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    const dlq = await f.client.invokeSync(f.addr, pullRequest("G9", "%DLQ%G9", 0, 0), 3000);
    assert.equal(dlq.code, ResponseCode.SUCCESS);
  } finally {
    await f.stop();
  }
});

Deno.test("a reply message is pushed to the requesting producer's connection", async () => {
  const f = await startBroker();
  const responder = new RemotingClient({ name: "responder" });
  const pushed: RemotingCommand[] = [];
  f.client.registerProcessor(RequestCode.PUSH_REPLY_MESSAGE_TO_CLIENT, (req) => {
    pushed.push(req);
    return createResponse(req, ResponseCode.SUCCESS);
  });
  try {
    const hb: HeartbeatData = {
      clientID: "requester",
      producerDataSet: [{ groupName: "RP" }],
      consumerDataSet: [],
    };
    await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.HEART_BEAT, {}, encodeHeartbeatData(hb)),
      3000,
    );
    const req = sendRequest("TestCluster_REPLY_TOPIC", "answer", {
      MSG_TYPE: "reply",
      CORRELATION_ID: "c-1",
      REPLY_TO_CLIENT: "requester",
    }, { code: RequestCode.SEND_REPLY_MESSAGE_V2 });
    const res = await responder.invokeSync(f.addr, req, 3000);
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    assert.equal(pushed.length, 1);
    assert.equal(new TextDecoder().decode(pushed[0]!.body), "answer");
    assert.match(pushed[0]!.extFields.properties ?? "", /PUSH_REPLY_TIME/);
    assert.equal(pushed[0]!.extFields.topic, "TestCluster_REPLY_TOPIC");
  } finally {
    responder.close();
    await responder.closed();
    await f.stop();
  }
});
