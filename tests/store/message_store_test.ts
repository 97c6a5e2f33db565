import assert from "node:assert/strict";
import { bodiesOf, makeMsg, openStore, segmentNames, testConfig, withStore } from "./helpers.ts";
import { DefaultMessageStore, StoreLockedError } from "../../src/store/message_store.ts";
import { decodeRecord } from "../../src/message/record_codec.ts";
import { tagsHashCode } from "../../src/message/tags.ts";

Deno.test("putMessage() assigns consecutive queue offsets per queue and getMessage() returns the records", async () => {
  await withStore({}, async (store) => {
    const r0 = await store.putMessage(makeMsg("T", 0, "a"));
    const r1 = await store.putMessage(makeMsg("T", 0, "b"));
    const r2 = await store.putMessage(makeMsg("T", 1, "c"));
    assert.deepStrictEqual([r0.status, r1.status, r2.status], ["PUT_OK", "PUT_OK", "PUT_OK"]);
    assert.deepStrictEqual([r0.queueOffset, r1.queueOffset, r2.queueOffset], [0, 1, 0]);
    assert.deepStrictEqual(r1.wroteOffset, r0.wroteOffset + r0.wroteBytes);
    assert.deepStrictEqual(r0.msgId.length, 32);
    assert.deepStrictEqual(store.getMaxOffsetInQueue("T", 0), 2);
    const got = await store.getMessage("g", "T", 0, 0, 32, 1 << 20);
    assert.deepStrictEqual(got.status, "FOUND");
    assert.deepStrictEqual(got.nextBeginOffset, 2);
    assert.deepStrictEqual(await bodiesOf(got.records), ["a", "b"]);
    const [m] = decodeRecord(got.records[1]!, 0, { checkCRC: true });
    assert.deepStrictEqual(m.queueOffset, 1);
    assert.deepStrictEqual(m.commitLogOffset, r1.wroteOffset);
  });
});

Deno.test("getMessage() reports upstream statuses at and beyond the queue bounds", async () => {
  await withStore({}, async (store) => {
    assert.deepStrictEqual(
      (await store.getMessage("g", "none", 0, 0, 32, 1 << 20)).status,
      "NO_MATCHED_LOGIC_QUEUE",
    );
    await store.putMessage(makeMsg("T", 0, "a"));
    const one = await store.getMessage("g", "T", 0, 1, 32, 1 << 20);
    assert.deepStrictEqual([one.status, one.nextBeginOffset], ["OFFSET_OVERFLOW_ONE", 1]);
    const bad = await store.getMessage("g", "T", 0, 5, 32, 1 << 20);
    assert.deepStrictEqual([bad.status, bad.nextBeginOffset], ["OFFSET_OVERFLOW_BADLY", 1]);
  });
});

Deno.test("getMessage() skips entries the tag filter rejects but still advances past them", async () => {
  await withStore({}, async (store) => {
    await store.putMessage(makeMsg("T", 0, "a", { tags: "A" }));
    await store.putMessage(makeMsg("T", 0, "b", { tags: "B" }));
    await store.putMessage(makeMsg("T", 0, "c", { tags: "A" }));
    const codeA = tagsHashCode("A");
    const got = await store.getMessage("g", "T", 0, 0, 32, 1 << 20, {
      isMatchedByConsumeQueue: (code) => code === codeA,
    });
    assert.deepStrictEqual(await bodiesOf(got.records), ["a", "c"]);
    assert.deepStrictEqual(got.nextBeginOffset, 3);
    const none = await store.getMessage("g", "T", 0, 1, 1, 1 << 20, { isMatchedByConsumeQueue: () => false });
    assert.deepStrictEqual(none.status, "NO_MATCHED_MESSAGE");
  });
});

Deno.test("putMessages() appends a batch contiguously with consecutive queue offsets", async () => {
  await withStore({}, async (store) => {
    await store.putMessage(makeMsg("B", 0, "first"));
    const r = await store.putMessages([makeMsg("B", 0, "x"), makeMsg("B", 0, "y"), makeMsg("B", 0, "z")]);
    assert.deepStrictEqual([r.status, r.queueOffset, r.msgNum], ["PUT_OK", 1, 3]);
    assert.deepStrictEqual(r.msgId.split(",").length, 3);
    const got = await store.getMessage("g", "B", 0, 1, 32, 1 << 20);
    assert.deepStrictEqual(await bodiesOf(got.records), ["x", "y", "z"]);
  });
});

