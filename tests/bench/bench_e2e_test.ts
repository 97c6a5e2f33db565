/**
 * Smoke runs of `rmq bench producer` and `rmq bench consumer` as child processes against a real
 * `rmq serve --role=all`. Only asserts that messages flowed and the summaries are well formed.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startRmq } from "../support/rmq_process.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createTopic, fetchTopicRoute } from "../../src/bench/route.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const CONTROLLER = new URL("../../src/broker/broker_controller.ts", import.meta.url);
const brokerIsPlaceholder = Deno.readTextFileSync(CONTROLLER).includes("PLACEHOLDER");

async function bench(args: string[]): Promise<{ code: number; lines: string[]; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "bench", ...args],
    stdout: "piped",
    stderr: "piped",
    env: { RMQ_LOG_LEVEL: "WARN" },
  }).output();
  const lines = new TextDecoder().decode(out.stdout).split("\n").filter((l) => l.trim() !== "");
  return { code: out.code, lines, stderr: new TextDecoder().decode(out.stderr) };
}

function summaryOf(lines: string[]): Record<string, unknown> {
  const last = lines[lines.length - 1];
  assert(last !== undefined, "no output");
  const s = JSON.parse(last) as Record<string, unknown>;
  assertEquals(s["type"], "summary");
  return s;
}

async function waitForRoute(client: RemotingClient, namesrv: string, topic: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await fetchTopicRoute(client, namesrv, topic)) !== null) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Route of "${topic}" never appeared`);
}

Deno.test({
  name: "rmq bench producer and consumer move messages through a real broker and print JSON summaries",
  ignore: brokerIsPlaceholder,
  async fn() {
    const rmq = await startRmq({ flags: { autoCreateTopicEnable: true } });
    const client = new RemotingClient();
    try {
      await createTopic(client, rmq.brokerAddr, "BenchSmoke", 4);
      await waitForRoute(client, rmq.namesrvAddr, "BenchSmoke");
      client.close();

      const p = await bench([
        "producer",
        "-n",
        rmq.namesrvAddr,
        "-t",
        "BenchSmoke",
        "-w",
        "4",
        "-s",
        "256",
        "-q",
        "2000",
        "--duration",
        "5",
        "--reportInterval",
        "200",
      ]);
      assertEquals(p.code, 0, p.stderr);
      assert(p.lines[0]!.startsWith("topic: BenchSmoke threadCount: 4 messageSize: 256"), p.lines[0]);
      assert(p.lines.some((l) => l.startsWith("[Complete] Send Total: ")));
      const ps = summaryOf(p.lines);
      assertEquals(ps["tool"], "producer");
      assert((ps["sent"] as number) > 0, `nothing sent: ${p.lines.at(-1)}`);
      assertEquals(ps["sendFailed"], 0);
      const lat = ps["latencyMs"] as Record<string, number>;
      assert(lat["p50"]! > 0 && lat["p99"]! >= lat["p50"]! && lat["max"]! >= lat["p999"]!);

      const r = await bench([
        "producer",
        "-n",
        rmq.namesrvAddr,
        "-t",
        "BenchSmoke",
        "-w",
        "8",
        "--rate",
        "400",
        "--duration",
        "0.5",
        "--json",
      ]);
      assertEquals(r.code, 0, r.stderr);
      const rs = summaryOf(r.lines);
      assertEquals(rs["mode"], "rate");
      assert((rs["sent"] as number) > 0, `nothing sent at a fixed rate: ${r.lines.at(-1)}`);
      const intended = rs["intendedLatencyMs"] as Record<string, number>;
      assert(
        intended["count"]! > 0 && intended["max"]! >= (rs["latencyMs"] as Record<string, number>)["min"]!,
      );

      const c = await bench([
        "consumer",
        "-n",
        rmq.namesrvAddr,
        "-t",
        "BenchSmoke",
        "--consumeFrom",
        "first",
        "-q",
        String(ps["sent"]),
        "--duration",
        "10",
        "--json",
      ]);
      assertEquals(c.code, 0, c.stderr);
      const cs = summaryOf(c.lines);
      assertEquals(cs["tool"], "consumer");
      assert((cs["received"] as number) > 0, `nothing received: ${c.lines.at(-1)}`);
      assert(c.lines.slice(0, -1).every((l) => JSON.parse(l).type === "interval"));
    } finally {
      client.close();
      await client.closed();
      await rmq.stop();
      await Deno.remove(rmq.storeDir, { recursive: true });
    }
  },
});

Deno.test("rmq bench refuses an unknown tool and a bad option with exit status 2", async () => {
  const a = await bench(["nonsense"]);
  assertEquals(a.code, 2);
  assert(a.stderr.includes('Unknown benchmark "nonsense"'));
  const b = await bench(["producer", "-w", "many"]);
  assertEquals(b.code, 2);
  assert(b.stderr.includes('Cannot parse value "many" for option "-w"'));
});
