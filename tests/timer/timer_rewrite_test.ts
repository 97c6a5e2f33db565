import assert from "node:assert/strict";
import { decodeProperties } from "../../src/message/properties.ts";
import { MessageSysFlag } from "../../src/message/message_const.ts";
import { defaultTimerConfig } from "../../src/timer/timer_config.ts";
import { TIMER_TOPIC, transformTimerMessage } from "../../src/timer/timer_rewrite.ts";
import { isDeliveryOf, toDeliveryMessage } from "../../src/timer/timer_delivery.ts";
import type { MessageExt } from "../../src/message/message.ts";
import { plainMsg } from "./helpers.ts";

const NOW = 1_700_000_000_000;
const cfg = defaultTimerConfig();

Deno.test("transformTimerMessage() parks a TIMER_DELAY_MS message in rmq_sys_wheel_timer at the exact millisecond", () => {
  const msg = plainMsg("T", 3, "b", { TIMER_DELAY_MS: "1234" });
  const r = transformTimerMessage(msg, NOW, cfg);
  assert.equal(r.action, "timer");
  assert.equal(msg.topic, TIMER_TOPIC);
  assert.equal(msg.queueId, 0);
  assert.equal(msg.properties["TIMER_OUT_MS"], String(NOW + 1234));
  assert.equal(msg.properties["REAL_TOPIC"], "T");
  assert.equal(msg.properties["REAL_QID"], "3");
  assert.deepEqual(decodeProperties(msg.propertiesString), msg.properties);
});

Deno.test("transformTimerMessage() prefers TIMER_DELAY_SEC, then TIMER_DELAY_MS, then TIMER_DELIVER_MS", () => {
  const all = { TIMER_DELAY_SEC: "5", TIMER_DELAY_MS: "700", TIMER_DELIVER_MS: String(NOW + 90_000) };
  const a = plainMsg("T", 0, "b", all);
  transformTimerMessage(a, NOW, cfg);
  assert.equal(a.properties["TIMER_OUT_MS"], String(NOW + 5000));
  const { TIMER_DELAY_SEC: _s, ...noSec } = all;
  const b = plainMsg("T", 0, "b", noSec);
  transformTimerMessage(b, NOW, cfg);
  assert.equal(b.properties["TIMER_OUT_MS"], String(NOW + 700));
  const c = plainMsg("T", 0, "b", { TIMER_DELIVER_MS: String(NOW + 90_000) });
  transformTimerMessage(c, NOW, cfg);
  assert.equal(c.properties["TIMER_OUT_MS"], String(NOW + 90_000));
});

Deno.test("transformTimerMessage() removes the timer properties and leaves the message alone when DELAY > 0", () => {
  const msg = plainMsg("T", 1, "b", { DELAY: "3", TIMER_DELAY_SEC: "10", TIMER_DELIVER_MS: "5" });
  const r = transformTimerMessage(msg, NOW, cfg);
  assert.equal(r.action, "none");
  assert.equal(msg.topic, "T");
  assert.equal(msg.properties["TIMER_DELAY_SEC"], undefined);
  assert.equal(msg.properties["TIMER_DELIVER_MS"], undefined);
  assert.equal(msg.properties["DELAY"], "3");
  assert.deepEqual(decodeProperties(msg.propertiesString), msg.properties);
});

Deno.test("transformTimerMessage() refuses non-numeric values with the offending value quoted", () => {
  for (const [k, v] of [["TIMER_DELAY_SEC", "ten"], ["TIMER_DELAY_MS", "1.5"], ["TIMER_DELIVER_MS", ""]]) {
    const r = transformTimerMessage(plainMsg("T", 0, "b", { [k!]: v! }), NOW, cfg);
    assert.equal(r.action, "illegal", `${k}=${v}`);
    if (r.action === "illegal") assert.match(r.remark, new RegExp(`"${v!.replace(".", "\\.")}"`));
  }
});

Deno.test("transformTimerMessage() refuses a delivery time more than timerMaxDelaySec ahead and accepts the limit", () => {
  const max = cfg.timerMaxDelaySec * 1000;
  assert.equal(
    transformTimerMessage(plainMsg("T", 0, "b", { TIMER_DELAY_MS: String(max + 1) }), NOW, cfg).action,
    "illegal",
  );
  assert.equal(
    transformTimerMessage(plainMsg("T", 0, "b", { TIMER_DELAY_MS: String(max) }), NOW, cfg).action,
    "timer",
  );
  const small = { ...cfg, timerMaxDelaySec: 10 };
  assert.equal(
    transformTimerMessage(plainMsg("T", 0, "b", { TIMER_DELAY_SEC: "11" }), NOW, small).action,
    "illegal",
  );
});

