import assert from "node:assert/strict";
import { createRequest, createResponse, type RemotingCommand } from "../../src/remoting/command.ts";
import { RemotingServer } from "../../src/remoting/server.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { decodeRegisterBrokerBody } from "../../src/protocol/register_broker.ts";
import { decodeKVTable } from "../../src/protocol/kv.ts";
import {
  decodeConsumeStats,
  decodeResetOffsetBody,
  decodeTopicStatsTable,
} from "../../src/protocol/bodies/stats.ts";
import {
  encodeSubscriptionGroupConfig,
  subscriptionGroupConfig,
} from "../../src/protocol/bodies/subscription_group.ts";
import { parseLooseJson } from "../../src/protocol/bodies/object_key_map.ts";
import { decodeRecords } from "../../src/message/record_codec.ts";
import { decodeOffsetMsgId } from "../../src/message/msg_id.ts";
import { encodeHeartbeatData } from "../../src/protocol/bodies/heartbeat.ts";
import { pullRequest, sendRequest, startBroker, waitFor } from "./helpers.ts";

const text = new TextDecoder();

Deno.test("UPDATE_AND_CREATE_TOPIC creates a topic, refuses system topics, DELETE_TOPIC_IN_BROKER removes it", async () => {
  const f = await startBroker();
  try {
    const create = (topic: string) =>
      f.client.invokeSync(
        f.addr,
        createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, {
          topic,
          defaultTopic: "TBW102",
          readQueueNums: "2",
          writeQueueNums: "2",
          perm: "6",
          topicFilterType: "SINGLE_TAG",
          topicSysFlag: "0",
          order: "false",
        }),
        3000,
      );
    assert.equal((await create("AdminTopic")).code, ResponseCode.SUCCESS);
    const sys = await create("SCHEDULE_TOPIC_XXXX");
    assert.equal(sys.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(sys.remark, "The topic[SCHEDULE_TOPIC_XXXX] is conflict with system topic.");

    const all = await f.client.invokeSync(f.addr, createRequest(RequestCode.GET_ALL_TOPIC_CONFIG), 3000);
    const wrapper = JSON.parse(text.decode(all.body));
    assert.equal(wrapper.topicConfigTable.AdminTopic.readQueueNums, 2);
    assert.ok(wrapper.dataVersion.counter >= 1);

    const del = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: "AdminTopic" }),
      3000,
    );
    assert.equal(del.code, ResponseCode.SUCCESS);
    assert.equal(f.broker.context.topicConfigManager.selectTopicConfig("AdminTopic"), undefined);
    const topicsJson = await Deno.readTextFile(`${f.dir}/config/topics.json`);
    assert.ok(!topicsJson.includes('"AdminTopic"'));
  } finally {
    await f.stop();
  }
});

Deno.test("subscription groups can be created, listed and deleted with their offsets", async () => {
  const f = await startBroker();
  try {
    const body = encodeSubscriptionGroupConfig(subscriptionGroupConfig("AdminGroup", { retryMaxTimes: 3 }));
    const up = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, {}, body),
      3000,
    );
    assert.equal(up.code, ResponseCode.SUCCESS);
    const all = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG),
      3000,
    );
    assert.equal(JSON.parse(text.decode(all.body)).subscriptionGroupTable.AdminGroup.retryMaxTimes, 3);
    f.broker.context.consumerOffsetManager.commitOffset("AdminGroup", "T", 0, 5);
    const del = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.DELETE_SUBSCRIPTIONGROUP, { groupName: "AdminGroup", removeOffset: "true" }),
      3000,
    );
    assert.equal(del.code, ResponseCode.SUCCESS);
    assert.equal(f.broker.context.subscriptionGroupManager.get("AdminGroup"), undefined);
    assert.equal(f.broker.context.consumerOffsetManager.queryOffset("AdminGroup", "T", 0), -1);
  } finally {
    await f.stop();
  }
});

