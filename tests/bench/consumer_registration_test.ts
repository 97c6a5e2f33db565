/**
 * `rmq bench consumer` registers as a consumer group while it runs, so admin tools see it: its connection,
 * its subscription and its committed progress; at the end it unregisters.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { admin, startNamesrv, startRealBroker } from "../admin/helpers.ts";
import { waitUntil } from "../admin/wait.ts";
import { Producer } from "../../src/client/mod.ts";
import { runConsumer } from "../../src/bench/consumer.ts";
import { parseConsumerOptions } from "../../src/bench/options.ts";
import { memoryOutput } from "../../src/bench/report.ts";

Deno.test("bench consumer is visible to consumerConnection and consumerProgress while it runs, and leaves at the end", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  const producer = new Producer({ group: "BENCH_REG_PG", namesrvAddr: ns.addr });
  const stop = new AbortController();
  let run: Promise<unknown> | undefined;
  try {
    await waitUntil(
      async () => (await admin("topicList", "-n", ns.addr)).stdout.includes("TBW102"),
      "registration",
    );
    await admin("updateTopic", "-n", ns.addr, "-c", "TestCluster", "-t", "BENCH_REG_T", "-r", "1", "-w", "1");
    await waitUntil(
      async () => (await admin("topicRoute", "-n", ns.addr, "-t", "BENCH_REG_T")).code === 0,
      "route",
    );
    await producer.start();
    for (let i = 0; i < 3; i++) {
      await producer.send({ topic: "BENCH_REG_T", body: new TextEncoder().encode(`m${i}`) });
    }

    const o = parseConsumerOptions([
      "-n",
      ns.addr,
      "-t",
      "BENCH_REG_T",
      "-g",
      "BENCH_REG_G",
      "--consumeFrom",
      "first",
      "--suspendTimeout",
      "200",
      "--json",
      "true",
    ]);
    const lines = memoryOutput();
    run = runConsumer({ ...o, expression: "*" }, lines, stop.signal);

    let conn = { code: 1, stdout: "", stderr: "" };
    await waitUntil(async () => {
      conn = await admin("consumerConnection", "-n", ns.addr, "-g", "BENCH_REG_G");
      return conn.code === 0;
    }, "the bench's connection");
    assert(conn.stdout.includes("BENCH_REG_T"), conn.stdout);
    assert(conn.stdout.includes("CONSUME_PASSIVELY"), conn.stdout);

    let progress = { code: 1, stdout: "", stderr: "" };
    await waitUntil(async () => {
      progress = await admin("consumerProgress", "-n", ns.addr, "-g", "BENCH_REG_G", "--json");
      return progress.code === 0 && JSON.parse(progress.stdout).queues[0]?.consumerOffset === 3;
    }, "the committed offset");
    assertEquals(JSON.parse(progress.stdout).diffTotal, 0);

    stop.abort();
    await run;
    run = undefined;
    const after = await admin("consumerConnection", "-n", ns.addr, "-g", "BENCH_REG_G");
    assertEquals(after.code, 1, "unregistered at the end");
    assert(after.stderr.includes("not online"), after.stderr);
  } finally {
    stop.abort();
    await run?.catch(() => {});
    await producer.shutdown();
    await b.stop();
    await ns.dispose();
  }
});
