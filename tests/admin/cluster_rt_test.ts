/** clusterRT against a real broker: one row per broker per round, in table or log form. */
import {
  admin,
  assert,
  assertEquals,
  assertStringIncludes,
  startNamesrv,
  startRealBroker,
} from "./helpers.ts";
import { waitUntil } from "./wait.ts";
import { gmt8Time } from "../../src/admin/cluster_rt.ts";

Deno.test("clusterRT sends test messages to each broker's own topic and prints the mean RT per round", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  try {
    await waitUntil(
      async () => (await admin("topicList", "-n", ns.addr)).stdout.includes("TBW102"),
      "registration",
    );
    const r = await admin("clusterRT", "-n", ns.addr, "-a", "3", "-s", "16", "-i", "0", "--rounds", "2");
    assertEquals(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assertEquals(
      lines[0],
      "#Cluster Name             #Broker Name              #RT   #successCount  #failCount",
    );
    assertEquals(lines.length, 3);
    for (const row of lines.slice(1)) {
      const m = /^TestCluster {15}broker-a {18}(\d+\.\d\d) +3 {17}0 *$/.exec(row);
      assert(m, `row: ${JSON.stringify(row)}`);
    }

    const log = await admin(
      "clusterRT",
      "-n",
      ns.addr,
      "-a",
      "2",
      "-p",
      "true",
      "-m",
      "room1",
      "--rounds",
      "1",
    );
    assertEquals(log.code, 0, log.stderr);
    assert(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\|room1\|TestCluster\|broker-a\|\d+\n$/.test(log.stdout),
      log.stdout,
    );

    const unknown = await admin("clusterRT", "-n", ns.addr, "-c", "NoSuchCluster", "--rounds", "1");
    assertEquals(unknown.code, 1);
    assertStringIncludes(unknown.stdout, "cluster [NoSuchCluster] not exist\n");
  } finally {
    await b.stop();
    await ns.dispose();
  }
});

Deno.test("gmt8Time() renders a moment in GMT+8 whatever the local zone", () => {
  assertEquals(gmt8Time(Date.UTC(2024, 0, 31, 20, 5, 9)), "2024-02-01 04:05:09");
});