Deno.test("putMessage() rejects an oversized body and a too-long topic without storing them", async () => {
  await withStore({ maxMessageSize: 10 }, async (store) => {
    assert.deepStrictEqual(
      (await store.putMessage(makeMsg("T", 0, "0123456789AB"))).status,
      "MESSAGE_ILLEGAL",
    );
    assert.deepStrictEqual(
      (await store.putMessage(makeMsg("x".repeat(128), 0, "a"))).status,
      "MESSAGE_ILLEGAL",
    );
    assert.deepStrictEqual(store.getMaxPhyOffset(), 0);
  });
});

Deno.test("putMessage() refuses topics that cannot be a consume queue directory name", async () => {
  await withStore({}, async (store) => {
    for (const topic of ["..", ".", "a/b", ""]) {
      assert.equal((await store.putMessage(makeMsg(topic, 0, "x"))).status, "MESSAGE_ILLEGAL", topic);
    }
    assert.equal(store.getMaxPhyOffset(), 0);
  });
});

Deno.test("a record that does not fit the segment ends it with a blank record and rolls to the next file", async () => {
  await withStore({ mappedFileSizeCommitLog: 4096 }, async (store, root) => {
    const body = "x".repeat(900);
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await store.putMessage(makeMsg("R", 0, body)));
    assert.ok(results.every((r) => r.status === "PUT_OK"));
    const files = segmentNames(`${root}/commitlog`);
    assert.ok(files.length >= 3);
    assert.deepStrictEqual(files[1], "00000000000000004096");
    // The first record of the second file starts exactly at its first byte.
    assert.ok(results.some((r) => r.wroteOffset === 4096));
    const blankAt = results.filter((r) => r.wroteOffset < 4096).at(-1)!;
    const raw = await Deno.readFile(`${root}/commitlog/${files[0]}`);
    const dv = new DataView(raw.buffer);
    const pos = blankAt.wroteOffset + blankAt.wroteBytes;
    assert.deepStrictEqual(dv.getInt32(pos), 4096 - pos);
    assert.deepStrictEqual(dv.getInt32(pos + 4), 0xcbd43194 | 0);
    const got = await store.getMessage("g", "R", 0, 0, 32, 1 << 20);
    assert.deepStrictEqual(got.messageCount, 10);
  });
});

Deno.test("SYNC_FLUSH acks after the group commit and every message is readable", async () => {
  await withStore({ flushDiskType: "SYNC_FLUSH" }, async (store) => {
    const rs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.putMessage(makeMsg("S", 0, `m${i}`))),
    );
    assert.ok(rs.every((r) => r.status === "PUT_OK"));
    assert.deepStrictEqual(rs.map((r) => r.queueOffset), Array.from({ length: 50 }, (_, i) => i));
    assert.deepStrictEqual((await store.getMessage("g", "S", 0, 0, 64, 1 << 20)).messageCount, 32);
  });
});

Deno.test("lookMessageByOffset() decodes the record a put returned", async () => {
  await withStore({}, async (store) => {
    const r = await store.putMessage(makeMsg("L", 3, "hello", { keys: "k1" }));
    const m = await store.lookMessageByOffset(r.wroteOffset);
    assert.deepStrictEqual(m?.topic, "L");
    assert.deepStrictEqual(m?.queueId, 3);
    assert.deepStrictEqual(m?.msgId, r.msgId);
    assert.deepStrictEqual(await store.lookMessageByOffset(r.wroteOffset + 1), null);
  });
});

Deno.test("queryMessage() finds records by key and unique key within a time range", async () => {
  let now = 1_700_000_000_000;
  await withStore({}, async (store) => {
    await store.putMessage(makeMsg("Q", 0, "one", { keys: "order-1 shared", props: { UNIQ_KEY: "U1" } }));
    now += 5000;
    await store.putMessage(makeMsg("Q", 1, "two", { keys: "order-2 shared" }));
    await store.putMessage(makeMsg("Other", 0, "three", { keys: "order-1" }));
    const byKey = await store.queryMessage("Q", "order-1", 32, 0, Number.MAX_SAFE_INTEGER);
    assert.deepStrictEqual(await bodiesOf(byKey.records), ["one"]);
    const shared = await store.queryMessage("Q", "shared", 32, 0, Number.MAX_SAFE_INTEGER);
    assert.deepStrictEqual(await bodiesOf(shared.records), ["one", "two"]);
    const uniq = await store.queryMessage("Q", "U1", 32, 0, Number.MAX_SAFE_INTEGER);
    assert.deepStrictEqual(uniq.records.length, 1);
    const late = await store.queryMessage(
      "Q",
      "shared",
      32,
      1_700_000_000_000 + 4000,
      Number.MAX_SAFE_INTEGER,
    );
    assert.deepStrictEqual(await bodiesOf(late.records), ["two"]);
    assert.ok(late.indexLastUpdatePhyoffset > 0);
  }, { clock: () => now });
});

