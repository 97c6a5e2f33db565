/**
 * SYNC_FLUSH durability: no put is acked before an fdatasync that covers its bytes completed, and group
 * commit shares one fdatasync among every put written before it started.
 */
import assert, { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { PutMessageResult } from "../../src/store/message_store.ts";
import { makeMsg, withStore } from "./helpers.ts";

Deno.test("SYNC_FLUSH acks a put only after a completed fdatasync covered its bytes", async () => {
  await withStore({ flushDiskType: "SYNC_FLUSH", mappedFileSizeCommitLog: 1024 * 1024 }, async (store) => {
    const total = 600;
    const concurrency = 64;
    let issued = 0;
    const violations: string[] = [];
    const worker = async () => {
      while (issued < total) {
        const i = issued++;
        const syncsBefore = store.getWriteStats().syncCalls;
        const r: PutMessageResult = await store.putMessage(
          makeMsg("DurableTopic", i % 4, "x".repeat(50 + i % 700)),
        );
        const s = store.getWriteStats();
        const end = r.wroteOffset + r.wroteBytes;
        if (r.status !== "PUT_OK") violations.push(`put ${i}: status ${r.status}`);
        if (s.flushedOffset < end) {
          violations.push(`put ${i}: acked at flushed ${s.flushedOffset} < end ${end}`);
        }
        if (s.syncCalls <= syncsBefore) violations.push(`put ${i}: acked before any fdatasync completed`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    assertEquals(violations, []);
    const s = store.getWriteStats();
    // Group commit: many puts share one fdatasync.
    assert(s.syncCalls < total, `${s.syncCalls} fdatasyncs for ${total} puts`);
  });
});

Deno.test("SYNC_FLUSH at concurrency 1 costs one fdatasync per acked put", async () => {
  await withStore({ flushDiskType: "SYNC_FLUSH" }, async (store) => {
    const before = store.getWriteStats().syncCalls;
    const n = 30;
    for (let i = 0; i < n; i++) {
      const r = await store.putMessage(makeMsg("OneByOne", 0, `m${i}`));
      assertEquals(r.status, "PUT_OK");
      assert(store.getWriteStats().flushedOffset >= r.wroteOffset + r.wroteBytes);
    }
    // Nothing else was pending when each put arrived, so each ack needed its own sync.
    assert(store.getWriteStats().syncCalls - before >= n);
  });
});

Deno.test("a SYNC_FLUSH put with WAIT=false is acked once written, without waiting for a sync", async () => {
  await withStore({ flushDiskType: "SYNC_FLUSH" }, async (store) => {
    const r = await store.putMessage(makeMsg("NoWait", 0, "quick", { props: { WAIT: "false" } }));
    assertEquals(r.status, "PUT_OK");
    assert(store.getMaxPhyOffset() >= r.wroteOffset + r.wroteBytes);
  });
});
