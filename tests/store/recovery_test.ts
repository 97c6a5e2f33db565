import assert from "node:assert/strict";
import { bodiesOf, makeMsg, openStore, segmentNames } from "./helpers.ts";
import type { PutMessageResult } from "../../src/store/message_store.ts";

async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "rmq-recovery-" });
  try {
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** Writes `n` messages to queue R/0 and shuts down cleanly. */
async function fill(root: string, n: number, size = 200): Promise<PutMessageResult[]> {
  const store = await openStore(root);
  const out: PutMessageResult[] = [];
  for (let i = 0; i < n; i++) out.push(await store.putMessage(makeMsg("R", 0, `m${i}:` + "y".repeat(size))));
  await store.shutdown();
  return out;
}

function segmentPath(root: string, offset: number): string {
  return `${root}/commitlog/${String(offset - (offset % (64 * 1024))).padStart(20, "0")}`;
}

async function crashMarker(root: string): Promise<void> {
  await Deno.writeFile(`${root}/abort`, new Uint8Array(0));
}

Deno.test("a torn last record is truncated, zero-filled and its offsets are reused", async () => {
  await withRoot(async (root) => {
    const rs = await fill(root, 10);
    const last = rs[9]!;
    const path = segmentPath(root, last.wroteOffset);
    const f = await Deno.open(path, { write: true });
    // Keep only the first half of the last record, as a crash mid-write would.
    await f.seek(last.wroteOffset % (64 * 1024) + Math.floor(last.wroteBytes / 2), Deno.SeekMode.Start);
    await f.write(new Uint8Array(last.wroteBytes - Math.floor(last.wroteBytes / 2)));
    f.close();
    await crashMarker(root);
    const store = await openStore(root);
    try {
      assert.equal(store.getMaxPhyOffset(), last.wroteOffset);
      assert.equal(store.getMaxOffsetInQueue("R", 0), 9);
      const raw = await Deno.readFile(path);
      assert.ok(raw.subarray(last.wroteOffset % (64 * 1024)).every((b) => b === 0), "tail is zero-filled");
      const r = await store.putMessage(makeMsg("R", 0, "again"));
      assert.equal(r.queueOffset, 9);
      assert.equal(r.wroteOffset, last.wroteOffset);
    } finally {
      await store.shutdown();
    }
  });
});

Deno.test("a record with a flipped body byte is never served and recovery stops before it", async () => {
  await withRoot(async (root) => {
    const rs = await fill(root, 12);
    const bad = rs[6]!;
    const path = segmentPath(root, bad.wroteOffset);
    const raw = await Deno.readFile(path);
    const at = bad.wroteOffset % (64 * 1024) + 100; // inside the body
    raw[at] = raw[at]! ^ 0xff;
    await Deno.writeFile(path, raw);
    const store = await openStore(root);
    try {
      assert.equal(store.getMaxPhyOffset(), bad.wroteOffset);
      assert.equal(store.getMaxOffsetInQueue("R", 0), 6);
      assert.equal(await store.lookMessageByOffset(bad.wroteOffset), null);
      const got = await store.getMessage("g", "R", 0, 0, 32, 1 << 20);
      assert.deepStrictEqual((await bodiesOf(got.records)).map((b) => b.split(":")[0]), [
        "m0",
        "m1",
        "m2",
        "m3",
        "m4",
        "m5",
      ]);
    } finally {
      await store.shutdown();
    }
  });
});

Deno.test("an empty trailing segment is dropped and appends continue in the last real one", async () => {
  await withRoot(async (root) => {
    const rs = await fill(root, 5);
    const end = rs[4]!.wroteOffset + rs[4]!.wroteBytes;
    await Deno.writeFile(
      `${root}/commitlog/${String(64 * 1024).padStart(20, "0")}`,
      new Uint8Array(64 * 1024),
    );
    const store = await openStore(root);
    try {
      assert.equal(store.getMaxPhyOffset(), end);
      const names = segmentNames(`${root}/commitlog`);
      assert.deepStrictEqual(names, ["00000000000000000000"]);
      assert.equal((await store.putMessage(makeMsg("R", 0, "next"))).wroteOffset, end);
    } finally {
      await store.shutdown();
    }
  });
});

Deno.test("a missing consumequeue directory is rebuilt from the commitlog", async () => {
  await withRoot(async (root) => {
    const store0 = await openStore(root);
    for (let i = 0; i < 30; i++) {
      await store0.putMessage(makeMsg("Q", i % 3, `m${i}`, { tags: i % 2 ? "odd" : "even" }));
    }
    await store0.shutdown();
    await Deno.remove(`${root}/consumequeue`, { recursive: true });
    const store = await openStore(root);
    try {
      assert.deepStrictEqual(store.getTopicQueueIds("Q"), [0, 1, 2]);
      for (const q of [0, 1, 2]) assert.equal(store.getMaxOffsetInQueue("Q", q), 10);
      const got = await store.getMessage("g", "Q", 1, 0, 32, 1 << 20);
      assert.deepStrictEqual(
        await bodiesOf(got.records),
        [1, 4, 7, 10, 13, 16, 19, 22, 25, 28].map((i) => `m${i}`),
      );
      assert.equal((await store.putMessage(makeMsg("Q", 1, "new"))).queueOffset, 10);
    } finally {
      await store.shutdown();
    }
  });
});

Deno.test("after a crash, consume queue entries beyond the recovered commitlog end are dropped", async () => {
  await withRoot(async (root) => {
    const rs = await fill(root, 8);
    // Tear the last two records off the commitlog; the consume queue still points at them.
    const cut = rs[6]!.wroteOffset;
    const path = segmentPath(root, cut);
    const raw = await Deno.readFile(path);
    raw.fill(0, cut % (64 * 1024), cut % (64 * 1024) + 8);
    await Deno.writeFile(path, raw);
    await crashMarker(root);
    const store = await openStore(root);
    try {
      assert.equal(store.getMaxOffsetInQueue("R", 0), 6);
      const got = await store.getMessage("g", "R", 0, 0, 32, 1 << 20);
      assert.equal(got.messageCount, 6);
      assert.equal((await store.getMessage("g", "R", 0, 6, 32, 1 << 20)).status, "OFFSET_OVERFLOW_ONE");
    } finally {
      await store.shutdown();
    }
  });
});

Deno.test("a segment of the wrong length refuses to load", async () => {
  await withRoot(async (root) => {
    await fill(root, 2);
    await Deno.writeFile(`${root}/commitlog/${String(64 * 1024).padStart(20, "0")}`, new Uint8Array(10));
    await assert.rejects(() => openStore(root), /has length 10/);
    // The failed start released the lock: a corrected store opens.
    await Deno.remove(`${root}/commitlog/${String(64 * 1024).padStart(20, "0")}`);
    const store = await openStore(root);
    await store.shutdown();
  });
});

Deno.test("after a crash the index is rebuilt from the commitlog and queries still find every key", async () => {
  await withRoot(async (root) => {
    const store0 = await openStore(root);
    for (let i = 0; i < 30; i++) await store0.putMessage(makeMsg("K", 0, `m${i}`, { keys: `key${i % 5}` }));
    await store0.shutdown();
    await crashMarker(root);
    const store = await openStore(root);
    try {
      const got = await store.queryMessage("K", "key3", 64, 0, Number.MAX_SAFE_INTEGER);
      assert.deepStrictEqual(await bodiesOf(got.records), ["m3", "m8", "m13", "m18", "m23", "m28"]);
      assert.equal(store.getMaxOffsetInQueue("K", 0), 30);
    } finally {
      await store.shutdown();
    }
  });
});

Deno.test("a segment whose creation was cut short by a crash is discarded, not fatal", async () => {
  await withRoot(async (root) => {
    await fill(root, 3);
    // What a crash between open() and the preallocating truncate() leaves behind.
    await Deno.writeFile(
      `${root}/commitlog/${String(64 * 1024).padStart(20, "0")}.creating`,
      new Uint8Array(0),
    );
    await crashMarker(root);
    const store = await openStore(root);
    try {
      assert.equal(store.getMaxOffsetInQueue("R", 0), 3);
      assert.deepStrictEqual(segmentNames(`${root}/commitlog`), [
        "00000000000000000000",
      ]);
    } finally {
      await store.shutdown();
    }
  });
});
