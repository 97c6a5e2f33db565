import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { indexKeyHash, topicHashSeed, topicKeyHash } from "../../src/store/index_file.ts";
import { makeMsg, withStore } from "./helpers.ts";

Deno.test("topicKeyHash() equals indexKeyHash() of the joined topic#key string", () => {
  const cases: [string, string][] = [["T", "k"], ["BenchTopic", "C0A8010100002A9F0000000000000001"], [
    "主题",
    "键",
  ]];
  for (let i = 0; i < 200; i++) cases.push([`Topic${i * 7919}`, `key-${(i * 104729).toString(36)}`]);
  for (const [topic, key] of cases) {
    assertEquals(topicKeyHash(topic, key), indexKeyHash(`${topic}#${key}`));
    assertEquals(topicKeyHash(topic, key, topicHashSeed(topic)), indexKeyHash(`${topic}#${key}`));
  }
});

Deno.test("indexKeyHash() maps a hash of Integer.MIN_VALUE to 0, as Java's Math.abs path does", () => {
  // "polygenelubricants".hashCode() is Integer.MIN_VALUE in Java.
  assertEquals(indexKeyHash("polygenelubricants"), 0);
  assertEquals(indexKeyHash("TagA"), 2598919);
});

Deno.test("queryMessage() finds keys of records whose topics alternate", async () => {
  await withStore({}, async (store) => {
    for (let i = 0; i < 6; i++) {
      const topic = i % 2 === 0 ? "Even" : "Odd";
      assertEquals(
        (await store.putMessage(makeMsg(topic, 0, `b${i}`, { keys: `k${i} shared` }))).status,
        "PUT_OK",
      );
    }
    const now = Date.now();
    const shared = await store.queryMessage("Odd", "shared", 10, 0, now + 1000);
    assertEquals(shared.records.length, 3);
    assertEquals((await store.queryMessage("Even", "k4", 10, 0, now + 1000)).records.length, 1);
    assertEquals((await store.queryMessage("Even", "k3", 10, 0, now + 1000)).records.length, 0);
  });
});
