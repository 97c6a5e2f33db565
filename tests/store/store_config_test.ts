import assert from "node:assert/strict";
import { buildConfig, defaultsOf } from "../../src/config/schema.ts";
import {
  diskRatios,
  MessageStoreConfigSchema,
  STORE_CONFIG_ALIASES,
  storePaths,
} from "../../src/config/store_config.ts";
import { cqFileSize } from "../../src/store/consume_queue.ts";
import { parseDelayLevels } from "../../src/store/dispatch.ts";

Deno.test("store defaults follow upstream 4.9.x MessageStoreConfig", () => {
  const c = defaultsOf(MessageStoreConfigSchema);
  assert.equal(c.mappedFileSizeCommitLog, 1073741824);
  assert.equal(c.mappedFileSizeConsumeQueue, 6000000);
  assert.equal(c.flushDiskType, "ASYNC_FLUSH");
  assert.equal(c.brokerRole, "ASYNC_MASTER");
  assert.equal(c.deleteWhen, "04");
  assert.equal(c.fileReservedTime, 72);
  assert.equal(c.maxMessageSize, 4194304);
  assert.ok(c.storePathRootDir.endsWith("/store"));
  assert.equal(STORE_CONFIG_ALIASES["mapedFileSizeCommitLog"], "mappedFileSizeCommitLog");
});

Deno.test("storePaths() derives every store path from the root unless storePathCommitLog is set", () => {
  const p = storePaths({ storePathRootDir: "/data/store/", storePathCommitLog: "" });
  assert.deepStrictEqual(
    [p.commitLog, p.consumeQueue, p.index, p.checkpoint, p.abort, p.lock],
    [
      "/data/store/commitlog",
      "/data/store/consumequeue",
      "/data/store/index",
      "/data/store/checkpoint",
      "/data/store/abort",
      "/data/store/lock",
    ],
  );
  assert.equal(
    storePaths({ storePathRootDir: "/r", storePathCommitLog: "/fast/cl,/slow/cl" }).commitLog,
    "/fast/cl",
  );
});

Deno.test("disk ratios are clamped as upstream clamps them", () => {
  const { config } = buildConfig(MessageStoreConfigSchema, {
    diskMaxUsedSpaceRatio: "99",
    diskSpaceWarningLevelRatio: "10",
    diskSpaceCleanForciblyRatio: "95",
  });
  assert.deepStrictEqual(diskRatios(config), { maxUsed: 0.95, warning: 0.35, forcibly: 0.85 });
});

Deno.test("an invalid flushDiskType is a config error naming the key", () => {
  assert.throws(() => buildConfig(MessageStoreConfigSchema, { flushDiskType: "SOMETIMES" }), /flushDiskType/);
});

Deno.test("consume queue file sizes round up to whole 20-byte entries", () => {
  assert.equal(cqFileSize(6000000), 6000000);
  assert.equal(cqFileSize(1001), 1020);
});

Deno.test("parseDelayLevels() reads the level table in ms, s, m, h and d", () => {
  assert.deepStrictEqual(parseDelayLevels("1s 5s 1m 2h 1d 100ms 250"), [
    1000,
    5000,
    60000,
    7200000,
    86400000,
    100,
    250,
  ]);
  assert.throws(() => parseDelayLevels("1s 5x"), /"5x"/);
});

Deno.test("the cached offset msgId formatter writes exactly what createOffsetMsgId writes", async () => {
  const { OffsetMsgIdFormatter } = await import("../../src/store/offset_msg_id.ts");
  const { createOffsetMsgId } = await import("../../src/message/msg_id.ts");
  const f = new OffsetMsgIdFormatter();
  const v4 = { ip: new Uint8Array([10, 1, 2, 3]), port: 10911 };
  const v6 = { ip: new Uint8Array(16).fill(0xab), port: 1 };
  for (const off of [0, 1, 255, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER]) {
    assert.equal(f.format(v4, off), createOffsetMsgId(v4, off));
    assert.equal(f.format(v6, off), createOffsetMsgId(v6, off));
  }
});
