import { defaultTopicConfig } from "../../src/protocol/register_broker.ts";
import { createOffsetMsgId } from "../../src/message/msg_id.ts";
import { parseHostAddress } from "../../src/message/host.ts";
import { MSG_BODY_DIR } from "../../src/admin/message.ts";
import { admin, assertEquals, assertStringIncludes, startNamesrv } from "./helpers.ts";
import { StandInBroker } from "./stand_in_broker.ts";

const UNIQ = "7F0000010001000000000000000000AA";

async function setUp() {
  const ns = await startNamesrv();
  const broker = new StandInBroker(ns.addr);
  broker.topics.set("T1", defaultTopicConfig("T1", { readQueueNums: 1, writeQueueNums: 1 }));
  await broker.start();
  broker.putMessage("T1", 0, "first", { KEYS: "k0", UNIQ_KEY: "7F0000010001000000000000000000A9" });
  const put = broker.putMessage("T1", 0, "hello", { TAGS: "TagA", KEYS: "order-1 order-2", UNIQ_KEY: UNIQ });
  const offsetMsgId = createOffsetMsgId(parseHostAddress(broker.addr), put.offset);
  return {
    ns,
    broker,
    offsetMsgId,
    async close() {
      await broker.shutdown();
      await ns.dispose();
      await Deno.remove(`${MSG_BODY_DIR}/${UNIQ}`).catch(() => {});
    },
  };
}

Deno.test("queryMsgById prints the detail block and writes the body file", async () => {
  const env = await setUp();
  try {
    const r = await admin("queryMsgById", "-n", env.ns.addr, "-i", env.offsetMsgId);
    assertEquals(r.code, 0);
    assertStringIncludes(r.stdout, `${"OffsetID:".padEnd(20)} ${env.offsetMsgId}\n`);
    assertStringIncludes(r.stdout, `${"Topic:".padEnd(20)} T1\n${"Tags:".padEnd(20)} [TagA]\n`);
    assertStringIncludes(r.stdout, `${"Keys:".padEnd(20)} [order-1 order-2]\n`);
    assertStringIncludes(r.stdout, `${"Queue Offset:".padEnd(20)} 1\n`);
    assertStringIncludes(r.stdout, `${"Store Host:".padEnd(20)} ${env.broker.addr}\n`);
    assertStringIncludes(r.stdout, `${"Message Body Path:".padEnd(20)} ${MSG_BODY_DIR}/${UNIQ}\n`);
    assertStringIncludes(r.stdout + r.stderr, "WARN: No Consumer");
    assertEquals(await Deno.readTextFile(`${MSG_BODY_DIR}/${UNIQ}`), "hello");
  } finally {
    await env.close();
  }
});

Deno.test("queryMsgByKey lists matching messages; an unknown key fails", async () => {
  const env = await setUp();
  try {
    const r = await admin("queryMsgByKey", "-n", env.ns.addr, "-t", "T1", "-k", "order-2");
    assertEquals(r.code, 0);
    const lines = r.stdout.split("\n");
    assertEquals(lines[0], `${"#Message ID".padEnd(50)} #QID ${"#Offset".padStart(40)}`);
    assertEquals(lines[1], `${UNIQ.padEnd(50)} ${"0".padStart(4)} ${"1".padStart(40)}`);
    const none = await admin("queryMsgByKey", "-n", env.ns.addr, "-t", "T1", "-k", "nope");
    assertEquals(none.code, 1);
    assertStringIncludes(none.stderr, "no message");
  } finally {
    await env.close();
  }
});

Deno.test("queryMsgByUniqueKey and queryMsgByOffset show the same message", async () => {
  const env = await setUp();
  try {
    const byKey = await admin("queryMsgByUniqueKey", "-n", env.ns.addr, "-t", "T1", "-i", UNIQ);
    assertEquals(byKey.code, 0);
    assertEquals(byKey.stdout.includes("OffsetID:"), false);
    assertStringIncludes(byKey.stdout, `${"Queue Offset:".padEnd(20)} 1\n`);
    const byOffset = await admin(
      "queryMsgByOffset",
      "-n",
      env.ns.addr,
      "-t",
      "T1",
      "-b",
      "broker-a",
      "-i",
      "0",
      "-o",
      "1",
    );
    assertEquals(byOffset.code, 0);
    assertStringIncludes(byOffset.stdout, `${"OffsetID:".padEnd(20)} ${env.offsetMsgId}\n`);
    const nothing = await admin(
      "queryMsgByOffset",
      "-n",
      env.ns.addr,
      "-t",
      "T1",
      "-b",
      "broker-a",
      "-i",
      "0",
      "-o",
      "5",
    );
    assertEquals([nothing.code, nothing.stdout], [0, ""]);
  } finally {
    await env.close();
  }
});

Deno.test("message tracks report each consuming group's state", async () => {
  const env = await setUp();
  env.broker.offsets.set("T1@G1", new Map([[0, 2]]));
  env.broker.consumers.set("G1", [{
    clientAddr: "127.0.0.1:1",
    clientId: "c1",
    language: "JAVA",
    version: 409,
  }]);
  env.broker.offsets.set("T1@G2", new Map([[0, 0]]));
  for (const g of ["G1", "G2"]) env.broker.topics.set(`%RETRY%${g}`, defaultTopicConfig(`%RETRY%${g}`));
  try {
    await env.broker.register();
    const r = await admin("queryMsgById", "-n", env.ns.addr, "-i", env.offsetMsgId);
    assertStringIncludes(r.stdout, "MessageTrack [consumerGroup=G1, trackType=CONSUMED, exceptionDesc=null]");
    assertStringIncludes(r.stdout, "MessageTrack [consumerGroup=G2, trackType=NOT_ONLINE");
  } finally {
    await env.close();
  }
});
