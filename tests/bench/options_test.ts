import { deepStrictEqual as assertEquals, throws } from "node:assert/strict";
import { BenchUsageError, parseConsumerOptions, parseProducerOptions } from "../../src/bench/options.ts";

/** Asserts that `fn` throws a `cls` whose message contains `text`. */
function assertThrows(fn: () => unknown, cls: new (...a: never[]) => Error, text: string): void {
  throws(fn, (e: unknown) => e instanceof cls && e.message.includes(text));
}

Deno.test("parseProducerOptions() takes upstream's defaults when nothing is given", () => {
  const o = parseProducerOptions([]);
  assertEquals(o.topic, "BenchmarkTest");
  assertEquals(o.threadCount, 64);
  assertEquals(o.messageSize, 128);
  assertEquals(o.namesrvAddr, "127.0.0.1:9876");
  assertEquals(o.asyncEnable, false);
  assertEquals(o.batch, 1);
  assertEquals(o.serializeType, "JSON");
});

Deno.test("parseProducerOptions() reads upstream's letters, long names and --key=value forms", () => {
  const o = parseProducerOptions([
    "-t",
    "T1",
    "-w",
    "16",
    "-s=1024",
    "-k",
    "true",
    "-y",
    "--tagCount=3",
    "-n",
    "10.0.0.1:9876;10.0.0.2:9876",
    "--duration",
    "2.5",
    "--warmup=1",
    "--json",
    "-ri",
    "500",
  ]);
  assertEquals(o.topic, "T1");
  assertEquals(o.threadCount, 16);
  assertEquals(o.messageSize, 1024);
  assertEquals(o.keyEnable, true);
  assertEquals(o.asyncEnable, true);
  assertEquals(o.tagCount, 3);
  assertEquals(o.namesrvAddr, "10.0.0.1:9876;10.0.0.2:9876");
  assertEquals(o.durationSec, 2.5);
  assertEquals(o.warmupSec, 1);
  assertEquals(o.json, true);
  assertEquals(o.reportIntervalMs, 500);
});

Deno.test("parseProducerOptions() falls back to NAMESRV_ADDR from the environment", () => {
  const o = parseProducerOptions([], (name) => name === "NAMESRV_ADDR" ? "1.2.3.4:9876" : undefined);
  assertEquals(o.namesrvAddr, "1.2.3.4:9876");
});

Deno.test("parseProducerOptions() accepts a bare boolean followed by another option", () => {
  const o = parseProducerOptions(["--oneway", "-w", "2", "-k", "false"]);
  assertEquals(o.oneway, true);
  assertEquals(o.threadCount, 2);
  assertEquals(o.keyEnable, false);
});

Deno.test("parseProducerOptions() refuses bad values, quoting the offending text", () => {
  assertThrows(
    () => parseProducerOptions(["-w", "abc"]),
    BenchUsageError,
    'Cannot parse value "abc" for option "-w"',
  );
  assertThrows(() => parseProducerOptions(["-w", "0"]), BenchUsageError, "below the minimum");
  assertThrows(() => parseProducerOptions(["-s"]), BenchUsageError, 'Option "-s" needs a value');
  assertThrows(() => parseProducerOptions(["--nope"]), BenchUsageError, 'Unknown option "--nope"');
  assertThrows(() => parseProducerOptions(["stray"]), BenchUsageError, 'Unexpected argument "stray"');
  assertThrows(() => parseProducerOptions(["-k=maybe"]), BenchUsageError, "expected true or false");
  assertThrows(
    () => parseProducerOptions(["--serializeType", "xml"]),
    BenchUsageError,
    'serialize type "XML"',
  );
});

Deno.test("parseProducerOptions() refuses combinations that cannot run", () => {
  assertThrows(() => parseProducerOptions(["--oneway", "-y"]), BenchUsageError, "exclude each other");
  assertThrows(
    () => parseProducerOptions(["--oneway", "--batch", "4"]),
    BenchUsageError,
    "exclude each other",
  );
  assertThrows(() => parseProducerOptions(["-d", "-b", "4"]), BenchUsageError, "cannot be batched");
});

Deno.test("parseConsumerOptions() reads group, expression file, start position and pull size", () => {
  const o = parseConsumerOptions([
    "-t",
    "T2",
    "-g",
    "G1",
    "-p",
    "true",
    "-e",
    "/tmp/expr",
    "--consumeFrom=first",
    "--pullBatchSize",
    "64",
    "-q",
    "1000",
  ]);
  assertEquals(o.topic, "T2");
  assertEquals(o.group, "G1");
  assertEquals(o.groupPrefixEnable, true);
  assertEquals(o.expressionFile, "/tmp/expr");
  assertEquals(o.expression, "*");
  assertEquals(o.consumeFrom, "first");
  assertEquals(o.pullBatchSize, 64);
  assertEquals(o.messageQuantity, 1000);
});

Deno.test("parseConsumerOptions() refuses what the benchmark consumer does not support", () => {
  assertThrows(() => parseConsumerOptions(["-f", "SQL92"]), BenchUsageError, 'Filter type "SQL92"');
  assertThrows(() => parseConsumerOptions(["-r", "0.1"]), BenchUsageError, 'Fail rate "0.1"');
  assertThrows(() => parseConsumerOptions(["--consumeFrom", "middle"]), BenchUsageError, '"middle"');
});
