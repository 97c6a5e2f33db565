import * as assert from "node:assert/strict";
import { tagsHashCode } from "../../src/message/tags.ts";
import { IndexFile, indexKeyHash } from "../../src/store/index_file.ts";
import { ReadBufferPool } from "../../src/store/read_buffer_pool.ts";
import type { DefaultMessageStore } from "../../src/store/message_store.ts";
import { bodiesOf, makeMsg, openStore, withStore } from "./helpers.ts";

const body = (q: number, i: number) => `q${q}-m${i}-` + "x".repeat(200 + (i % 7) * 37);

/** Puts `n` messages round-robin over `queues` queues of topic "S" (tags alternate A/B). */
async function fill(store: DefaultMessageStore, n: number, queues: number): Promise<void> {
  const puts = [];
  for (let i = 0; i < n; i++) {
    const q = i % queues;
    puts.push(
      store.putMessage(makeMsg("S", q, body(q, Math.floor(i / queues)), { tags: i % 2 ? "B" : "A" })),
    );
  }
  for (const r of await Promise.all(puts)) assert.equal(r.status, "PUT_OK");
}

/** Drains queue `q` in batches of `batch`; returns every body in order. */
async function drain(
  store: DefaultMessageStore,
  q: number,
  batch: number,
  release: boolean,
): Promise<string[]> {
  const out: string[] = [];
  let offset = 0;
  for (;;) {
    const r = await store.getMessage("G", "S", q, offset, batch, 4 << 20);
    if (r.status !== "FOUND") break;
    assert.equal(r.records.length, r.messageCount);
    assert.equal(r.records.reduce((s, x) => s + x.length, 0), r.bufferTotalSize);
    out.push(...await bodiesOf(r.records));
    if (release) r.release?.();
    offset = r.nextBeginOffset;
  }
  return out;
}

