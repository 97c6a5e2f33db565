import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { indexKeyHash, topicKeyHash } from "../../src/store/index_file.ts";

Deno.test("topicKeyHash() equals indexKeyHash() of the joined topic#key string", () => {
  const cases: [string, string][] = [["T", "k"], ["BenchTopic", "C0A8010100002A9F0000000000000001"], [
    "主题",
    "键",
  ]];
  for (let i = 0; i < 200; i++) cases.push([`Topic${i * 7919}`, `key-${(i * 104729).toString(36)}`]);
  for (const [topic, key] of cases) assertEquals(topicKeyHash(topic, key), indexKeyHash(`${topic}#${key}`));
});

Deno.test("indexKeyHash() maps a hash of Integer.MIN_VALUE to 0, as Java's Math.abs path does", () => {
  // "polygenelubricants".hashCode() is Integer.MIN_VALUE in Java.
  assertEquals(indexKeyHash("polygenelubricants"), 0);
  assertEquals(indexKeyHash("TagA"), 2598919);
});
