/**
 * Broker-side message filtering over real sockets (remoting-protocol.md §4.6.3, §7.6; store-and-semantics.md
 * §11.2.5): SQL92 selectors from the pull header and from heartbeat registrations, parse failures, the
 * enablePropertyFilter switch, exact tag matching, and fuzzed selectors.
 */
import assert from "node:assert/strict";
import { createRequest, type RemotingCommand } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { encodePullMessageRequestHeader } from "../../src/protocol/headers/pull.ts";
import {
  encodeCheckClientRequestBody,
  encodeHeartbeatData,
  type SubscriptionData,
} from "../../src/protocol/bodies/heartbeat.ts";
import { PullSysFlag } from "../../src/message/message_const.ts";
import { decodeRecords } from "../../src/message/record_codec.ts";
import { recordProperties } from "../../src/broker/filter/record_properties.ts";
import { type BrokerFixture, sendRequest, startBroker } from "./helpers.ts";

const SQL_ON = { enablePropertyFilter: true };

function sqlPull(
  topic: string,
  expression: string | undefined,
  over: { type?: string; useSub?: boolean; group?: string; offset?: number } = {},
): RemotingCommand {
  const useSub = over.useSub ?? true;
  return createRequest(
    RequestCode.PULL_MESSAGE,
    encodePullMessageRequestHeader({
      consumerGroup: over.group ?? "SqlGroup",
      topic,
      queueId: 0,
      queueOffset: over.offset ?? 0,
      maxMsgNums: 32,
      sysFlag: PullSysFlag.build(false, false, useSub),
      commitOffset: 0,
      suspendTimeoutMillis: 0,
      subscription: useSub ? expression : undefined,
      subVersion: 0,
      expressionType: over.type ?? "SQL92",
    }),
  );
}

function subscription(topic: string, subString: string, expressionType = "SQL92"): SubscriptionData {
  return {
    classFilterMode: false,
    topic,
    subString,
    tagsSet: [],
    codeSet: [],
    subVersion: 1,
    expressionType,
  };
}

async function seed(f: BrokerFixture, topic: string): Promise<void> {
  const msgs: [string, Record<string, string>][] = [
    ["hz-10", { region: "hz", price: "10", TAGS: "A" }],
    ["sh-20", { region: "sh", price: "20", TAGS: "B" }],
    ["hz-30", { region: "hz", price: "30", TAGS: "B" }],
    ["none", {}],
  ];
  for (const [body, props] of msgs) {
    const r = await f.client.invokeSync(f.addr, sendRequest(topic, body, props), 3000);
    assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
  }
}

function bodies(r: RemotingCommand): string[] {
  assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
  return decodeRecords(r.body!).map((m) => new TextDecoder().decode(m.body));
}

Deno.test("a SQL92 pull returns only the messages whose properties match the selector", async () => {
  const f = await startBroker(SQL_ON);
  try {
    await seed(f, "SqlTopic");
    const r = await f.client.invokeSync(f.addr, sqlPull("SqlTopic", "region = 'hz' AND price > 15"), 3000);
    assert.deepEqual(bodies(r), ["hz-30"]);
    assert.equal(Number(r.extFields.nextBeginOffset), 4, "non-matching messages are skipped over");
    const none = await f.client.invokeSync(f.addr, sqlPull("SqlTopic", "region = 'bj'"), 3000);
    assert.equal(none.code, ResponseCode.PULL_RETRY_IMMEDIATELY, "nothing matched: the client moves on");
    assert.equal(Number(none.extFields.nextBeginOffset), 4);
    const missing = await f.client.invokeSync(f.addr, sqlPull("SqlTopic", "price IS NULL"), 3000);
    assert.deepEqual(bodies(missing), ["none"]);
  } finally {
    await f.stop();
  }
});

