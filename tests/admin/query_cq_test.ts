/** queryCq against a real name server and broker: upstream's layout, the group sections and failures. */
import {
  admin,
  assert,
  assertEquals,
  assertStringIncludes,
  startNamesrv,
  startRealBroker,
} from "./helpers.ts";
import { waitUntil } from "./wait.ts";
import { Producer, PushConsumer } from "../../src/client/mod.ts";
import { tagsHashCode } from "../../src/message/tags.ts";
import { printConsumeQueue } from "../../src/admin/query_cq.ts";
import { BufferOutput } from "../../src/admin/output.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const SEP = "======================================";

async function createTopic(nsAddr: string, topic: string): Promise<void> {
  await waitUntil(
    async () => (await admin("topicList", "-n", nsAddr)).stdout.includes("TBW102"),
    "registration",
  );
  await admin("updateTopic", "-n", nsAddr, "-c", "TestCluster", "-t", topic, "-r", "1", "-w", "1");
  await waitUntil(async () => (await admin("topicRoute", "-n", nsAddr, "-t", topic)).code === 0, "the route");
}

Deno.test("printConsumeQueue() writes upstream's sections, separators and numbered entries", () => {
  const out = new BufferOutput();
  printConsumeQueue(out, {
    maxQueueIndex: 7,
    minQueueIndex: 1,
    filterData: "G@T is not online!",
    queueData: [
      { physicOffset: 0, physicSize: 90, tagsCode: 65, eval: false },
      { physicOffset: 90, physicSize: 91, tagsCode: 66, eval: false },
    ],
  }, 4);
  assertEquals(
    out.stdout,
    `Filter data: \nG@T is not online!\n${SEP}\n` +
      `Queue data: \nmax: 7, min: 1\n${SEP}\n` +
      `idx: 4\nConsumeQueueData{physicOffset=0, physicSize=90, tagsCode=65, extendDataJson='null', ` +
      `bitMap='null', eval=false, msg='null'}\n${SEP}\n` +
      `idx: 5\nConsumeQueueData{physicOffset=90, physicSize=91, tagsCode=66, extendDataJson='null', ` +
      `bitMap='null', eval=false, msg='null'}\n${SEP}\n`,
  );
});

Deno.test("queryCq prints a queue's entries from the route's master, and a group's subscription with -g", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  const producer = new Producer({ group: "CQ_PG", namesrvAddr: ns.addr });
  const consumer = new PushConsumer({ group: "CQ_CG", namesrvAddr: ns.addr });
  try {
    await createTopic(ns.addr, "CQ_T");
    await producer.start();
    for (const tag of ["A", "B", "A"]) {
      await producer.send({ topic: "CQ_T", body: enc(`m-${tag}`), tags: tag });
    }

    let r = { code: 1, stdout: "", stderr: "" };
    await waitUntil(async () => {
      r = await admin("queryCq", "-n", ns.addr, "-t", "CQ_T", "-q", "0", "-i", "1");
      return r.stdout.includes("idx: 2");
    }, "the consume queue entries");
    assertEquals(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assertEquals(lines.slice(0, 3), ["Queue data: ", "max: 3, min: 0", SEP]);
    assertEquals(lines[3], "idx: 1");
    assert(lines[4]!.startsWith("ConsumeQueueData{physicOffset="), lines[4]);
    assertStringIncludes(lines[4]!, `, tagsCode=${tagsHashCode("B")}, extendDataJson='null'`);
    assertEquals(lines[6], "idx: 2");
    assertEquals(lines.length, 10, r.stdout);

    const one = await admin(
      "queryCq",
      "-n",
      ns.addr,
      "-t",
      "CQ_T",
      "-q",
      "0",
      "-i",
      "0",
      "-c",
      "1",
      "-b",
      b.addr,
    );
    assertEquals(one.stdout.split("\n").filter((l) => l.startsWith("idx: ")), ["idx: 0"]);

    consumer.subscribe("CQ_T", "A || B");
    consumer.registerMessageListener(() => "CONSUME_SUCCESS");
    await consumer.start();
    let g = { code: 1, stdout: "", stderr: "" };
    await waitUntil(async () => {
      g = await admin("queryCq", "-n", ns.addr, "-t", "CQ_T", "-q", "0", "-i", "0", "-g", "CQ_CG");
      return g.stdout.startsWith("Subscription data: \n{\n\t");
    }, "the group's subscription");
    assertStringIncludes(g.stdout, '\t"subString":"A || B",\n');
    assertStringIncludes(g.stdout, `${SEP}\nFilter data: \nnull\n${SEP}\nQueue data: \nmax: 3, min: 0\n`);
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await b.stop();
    await ns.dispose();
  }
});

Deno.test("queryCq fails on an unknown queue and notes an index past the end on stderr", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  const producer = new Producer({ group: "CQ_PG2", namesrvAddr: ns.addr });
  try {
    await createTopic(ns.addr, "CQ_E");
    await producer.start();
    await producer.send({ topic: "CQ_E", body: enc("x") });
    const bad = await admin("queryCq", "-n", ns.addr, "-t", "CQ_E", "-q", "3", "-i", "0", "-b", b.addr);
    assertEquals(bad.code, 1);
    assertStringIncludes(bad.stderr, "3@CQ_E is not exist!");

    let past = { code: 1, stdout: "", stderr: "" };
    await waitUntil(async () => {
      past = await admin("queryCq", "-n", ns.addr, "-t", "CQ_E", "-q", "0", "-i", "9", "-b", b.addr);
      return past.stdout.includes("max: 1");
    }, "the entry");
    assertEquals([past.code, past.stdout], [0, `Queue data: \nmax: 1, min: 0\n${SEP}\n`]);
    assertEquals(past.stderr, "Index 9 of 0@CQ_E is not exist!\n");

    const noRoute = await admin("queryCq", "-n", ns.addr, "-t", "CQ_NONE", "-q", "0", "-i", "0");
    assertEquals(noRoute.code, 1);
    const usage = await admin("queryCq", "-n", ns.addr, "-t", "CQ_E", "-q", "0");
    assertEquals(usage.code, 1, "-i is required");
  } finally {
    await producer.shutdown();
    await b.stop();
    await ns.dispose();
  }
});
