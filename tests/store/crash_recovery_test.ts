import assert from "node:assert/strict";
import { decodeRecord } from "../../src/message/record_codec.ts";
import { openStore } from "./helpers.ts";

const CHILD = new URL("./fixtures/append_child.ts", import.meta.url).pathname;
const dec = new TextDecoder();

interface Ack {
  queueId: number;
  queueOffset: number;
  wroteOffset: number;
  body: string;
}

/** Runs the child until it acked at least `minAcks` messages (or ~1.5 s passed), then SIGKILLs it. */
async function runAndKill(root: string, mode: string, round: number, minAcks: number): Promise<Ack[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", CHILD, root, mode, String(round)],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Kept for the failure message if the child never acks (e.g. it failed to start).
  const stderrText = new Response(child.stderr).text();
  const acks: Ack[] = [];
  let text = "";
  const reader = child.stdout.getReader();
  const deadline = Date.now() + 8000;
  let firstAckAt = 0;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value);
    const lines = text.split("\n");
    text = lines.pop()!;
    for (const l of lines) {
      const [tag, q, qo, wo, body] = l.split(" ");
      if (tag !== "ACK") continue;
      acks.push({ queueId: Number(q), queueOffset: Number(qo), wroteOffset: Number(wo), body: body! });
    }
    if (acks.length > 0 && firstAckAt === 0) firstAckAt = Date.now();
    if (acks.length >= minAcks || (firstAckAt && Date.now() - firstAckAt > 1500)) break;
  }
  child.kill("SIGKILL");
  // Whatever the child printed before dying was acked too; drain it (a partial last line is not an ack).
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value);
  }
  for (const l of text.split("\n").slice(0, -1)) {
    const [tag, q, qo, wo, body] = l.split(" ");
    if (tag === "ACK") {
      acks.push({ queueId: Number(q), queueOffset: Number(qo), wroteOffset: Number(wo), body: body! });
    }
  }
  await child.status;
  const err = await stderrText;
  if (acks.length === 0) throw new Error(`The child acked nothing; its stderr:\n${err}`);
  return acks;
}

async function verify(root: string, acks: Ack[]): Promise<void> {
  const store = await openStore(root);
  try {
    for (const a of acks) {
      const got = await store.getMessage("g", "C", a.queueId, a.queueOffset, 1, 1 << 20);
      assert.equal(
        got.status,
        "FOUND",
        `acked message ${a.body} at ${a.queueId}/${a.queueOffset} is missing`,
      );
      const [m] = decodeRecord(got.records[0]!, 0, { checkCRC: true });
      assert.equal(dec.decode(m.body), a.body);
      assert.equal(m.commitLogOffset, a.wroteOffset);
    }
    // Every stored record of every queue decodes with a valid CRC and its own queue offset.
    for (const q of store.getTopicQueueIds("C")) {
      let off = store.getMinOffsetInQueue("C", q);
      const max = store.getMaxOffsetInQueue("C", q);
      while (off < max) {
        const got = await store.getMessage("g", "C", q, off, 32, 1 << 20);
        assert.equal(got.status, "FOUND");
        for (const r of got.records) {
          const [m] = decodeRecord(r, 0, { checkCRC: true });
          assert.equal(m.queueOffset, off++);
        }
      }
    }
  } finally {
    await store.shutdown();
  }
}

for (const mode of ["ASYNC_FLUSH", "SYNC_FLUSH"]) {
  Deno.test(`no acknowledged message is lost when the broker process is SIGKILLed repeatedly (${mode})`, async () => {
    const root = await Deno.makeTempDir({ prefix: "rmq-crash-" });
    try {
      const acks: Ack[] = [];
      for (let round = 0; round < 3; round++) {
        const got = await runAndKill(root, mode, round, 3000 + round * 500);
        assert.ok(got.length > 0, `round ${round} acked nothing`);
        acks.push(...got);
      }
      await verify(root, acks);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("a second broker process cannot open a store another process holds", async () => {
  const root = await Deno.makeTempDir({ prefix: "rmq-lock-" });
  try {
    const store = await openStore(root);
    const run = () =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--no-check",
          new URL("./fixtures/open_child.ts", import.meta.url).pathname,
          root,
        ],
        stdout: "piped",
        stderr: "null",
      }).output();
    try {
      const out = dec.decode((await run()).stdout);
      assert.match(out, /^REFUSED StoreLockedError: Lock failed: the store ".*" is already in use/);
    } finally {
      await store.shutdown();
    }
    assert.match(dec.decode((await run()).stdout), /^STARTED/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