Deno.test("runtime info, broker config and stats answer in the shapes mqadmin reads", async () => {
  const f = await startBroker();
  try {
    await f.client.invokeSync(f.addr, sendRequest("StatTopic", "x"), 3000);
    f.broker.context.consumerOffsetManager.commitOffset("SG", "StatTopic", 0, 1);

    const rt = decodeKVTable(
      (await f.client.invokeSync(f.addr, createRequest(RequestCode.GET_BROKER_RUNTIME_INFO), 3000)).body,
    );
    assert.equal(rt.get("brokerVersionDesc"), "V4_9_8");
    assert.match(rt.get("putTps") ?? "", /^[\d.]+ [\d.]+ [\d.]+$/);
    assert.ok(rt.has("getTransferedTps"));

    const cfg = await f.client.invokeSync(f.addr, createRequest(RequestCode.GET_BROKER_CONFIG), 3000);
    assert.match(text.decode(cfg.body), /brokerName=broker-a\n/);
    assert.ok(JSON.parse(cfg.extFields.version ?? "").counter >= 0);
    const upd = await f.client.invokeSync(
      f.addr,
      createRequest(
        RequestCode.UPDATE_BROKER_CONFIG,
        {},
        new TextEncoder().encode("defaultTopicQueueNums=3\n"),
      ),
      3000,
    );
    assert.equal(upd.code, ResponseCode.SUCCESS);
    assert.equal(f.brokerConfig.defaultTopicQueueNums, 3);
    const black = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.UPDATE_BROKER_CONFIG, {}, new TextEncoder().encode("brokerConfigPath=/x\n")),
      3000,
    );
    assert.equal(black.code, ResponseCode.NO_PERMISSION);

    const ts = decodeTopicStatsTable(
      (await f.client.invokeSync(
        f.addr,
        createRequest(RequestCode.GET_TOPIC_STATS_INFO, { topic: "StatTopic" }),
        3000,
      ))
        .body!,
    );
    assert.equal(ts.offsetTable.length, 4);
    assert.deepEqual(ts.offsetTable[0]![0], { brokerName: "broker-a", queueId: 0, topic: "StatTopic" });
    assert.equal(ts.offsetTable[0]![1].maxOffset, 1);

    const csRes = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_CONSUME_STATS, { consumerGroup: "SG" }),
      3000,
    );
    assert.match(text.decode(csRes.body), /^\{"consumeTps":0\.0,"offsetTable":\{\{"brokerName":"broker-a"/);
    const cs = decodeConsumeStats(csRes.body!);
    assert.deepEqual(cs.offsetTable[0]![1].consumerOffset, 1);
    assert.deepEqual(cs.offsetTable[0]![1].brokerOffset, 1);

    const offsets = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_ALL_CONSUMER_OFFSET),
      3000,
    );
    assert.match(text.decode(offsets.body), /"StatTopic@SG":\{0:1/);
    const delay = await f.client.invokeSync(f.addr, createRequest(RequestCode.GET_ALL_DELAY_OFFSET), 3000);
    assert.ok(parseLooseJson(text.decode(delay.body)));
    const sys = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER),
      3000,
    );
    assert.ok(JSON.parse(text.decode(sys.body)).topicList.includes("TBW102"));
    const who = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic: "StatTopic" }),
      3000,
    );
    assert.deepEqual(JSON.parse(text.decode(who.body)).groupList, ["SG"]);
    const stats = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.VIEW_BROKER_STATS_DATA, {
        statsName: "TOPIC_PUT_NUMS",
        statsKey: "StatTopic",
      }),
      3000,
    );
    assert.equal(stats.code, ResponseCode.SUCCESS);
    assert.equal(JSON.parse(text.decode(stats.body)).statsMinute.sum, 1);
  } finally {
    await f.stop();
  }
});

Deno.test("connection lists describe the registered clients; unknown groups answer upstream's codes", async () => {
  const f = await startBroker();
  try {
    const hb = encodeHeartbeatData({
      clientID: "cid-1",
      producerDataSet: [{ groupName: "PG1" }],
      consumerDataSet: [{
        groupName: "CG1",
        consumeType: "CONSUME_ACTIVELY",
        messageModel: "CLUSTERING",
        consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
        unitMode: false,
        subscriptionDataSet: [],
      }],
    });
    await f.client.invokeSync(f.addr, createRequest(RequestCode.HEART_BEAT, {}, hb), 3000);
    const cc = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: "CG1" }),
      3000,
    );
    const body = JSON.parse(text.decode(cc.body));
    assert.equal(body.connectionSet[0].clientId, "cid-1");
    assert.equal(body.consumeType, "CONSUME_ACTIVELY");
    const pc = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_PRODUCER_CONNECTION_LIST, { producerGroup: "PG1" }),
      3000,
    );
    assert.equal(JSON.parse(text.decode(pc.body)).connectionSet[0].clientId, "cid-1");
    const none = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: "X" }),
      3000,
    );
    assert.equal(none.code, ResponseCode.CONSUMER_NOT_ONLINE);
    assert.equal(none.remark, "the consumer group[X] not online");
  } finally {
    await f.stop();
  }
});

