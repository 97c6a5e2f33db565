/**
 * `rmq bench producer|consumer [options]`: argv → options → run, with Ctrl-C ending the run cleanly (the
 * summary is still printed). Exit statuses follow main.ts: 0 done, 1 run failure, 2 bad command line.
 */
import { BenchUsageError, parseConsumerOptions, parseProducerOptions } from "./options.ts";
import { consoleOutput } from "./report.ts";

/** Usage of `rmq bench`. */
export function benchHelp(): string {
  return `Usage: rmq bench producer|consumer [options]

Options of upstream's benchmark tools (value optional for booleans: "-y" = "-y true"):
  -t, --topic <name>            topic (BenchmarkTest)
  -n, --namesrvAddr <list>      name servers "host:port;host:port" (NAMESRV_ADDR, else 127.0.0.1:9876)
  -q, --messageQuantity <n>     stop after n messages, warm-up included (0 = no limit)
  -ri, --reportInterval <ms>    time between report lines (1000)
producer:
  -w, --threadCount <n>         sends in flight at once (64); with -y, the outstanding window
  -s, --messageSize <bytes>     body size (128)
  -k, --keyEnable               set KEYS (send time in seconds)
  -p, --propertySize <bytes>    add user properties up to about this size (0)
  -l, --tagCount <n>            spread tags tag0..tag<n-1> (0 = no tag)
  -y, --asyncEnable             asynchronous sends (pipelined on one connection per broker)
  -d, --delayEnable, -e, --delayLevel <n>   delayed messages at level n (1)
  -b, --batch <n>               messages per SEND_BATCH_MESSAGE request (1 = SEND_MESSAGE_V2)
consumer:
  -g, --group <name>            consumer group (benchmark_consumer); -p true appends _<0..99>
  -e, --expression <file>       file holding the tag expression (default "*"); -f TAG only
  -w, --threadCount <n>         accepted for compatibility (one pull in flight per queue)

rmq additions:
  --duration <s>                measure for this long after the warm-up (0 = until -q or Ctrl-C)
  --warmup <s>                  run this long first; its lines are marked [warm-up] and not summarized
  --oneway                      producer: oneway sends (latency = time to hand over to the socket)
  --rate <msg/s>                producer: open loop at this rate; latency also from the intended send time
  --sendTimeout <ms>            producer: per-request timeout (3000)
  --consumeFrom last|first      consumer: start at the queues' max (default) or min offsets (drain a backlog)
  --pullBatchSize <n>           consumer: maxMsgNums per pull (32)
  --suspendTimeout <ms>         consumer: long-poll time of an empty pull (15000; 0 = short polling)
  --serializeType JSON|ROCKETMQ header encoding of our requests (JSON, as Java clients default to)
  --json                        report lines as JSON objects (the final summary is always JSON)

Output: one line per interval with TPS and latency (average, p50, p99, p999, max), then a [Complete]
line and a JSON summary as the last line. Latencies are per request, in milliseconds.
`;
}

async function readExpression(path: string): Promise<string> {
  try {
    const text = (await Deno.readTextFile(path)).trim();
    return text === "" ? "*" : text;
  } catch (e) {
    throw new BenchUsageError(`Cannot read expression file "${path}": ${(e as Error).message}`);
  }
}

/**
 * Runs `rmq bench <args>`; returns the exit status.
 *
 * @example await runBench(["producer", "-t", "T", "-w", "4", "--duration", "10"])
 */
export async function runBench(args: readonly string[]): Promise<number> {
  const [tool, ...rest] = args;
  const env = (name: string) => Deno.env.get(name);
  const abort = new AbortController();
  const onInterrupt = () => abort.abort();
  try {
    if (tool === undefined || tool === "--help" || tool === "-h" || tool === "help") {
      console.log(benchHelp());
      return tool === undefined ? 2 : 0;
    }
    if (tool !== "producer" && tool !== "consumer") {
      throw new BenchUsageError(`Unknown benchmark "${tool}": expected producer or consumer`);
    }
    const help = () => {
      console.log(benchHelp());
      return 0;
    };
    Deno.addSignalListener("SIGINT", onInterrupt);
    if (tool === "producer") {
      const p = parseProducerOptions(rest, env);
      if (p.help) return help();
      const { runProducer } = await import("./producer.ts");
      await runProducer(p, consoleOutput(), abort.signal);
    } else {
      const c = parseConsumerOptions(rest, env);
      if (c.help) return help();
      if (c.expressionFile !== "") c.expression = await readExpression(c.expressionFile);
      const { runConsumer } = await import("./consumer.ts");
      await runConsumer(c, consoleOutput(), abort.signal);
    }
    return 0;
  } catch (e) {
    if (e instanceof BenchUsageError) {
      console.error(`rmq bench: ${e.message}\nRun "rmq bench --help" for usage.`);
      return 2;
    }
    console.error(`rmq bench: ${(e as Error).message}`);
    return 1;
  } finally {
    try {
      Deno.removeSignalListener("SIGINT", onInterrupt);
    } catch {
      // Never added (usage error before the run started).
    }
  }
}
