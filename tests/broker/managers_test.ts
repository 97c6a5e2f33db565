import assert from "node:assert/strict";
import { ConsumerOffsetManager } from "../../src/broker/consumer_offset_manager.ts";
import { TopicConfigManager, type TopicConfigSettings } from "../../src/broker/topic_config_manager.ts";
import { SubscriptionGroupManager } from "../../src/broker/subscription_group_manager.ts";
import { RebalanceLockManager } from "../../src/broker/rebalance_lock_manager.ts";
import { ConsumerManager } from "../../src/broker/consumer_manager.ts";
import type { ClientChannel } from "../../src/broker/client_channel.ts";
import { messageQueue } from "../../src/protocol/bodies/message_queue.ts";
import { ScheduleMessageService } from "../../src/broker/schedule/schedule_message_service.ts";
import { parseDelayLevels } from "../../src/broker/message_factory.ts";
import type { BrokerStore } from "../../src/broker/broker_context.ts";
import { ConfigFile } from "../../src/broker/config_file.ts";

const settings: TopicConfigSettings = {
  brokerClusterName: "C",
  brokerName: "B",
  autoCreateTopicEnable: true,
  defaultTopicQueueNums: 8,
  clusterTopicEnable: true,
  brokerTopicEnable: true,
  traceTopicEnable: false,
  msgTraceTopicName: "RMQ_SYS_TRACE_TOPIC",
};

async function withDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rmq-mgr-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ConsumerOffsetManager reads fastjson's bare integer keys and falls back to the .bak", () =>
  withDir(async (dir) => {
    const path = `${dir}/consumerOffset.json`;
    Deno.writeTextFileSync(path, '{"offsetTable":{"T@G":{0:250,1:248}}}');
    const m = new ConsumerOffsetManager(path);
    m.load();
    assert.equal(m.queryOffset("G", "T", 1), 248);
    m.commitOffset("G", "T", 1, 300);
    await m.persist();
    await m.persist();
    Deno.writeTextFileSync(path, "{broken");
    const again = new ConsumerOffsetManager(path);
    again.load();
    assert.equal(again.queryOffset("G", "T", 1), 300);
    assert.deepEqual([...again.whichTopicByConsumer("G")], ["T"]);
  }));

Deno.test("TopicConfigManager seeds system topics, overlays topics.json and auto-creates only from INHERIT", () =>
  withDir(async (dir) => {
    const path = `${dir}/topics.json`;
    Deno.writeTextFileSync(
      path,
      '{"dataVersion":{"counter":7,"timestamp":1},"topicConfigTable":{"Old":{"topicName":"Old","readQueueNums":3,"writeQueueNums":3,"perm":6}}}',
    );
    const m = new TopicConfigManager(settings, path, () => 1000);
    m.load();
    assert.equal(m.selectTopicConfig("Old")?.readQueueNums, 3);
    assert.equal(m.selectTopicConfig("TBW102")?.perm, 7);
    assert.equal(m.selectTopicConfig("SCHEDULE_TOPIC_XXXX")?.writeQueueNums, 18);
    assert.equal(m.dataVersion.counter, 7);
    let changes = 0;
    m.onChange(() => changes++);
    assert.equal(m.createTopicInSendMessageMethod("New", "TBW102", 16, 0)?.writeQueueNums, 8);
    assert.equal(m.createTopicInSendMessageMethod("New2", "Old", 4, 0), undefined);
    assert.equal(changes, 1);
    assert.equal(m.dataVersion.counter, 8);
    assert.equal(await m.persisted(), true);
    assert.match(Deno.readTextFileSync(path), /"New"/);

    const off = new TopicConfigManager({ ...settings, autoCreateTopicEnable: false }, path, () => 1000);
    off.load();
    assert.equal(off.selectTopicConfig("TBW102")?.perm, 6);
  }));

Deno.test("SubscriptionGroupManager auto-creates unknown groups only when allowed", () =>
  withDir(async (dir) => {
    const strict = new SubscriptionGroupManager(false, `${dir}/sg.json`);
    assert.equal(strict.findSubscriptionGroupConfig("G"), undefined);
    assert.equal(strict.findSubscriptionGroupConfig("CID_RMQ_SYS_X")?.retryMaxTimes, 16);
    await strict.persisted();
    const open = new SubscriptionGroupManager(true, `${dir}/sg.json`);
    open.load();
    assert.ok(open.get("CID_RMQ_SYS_X"));
    assert.equal(open.findSubscriptionGroupConfig("G")?.retryQueueNums, 1);
    await open.persisted();
  }));

