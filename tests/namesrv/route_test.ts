import { assert, assertEquals, assertStringIncludes } from "./helpers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { defaultTopicConfig } from "../../src/protocol/register_broker.ts";
import { decodeTopicRouteData } from "../../src/protocol/route.ts";
import { decodeClusterInfo } from "../../src/protocol/cluster.ts";
import { decodeKVTable } from "../../src/protocol/kv.ts";
import { registerRequest, request, startNamesrv, text } from "./helpers.ts";

const ROUTE_A =
  '{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],' +
  '"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,' +
  '"writeQueueNums":4}]}';

Deno.test("GET_ROUTEINFO_BY_TOPIC answers an old client (version < 401) with bare integer brokerAddrs keys", async () => {
  const ns = await startNamesrv();
  try {
    const reg = await ns.call(registerRequest());
    assertEquals(reg.code, ResponseCode.SUCCESS);
    const res = await ns.call(request(105, { topic: "TopicA" }, 317));
    assertEquals(res.code, ResponseCode.SUCCESS);
    assertEquals(text(res.body), ROUTE_A);
  } finally {
    await ns.dispose();
  }
});

Deno.test("GET_ROUTEINFO_BY_TOPIC answers version ≥ 401 or acceptStandardJsonOnly with quoted, sorted keys", async () => {
  const ns = await startNamesrv();
  try {
    await ns.call(registerRequest({ brokerId: 1, brokerAddr: "127.0.0.1:10921" }));
    await ns.call(registerRequest());
    const expected = '"brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:10921"}';
    const v409 = await ns.call(request(105, { topic: "TopicA" }, 409));
    assertStringIncludes(text(v409.body), expected);
    const old = await ns.call(request(105, { topic: "TopicA", acceptStandardJsonOnly: "true" }, 121));
    assertStringIncludes(text(old.body), expected);
    const route = decodeTopicRouteData(v409.body);
    assertEquals(route.brokerDatas[0]?.brokerAddrs.get(1), "127.0.0.1:10921");
    assertEquals(route.queueDatas.length, 1);
  } finally {
    await ns.dispose();
  }
});

Deno.test("GET_ROUTEINFO_BY_TOPIC answers TOPIC_NOT_EXIST with upstream's remark for an unknown topic", async () => {
  const ns = await startNamesrv();
  try {
    const res = await ns.call(request(105, { topic: "Nope" }));
    assertEquals(res.code, ResponseCode.TOPIC_NOT_EXIST);
    assertEquals(
      res.remark,
      "No topic route info in name server for the topic: Nope\nSee http://rocketmq.apache.org/docs/faq/ for further details.",
    );
    assertEquals(res.body, undefined);
  } finally {
    await ns.dispose();
  }
});

Deno.test("REGISTER_BROKER accepts the compressed body form", async () => {
  const ns = await startNamesrv();
  try {
    const topics = [
      defaultTopicConfig("T1", { readQueueNums: 8, writeQueueNums: 8 }),
      defaultTopicConfig("T2", { perm: 4, topicFilterType: "MULTI_TAG" }),
    ];
    const reg = await ns.call(registerRequest({ compressed: true, topics }));
    assertEquals(reg.code, ResponseCode.SUCCESS);
    const r2 = decodeTopicRouteData(
      (await ns.call(request(105, { topic: "T2" }))).body,
    );
    assertEquals(r2.queueDatas[0], {
      brokerName: "broker-a",
      readQueueNums: 16,
      writeQueueNums: 16,
      perm: 4,
      topicSysFlag: 0,
    });
  } finally {
    await ns.dispose();
  }
});

Deno.test("REGISTER_BROKER refuses a body whose CRC does not match the header", async () => {
  const ns = await startNamesrv();
  try {
    const res = await ns.call(registerRequest({ bodyCrc32: 12345 }));
    assertEquals(res.code, ResponseCode.SYSTEM_ERROR);
    assertEquals(res.remark, "crc32 not match");
    const route = await ns.call(request(105, { topic: "TopicA" }));
    assertEquals(route.code, ResponseCode.TOPIC_NOT_EXIST);
  } finally {
    await ns.dispose();
  }
});

Deno.test("REGISTER_BROKER with a missing header field answers SYSTEM_ERROR naming it", async () => {
  const ns = await startNamesrv();
  try {
    const req = registerRequest();
    delete req.extFields.brokerName;
    const res = await ns.call(req);
    assertEquals(res.code, ResponseCode.SYSTEM_ERROR);
    assertStringIncludes(res.remark ?? "", "brokerName");
  } finally {
    await ns.dispose();
  }
});