Deno.test("getOffsetInQueueByTime() returns the exact match or the nearest entry", async () => {
  let now = 1_700_000_000_000;
  await withStore({}, async (store) => {
    for (let i = 0; i < 5; i++) {
      await store.putMessage(makeMsg("TS", 0, `m${i}`));
      now += 1000;
    }
    const t0 = 1_700_000_000_000;
    assert.deepStrictEqual(await store.getOffsetInQueueByTime("TS", 0, t0 + 2000), 2);
    assert.deepStrictEqual(await store.getOffsetInQueueByTime("TS", 0, t0 + 2900), 3);
    assert.deepStrictEqual(await store.getOffsetInQueueByTime("TS", 0, t0 - 99999), 0);
    assert.deepStrictEqual(await store.getOffsetInQueueByTime("TS", 0, t0 + 99999), 4);
    assert.deepStrictEqual(await store.getEarliestMessageTime("TS", 0), t0);
    assert.deepStrictEqual(await store.getMessageStoreTimeStamp("TS", 0, 1), t0 + 1000);
  }, { clock: () => now });
});

Deno.test("the message arriving listener fires after the consume queue entry exists", async () => {
  await withStore({}, async (store) => {
    const seen: [string, number, number][] = [];
    store.setMessageArrivingListener((topic, queueId, logicOffset) => {
      assert.deepStrictEqual(store.getMaxOffsetInQueue(topic, queueId), logicOffset);
      seen.push([topic, queueId, logicOffset]);
    });
    await store.putMessage(makeMsg("A", 2, "x"));
    assert.deepStrictEqual(seen, [["A", 2, 1]]);
  });
});

Deno.test("a second store on the same directory is refused while the first holds the lock", async () => {
  await withStore({}, async (_store, root) => {
    const second = new DefaultMessageStore(testConfig(root));
    await assert.rejects(() => second.start(), StoreLockedError);
  });
});

Deno.test("a clean restart keeps messages, queue offsets and the index", async () => {
  const root = await Deno.makeTempDir({ prefix: "rmq-store-" });
  try {
    let store = await openStore(root);
    for (let i = 0; i < 20; i++) await store.putMessage(makeMsg("P", i % 2, `m${i}`, { keys: `k${i}` }));
    await store.shutdown();
    assert.ok(!(await exists(`${root}/abort`)));
    store = await openStore(root);
    assert.deepStrictEqual(store.getMaxOffsetInQueue("P", 0), 10);
    const r = await store.putMessage(makeMsg("P", 0, "after"));
    assert.deepStrictEqual(r.queueOffset, 10);
    assert.deepStrictEqual(
      (await store.queryMessage("P", "k7", 32, 0, Number.MAX_SAFE_INTEGER)).records.length,
      1,
    );
    await store.shutdown();
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

Deno.test("with the hot tail cache disabled every read and the dispatcher go to the segment files", async () => {
  await withStore(
    { hotTailCacheBytes: 0, mappedFileSizeCommitLog: 8192, writeBatchBytes: 4096 },
    async (store) => {
      const rs = [];
      for (let i = 0; i < 40; i++) {
        rs.push(
          await store.putMessage(makeMsg("NC", i % 2, `m${i}:` + "c".repeat(400))),
        );
      }
      assert.ok(rs.every((r) => r.status === "PUT_OK"));
      let off = 0;
      const bodies: string[] = [];
      while (off < store.getMaxOffsetInQueue("NC", 0)) {
        const got = await store.getMessage("g", "NC", 0, off, 32, 1 << 20);
        bodies.push(...(await bodiesOf(got.records)).map((b) => b.split(":")[0]!));
        off = got.nextBeginOffset;
      }
      assert.deepStrictEqual(bodies, Array.from({ length: 20 }, (_, i) => `m${2 * i}`));
      assert.equal((await store.lookMessageByOffset(rs[39]!.wroteOffset))?.queueOffset, 19);
    },
  );
});