Deno.test("reset offset stores the targets and pushes RESET_CONSUMER_CLIENT_OFFSET to the group", async () => {
  const f = await startBroker();
  const pushed: RemotingCommand[] = [];
  f.client.registerProcessor(RequestCode.RESET_CONSUMER_CLIENT_OFFSET, (req) => {
    pushed.push(req);
    return null;
  });
  try {
    for (let i = 0; i < 3; i++) await f.client.invokeSync(f.addr, sendRequest("ResetTopic", "x"), 3000);
    for (let q = 0; q < 4; q++) f.broker.context.consumerOffsetManager.commitOffset("RG", "ResetTopic", q, 0);
    const offline = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
        topic: "ResetTopic",
        group: "RG",
        timestamp: "-1",
        isForce: "true",
      }),
      3000,
    );
    assert.equal(offline.code, ResponseCode.CONSUMER_NOT_ONLINE);
    const hb = encodeHeartbeatData({
      clientID: "r1",
      producerDataSet: [],
      consumerDataSet: [{
        groupName: "RG",
        consumeType: "CONSUME_PASSIVELY",
        messageModel: "CLUSTERING",
        consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
        unitMode: false,
        subscriptionDataSet: [],
      }],
    });
    await f.client.invokeSync(f.addr, createRequest(RequestCode.HEART_BEAT, {}, hb), 3000);
    const res = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, {
        topic: "ResetTopic",
        group: "RG",
        timestamp: "-1",
        isForce: "true",
      }),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS, res.remark);
    const table = decodeResetOffsetBody(res.body!);
    assert.deepEqual(table[0], [{ brokerName: "broker-a", queueId: 0, topic: "ResetTopic" }, 3]);
    await waitFor(() => pushed.length === 1);
    assert.equal(pushed[0]!.extFields.group, "RG");
    assert.equal(f.broker.context.consumerOffsetManager.queryOffset("RG", "ResetTopic", 0), 3);
  } finally {
    await f.stop();
  }
});

Deno.test("messages can be found by key and viewed by offset msgId", async () => {
  const f = await startBroker();
  try {
    const sent = await f.client.invokeSync(
      f.addr,
      sendRequest("QueryTopic", "findme", { KEYS: "order-1" }),
      3000,
    );
    const msgId = sent.extFields.msgId!;
    const view = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(decodeOffsetMsgId(msgId).offset) }),
      3000,
    );
    assert.equal(view.code, ResponseCode.SUCCESS);
    assert.equal(text.decode(decodeRecords(view.body!)[0]!.body), "findme");
    const missing = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.VIEW_MESSAGE_BY_ID, { offset: "999999" }),
      3000,
    );
    assert.equal(missing.code, ResponseCode.SYSTEM_ERROR);

    let found: RemotingCommand | undefined;
    await waitFor(async () => {
      found = await f.client.invokeSync(
        f.addr,
        createRequest(RequestCode.QUERY_MESSAGE, {
          topic: "QueryTopic",
          key: "order-1",
          maxNum: "32",
          beginTimestamp: "0",
          endTimestamp: String(Date.now() + 60_000),
        }),
        3000,
      );
      return found.code === ResponseCode.SUCCESS;
    });
    assert.equal(text.decode(decodeRecords(found!.body!)[0]!.body), "findme");
    assert.ok(found!.extFields.indexLastUpdateTimestamp !== undefined);
  } finally {
    await f.stop();
  }
});

