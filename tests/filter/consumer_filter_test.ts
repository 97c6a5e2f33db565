import assert from "node:assert/strict";
import {
  buildConsumerFilter,
  buildTagFilter,
  clearSql92Cache,
  compileCached,
  FilterParseError,
  SQL92_CACHE_SIZE,
} from "../../src/filter/message_filter.ts";
import { LruCache } from "../../src/filter/lru_cache.ts";
import { javaStringHashCode } from "../../src/message/tags.ts";

Deno.test("buildTagFilter() matches everything for *, empty and missing subscriptions", () => {
  for (const sub of ["*", "", "  ", " * ", null, undefined]) {
    const f = buildTagFilter(sub);
    assert.equal(f.all, true);
    assert.equal(f.subString, "*");
    assert.equal(f.isMatchedByConsumeQueue(0), true);
    assert.equal(f.isMatchedByConsumeQueue(12345), true);
    assert.equal(f.isMatchedByProperties({}), true);
  }
});

Deno.test("buildTagFilter() hashes each trimmed tag with Java String.hashCode", () => {
  const f = buildTagFilter(" TagA ||TagB|| ||");
  assert.deepEqual([...f.tagsSet], ["TagA", "TagB"]);
  assert.deepEqual([...f.codeSet], [2598919, 2598920]);
  assert.equal(f.isMatchedByConsumeQueue(javaStringHashCode("TagA")), true);
  assert.equal(f.isMatchedByConsumeQueue(javaStringHashCode("TagC")), false);
  assert.equal(f.isMatchedByConsumeQueue(0), false, "untagged messages (tagsCode 0) only match *");
  // The consume queue stores tagsCode as a long; only its low 32 bits are compared, as upstream's (int) cast.
  assert.equal(f.isMatchedByConsumeQueue(BigInt(2598919) + (1n << 32n)), true);
  assert.equal(f.isMatchedByConsumeQueue(2598919 + 2 ** 32), true);
});

Deno.test("buildTagFilter() requires the exact tag string at the properties stage", () => {
  const f = buildTagFilter("TagA || TagB");
  assert.equal(f.isMatchedByProperties({ TAGS: "TagA" }), true);
  assert.equal(f.isMatchedByProperties({ TAGS: "taga" }), false);
  assert.equal(f.isMatchedByProperties({ TAGS: "TagA || TagB" }), false);
  assert.equal(f.isMatchedByProperties({}), false);
  // "Aa" and "BB" share a Java hash code: the hash stage passes, the exact-string stage does not.
  const collide = buildTagFilter("Aa");
  assert.equal(collide.isMatchedByConsumeQueue(javaStringHashCode("BB")), true);
  assert.equal(collide.isMatchedByProperties({ TAGS: "BB" }), false);
});

Deno.test("buildConsumerFilter() reads null, empty and TAG as TAG and SQL92 as a selector", () => {
  for (const type of [null, undefined, "", "TAG"]) {
    assert.equal(buildConsumerFilter(type, "a || b").expressionType, "TAG");
  }
  const sql = buildConsumerFilter("SQL92", "TAGS = 'a' AND region = 'hz'");
  assert.equal(sql.expressionType, "SQL92");
  assert.equal(sql.isMatchedByConsumeQueue(0), true);
  assert.equal(sql.isMatchedByProperties({ TAGS: "a", region: "hz" }), true);
  assert.equal(sql.isMatchedByProperties({ TAGS: "a" }), false);
  assert.equal(sql.isMatchedByProperties({ TAGS: "a", region: "x'" }), false);
});

Deno.test("buildConsumerFilter() throws FilterParseError for bad selectors and unknown types", () => {
  assert.throws(() => buildConsumerFilter("SQL92", "a >"), FilterParseError);
  assert.throws(() => buildConsumerFilter("SQL92", null), FilterParseError);
  assert.throws(
    () => buildConsumerFilter("CLASS", "x"),
    (e: unknown) =>
      e instanceof FilterParseError && e.message === 'Unsupported expression type "CLASS" in "x"',
  );
  assert.throws(() => buildConsumerFilter("sql92", "a = 1"), FilterParseError);
});

Deno.test("compileCached() returns the same compiled selector and remembers failures", () => {
  clearSql92Cache();
  const a = compileCached("a = 1");
  assert.equal(compileCached("a = 1"), a);
  const first = (() => {
    try {
      compileCached("a = = 1");
    } catch (e) {
      return e;
    }
  })();
  assert.ok(first instanceof FilterParseError);
  assert.throws(() => compileCached("a = = 1"), (e: unknown) => e === first);
  for (let i = 0; i < SQL92_CACHE_SIZE; i++) compileCached(`a = ${i + 2}`);
  assert.notEqual(compileCached("a = 1"), a, "the oldest entry is evicted after 100 newer ones");
  clearSql92Cache();
});

Deno.test("LruCache evicts the least recently used entry", () => {
  const c = new LruCache<string, number>(2);
  c.set("a", 1);
  c.set("b", 2);
  assert.equal(c.get("a"), 1);
  c.set("c", 3);
  assert.equal(c.has("b"), false);
  assert.equal(c.get("a"), 1);
  assert.equal(c.get("c"), 3);
  assert.equal(c.size, 2);
  c.set("a", 10);
  assert.equal(c.get("a"), 10);
  assert.equal(c.size, 2);
  assert.throws(() => new LruCache(0), RangeError);
});
