import assert from "node:assert/strict";
import { ConsumeQueue, CQ_STORE_UNIT_SIZE } from "../../src/store/consume_queue.ts";
import { getLong } from "../../src/store/long.ts";

/** Every entry from `from` on, read the way a pull does: window after window until none is left. */
function readAll(cq: ConsumeQueue, from: number): number[] {
  const phys: number[] = [];
  let at = from;
  for (;;) {
    const e = cq.getEntries(at, 7);
    if (!e) {
      // The end of a segment reads as null; the next one may still hold entries.
      if (at < cq.maxOffset) {
        at = cq.rollNextFile(at);
        continue;
      }
      return phys;
    }
    for (let i = 0; i < e.count; i++) phys.push(getLong(e.view, i * CQ_STORE_UNIT_SIZE));
    at += e.count;
  }
}

async function withCq(fn: (cq: ConsumeQueue, dir: string) => void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rmq-cq-" });
  // 10 entries per segment, so a few dozen entries cross several segment boundaries.
  const cq = new ConsumeQueue(dir, "T", 0, 10 * CQ_STORE_UNIT_SIZE);
  try {
    fn(cq, dir);
  } finally {
    cq.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("buffered consume-queue entries are readable before they are written, across segments", async () => {
  await withCq((cq) => {
    for (let i = 0; i < 25; i++) cq.putEntry(i * 100, 100, i, i, 1000 + i);
    assert.ok(cq.hasPending);
    assert.equal(cq.maxOffset, 25);
    assert.deepEqual(readAll(cq, 0), Array.from({ length: 25 }, (_, i) => i * 100));
    assert.deepEqual(readAll(cq, 13), Array.from({ length: 12 }, (_, i) => (i + 13) * 100));
  });
});

Deno.test("a read spanning written and buffered entries returns both, in order", async () => {
  await withCq((cq) => {
    for (let i = 0; i < 14; i++) cq.putEntry(i * 100, 100, i, i, 1000 + i);
    cq.writePending();
    for (let i = 14; i < 31; i++) cq.putEntry(i * 100, 100, i, i, 1000 + i);
    assert.equal(cq.pendingBytes, 17 * CQ_STORE_UNIT_SIZE);
    assert.deepEqual(readAll(cq, 8), Array.from({ length: 23 }, (_, i) => (i + 8) * 100));
    const one = cq.getEntry(20);
    assert.deepEqual(one, { phy: 2000, size: 100, tagsCode: 20 });
  });
});

Deno.test("one read takes written entries and the buffered ones after them, up to the segment end", async () => {
  await withCq((cq) => {
    for (let i = 0; i < 3; i++) cq.putEntry(i * 100, 100, i, i, 1000 + i);
    cq.writePending();
    for (let i = 3; i < 14; i++) cq.putEntry(i * 100, 100, i, i, 1000 + i);
    const phys = (e: ReturnType<ConsumeQueue["getEntries"]>) =>
      Array.from({ length: e?.count ?? 0 }, (_, i) => getLong(e!.view, i * CQ_STORE_UNIT_SIZE));
    // A short answer means the end of the queue or of the segment (10 entries here), never the written end.
    assert.deepEqual(phys(cq.getEntries(0, 32)), [0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    assert.deepEqual(phys(cq.getEntries(1, 4)), [100, 200, 300, 400]);
    const into = new Uint8Array(5 * CQ_STORE_UNIT_SIZE + 7);
    assert.deepEqual(phys(cq.getEntries(2, 32, into)), [200, 300, 400, 500, 600]);
  });
});

Deno.test("written consume-queue entries land in the segment files at their logical positions", async () => {
  await withCq((cq, dir) => {
    for (let i = 0; i < 23; i++) cq.putEntry(i * 100, 100, i, i, 1000 + i);
    cq.writePending();
    assert.equal(cq.pendingBytes, 0);
    const files = [...Deno.readDirSync(`${dir}/T/0`)].map((e) => e.name).sort();
    assert.deepEqual(files, ["00000000000000000000", "00000000000000000200", "00000000000000000400"]);
    const third = Deno.readFileSync(`${dir}/T/0/00000000000000000400`);
    const view = new DataView(third.buffer);
    assert.equal(getLong(view, 0), 2000);
    assert.equal(getLong(view, 2 * CQ_STORE_UNIT_SIZE), 2200);
    assert.deepEqual(readAll(cq, 0).length, 23);
  });
});
