/**
 * 5.x timer messages through the broker's send path (store-and-semantics.md §7.5) and message-trace topics
 * (remoting-protocol.md §9.16), over real sockets.
 */
import assert from "node:assert/strict";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { decodeRecords } from "../../src/message/record_codec.ts";
import { pullRequest, sendRequest, startBroker, waitFor } from "./helpers.ts";

Deno.test("a TIMER_DELAY_MS=500 message reaches its topic about half a second later, not before", async () => {
  const f = await startBroker();
  try {
    const sentAt = Date.now();
    const sent = await f.client.invokeSync(
      f.addr,
      sendRequest("TimerTopic", "later", { TIMER_DELAY_MS: "500", TAGS: "T" }),
      3000,
    );
    assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
    const early = await f.client.invokeSync(f.addr, pullRequest("TimerG", "TimerTopic", 0, 0), 3000);
    assert.notEqual(early.code, ResponseCode.SUCCESS, "not delivered before its time");

    let body: Uint8Array | undefined;
    await waitFor(async () => {
      const r = await f.client.invokeSync(
        f.addr,
        pullRequest("TimerG", "TimerTopic", 0, 0, { subscription: "T" }),
        3000,
      );
      if (r.code === ResponseCode.SUCCESS) body = r.body;
      return r.code === ResponseCode.SUCCESS;
    }, 5000);
    const arrivedAfter = Date.now() - sentAt;
    assert.ok(arrivedAfter >= 480, `delivered after ${arrivedAfter} ms`);
    const [m] = decodeRecords(body!);
    assert.equal(m!.topic, "TimerTopic");
    assert.equal(new TextDecoder().decode(m!.body), "later");
    assert.equal(m!.properties.REAL_TOPIC, undefined);
    assert.equal(m!.properties.TAGS, "T");
  } finally {
    await f.stop();
  }
});

Deno.test("illegal timer messages answer MESSAGE_ILLEGAL with a remark naming the property", async () => {
  const f = await startBroker();
  try {
    const bad = await f.client.invokeSync(
      f.addr,
      sendRequest("TimerBad", "x", { TIMER_DELAY_MS: "soon" }),
      3000,
    );
    assert.equal(bad.code, ResponseCode.MESSAGE_ILLEGAL);
    assert.match(bad.remark ?? "", /TIMER_DELAY_MS.*"soon"/);
    const far = await f.client.invokeSync(
      f.addr,
      sendRequest("TimerBad", "x", { TIMER_DELAY_SEC: String(10 * 86400) }),
      3000,
    );
    assert.equal(far.code, ResponseCode.MESSAGE_ILLEGAL);
    assert.match(far.remark ?? "", /timerMaxDelaySec/);
  } finally {
    await f.stop();
  }
});

Deno.test("with timerWheelEnable=false a timer message is refused and a plain one still goes through", async () => {
  const f = await startBroker({}, { timerWheelEnable: false });
  try {
    const r = await f.client.invokeSync(
      f.addr,
      sendRequest("TimerOff", "x", { TIMER_DELAY_MS: "100" }),
      3000,
    );
    assert.equal(r.code, ResponseCode.MESSAGE_ILLEGAL);
    assert.match(r.remark ?? "", /timerWheelEnable/);
    const plain = await f.client.invokeSync(f.addr, sendRequest("TimerOff", "y"), 3000);
    assert.equal(plain.code, ResponseCode.SUCCESS);
  } finally {
    await f.stop();
  }
});

Deno.test("with traceTopicEnable the trace topic exists at start and accepts trace records", async () => {
  const f = await startBroker({ traceTopicEnable: true });
  try {
    const tc = f.broker.context.topicConfigManager.selectTopicConfig("RMQ_SYS_TRACE_TOPIC");
    assert.equal(tc?.writeQueueNums, 1);
    const trace = "Pub\u00011700000000000\u0001DefaultRegion\u0001PG\u0001T\u0001ID\u0001\u0001\u00011\u0002";
    const r = await f.client.invokeSync(
      f.addr,
      sendRequest("RMQ_SYS_TRACE_TOPIC", trace, { KEYS: "ID" }),
      3000,
    );
    assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
    const got = await f.client.invokeSync(
      f.addr,
      pullRequest("TraceReader", "RMQ_SYS_TRACE_TOPIC", 0, 0),
      3000,
    );
    assert.equal(new TextDecoder().decode(decodeRecords(got.body!)[0]!.body), trace);
  } finally {
    await f.stop();
  }
});

Deno.test("a custom msgTraceTopicName is created at start; without traceTopicEnable the default is auto-created", async () => {
  const custom = await startBroker({ traceTopicEnable: true, msgTraceTopicName: "MyTraceTopic" });
  try {
    assert.ok(custom.broker.context.topicConfigManager.selectTopicConfig("MyTraceTopic"));
    const r = await custom.client.invokeSync(custom.addr, sendRequest("MyTraceTopic", "t"), 3000);
    assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
  } finally {
    await custom.stop();
  }
  const plain = await startBroker();
  try {
    assert.equal(plain.broker.context.topicConfigManager.selectTopicConfig("RMQ_SYS_TRACE_TOPIC"), undefined);
    const r = await plain.client.invokeSync(plain.addr, sendRequest("RMQ_SYS_TRACE_TOPIC", "t"), 3000);
    assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
    assert.ok(plain.broker.context.topicConfigManager.selectTopicConfig("RMQ_SYS_TRACE_TOPIC"));
  } finally {
    await plain.stop();
  }
});

Deno.test("a timer message parked before a broker restart is delivered after it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmq-timer-restart-" });
  try {
    let f = await startBroker({}, {}, { dir });
    const sent = await f.client.invokeSync(
      f.addr,
      sendRequest("TimerRestart", "kept", { TIMER_DELAY_MS: "600" }),
      3000,
    );
    assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
    await f.stop();
    f = await startBroker({}, {}, { dir });
    try {
      await waitFor(async () => {
        const r = await f.client.invokeSync(f.addr, pullRequest("TimerG", "TimerRestart", 0, 0), 3000);
        return r.code === ResponseCode.SUCCESS;
      }, 5000);
      const r = await f.client.invokeSync(f.addr, pullRequest("TimerG", "TimerRestart", 0, 0), 3000);
      assert.deepEqual(decodeRecords(r.body!).map((m) => new TextDecoder().decode(m.body)), ["kept"]);
    } finally {
      await f.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