Deno.test("getMessage() returns interleaved queues' records in order across segments, cache and disk", async () => {
  // 64 KiB segments and a 256 KiB tail cache: spans must split at segment ends and come from both sources.
  const root = await Deno.makeTempDir({ prefix: "rmq-span-" });
  try {
    let store = await openStore(root);
    await fill(store, 900, 3);
    for (let q = 0; q < 3; q++) {
      assert.deepEqual(await drain(store, q, 32, false), Array.from({ length: 300 }, (_, i) => body(q, i)));
    }
    await store.shutdown();
    store = await openStore(root); // empty cache: every span is a disk read into a pooled buffer
    try {
      for (let q = 0; q < 3; q++) {
        assert.deepEqual(await drain(store, q, 32, true), Array.from({ length: 300 }, (_, i) => body(q, i)));
      }
    } finally {
      await store.shutdown();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("getMessage() applies the tag filter before reading and the record filter after", async () => {
  await withStore({}, async (store) => {
    await fill(store, 200, 1);
    const tagB = tagsHashCode("B");
    let seen = 0;
    const r = await store.getMessage("G", "S", 0, 0, 10, 4 << 20, {
      isMatchedByConsumeQueue: (code) => code === tagB,
      isMatchedByCommitLog: () => ++seen % 2 === 0, // rejects every other B record
    });
    assert.equal(r.status, "FOUND");
    assert.equal(r.messageCount, 10);
    // B records are the odd ones; every second of them passes: 3, 7, 11, ...
    assert.deepEqual(await bodiesOf(r.records), Array.from({ length: 10 }, (_, k) => body(0, 3 + 4 * k)));
    assert.equal(r.nextBeginOffset, 40);
  });
});

Deno.test("a pull reads on past the consume queue's written entries into its buffered ones", async () => {
  await withStore({}, async (store) => {
    const put = async (i: number, tags: string) =>
      assert.equal((await store.putMessage(makeMsg("S", 0, body(0, i), { tags }))).status, "PUT_OK");
    await put(0, "A");
    await store.flushLogics(true); // entry 0 written, the next ones buffered
    await put(1, "A");
    await put(2, "B");
    const all = await store.getMessage("G", "S", 0, 0, 32, 4 << 20);
    assert.deepEqual([all.status, all.messageCount, all.nextBeginOffset], ["FOUND", 3, 3]);
    const tagB = tagsHashCode("B");
    const onlyB = await store.getMessage("G", "S", 0, 0, 32, 4 << 20, {
      isMatchedByConsumeQueue: (code) => code === tagB,
    });
    assert.deepEqual([onlyB.status, onlyB.nextBeginOffset], ["FOUND", 3]);
    assert.deepEqual(await bodiesOf(onlyB.records), [body(0, 2)]);
  });
});

Deno.test("getMessage() keeps maxMsgNums and the in-memory byte limit with span reads", async () => {
  await withStore({ maxTransferBytesOnMessageInMemory: 1500 }, async (store) => {
    await fill(store, 100, 2);
    const few = await store.getMessage("G", "S", 1, 0, 3, 4 << 20);
    assert.equal(few.messageCount, 3);
    assert.equal(few.nextBeginOffset, 3);
    const capped = await store.getMessage("G", "S", 0, 0, 32, 4 << 20);
    assert.ok(capped.bufferTotalSize <= 1500 && capped.messageCount >= 1);
    assert.equal(capped.nextBeginOffset, capped.messageCount);
  });
});

Deno.test("getMessage() records served from the tail cache stay intact after the cache moves on", async () => {
  await withStore({ hotTailCacheBytes: 64 * 1024, writeBatchBytes: 8192 }, async (store) => {
    await fill(store, 20, 1);
    const r = await store.getMessage("G", "S", 0, 0, 20, 4 << 20);
    const before = r.records.map((x) => x.slice());
    // Rounds of puts evict the cache buffers the records view, and later rounds would recycle them.
    for (let round = 0; round < 20; round++) await fill(store, 100, 1);
    assert.deepEqual(r.records, before);
  });
});

Deno.test("ReadBufferPool reuses released buffers and keeps at most its byte bound", () => {
  const pool = new ReadBufferPool(256 * 1024);
  const a = pool.take(100_000);
  assert.equal(a.length, 128 * 1024);
  pool.give(a);
  assert.equal(pool.take(70_000), a);
  pool.give(new Uint8Array(256 * 1024));
  pool.give(new Uint8Array(128 * 1024)); // over the bound: dropped
  assert.equal(pool.pooledBytes, 256 * 1024);
});

Deno.test("IndexFile.flush() writes neighbouring dirty slot pages with one write and reads back every key", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmq-idx-" });
  try {
    const path = `${dir}/idx`;
    const f = IndexFile.create(path, 100_000, 5_000);
    for (let i = 0; i < 4000; i++) f.putKey(`T#k${i}`, 1000 + i, 1_700_000_000_000 + i);
    f.flush(false);
    const pages = new Set(Array.from({ length: 4000 }, (_, i) => (indexKeyHash(`T#k${i}`) % 100_000) >> 10));
    // Similar keys hash into a few clusters of neighbouring pages: one write per cluster, not per page.
    assert.ok(pages.size > 20, `expected many dirty pages, got ${pages.size}`);
    assert.ok(f.slotWriteCalls <= 3, `expected at most 3 slot writes, got ${f.slotWriteCalls}`);
    f.close();
    const g = IndexFile.open(path, 100_000, 5_000);
    for (const i of [0, 1234, 3999]) {
      const out: number[] = [];
      g.selectPhyOffset(out, `T#k${i}`, 4, 0, Number.MAX_SAFE_INTEGER);
      assert.deepEqual(out, [1000 + i]);
    }
    g.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("getMessage() disk records stay intact across later calls, released or not", async () => {
  const root = await Deno.makeTempDir({ prefix: "rmq-span-" });
  try {
    let store = await openStore(root);
    await fill(store, 400, 2);
    await store.shutdown();
    store = await openStore(root); // cold: spans come from disk
    try {
      const kept = await store.getMessage("G", "S", 0, 0, 32, 4 << 20); // never released
      const copy = kept.records.map((x) => x.slice());
      for (let off = 32; off < 200;) {
        const r = await store.getMessage("G", "S", 0, off, 32, 4 << 20);
        assert.equal(r.status, "FOUND");
        r.release?.(); // from here on spans use pooled buffers
        r.release?.(); // idempotent
        off = r.nextBeginOffset;
      }
      const q1 = await store.getMessage("G", "S", 1, 0, 32, 4 << 20); // pooled, not released
      const q1Copy = q1.records.map((x) => x.slice());
      for (let off = 32; off < 200;) {
        const r = await store.getMessage("G", "S", 1, off, 32, 4 << 20);
        r.release?.();
        off = r.nextBeginOffset;
      }
      assert.deepEqual(kept.records, copy);
      assert.deepEqual(q1.records, q1Copy);
      assert.deepEqual(await bodiesOf(q1.records), Array.from({ length: 32 }, (_, i) => body(1, i)));
    } finally {
      await store.shutdown();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
