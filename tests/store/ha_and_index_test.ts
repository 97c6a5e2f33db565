import assert from "node:assert/strict";
import { bodiesOf, makeMsg, withStore } from "./helpers.ts";
import { MessageSysFlag } from "../../src/message/message_const.ts";

Deno.test("a slave store rebuilds its queues from raw commitlog bytes read from a master", async () => {
  await withStore({ mappedFileSizeCommitLog: 8192 }, async (master) => {
    for (let i = 0; i < 40; i++) await master.putMessage(makeMsg("H", i % 2, `m${i}:` + "q".repeat(300)));
    await withStore({ mappedFileSizeCommitLog: 8192, brokerRole: "SLAVE" }, async (slave) => {
      let offset = slave.getMaxPhyOffset();
      while (offset < master.getMaxPhyOffset()) {
        const data = await master.getCommitLogData(offset, 3000);
        assert.ok(data && data.length > 0);
        assert.ok(await slave.appendToCommitLog(offset, data));
        offset += data.length;
      }
      assert.equal(slave.getMaxPhyOffset(), master.getMaxPhyOffset());
      assert.equal(slave.getMaxOffsetInQueue("H", 1), 20);
      const got = await slave.getMessage("g", "H", 1, 0, 32, 1 << 20);
      assert.deepStrictEqual(
        (await bodiesOf(got.records)).map((b) => b.split(":")[0]),
        [
          ...Array.from({ length: 20 }, (_, i) => `m${2 * i + 1}`),
        ].slice(0, got.messageCount),
      );
      assert.equal((await slave.putMessage(makeMsg("H", 0, "x"))).status, "SERVICE_NOT_AVAILABLE");
      assert.equal(await slave.appendToCommitLog(offset + 1, new Uint8Array(8)), false, "a gap is refused");
    });
  });
});

Deno.test("queries by key span several index files once the first one is full", async () => {
  await withStore({ maxIndexNum: 8, maxHashSlotNum: 4 }, async (store, root) => {
    for (let i = 0; i < 20; i++) {
      await store.putMessage(makeMsg("I", 0, `m${i}`, { keys: i % 2 ? "odd" : "even" }));
    }
    await store.flushLogics(true);
    assert.ok([...Deno.readDirSync(`${root}/index`)].length >= 3);
    const odd = await store.queryMessage("I", "odd", 64, 0, Number.MAX_SAFE_INTEGER);
    assert.deepStrictEqual(
      await bodiesOf(odd.records),
      Array.from({ length: 10 }, (_, i) => `m${2 * i + 1}`),
    );
    const capped = await store.queryMessage("I", "even", 3, 0, Number.MAX_SAFE_INTEGER);
    assert.equal(capped.records.length, 3);
  });
});

Deno.test("prepared transaction records get no queue offset but are indexed", async () => {
  await withStore({}, async (store) => {
    const half = await store.putMessage(
      makeMsg("TX", 0, "half", { keys: "tx1", sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE }),
    );
    assert.equal(half.status, "PUT_OK");
    assert.equal(half.queueOffset, 0);
    assert.equal(store.getMaxOffsetInQueue("TX", 0), 0);
    const normal = await store.putMessage(makeMsg("TX", 0, "normal"));
    assert.equal(normal.queueOffset, 0);
    assert.equal((await store.queryMessage("TX", "tx1", 32, 0, Number.MAX_SAFE_INTEGER)).records.length, 1);
  });
});

Deno.test("deleteTopics() drops a topic's consume queues and its offsets start over", async () => {
  await withStore({}, async (store, root) => {
    await store.putMessage(makeMsg("D", 0, "a"));
    await store.putMessage(makeMsg("D", 1, "b"));
    assert.deepStrictEqual(store.getTopicQueueIds("D"), [0, 1]);
    // Consume-queue entries are written in batches; a flush puts them on disk so deletion has files to remove.
    await store.flushLogics(true);
    assert.ok([...Deno.readDirSync(`${root}/consumequeue`)].some((e) => e.name === "D"));
    await store.deleteTopics(["D"]);
    assert.deepStrictEqual(store.getTopicQueueIds("D"), []);
    assert.equal((await store.getMessage("g", "D", 0, 0, 32, 1 << 20)).status, "NO_MATCHED_LOGIC_QUEUE");
    assert.ok(![...Deno.readDirSync(`${root}/consumequeue`)].some((e) => e.name === "D"));
    assert.equal((await store.putMessage(makeMsg("D", 0, "c"))).queueOffset, 0);
  });
});

Deno.test("a commit-log filter sees the raw record and can reject it", async () => {
  await withStore({}, async (store) => {
    await store.putMessage(makeMsg("F", 0, "keep"));
    await store.putMessage(makeMsg("F", 0, "drop"));
    const dec = new TextDecoder();
    const got = await store.getMessage("g", "F", 0, 0, 32, 1 << 20, {
      isMatchedByConsumeQueue: () => true,
      isMatchedByCommitLog: (rec) => !dec.decode(rec).includes("drop"),
    });
    assert.deepStrictEqual(await bodiesOf(got.records), ["keep"]);
    assert.equal(got.nextBeginOffset, 2);
  });
});

Deno.test("SYNC_FLUSH with WAIT=false acks after the write without waiting for the sync", async () => {
  await withStore({ flushDiskType: "SYNC_FLUSH" }, async (store) => {
    const r = await store.putMessage(makeMsg("W", 0, "nowait", { props: { WAIT: "false" } }));
    assert.equal(r.status, "PUT_OK");
    assert.equal((await store.lookMessageByOffset(r.wroteOffset))?.topic, "W");
  });
});

Deno.test("a slave joining mid-stream pre-fills its consume queue and starts at the first copied message", async () => {
  let now = Date.now();
  await withStore({ mappedFileSizeCommitLog: 8192, fileReservedTime: 1 }, async (master) => {
    for (let i = 0; i < 60; i++) await master.putMessage(makeMsg("J", 0, `m${i}:` + "j".repeat(300)));
    now += 2 * 3600_000;
    master.executeDeleteFilesManually();
    assert.ok(master.runCleanPass() > 0);
    const start = master.getMinPhyOffset();
    assert.ok(start > 0);
    await withStore({ mappedFileSizeCommitLog: 8192, brokerRole: "SLAVE" }, async (slave) => {
      let offset = start;
      while (offset < master.getMaxPhyOffset()) {
        const data = (await master.getCommitLogData(offset, 5000))!;
        assert.ok(await slave.appendToCommitLog(offset, data));
        offset += data.length;
      }
      const min = slave.getMinOffsetInQueue("J", 0);
      assert.equal(min, master.getMinOffsetInQueue("J", 0));
      assert.ok(min > 0);
      assert.equal(slave.getMaxOffsetInQueue("J", 0), 60);
      const got = await slave.getMessage("g", "J", 0, min, 1, 1 << 20);
      assert.equal((await bodiesOf(got.records))[0]!.split(":")[0], `m${min}`);
    });
  }, { clock: () => now });
});