Deno.test("an invalid SQL92 selector answers SUBSCRIPTION_PARSE_FAILED naming the problem", async () => {
  const f = await startBroker(SQL_ON);
  try {
    await seed(f, "SqlBad");
    const r = await f.client.invokeSync(f.addr, sqlPull("SqlBad", "region = 'hz' AND AND price > 1"), 3000);
    assert.equal(r.code, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    assert.match(r.remark ?? "", /AND/);
    assert.match(r.remark ?? "", /region = 'hz' AND AND price > 1/);

    const check = await f.client.invokeSync(
      f.addr,
      createRequest(
        RequestCode.CHECK_CLIENT_CONFIG,
        {},
        encodeCheckClientRequestBody({
          clientId: "c1",
          group: "SqlGroup",
          subscriptionData: subscription("SqlBad", "price >"),
        }),
      ),
      3000,
    );
    assert.equal(check.code, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
    assert.match(check.remark ?? "", /price >/);
  } finally {
    await f.stop();
  }
});

Deno.test("CHECK_CLIENT_CONFIG accepts a valid selector and TAG subscriptions", async () => {
  const f = await startBroker(SQL_ON);
  try {
    for (const sub of [subscription("T", "a BETWEEN 1 AND 3"), subscription("T", "A || B", "TAG")]) {
      const r = await f.client.invokeSync(
        f.addr,
        createRequest(
          RequestCode.CHECK_CLIENT_CONFIG,
          {},
          encodeCheckClientRequestBody({ clientId: "c1", group: "G", subscriptionData: sub }),
        ),
        3000,
      );
      assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
    }
  } finally {
    await f.stop();
  }
});

Deno.test("with enablePropertyFilter=false SQL92 is refused by CHECK_CLIENT_CONFIG and PULL", async () => {
  const f = await startBroker({ enablePropertyFilter: false });
  try {
    await seed(f, "SqlOff");
    const expected = "The broker does not support consumer to filter message by SQL92";
    const pull = await f.client.invokeSync(f.addr, sqlPull("SqlOff", "region = 'hz'"), 3000);
    assert.equal(pull.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(pull.remark, expected);
    const check = await f.client.invokeSync(
      f.addr,
      createRequest(
        RequestCode.CHECK_CLIENT_CONFIG,
        {},
        encodeCheckClientRequestBody({
          clientId: "c1",
          group: "G",
          subscriptionData: subscription("SqlOff", "region = 'hz'"),
        }),
      ),
      3000,
    );
    assert.equal(check.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(check.remark, expected);
  } finally {
    await f.stop();
  }
});

Deno.test("a SQL92 subscription registered by heartbeat filters pulls without a subscription flag", async () => {
  const f = await startBroker(SQL_ON);
  try {
    await seed(f, "SqlHb");
    const hb = (subString: string) =>
      createRequest(
        RequestCode.HEART_BEAT,
        {},
        encodeHeartbeatData({
          clientID: "c1",
          producerDataSet: [],
          consumerDataSet: [{
            groupName: "SqlGroup",
            consumeType: "CONSUME_PASSIVELY",
            messageModel: "CLUSTERING",
            consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
            subscriptionDataSet: [subscription("SqlHb", subString)],
            unitMode: false,
          }],
        }),
      );
    assert.equal((await f.client.invokeSync(f.addr, hb("TAGS = 'B'"), 3000)).code, ResponseCode.SUCCESS);
    const r = await f.client.invokeSync(f.addr, sqlPull("SqlHb", undefined, { useSub: false }), 3000);
    assert.deepEqual(bodies(r), ["sh-20", "hz-30"]);
  } finally {
    await f.stop();
  }
});

Deno.test("a registered selector that does not compile answers FILTER_DATA_NOT_EXIST with the parse error", async () => {
  const f = await startBroker(SQL_ON);
  try {
    const hb = createRequest(
      RequestCode.HEART_BEAT,
      {},
      encodeHeartbeatData({
        clientID: "c1",
        producerDataSet: [],
        consumerDataSet: [{
          groupName: "SqlGroup",
          consumeType: "CONSUME_PASSIVELY",
          messageModel: "CLUSTERING",
          consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
          subscriptionDataSet: [subscription("SqlReg", "a IN ()")],
          unitMode: false,
        }],
      }),
    );
    assert.equal((await f.client.invokeSync(f.addr, hb, 3000)).code, ResponseCode.SUCCESS);
    await seed(f, "SqlReg");
    const r = await f.client.invokeSync(f.addr, sqlPull("SqlReg", undefined, { useSub: false }), 3000);
    assert.equal(r.code, ResponseCode.FILTER_DATA_NOT_EXIST);
    assert.match(r.remark ?? "", /a IN \(\)/);
  } finally {
    await f.stop();
  }
});

Deno.test("a TAG pull matches the exact tag string, not just its hash", async () => {
  const f = await startBroker();
  try {
    // "Aa" and "BB" share a Java hash code; only the subscribed one may come back.
    for (const [body, tag] of [["aa", "Aa"], ["bb", "BB"], ["untagged", undefined]] as const) {
      const props: Record<string, string> = tag ? { TAGS: tag } : {};
      await f.client.invokeSync(f.addr, sendRequest("TagTopic", body, props), 3000);
    }
    const r = await f.client.invokeSync(f.addr, sqlPull("TagTopic", "BB", { type: "TAG" }), 3000);
    assert.deepEqual(bodies(r), ["bb"]);
    const all = await f.client.invokeSync(f.addr, sqlPull("TagTopic", "*", { type: "TAG" }), 3000);
    assert.deepEqual(bodies(all), ["aa", "bb", "untagged"]);
  } finally {
    await f.stop();
  }
});

Deno.test("fuzzed SQL92 selectors never crash the broker", async () => {
  const f = await startBroker(SQL_ON);
  try {
    await seed(f, "SqlFuzz");
    const pieces = [
      "a",
      "=",
      "'x'",
      "AND",
      "OR",
      "NOT",
      "(",
      ")",
      "IN",
      ",",
      "BETWEEN",
      "1",
      "-",
      "+",
      "IS",
      "NULL",
      "TRUE",
      "1.5E3",
      "''",
      "'",
      ">=",
      "<>",
      "LIKE",
      "%",
      "9223372036854775808",
      "\u0000",
      "\u{1F600}",
    ];
    let seedValue = 42;
    const rnd = (n: number) => (seedValue = (seedValue * 1103515245 + 12345) % 2147483648) % n;
    const codes = new Set<number>();
    for (let i = 0; i < 150; i++) {
      const len = 1 + rnd(9);
      const expr = Array.from({ length: len }, () => pieces[rnd(pieces.length)]).join(" ");
      const r = await f.client.invokeSync(f.addr, sqlPull("SqlFuzz", expr), 3000);
      codes.add(r.code);
      assert.ok(
        ([
          ResponseCode.SUCCESS,
          ResponseCode.PULL_RETRY_IMMEDIATELY,
          ResponseCode.SUBSCRIPTION_PARSE_FAILED,
        ] as number[]).includes(r.code),
        `unexpected code ${r.code} (${r.remark}) for ${JSON.stringify(expr)}`,
      );
    }
    const deep = "(".repeat(5000) + "a = 1" + ")".repeat(5000);
    const r = await f.client.invokeSync(f.addr, sqlPull("SqlFuzz", deep), 3000);
    assert.notEqual(r.code, ResponseCode.SUCCESS);
    const still = await f.client.invokeSync(f.addr, sqlPull("SqlFuzz", "region = 'sh'"), 3000);
    assert.deepEqual(bodies(still), ["sh-20"], "the broker still serves after the fuzzing");
  } finally {
    await f.stop();
  }
});

Deno.test("recordProperties() reads the properties of a stored record and tolerates garbage", async () => {
  const f = await startBroker();
  try {
    await f.client.invokeSync(f.addr, sendRequest("PropTopic", "x", { k: "v", TAGS: "T" }), 3000);
    const r = await f.client.invokeSync(f.addr, sqlPull("PropTopic", "*", { type: "TAG" }), 3000);
    const props = recordProperties(r.body!);
    assert.equal(props.k, "v");
    assert.equal(props.TAGS, "T");
    assert.deepEqual(recordProperties(new Uint8Array(10)), {});
    const cut = r.body!.slice(0, r.body!.length - 3);
    assert.deepEqual(recordProperties(cut), {});
  } finally {
    await f.stop();
  }
});

Deno.test("with filterSupportRetry a retry topic is filtered by the subscription of each message's origin", async () => {
  for (const filterSupportRetry of [true, false]) {
    const f = await startBroker({ ...SQL_ON, filterSupportRetry });
    try {
      const hb = createRequest(
        RequestCode.HEART_BEAT,
        {},
        encodeHeartbeatData({
          clientID: "c1",
          producerDataSet: [],
          consumerDataSet: [{
            groupName: "SqlGroup",
            consumeType: "CONSUME_PASSIVELY",
            messageModel: "CLUSTERING",
            consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
            subscriptionDataSet: [
              subscription("SqlOrigin", "region = 'hz'"),
              subscription("%RETRY%SqlGroup", "*", "TAG"),
            ],
            unitMode: false,
          }],
        }),
      );
      assert.equal((await f.client.invokeSync(f.addr, hb, 3000)).code, ResponseCode.SUCCESS);
      for (const region of ["hz", "sh"]) {
        const props = { RETRY_TOPIC: "SqlOrigin", region };
        const r = await f.client.invokeSync(f.addr, sendRequest("%RETRY%SqlGroup", region, props), 3000);
        assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
      }
      const r = await f.client.invokeSync(
        f.addr,
        sqlPull("%RETRY%SqlGroup", undefined, { useSub: false }),
        3000,
      );
      assert.deepEqual(bodies(r), filterSupportRetry ? ["hz"] : ["hz", "sh"]);
    } finally {
      await f.stop();
    }
  }
});
