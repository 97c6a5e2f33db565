/** The producer command against a real broker with a live TypeScript producer. */
import { admin, assert, assertEquals, startNamesrv, startRealBroker } from "./helpers.ts";
import { waitUntil } from "./wait.ts";
import { Producer } from "../../src/client/mod.ts";
import { decodeProducerTableInfo } from "../../src/admin/producer.ts";

Deno.test("producer lists every producer group and instance registered on a broker", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  const p = new Producer({ group: "PRODUCER_CMD_G", namesrvAddr: ns.addr });
  try {
    await waitUntil(
      async () => (await admin("topicList", "-n", ns.addr)).stdout.includes("TBW102"),
      "registration",
    );
    await p.start();
    // A producer heartbeats only to brokers it knows from the routes of topics it sent to.
    await p.send({ topic: "PRODUCER_CMD_T", body: new TextEncoder().encode("x") });
    let r = { code: 1, stdout: "", stderr: "" };
    await waitUntil(async () => {
      r = await admin("producer", "-n", ns.addr, "-b", b.addr);
      return r.stdout.includes("PRODUCER_CMD_G");
    }, "the producer's heartbeat");
    assertEquals(r.code, 0, r.stderr);
    const line = r.stdout.split("\n").find((l) => l.includes("PRODUCER_CMD_G"))!;
    const re =
      /^producer group \(PRODUCER_CMD_G\) instance : clientId=\S+,remoteIP=127\.0\.0\.1:\d+, language=JAVA, version=\d+, lastUpdateTimestamp=\d+$/;
    assert(re.test(line), line);
  } finally {
    await p.shutdown();
    await b.stop();
    await ns.dispose();
  }
});

Deno.test("decodeProducerTableInfo() accepts language ordinals and reads bad members as empty", () => {
  const body = new TextEncoder().encode(
    `{"data":{"G":[{"clientId":"c","remoteIP":"1.2.3.4:5","language":9,"version":409,"lastUpdateTimestamp":7}],"E":[],"X":3}}`,
  );
  assertEquals([...decodeProducerTableInfo(body)], [
    ["G", [{ clientId: "c", remoteIP: "1.2.3.4:5", language: "GO", version: 409, lastUpdateTimestamp: 7 }]],
    ["E", []],
    ["X", []],
  ]);
});
