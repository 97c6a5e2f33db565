/** Shutting down on a failing disk: every step still runs, and the next start recovers what was lost. */
import assert from "node:assert/strict";
import { bodiesOf, makeMsg, openStore } from "./helpers.ts";
import type { DefaultMessageStore } from "../../src/store/message_store.ts";

async function put(store: DefaultMessageStore, from: number, to: number): Promise<void> {
  const puts = [];
  for (let i = from; i < to; i++) puts.push(store.putMessage(makeMsg("T", 0, `m${i}`)));
  for (const r of await Promise.all(puts)) assert.equal(r.status, "PUT_OK");
}

Deno.test("a consume queue that cannot be written at shutdown leaves the abort file, and the next start rebuilds it", async () => {
  const root = await Deno.makeTempDir({ prefix: "rmq-shutdown-fault-" });
  try {
    // No periodic consume-queue flush: the test decides what is written (100 entries per segment).
    let store = await openStore(root, { flushIntervalConsumeQueue: 60_000 });
    await put(store, 0, 50);
    await store.flushLogics(true);
    await put(store, 50, 150); // buffered; the second half needs a new segment
    // The queue's directory turns into a file: the open segment still takes writes, a new one cannot be made.
    const qdir = `${root}/consumequeue/T/0`;
    await Deno.rename(qdir, `${root}/aside`);
    await Deno.writeTextFile(qdir, "not a directory");

    await store.shutdown(); // resolves although a step failed
    assert.ok((await Deno.stat(store.paths.abort)).isFile, "an unclean shutdown keeps the abort file");

    await Deno.remove(qdir);
    await Deno.rename(`${root}/aside`, qdir);
    store = await openStore(root); // the store lock was released
    try {
      const bodies: string[] = [];
      for (let offset = 0; offset < 150;) {
        const r = await store.getMessage("G", "T", 0, offset, 32, 4 << 20);
        assert.equal(r.status, "FOUND", `at offset ${offset}`);
        bodies.push(...await bodiesOf(r.records));
        offset = r.nextBeginOffset;
      }
      assert.deepEqual(bodies, Array.from({ length: 150 }, (_, i) => `m${i}`));
      assert.equal(store.getMaxOffsetInQueue("T", 0), 150);
    } finally {
      await store.shutdown();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
