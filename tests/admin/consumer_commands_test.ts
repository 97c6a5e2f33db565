import { defaultTopicConfig } from "../../src/protocol/register_broker.ts";
import { admin, assertEquals, assertStringIncludes, startNamesrv } from "./helpers.ts";
import { StandInBroker } from "./stand_in_broker.ts";
import { parseAdminTimestamp } from "../../src/admin/offset.ts";
import { versionDesc } from "../../src/admin/version.ts";

async function setUp() {
  const ns = await startNamesrv();
  const broker = new StandInBroker(ns.addr);
  broker.topics.set("T1", defaultTopicConfig("T1", { readQueueNums: 2, writeQueueNums: 2 }));
  broker.topics.set("%RETRY%G1", defaultTopicConfig("%RETRY%G1", { readQueueNums: 1, writeQueueNums: 1 }));
  broker.offsets.set("T1@G1", new Map([[0, 40], [1, 0]]));
  await broker.start();
  return {
    ns,
    broker,
    async close() {
      await broker.shutdown();
      await ns.dispose();
    },
  };
}

const client = (id: string, version = 409) => ({
  clientAddr: "127.0.0.1:5555",
  clientId: id,
  language: "JAVA",
  version,
});

Deno.test("consumerProgress -g prints per-queue lag, consume TPS and the diff total", async () => {
  const env = await setUp();
  try {
    const r = await admin("consumerProgress", "-n", env.ns.addr, "-g", "G1");
    assertEquals(r.code, 0);
    const lines = r.stdout.split("\n");
    assertStringIncludes(lines[0]!, "#Topic");
    assertStringIncludes(lines[0]!, "#LastTime");
    assertStringIncludes(
      lines[1]!,
      `${"T1".padEnd(64)}  ${"broker-a".padEnd(32)}  0     ${"100".padEnd(20)}  ${"40".padEnd(20)}  ${
        "60".padEnd(20)
      }  `,
    );
    assertEquals(lines[2]!.endsWith("N/A"), true);
    assertStringIncludes(r.stdout, "\nConsume TPS: 1.50\nDiff Total: 160\n");
  } finally {
    await env.close();
  }
});

Deno.test("consumerProgress without -g lists each group found through its retry topic", async () => {
  const env = await setUp();
  env.broker.consumers.set("G1", [client("c1", 409), client("c2", 317)]);
  try {
    const r = await admin("consumerProgress", "-n", env.ns.addr);
    const lines = r.stdout.split("\n");
    assertStringIncludes(lines[0]!, "#Group");
    assertStringIncludes(
      lines[1]!,
      `${"G1".padEnd(64)}  2       ${"V4_5_2".padEnd(24)} PUSH   CLUSTERING      1        160`,
    );
  } finally {
    await env.close();
  }
});

Deno.test("consumerConnection prints clients, subscriptions and the consume settings; offline groups fail", async () => {
  const env = await setUp();
  env.broker.consumers.set("G1", [client("c1")]);
  try {
    const r = await admin("consumerConnection", "-n", env.ns.addr, "-g", "G1");
    assertEquals(r.code, 0);
    assertStringIncludes(
      r.stdout,
      `${"c1".padEnd(36)} ${"127.0.0.1:5555".padEnd(22)} ${"JAVA".padEnd(10)} V4_9_8\n`,
    );
    assertStringIncludes(
      r.stdout,
      `\nBelow is subscription:\n${"#Topic".padEnd(20)} #SubExpression\n${"T1".padEnd(20)} TagA || TagB\n`,
    );
    assertStringIncludes(
      r.stdout,
      "ConsumeType: CONSUME_PASSIVELY\nMessageModel: CLUSTERING\nConsumeFromWhere: CONSUME_FROM_LAST_OFFSET\n",
    );
    const offline = await admin("consumerConnection", "-n", env.ns.addr, "-g", "Nobody");
    assertEquals(offline.code, 1);
  } finally {
    await env.close();
  }
});

Deno.test("producerConnection numbers each producer client", async () => {
  const env = await setUp();
  env.broker.producers.set("P1", [client("p1")]);
  try {
    const r = await admin("producerConnection", "-n", env.ns.addr, "-g", "P1", "-t", "T1");
    assertEquals(r.stdout, `0001  ${"p1".padEnd(32)} ${"127.0.0.1:5555".padEnd(22)} JAVA     V4_9_8\n`);
  } finally {
    await env.close();
  }
});

Deno.test("resetOffsetByTime asks the broker to reset online consumers and prints the new offsets", async () => {
  const env = await setUp();
  env.broker.consumers.set("G1", [client("c1")]);
  try {
    const r = await admin(
      "resetOffsetByTime",
      "-n",
      env.ns.addr,
      "-g",
      "G1",
      "-t",
      "T1",
      "-s",
      "1700000000000",
    );
    assertEquals(r.code, 0);
    assertStringIncludes(
      r.stdout,
      "rollback consumer offset by specified group[G1], topic[T1], force[true], timestamp(string)[1700000000000], timestamp(long)[1700000000000]\n",
    );
    assertStringIncludes(r.stdout, `${"broker-a".padEnd(40)}  ${"0".padEnd(40)}  ${"7".padEnd(40)}\n`);
  } finally {
    await env.close();
  }
});

Deno.test("resetOffsetByTime falls back to committing offsets directly when no consumer is online", async () => {
  const env = await setUp();
  try {
    const r = await admin("resetOffsetByTime", "-n", env.ns.addr, "-g", "G1", "-t", "T1", "-s", "now");
    assertEquals(r.code, 0);
    assertStringIncludes(r.stdout, "#timestampOffset");
    assertEquals(env.broker.offsets.get("T1@G1")?.get(0), 3);
  } finally {
    await env.close();
  }
});

Deno.test("admin timestamps and version names follow upstream's formats", () => {
  assertEquals(parseAdminTimestamp("1700000000000"), 1700000000000);
  assertEquals(parseAdminTimestamp("2024-01-02#03:04:05:006"), new Date(2024, 0, 2, 3, 4, 5, 6).getTime());
  assertEquals([versionDesc(409), versionDesc(479), versionDesc(317), versionDesc(316), versionDesc(121)], [
    "V4_9_8",
    "V5_3_3",
    "V4_5_2",
    "V4_5_2_SNAPSHOT",
    "V3_4_9",
  ]);
});

Deno.test("skipAccumulatedMessage moves an offline group to the end of each queue", async () => {
  const env = await setUp();
  try {
    const r = await admin("skipAccumulatedMessage", "-n", env.ns.addr, "-g", "G1", "-t", "T1");
    assertEquals(r.code, 0);
    assertEquals(env.broker.offsets.get("T1@G1")?.get(0), 100);
    assertEquals(env.broker.offsets.get("T1@G1")?.get(1), 100);
  } finally {
    await env.close();
  }
});
