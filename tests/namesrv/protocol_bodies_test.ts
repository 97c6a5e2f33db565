import {
  decodeRegisterBrokerBody,
  decodeTopicConfigText,
  defaultTopicConfig,
  encodeRegisterBrokerBody,
  encodeTopicConfigText,
  encodeTopicConfigWrapper,
  type RegisterBrokerBody,
} from "../../src/protocol/register_broker.ts";
import { IntKeyMap, JavaDouble, toFastjson } from "../../src/protocol/fastjson.ts";
import { decodeTopicRouteData, encodeTopicRouteData, type TopicRouteData } from "../../src/protocol/route.ts";
import { assertEquals, text } from "./helpers.ts";

const body: RegisterBrokerBody = {
  topicConfigSerializeWrapper: {
    topicConfigTable: new Map([
      ["T1", defaultTopicConfig("T1", { readQueueNums: 8, writeQueueNums: 4, perm: 6 })],
      ["T2", defaultTopicConfig("T2", { topicFilterType: "MULTI_TAG", perm: 2 })],
    ]),
    dataVersion: { counter: 7, timestamp: 1_700_000_000_000 },
  },
  filterServerList: [],
};

Deno.test("toFastjson() sorts bean members, omits nulls and writes integer map keys bare", () => {
  assertEquals(
    toFastjson({ z: 1, a: null, m: new IntKeyMap([[1, "b"], [0, "a"]]), d: new JavaDouble(2), s: "é" }),
    '{"d":2.0,"m":{1:"b",0:"a"},"s":"é","z":1}',
  );
  assertEquals(
    toFastjson({ m: new IntKeyMap([[1, "b"], [0, "a"]]), s: "é", big: 12345678901234567890n }, {
      browserCompatible: true,
    }),
    '{"big":"12345678901234567890","m":{"0":"a","1":"b"},"s":"\\u00e9"}',
  );
});

Deno.test("RegisterBrokerBody round-trips through the JSON form with upstream's member names", () => {
  const bytes = encodeRegisterBrokerBody(body, false);
  assertEquals(
    text(bytes),
    '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":7,"timestamp":1700000000000},' +
      '"topicConfigTable":{"T1":{"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG",' +
      '"topicName":"T1","topicSysFlag":0,"writeQueueNums":4},"T2":{"order":false,"perm":2,"readQueueNums":16,' +
      '"topicFilterType":"MULTI_TAG","topicName":"T2","topicSysFlag":0,"writeQueueNums":16}}}}',
  );
  assertEquals(decodeRegisterBrokerBody(bytes, false), body);
});

Deno.test("RegisterBrokerBody round-trips through the compressed binary form", () => {
  const bytes = encodeRegisterBrokerBody(body, true);
  assertEquals(bytes[0], 0x78); // zlib header
  assertEquals(decodeRegisterBrokerBody(bytes, true), body);
});

Deno.test("the compact topic config text form is `name read write perm filterType`", () => {
  const tc = defaultTopicConfig("T1", { readQueueNums: 8, writeQueueNums: 4 });
  assertEquals(encodeTopicConfigText(tc), "T1 8 4 6 SINGLE_TAG");
  assertEquals(decodeTopicConfigText("T1 8 4 6 SINGLE_TAG"), tc);
  const with5x = decodeTopicConfigText('T1 8 4 6 SINGLE_TAG {"+message.type":"FIFO"}');
  assertEquals(with5x.attributes, { "+message.type": "FIFO" });
});

Deno.test("decodeRegisterBrokerBody() rejects garbage with a readable error instead of crashing", () => {
  for (
    const [bytes, compressed] of [[new Uint8Array([1, 2, 3]), true], [
      new TextEncoder().encode("{"),
      false,
    ]] as const
  ) {
    let message = "";
    try {
      decodeRegisterBrokerBody(bytes, compressed);
    } catch (e) {
      message = (e as Error).message;
    }
    assertEquals(message.length > 0, true);
  }
});

Deno.test("a bare TopicConfigSerializeWrapper is what pre-3.0.11 brokers send", () => {
  const bytes = encodeTopicConfigWrapper(body.topicConfigSerializeWrapper);
  assertEquals(text(bytes).startsWith('{"dataVersion":{"counter":7,'), true);
});

Deno.test("decodeTopicRouteData() reads both encodings and the pre-4.9 topicSynFlag name", () => {
  const route: TopicRouteData = {
    queueDatas: [{ brokerName: "b", readQueueNums: 1, writeQueueNums: 2, perm: 6, topicSysFlag: 1 }],
    brokerDatas: [{ cluster: "c", brokerName: "b", brokerAddrs: new Map([[0, "1.2.3.4:10911"]]) }],
    filterServerTable: new Map(),
  };
  assertEquals(decodeTopicRouteData(encodeTopicRouteData(route, false)), route);
  assertEquals(decodeTopicRouteData(encodeTopicRouteData(route, true)), route);
  const old = new TextEncoder().encode(
    '{"brokerDatas":[],"queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":1,"topicSynFlag":2,"writeQueueNums":1}]}',
  );
  assertEquals(decodeTopicRouteData(old).queueDatas[0]?.topicSysFlag, 2);
});