Deno.test("REGISTER_BROKER from a slave returns its master's address and HA address", async () => {
  const ns = await startNamesrv();
  try {
    await ns.call(registerRequest({ haServerAddr: "127.0.0.1:10912" }));
    const res = await ns.call(
      registerRequest({ brokerId: 1, brokerAddr: "127.0.0.1:10921", haServerAddr: "127.0.0.1:10922" }),
    );
    assertEquals(res.extFields.masterAddr, "127.0.0.1:10911");
    assertEquals(res.extFields.haServerAddr, "127.0.0.1:10912");
  } finally {
    await ns.dispose();
  }
});

Deno.test("queue data is rebuilt only when the registering master's data version changes", async () => {
  const ns = await startNamesrv();
  try {
    const dv = { counter: 1, timestamp: 1000 };
    await ns.call(registerRequest({ dataVersion: dv }));
    // Same version, different queue count: ignored, as upstream (the broker bumps the version on change).
    await ns.call(registerRequest({
      dataVersion: dv,
      topics: [defaultTopicConfig("TopicA", { readQueueNums: 2, writeQueueNums: 2 })],
    }));
    let route = decodeTopicRouteData(
      (await ns.call(request(105, { topic: "TopicA" }))).body,
    );
    assertEquals(route.queueDatas[0]?.writeQueueNums, 4);
    await ns.call(registerRequest({
      dataVersion: { counter: 2, timestamp: 2000 },
      topics: [defaultTopicConfig("TopicB", { readQueueNums: 2, writeQueueNums: 2 })],
    }));
    route = decodeTopicRouteData(
      (await ns.call(request(105, { topic: "TopicB" }))).body,
    );
    assertEquals(route.queueDatas[0]?.writeQueueNums, 2);
    // Topics missing from a later registration are kept (4.9).
    const a = await ns.call(request(105, { topic: "TopicA" }));
    assertEquals(a.code, ResponseCode.SUCCESS);
  } finally {
    await ns.dispose();
  }
});

Deno.test("QUERY_DATA_VERSION reports whether the broker's version differs from the recorded one", async () => {
  const ns = await startNamesrv();
  try {
    const ident = {
      brokerName: "broker-a",
      brokerAddr: "127.0.0.1:10911",
      clusterName: "DefaultCluster",
      brokerId: "0",
    };
    await ns.call(registerRequest({ dataVersion: { counter: 3, timestamp: 33 } }));
    const same = request(RequestCode.QUERY_DATA_VERSION, ident);
    same.body = new TextEncoder().encode('{"counter":3,"timestamp":33}');
    const r1 = await ns.call(same);
    assertEquals(r1.extFields.changed, "false");
    assertEquals(text(r1.body), '{"counter":3,"timestamp":33}');
    const other = request(RequestCode.QUERY_DATA_VERSION, ident);
    other.body = new TextEncoder().encode('{"counter":4,"timestamp":44}');
    const r2 = await ns.call(other);
    assertEquals(r2.extFields.changed, "true");
  } finally {
    await ns.dispose();
  }
});

Deno.test("a broker that stops registering for 120 s is dropped by the liveness scan", async () => {
  let now = 1_000_000;
  const ns = await startNamesrv({ clock: () => now });
  const broker = new RemotingClient({ name: "broker" });
  try {
    await broker.invokeSync(ns.addr, registerRequest(), 3000);
    now += 119_000;
    assertEquals(ns.controller.routeInfoManager.scanNotActiveBroker(), 0);
    now += 2_000;
    assertEquals(ns.controller.routeInfoManager.scanNotActiveBroker(), 1);
    const res = await ns.call(request(105, { topic: "TopicA" }));
    assertEquals(res.code, ResponseCode.TOPIC_NOT_EXIST);
    const info = decodeClusterInfo((await ns.call(request(106))).body);
    assertEquals(info.brokerAddrTable.size, 0);
    assertEquals(info.clusterAddrTable.size, 0);
  } finally {
    broker.close();
    await broker.closed();
    await ns.dispose();
  }
});

Deno.test("a broker whose connection closes is removed at once", async () => {
  const ns = await startNamesrv();
  const broker = new RemotingClient({ name: "broker" });
  try {
    await broker.invokeSync(ns.addr, registerRequest(), 3000);
    assertEquals((await ns.call(request(105, { topic: "TopicA" }))).code, 0);
    broker.closeChannel(ns.addr);
    let code = 0;
    for (let i = 0; i < 100 && code === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      code = (await ns.call(request(105, { topic: "TopicA" }))).code;
    }
    assertEquals(code, ResponseCode.TOPIC_NOT_EXIST);
  } finally {
    broker.close();
    await broker.closed();
    await ns.dispose();
  }
});

