import * as assert from "node:assert/strict";
import type { DefaultMessageStore } from "../../src/store/message_store.ts";
import { bodiesOf, makeMsg, openStore } from "./helpers.ts";

const kib = (q: number, i: number) => `q${q}-m${i}-` + "x".repeat(1100);

/** Puts `perQueue` ~1 KiB messages into each of `queues` queues of topic "D", round-robin as a producer does. */
async function fillRoundRobin(store: DefaultMessageStore, queues: number, perQueue: number): Promise<void> {
  const puts = [];
  for (let i = 0; i < perQueue; i++) {
    for (let q = 0; q < queues; q++) puts.push(store.putMessage(makeMsg("D", q, kib(q, i))));
  }
  for (const r of await Promise.all(puts)) assert.equal(r.status, "PUT_OK");
}

/** Opens a store over `root`, fills it, and reopens it so the tail cache is empty and every pull reads disk. */
async function diskStore(root: string, queues: number, perQueue: number): Promise<DefaultMessageStore> {
  const overrides = { mappedFileSizeCommitLog: 4 << 20 };
  const first = await openStore(root, overrides);
  await fillRoundRobin(first, queues, perQueue);
  await first.shutdown();
  return await openStore(root, overrides);
}

const oneBuffer = (records: Uint8Array[]) => records.every((r) => r.buffer === records[0]!.buffer);

Deno.test("getMessage() reads a pull of a queue interleaved with 7 others from disk as one span", async () => {
  // 8 queues of 1 KiB messages leave ~8.3 KiB of other queues' records between two of one queue's: read
  // along, so a pull costs one read, not one per record.
  const root = await Deno.makeTempDir({ prefix: "rmq-dspan-" });
  try {
    const store = await diskStore(root, 8, 40);
    try {
      // The first pull reads into scratch; its release switches the store to pooled buffers for the rest.
      for (let pull = 0; pull < 3; pull++) {
        const r = await store.getMessage("G", "D", 3, 0, 16, 4 << 20);
        assert.equal(r.status, "FOUND");
        assert.equal(r.messageCount, 16);
        assert.ok(oneBuffer(r.records), "expected every record of the pull to come from one read");
        assert.deepEqual(await bodiesOf(r.records), Array.from({ length: 16 }, (_, i) => kib(3, i)));
        r.release?.();
      }
    } finally {
      await store.shutdown();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("getMessage() packs a sparse queue's disk spans into one pooled buffer per pull", async () => {
  // 48 queues: gaps of ~50 KiB, so every record is its own span; the spans share one 64 KiB buffer instead
  // of taking a buffer each.
  const root = await Deno.makeTempDir({ prefix: "rmq-dspan-" });
  try {
    const store = await diskStore(root, 48, 12);
    try {
      const warm = await store.getMessage("G", "D", 0, 0, 1, 4 << 20);
      warm.release?.(); // callers release: the store switches to pooled buffers
      for (let q = 0; q < 48; q += 7) {
        const r = await store.getMessage("G", "D", q, 0, 12, 4 << 20);
        assert.equal(r.messageCount, 12);
        assert.ok(oneBuffer(r.records), "expected the pull's spans to share one pooled buffer");
        assert.equal(r.records[0]!.buffer.byteLength, 64 * 1024);
        assert.deepEqual(await bodiesOf(r.records), Array.from({ length: 12 }, (_, i) => kib(q, i)));
        r.release?.();
      }
    } finally {
      await store.shutdown();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("draining 8 interleaved queues from disk reads each commitlog byte about once, not once per queue", async () => {
  // Each pull's span holds the other 7 queues' records between its own; read-ahead windows let the next
  // queues' pulls reuse those bytes instead of reading them again.
  const root = await Deno.makeTempDir({ prefix: "rmq-dspan-" });
  try {
    const store = await diskStore(root, 8, 256);
    try {
      const total = store.getWriteStats().bytesWritten;
      const next = new Array(8).fill(0);
      let received = 0;
      // Round-robin over the queues, one pull of up to 32 each, as a consumer with 8 queues does.
      while (next.some((n) => n < 256)) {
        for (let q = 0; q < 8; q++) {
          if (next[q] >= 256) continue;
          const r = await store.getMessage("G", "D", q, next[q], 32, 4 << 20);
          assert.equal(r.status, "FOUND");
          const want = Array.from({ length: r.messageCount }, (_, i) => kib(q, next[q] + i));
          assert.deepEqual(await bodiesOf(r.records), want);
          next[q] = r.nextBeginOffset;
          received += r.messageCount;
          r.release?.();
        }
      }
      assert.equal(received, 8 * 256);
      const read = store.getWriteStats().spanReadBytes;
      assert.ok(read < 2 * total, `read ${read} bytes from disk to drain ${total}`);
    } finally {
      await store.shutdown();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a pull not yet released keeps its records while later pulls recycle read-ahead windows", async () => {
  const root = await Deno.makeTempDir({ prefix: "rmq-dspan-" });
  try {
    const store = await diskStore(root, 8, 1200);
    try {
      const warm = await store.getMessage("G", "D", 7, 0, 1, 4 << 20);
      warm.release?.(); // callers release: the store recycles buffers from here on
      const held = await store.getMessage("G", "D", 0, 0, 32, 4 << 20);
      assert.equal(held.messageCount, 32);
      // Drain the other queues: each byte of ~10 MiB goes through read-ahead windows, which are reused.
      for (let q = 1; q < 8; q++) {
        let next = 0;
        while (next < 1200) {
          const r = await store.getMessage("G", "D", q, next, 32, 4 << 20);
          assert.deepEqual(
            await bodiesOf(r.records),
            Array.from({ length: r.messageCount }, (_, i) => kib(q, next + i)),
          );
          next = r.nextBeginOffset;
          r.release?.();
        }
      }
      assert.deepEqual(await bodiesOf(held.records), Array.from({ length: 32 }, (_, i) => kib(0, i)));
      held.release?.();
    } finally {
      await store.shutdown();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
