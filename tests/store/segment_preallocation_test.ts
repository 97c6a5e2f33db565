/**
 * The commitlog creates its next segment ahead of time (upstream AllocateMappedFileService), so rolling to a
 * new segment is a rename rather than a create + truncate + directory fsync on the put path.
 */
import assert from "node:assert/strict";
import { bodiesOf, makeMsg, openStore, segmentNames, withStore } from "./helpers.ts";

const SEGMENT = 64 * 1024;
const NEXT = "00000000000000065536";

/** Waits until `path` exists at its full segment length (it is opened first, then sized). */
async function waitForSegment(path: string): Promise<Deno.FileInfo> {
  for (let i = 0; i < 200; i++) {
    try {
      const info = Deno.statSync(path);
      if (info.size === SEGMENT) return info;
    } catch { /* not created yet */ }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`Segment "${path}" never reached ${SEGMENT} bytes`);
}

Deno.test("the next commitlog segment is prepared in the background and taken over when the log rolls", async () => {
  await withStore({ mappedFileSizeCommitLog: SEGMENT }, async (store, root) => {
    const first = await store.putMessage(makeMsg("P", 0, "first"));
    assert.equal(first.status, "PUT_OK");
    const prepared = await waitForSegment(`${root}/commitlog/${NEXT}.creating`);
    assert.deepStrictEqual(segmentNames(`${root}/commitlog`), ["00000000000000000000"]);
    const body = "y".repeat(1000);
    let last = first;
    while (last.wroteOffset < SEGMENT) last = await store.putMessage(makeMsg("P", 0, body));
    assert.equal(last.wroteOffset, SEGMENT);
    // The rolled-to segment is the very file prepared earlier (a rename keeps the inode).
    assert.equal(Deno.statSync(`${root}/commitlog/${NEXT}`).ino, prepared.ino);
    const got = await store.getMessage("g", "P", 0, last.queueOffset, 1, 1 << 20);
    assert.deepStrictEqual(await bodiesOf(got.records), [body]);
  });
});

Deno.test("shutdown deletes an unused prepared segment and a restart deletes one left by a crash", async () => {
  const root = await Deno.makeTempDir({ prefix: "rmq-store-" });
  try {
    const store = await openStore(root, { mappedFileSizeCommitLog: SEGMENT });
    await store.putMessage(makeMsg("P", 0, "one"));
    await waitForSegment(`${root}/commitlog/${NEXT}.creating`);
    await store.shutdown();
    assert.deepStrictEqual([...Deno.readDirSync(`${root}/commitlog`)].map((e) => e.name), [
      "00000000000000000000",
    ]);
    // A crash between preparing and taking leaves the `.creating` file behind.
    Deno.writeFileSync(`${root}/commitlog/${NEXT}.creating`, new Uint8Array(16));
    const again = await openStore(root, { mappedFileSizeCommitLog: SEGMENT });
    try {
      assert.equal(again.getMaxOffsetInQueue("P", 0), 1);
      assert.ok(!segmentNames(`${root}/commitlog`).includes(NEXT));
    } finally {
      await again.shutdown();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