Deno.test("the broker registers with every name server, re-registers on topic changes and unregisters at shutdown", async () => {
  const seen: Array<{ code: number; topics: string[] }> = [];
  const ns = new RemotingServer({ hostname: "127.0.0.1", port: 0, name: "fake-ns" });
  ns.registerProcessor(RequestCode.REGISTER_BROKER, (req) => {
    const body = decodeRegisterBrokerBody(req.body!, req.extFields.compressed === "true");
    seen.push({ code: req.code, topics: [...body.topicConfigSerializeWrapper.topicConfigTable.keys()] });
    assert.equal(req.extFields.brokerName, "broker-a");
    return createResponse(req, ResponseCode.SUCCESS);
  });
  ns.registerProcessor(RequestCode.UNREGISTER_BROKER, (req) => {
    seen.push({ code: req.code, topics: [] });
    return createResponse(req, ResponseCode.SUCCESS);
  });
  await ns.start();
  const f = await startBroker({ namesrvAddr: `127.0.0.1:${ns.port}` });
  try {
    assert.equal(seen.length, 1);
    assert.ok(seen[0]!.topics.includes("TBW102"));
    await f.client.invokeSync(f.addr, sendRequest("FreshTopic", "x"), 3000);
    await waitFor(() => seen.some((s) => s.topics.includes("FreshTopic")));
  } finally {
    await f.stop();
    await ns.shutdown();
  }
  assert.equal(seen.at(-1)!.code, RequestCode.UNREGISTER_BROKER);
});

Deno.test("the VIP port (listenPort - 2) serves the same requests", async () => {
  const f = await startBroker({}, {}, { vipChannelEnabled: true });
  try {
    assert.ok(f.broker.vipPort > 0);
    const res = await f.client.invokeSync(
      `127.0.0.1:${f.broker.vipPort}`,
      sendRequest("VipTopic", "x"),
      3000,
    );
    assert.equal(res.code, ResponseCode.SUCCESS);
    const pull = await f.client.invokeSync(f.addr, pullRequest("G", "VipTopic", 0, 0), 3000);
    assert.equal(pull.code, ResponseCode.SUCCESS);
  } finally {
    await f.stop();
  }
});

Deno.test("time span, broker consume stats, group offset cloning and producer info answer", async () => {
  const f = await startBroker();
  try {
    for (let i = 0; i < 2; i++) await f.client.invokeSync(f.addr, sendRequest("SpanTopic", "x"), 3000);
    f.broker.context.consumerOffsetManager.commitOffset("SpanG", "SpanTopic", 0, 1);
    const span = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.QUERY_CONSUME_TIME_SPAN, { topic: "SpanTopic", group: "SpanG" }),
      3000,
    );
    const set = JSON.parse(text.decode(span.body)).consumeTimeSpanSet;
    assert.equal(set.length, 4);
    assert.ok(set[0].maxTimeStamp >= set[0].minTimeStamp && set[0].minTimeStamp > 0);

    const clone = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.CLONE_GROUP_OFFSET, {
        srcGroup: "SpanG",
        destGroup: "Copy",
        offline: "false",
      }),
      3000,
    );
    assert.equal(clone.code, ResponseCode.SUCCESS);
    assert.equal(f.broker.context.consumerOffsetManager.queryOffset("Copy", "SpanTopic", 0), 1);

    const hb = encodeHeartbeatData({
      clientID: "s1",
      producerDataSet: [{ groupName: "SP" }],
      consumerDataSet: [{
        groupName: "SpanG",
        consumeType: "CONSUME_PASSIVELY",
        messageModel: "CLUSTERING",
        consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
        unitMode: false,
        subscriptionDataSet: [{
          classFilterMode: false,
          topic: "SpanTopic",
          subString: "*",
          tagsSet: [],
          codeSet: [],
          subVersion: 1,
          expressionType: "TAG",
        }],
      }],
    });
    await f.client.invokeSync(f.addr, createRequest(RequestCode.HEART_BEAT, {}, hb), 3000);
    const bcs = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_BROKER_CONSUME_STATS, { isOrder: "false" }),
      3000,
    );
    const parsed = parseLooseJson(text.decode(bcs.body)) as Record<string, unknown>;
    assert.equal(parsed.totalDiff, 1);
    const producers = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.GET_ALL_PRODUCER_INFO),
      3000,
    );
    assert.equal(JSON.parse(text.decode(producers.body)).data.SP[0].clientId, "s1");
  } finally {
    await f.stop();
  }
});

Deno.test("a request missing a required header field gets SYSTEM_ERROR naming the field", async () => {
  const f = await startBroker();
  try {
    const res = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.PULL_MESSAGE, { consumerGroup: "G" }),
      3000,
    );
    assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
    assert.match(res.remark ?? "", /"topic"/);
    const junk = await f.client.invokeSync(
      f.addr,
      createRequest(RequestCode.HEART_BEAT, {}, new Uint8Array([1, 2, 3])),
      3000,
    );
    assert.equal(junk.code, ResponseCode.SYSTEM_ERROR);
  } finally {
    await f.stop();
  }
});