Deno.test("transformTimerMessage() delivers a message whose time has passed directly, unchanged", () => {
  const msg = plainMsg("T", 2, "b", { TIMER_DELIVER_MS: String(NOW - 1) });
  const before = msg.propertiesString;
  assert.equal(transformTimerMessage(msg, NOW, cfg).action, "deliverNow");
  assert.equal(msg.topic, "T");
  assert.equal(msg.propertiesString, before);
  assert.equal(
    transformTimerMessage(plainMsg("T", 0, "b", { TIMER_DELAY_MS: "0" }), NOW, cfg).action,
    "deliverNow",
  );
  assert.equal(
    transformTimerMessage(plainMsg("T", 0, "b", { TIMER_DELAY_SEC: "-5" }), NOW, cfg).action,
    "deliverNow",
  );
});

Deno.test("transformTimerMessage() refuses a cancel request that is already due", () => {
  const msg = plainMsg("T", 0, "b", { TIMER_DELIVER_MS: String(NOW - 1), TIMER_DEL_UNIQKEY: "K" });
  assert.equal(transformTimerMessage(msg, NOW, cfg).action, "illegal");
});

Deno.test("transformTimerMessage() answers notEnabled when timerWheelEnable is false", () => {
  const r = transformTimerMessage(plainMsg("T", 0, "b", { TIMER_DELAY_SEC: "1" }), NOW, {
    ...cfg,
    timerWheelEnable: false,
  });
  assert.equal(r.action, "notEnabled");
});

Deno.test("transformTimerMessage() leaves plain, half, already-timed and parked messages alone", () => {
  assert.equal(transformTimerMessage(plainMsg("T", 0, "b"), NOW, cfg).action, "none");
  const half = plainMsg("T", 0, "b", { TIMER_DELAY_SEC: "1" });
  half.sysFlag = MessageSysFlag.TRANSACTION_PREPARED_TYPE;
  assert.equal(transformTimerMessage(half, NOW, cfg).action, "none");
  const commit = plainMsg("T", 0, "b", { TIMER_DELAY_SEC: "1" });
  commit.sysFlag = MessageSysFlag.TRANSACTION_COMMIT_TYPE;
  assert.equal(transformTimerMessage(commit, NOW, cfg).action, "timer");
  const timed = plainMsg("T", 0, "b", { TIMER_DELAY_SEC: "1", TIMER_OUT_MS: String(NOW) });
  assert.equal(transformTimerMessage(timed, NOW, cfg).action, "none");
  assert.equal(
    transformTimerMessage(plainMsg(TIMER_TOPIC, 0, "b", { TIMER_DELAY_SEC: "1" }), NOW, cfg).action,
    "none",
  );
});

function parkedFrom(props: Record<string, string>): MessageExt {
  const m = plainMsg(TIMER_TOPIC, 0, "body", props);
  return {
    ...m,
    storeSize: 0,
    bodyCRC: 0,
    queueOffset: 7,
    commitLogOffset: 4096,
    storeTimestamp: NOW - 500,
    msgId: "",
  };
}

Deno.test("toDeliveryMessage() restores the real topic and queue and stamps enqueue/dequeue times", () => {
  const parked = parkedFrom({
    REAL_TOPIC: "T",
    REAL_QID: "5",
    TIMER_OUT_MS: String(NOW),
    TAGS: "A",
    KEYS: "k",
  });
  parked.sysFlag = MessageSysFlag.COMPRESSED_FLAG;
  parked.flag = 9;
  parked.reconsumeTimes = 2;
  const out = toDeliveryMessage(parked, NOW + 3);
  assert.ok(typeof out !== "string");
  assert.equal(out.topic, "T");
  assert.equal(out.queueId, 5);
  assert.equal(out.properties["REAL_TOPIC"], undefined);
  assert.equal(out.properties["REAL_QID"], undefined);
  assert.equal(out.properties["TIMER_OUT_MS"], String(NOW));
  assert.equal(out.properties["TIMER_ENQUEUE_MS"], String(NOW - 500));
  assert.equal(out.properties["TIMER_DEQUEUE_MS"], String(NOW + 3));
  assert.equal(out.properties["UNIQ_KEY"], parked.properties["UNIQ_KEY"]);
  assert.deepEqual(decodeProperties(out.propertiesString), out.properties);
  assert.equal(out.sysFlag, MessageSysFlag.COMPRESSED_FLAG);
  assert.equal(out.flag, 9);
  assert.equal(out.reconsumeTimes, 2);
  assert.equal(out.body, parked.body);
  assert.ok(isDeliveryOf(out.properties, parked));
  assert.ok(!isDeliveryOf({ ...out.properties, TIMER_ENQUEUE_MS: "1" }, parked));
});

Deno.test("toDeliveryMessage() explains a record without REAL_TOPIC or with a bad REAL_QID", () => {
  assert.match(String(toDeliveryMessage(parkedFrom({ REAL_QID: "0" }), NOW)), /REAL_TOPIC/);
  assert.match(String(toDeliveryMessage(parkedFrom({ REAL_TOPIC: "T", REAL_QID: "x" }), NOW)), /"x"/);
});