Deno.test("UNREGISTER_BROKER removes the member, and the group's topics with its last member", async () => {
  const ns = await startNamesrv();
  try {
    await ns.call(registerRequest());
    await ns.call(registerRequest({ brokerId: 1, brokerAddr: "127.0.0.1:10921" }));
    const ident = (id: number, addr: string) => ({
      brokerName: "broker-a",
      brokerAddr: addr,
      clusterName: "DefaultCluster",
      brokerId: String(id),
    });
    await ns.call(request(RequestCode.UNREGISTER_BROKER, ident(0, "127.0.0.1:10911")));
    const route = decodeTopicRouteData(
      (await ns.call(request(105, { topic: "TopicA" }))).body,
    );
    assertEquals([...route.brokerDatas[0]!.brokerAddrs], [[1, "127.0.0.1:10921"]]);
    await ns.call(request(RequestCode.UNREGISTER_BROKER, ident(1, "127.0.0.1:10921")));
    assertEquals((await ns.call(request(105, { topic: "TopicA" }))).code, 17);
  } finally {
    await ns.dispose();
  }
});

Deno.test("a slave promoted to master under the same address loses its old id", async () => {
  const ns = await startNamesrv();
  try {
    await ns.call(registerRequest({ brokerId: 1, brokerAddr: "127.0.0.1:10921" }));
    await ns.call(registerRequest({ brokerId: 0, brokerAddr: "127.0.0.1:10921" }));
    const info = decodeClusterInfo((await ns.call(request(106))).body);
    assertEquals([...info.brokerAddrTable.get("broker-a")!.brokerAddrs], [[0, "127.0.0.1:10921"]]);
  } finally {
    await ns.dispose();
  }
});

Deno.test("GET_BROKER_CLUSTER_INFO uses the default form with bare integer keys", async () => {
  const ns = await startNamesrv();
  try {
    await ns.call(registerRequest());
    const res = await ns.call(request(106));
    assertEquals(
      text(res.body),
      '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a",' +
        '"cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}',
    );
  } finally {
    await ns.dispose();
  }
});

Deno.test("orderTopicConf comes from the ORDER_TOPIC_CONFIG namespace when orderMessageEnable is set", async () => {
  const ns = await startNamesrv({ config: { orderMessageEnable: true } });
  try {
    await ns.call(request(RequestCode.PUT_KV_CONFIG, {
      namespace: "ORDER_TOPIC_CONFIG",
      key: "TopicA",
      value: "broker-a:4",
    }));
    const reg = await ns.call(registerRequest());
    assertEquals([...decodeKVTable(reg.body)], [["TopicA", "broker-a:4"]]);
    const res = await ns.call(request(105, { topic: "TopicA" }));
    assertEquals(decodeTopicRouteData(res.body).orderTopicConf, "broker-a:4");
    assert(text(res.body).includes('"orderTopicConf":"broker-a:4"'));
  } finally {
    await ns.dispose();
  }
});

Deno.test("WIPE/ADD_WRITE_PERM_OF_BROKER flip the write bit and report the topic count", async () => {
  const ns = await startNamesrv();
  try {
    const topics = [defaultTopicConfig("T1"), defaultTopicConfig("T2", { perm: 4 })];
    await ns.call(registerRequest({ topics }));
    const wipe = await ns.call(request(205, { brokerName: "broker-a" }));
    assertEquals(wipe.extFields.wipeTopicCount, "2");
    const perm = async (t: string) =>
      decodeTopicRouteData((await ns.call(request(105, { topic: t }))).body)
        .queueDatas[0]
        ?.perm;
    assertEquals(await perm("T1"), 4);
    const add = await ns.call(request(327, { brokerName: "broker-a" }));
    assertEquals(add.extFields.addTopicCount, "2");
    assertEquals(await perm("T1"), 6);
    assertEquals(await perm("T2"), 6);
    const none = await ns.call(request(205, { brokerName: "broker-x" }));
    assertEquals(none.extFields.wipeTopicCount, "0");
  } finally {
    await ns.dispose();
  }
});