Deno.test("RebalanceLockManager hands an expired lock to another client", () => {
  let now = 0;
  const m = new RebalanceLockManager(() => now);
  const mq = messageQueue("T", "b", 0);
  assert.equal(m.tryLockBatch("G", [mq], "a").length, 1);
  now = 59_000;
  assert.equal(m.tryLockBatch("G", [mq], "b").length, 0);
  now = 120_001;
  assert.equal(m.tryLockBatch("G", [mq], "b").length, 1);
  assert.ok(m.isLocked("G", mq, "b"));
});

Deno.test("ConsumerManager expires silent registrations and reports the change", () => {
  let now = 0;
  const m = new ConsumerManager(() => now);
  const events: string[] = [];
  m.onChange((e, g, chs) => events.push(`${e}:${g}:${chs.length}`));
  const ch = (id: number): ClientChannel => ({
    id,
    remoteAddr: `127.0.0.1:${id}`,
    closed: false,
    invokeOneway() {},
    invoke: () => Promise.reject(new Error("unused")),
  });
  const reg = (id: number, t: number) =>
    m.registerConsumer(
      "G",
      { channel: ch(id), clientId: `c${id}`, language: "JAVA", version: 409, lastUpdateTimestamp: t },
      "CONSUME_PASSIVELY",
      "CLUSTERING",
      "CONSUME_FROM_LAST_OFFSET",
      [],
    );
  assert.equal(reg(1, 0), true);
  now = 100_000;
  assert.equal(reg(2, now), true);
  assert.equal(reg(2, now), false);
  now = 130_000;
  assert.equal(m.scanNotActiveChannel(), 1);
  assert.deepEqual(m.getConsumerGroupInfo("G")?.allClientIds(), ["c2"]);
  assert.deepEqual(events, ["CHANGE:G:1", "CHANGE:G:2", "CHANGE:G:1"]);
});

Deno.test("ScheduleMessageService keeps delay offsets in delayOffset.json with bare keys on the wire", () =>
  withDir(async (dir) => {
    const path = `${dir}/delayOffset.json`;
    Deno.writeTextFileSync(path, '{"offsetTable":{1:5,3:0}}');
    const svc = new ScheduleMessageService(
      {} as BrokerStore,
      parseDelayLevels("1s 5s 10s"),
      path,
      () => ({ ip: new Uint8Array(4), port: 0 }),
    );
    svc.load();
    assert.equal(svc.offsetOf(1), 5);
    assert.equal(new TextDecoder().decode(svc.encodeAllDelayOffset()), '{"offsetTable":{1:5,3:0}}');
    await svc.shutdown();
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(path)), { offsetTable: { 1: 5, 3: 0 } });
  }));

Deno.test("ConfigFile coalesces a burst of changes into one write of the latest state, off the event loop", () =>
  withDir(async (dir) => {
    const path = `${dir}/c.json`;
    let state = 0, renders = 0;
    const file = new ConfigFile(path, () => {
      renders++;
      return { state };
    });
    const writes: Promise<boolean>[] = [];
    for (state = 1; state <= 50; state++) writes.push(file.persistSoon());
    state = 50;
    assert.equal(existsSync(path), false, "nothing written synchronously");
    assert.deepEqual(await Promise.all(writes), Array(50).fill(true));
    assert.equal(renders, 1, "one write for the burst");
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(path)), { state: 50 });
    // A change while a write is under way gets a write of its own after it.
    const first = file.persistSoon();
    state = 51;
    const second = file.persistSoon();
    state = 52;
    await first;
    await second;
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(path)), { state: 52 });
    state = 53;
    void file.persistSoon();
    await file.persistNow(); // waits for the scheduled write, then writes at once
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(path)), { state: 53 });
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(`${path}.bak`)), { state: 53 });
    // Scheduled, immediate and scheduled again, interleaved: they take turns, the last state wins.
    state = 54;
    const a = file.persistSoon();
    state = 55;
    const b = file.persistNow();
    state = 56;
    const c = file.persistSoon();
    assert.deepEqual(await Promise.all([a, b, c]), [true, undefined, true]);
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(path)), { state: 56 });
    assert.equal(existsSync(`${path}.tmp`), false);
  }));

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
