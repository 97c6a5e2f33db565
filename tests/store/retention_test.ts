import assert from "node:assert/strict";
import { makeMsg, segmentNames, withStore } from "./helpers.ts";

const HOUR = 3600_000;

function hourOf(t: number): string {
  return String(new Date(t).getHours()).padStart(2, "0");
}

Deno.test("expired commitlog segments are deleted at deleteWhen and min offsets advance everywhere", async () => {
  let now = Date.now();
  await withStore({ fileReservedTime: 1, deleteWhen: hourOf(now + 2 * HOUR) }, async (store, root) => {
    for (let i = 0; i < 400; i++) await store.putMessage(makeMsg("E", 0, `m${i}:` + "z".repeat(600)));
    const segments = () => segmentNames(`${root}/commitlog`);
    const before = segments();
    assert.ok(before.length >= 4);
    await store.flushLogics(true);
    assert.equal(store.runCleanPass(), 0, "nothing is old enough yet");
    now += 2 * HOUR;
    const deleted = store.runCleanPass();
    assert.equal(deleted, before.length - 1, "every segment but the active one goes");
    assert.deepStrictEqual(segments(), [before.at(-1)]);
    const minPhy = store.getMinPhyOffset();
    assert.equal(minPhy, Number(before.at(-1)));
    const minQ = store.getMinOffsetInQueue("E", 0);
    assert.ok(minQ > 0);
    const first = await store.getMessage("g", "E", 0, minQ, 1, 1 << 20);
    assert.equal(first.status, "FOUND");
    assert.ok((await store.lookMessageByOffset(minPhy)) !== null);
    const old = await store.getMessage("g", "E", 0, 0, 1, 1 << 20);
    assert.deepStrictEqual([old.status, old.nextBeginOffset], ["OFFSET_TOO_SMALL", minQ]);
    const cqFiles = [...Deno.readDirSync(`${root}/consumequeue/E/0`)].map((e) => e.name).sort();
    assert.ok(Number(cqFiles[0]) > 0, "leading consume queue files were deleted");
  }, { clock: () => now });
});

Deno.test("outside deleteWhen nothing is deleted unless the disk is short of space", async () => {
  let now = Date.now();
  await withStore({ fileReservedTime: 1, deleteWhen: hourOf(now + 5 * HOUR) }, async (store, root) => {
    for (let i = 0; i < 200; i++) await store.putMessage(makeMsg("E", 0, "z".repeat(600)));
    now += 2 * HOUR;
    assert.equal(store.runCleanPass(), 0);
    store.executeDeleteFilesManually();
    assert.ok(store.runCleanPass() > 0);
    assert.equal(segmentNames(`${root}/commitlog`).length, 1);
  }, { clock: () => now });
});

Deno.test("a full disk refuses writes with SERVICE_NOT_AVAILABLE, keeps reads working and recovers", async () => {
  let usage = 0.5;
  await withStore({}, async (store) => {
    await store.putMessage(makeMsg("F", 0, "before"));
    usage = 0.95;
    store.runCleanPass();
    assert.ok(store.isDiskFull());
    const refused = await store.putMessage(makeMsg("F", 0, "during"));
    assert.equal(refused.status, "SERVICE_NOT_AVAILABLE");
    assert.match(refused.remark ?? "", /CL: 0.95/);
    assert.equal((await store.getMessage("g", "F", 0, 0, 32, 1 << 20)).messageCount, 1);
    usage = 0.5;
    store.runCleanPass();
    assert.equal((await store.putMessage(makeMsg("F", 0, "after"))).status, "PUT_OK");
  }, { diskUsage: () => usage });
});

Deno.test("space pressure above the forced-clean ratio deletes segments regardless of age", async () => {
  let usage = 0.5;
  await withStore({ deleteWhen: "99" }, async (store, root) => {
    for (let i = 0; i < 200; i++) await store.putMessage(makeMsg("S", 0, "z".repeat(600)));
    const n = segmentNames(`${root}/commitlog`).length;
    assert.ok(n >= 2);
    usage = 0.88;
    assert.equal(store.runCleanPass(), Math.min(10, n - 1));
    assert.ok(!store.isDiskFull());
  }, { diskUsage: () => usage });
});