Deno.test("an unknown request code gets REQUEST_CODE_NOT_SUPPORTED", async () => {
  const ns = await startNamesrv();
  try {
    const res = await ns.call(request(9999));
    assertEquals(res.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  } finally {
    await ns.dispose();
  }
});

Deno.test("5.x BROKER_HEARTBEAT keeps a broker alive; a 5.x heartbeatTimeoutMillis replaces the 120 s default", async () => {
  let now = 1_000_000;
  const ns = await startNamesrv({ clock: () => now });
  const broker = new RemotingClient({ name: "broker" });
  try {
    const reg = registerRequest();
    reg.extFields.heartbeatTimeoutMillis = "30000";
    await broker.invokeSync(ns.addr, reg, 3000);
    now += 25_000;
    const hb = request(RequestCode.BROKER_HEARTBEAT, {
      clusterName: "DefaultCluster",
      brokerAddr: "127.0.0.1:10911",
    });
    assertEquals((await ns.call(hb)).code, 0);
    now += 25_000;
    assertEquals(ns.controller.routeInfoManager.scanNotActiveBroker(), 0);
    now += 6_000;
    assertEquals(ns.controller.routeInfoManager.scanNotActiveBroker(), 1);
  } finally {
    broker.close();
    await broker.closed();
    await ns.dispose();
  }
});

Deno.test("5.x REGISTER_TOPIC_IN_NAMESRV adds a topic on registered brokers; GET_BROKER_MEMBER_GROUP lists a group", async () => {
  const ns = await startNamesrv();
  try {
    await ns.call(registerRequest());
    const reg = request(RequestCode.REGISTER_TOPIC_IN_NAMESRV, { topic: "NewT" });
    reg.body = new TextEncoder().encode(
      '{"brokerDatas":[],"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":2,"topicSysFlag":0,"writeQueueNums":2}]}',
    );
    assertEquals((await ns.call(reg)).code, 0);
    const route = decodeTopicRouteData(
      (await ns.call(request(105, { topic: "NewT" }))).body,
    );
    assertEquals(route.queueDatas[0]?.writeQueueNums, 2);
    const group = await ns.call(
      request(RequestCode.GET_BROKER_MEMBER_GROUP, { clusterName: "DefaultCluster", brokerName: "broker-a" }),
    );
    assertEquals(
      text(group.body),
      '{"brokerMemberGroup":{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}}',
    );
  } finally {
    await ns.dispose();
  }
});

Deno.test("a name server with the liveness scan running shuts down without leaking its timers", async () => {
  const ns = await startNamesrv({ disableScan: false, config: { scanNotActiveBrokerInterval: 10 } });
  try {
    await ns.call(registerRequest());
    await new Promise((r) => setTimeout(r, 30));
    assertEquals((await ns.call(request(105, { topic: "TopicA" }))).code, 0);
  } finally {
    await ns.dispose();
  }
});

Deno.test("malformed registration and data-version bodies get SYSTEM_ERROR and the name server keeps serving", async () => {
  const ns = await startNamesrv();
  try {
    const garbage = new TextEncoder().encode("{not json");
    for (const compressed of [false, true]) {
      const req = registerRequest({ compressed });
      req.body = garbage;
      req.extFields.bodyCrc32 = "0";
      const res = await ns.call(req);
      assertEquals(res.code, ResponseCode.SYSTEM_ERROR);
    }
    const noBody = request(RequestCode.QUERY_DATA_VERSION, {
      brokerName: "b",
      brokerAddr: "1.2.3.4:1",
      clusterName: "c",
      brokerId: "zero",
    });
    assertEquals((await ns.call(noBody)).code, ResponseCode.SYSTEM_ERROR);
    const ok = await ns.call(registerRequest());
    assertEquals(ok.code, ResponseCode.SUCCESS);
  } finally {
    await ns.dispose();
  }
});

Deno.test("a registration without a body (old brokers) records the broker with an empty topic table", async () => {
  const ns = await startNamesrv();
  try {
    const req = registerRequest();
    req.body = undefined;
    req.extFields.bodyCrc32 = "0";
    assertEquals((await ns.call(req)).code, 0);
    const info = decodeClusterInfo((await ns.call(request(106))).body);
    assertEquals(info.brokerAddrTable.get("broker-a")?.brokerAddrs.get(0), "127.0.0.1:10911");
    assertEquals(ns.controller.routeInfoManager.brokerLiveInfo("127.0.0.1:10911")?.dataVersion, {
      counter: 0,
      timestamp: 0,
    });
  } finally {
    await ns.dispose();
  }
});

Deno.test("a pre-3.0.11 broker (version < 37) registers with a bare TopicConfigSerializeWrapper", async () => {
  const ns = await startNamesrv();
  try {
    const req = registerRequest();
    req.version = 30;
    req.body = new TextEncoder().encode(
      '{"dataVersion":{"counter":1,"timestamp":5},"topicConfigTable":{"Old":{"perm":6,"readQueueNums":2,' +
        '"topicFilterType":"SINGLE_TAG","topicName":"Old","topicSysFlag":0,"writeQueueNums":2}}}',
    );
    assertEquals((await ns.call(req)).code, 0);
    assertEquals((await ns.call(request(105, { topic: "Old" }))).code, 0);
  } finally {
    await ns.dispose();
  }
});
