/**
 * Command-line options of `rmq bench producer|consumer`. The letters and long names mirror upstream's
 * benchmark classes (operations.md §3.2) so existing command lines keep working; rmq's additions
 * (--duration, --warmup, --oneway, --batch, --rate, --json, ...) have long names only.
 *
 * Like commons-cli in upstream, a boolean option may take an explicit value (`-y true`, `--keyEnable=false`);
 * unlike it, a bare `-y` also means true.
 */

/** A bad command line; the message is meant for the user. */
export class BenchUsageError extends Error {
  override name = "BenchUsageError";
}

type Kind = "string" | "int" | "number" | "bool";

interface OptionSpec {
  long: string;
  short?: string;
  kind: Kind;
  /** Extra long names accepted for the same option. */
  aliases?: readonly string[];
  /** Smallest accepted value for numeric options. */
  min?: number;
}

type Raw = Record<string, string | number | boolean>;

function parseValue(spec: OptionSpec, text: string, shown: string): string | number | boolean {
  if (spec.kind === "string") return text;
  if (spec.kind === "bool") {
    const t = text.trim().toLowerCase();
    if (t === "true") return true;
    if (t === "false") return false;
    throw new BenchUsageError(`Cannot parse value "${text}" for option "${shown}": expected true or false`);
  }
  const n = Number(text.trim());
  if (text.trim() === "" || !Number.isFinite(n) || (spec.kind === "int" && !Number.isInteger(n))) {
    const what = spec.kind === "int" ? "an integer" : "a number";
    throw new BenchUsageError(`Cannot parse value "${text}" for option "${shown}": expected ${what}`);
  }
  if (spec.min !== undefined && n < spec.min) {
    throw new BenchUsageError(`Value "${text}" for option "${shown}" is below the minimum ${spec.min}`);
  }
  return n;
}

/** Parses `args` against `specs`; returns values keyed by long name. Positional arguments are refused. */
function parseArgs(specs: readonly OptionSpec[], args: readonly string[]): Raw {
  const byName = new Map<string, OptionSpec>();
  for (const s of specs) {
    byName.set(`--${s.long}`, s);
    for (const a of s.aliases ?? []) byName.set(`--${a}`, s);
    if (s.short !== undefined) byName.set(`-${s.short}`, s);
  }
  const out: Raw = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("-") && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byName.get(name);
    if (spec === undefined) {
      if (!arg.startsWith("-")) throw new BenchUsageError(`Unexpected argument "${arg}"`);
      throw new BenchUsageError(`Unknown option "${name}"`);
    }
    let text: string;
    if (eq > 0 && arg.startsWith("-")) text = arg.slice(eq + 1);
    else if (spec.kind === "bool") {
      const next = args[i + 1]?.toLowerCase();
      if (next === "true" || next === "false") {
        text = next;
        i++;
      } else text = "true";
    } else {
      const next = args[i + 1];
      if (next === undefined) throw new BenchUsageError(`Option "${name}" needs a value`);
      text = next;
      i++;
    }
    out[spec.long] = parseValue(spec, text, name);
  }
  return out;
}

function str(raw: Raw, key: string, dflt: string): string {
  const v = raw[key];
  return typeof v === "string" ? v : dflt;
}

function num(raw: Raw, key: string, dflt: number): number {
  const v = raw[key];
  return typeof v === "number" ? v : dflt;
}

function bool(raw: Raw, key: string, dflt: boolean): boolean {
  const v = raw[key];
  return typeof v === "boolean" ? v : dflt;
}

/** Options both tools share. */
export interface CommonBenchOptions {
  topic: string;
  /** Name server list, "host:port;host:port". */
  namesrvAddr: string;
  /** Milliseconds between report lines. */
  reportIntervalMs: number;
  /** Seconds to measure after the warm-up; 0 = until --messageQuantity or Ctrl-C. */
  durationSec: number;
  /** Seconds run before measuring; their interval lines are marked and left out of the summary. */
  warmupSec: number;
  /** Messages after which to stop (warm-up included); 0 = no limit. */
  messageQuantity: number;
  /** Report lines as JSON objects instead of upstream's text lines. */
  json: boolean;
  help: boolean;
}

/** `rmq bench producer` options. */
export interface ProducerBenchOptions extends CommonBenchOptions {
  /** Sends in flight at once (upstream: sender threads). With --asyncEnable, the outstanding window. */
  threadCount: number;
  messageSize: number;
  keyEnable: boolean;
  propertySize: number;
  tagCount: number;
  asyncEnable: boolean;
  delayEnable: boolean;
  delayLevel: number;
  oneway: boolean;
  /** Messages per SEND_BATCH_MESSAGE request; 1 = SEND_MESSAGE_V2. */
  batch: number;
  /** Open-loop send rate in messages per second; 0 = closed loop. */
  rate: number;
  producerGroup: string;
  sendTimeoutMs: number;
  /** Header encoding of our requests; JSON is what Java clients send by default. */
  serializeType: "JSON" | "ROCKETMQ";
}

/** `rmq bench consumer` options. */
export interface ConsumerBenchOptions extends CommonBenchOptions {
  group: string;
  groupPrefixEnable: boolean;
  /** Tag expression ("*" = all), read from the file named by -e when given. */
  expression: string;
  expressionFile: string;
  /** Where a queue starts: its max offset (new messages only) or its min offset (drain the backlog). */
  consumeFrom: "last" | "first";
  pullBatchSize: number;
  /** Broker-side long-poll time of a pull that finds nothing (ms). */
  suspendTimeoutMs: number;
  serializeType: "JSON" | "ROCKETMQ";
}

const COMMON: readonly OptionSpec[] = [
  { long: "topic", short: "t", kind: "string" },
  { long: "namesrvAddr", short: "n", kind: "string" },
  { long: "reportInterval", short: "ri", kind: "int", min: 10 },
  { long: "duration", kind: "number", min: 0 },
  { long: "warmup", kind: "number", min: 0 },
  { long: "messageQuantity", short: "q", kind: "int", min: 0 },
  { long: "json", kind: "bool" },
  { long: "help", short: "h", kind: "bool" },
  { long: "serializeType", kind: "string" },
];

const PRODUCER: readonly OptionSpec[] = [
  ...COMMON,
  { long: "threadCount", short: "w", kind: "int", min: 1, aliases: ["concurrency"] },
  { long: "messageSize", short: "s", kind: "int", min: 0 },
  { long: "keyEnable", short: "k", kind: "bool" },
  { long: "propertySize", short: "p", kind: "int", min: 0 },
  { long: "tagCount", short: "l", kind: "int", min: 0 },
  { long: "asyncEnable", short: "y", kind: "bool" },
  { long: "delayEnable", short: "d", kind: "bool" },
  { long: "delayLevel", short: "e", kind: "int", min: 1 },
  { long: "oneway", kind: "bool" },
  { long: "batch", short: "b", kind: "int", min: 1, aliases: ["batchSize"] },
  { long: "rate", kind: "number", min: 0 },
  { long: "producerGroup", short: "g", kind: "string" },
  { long: "sendTimeout", kind: "int", min: 1 },
];

const CONSUMER: readonly OptionSpec[] = [
  ...COMMON,
  // Accepted for upstream compatibility: pulls run one per queue and consuming costs nothing here.
  { long: "threadCount", short: "w", kind: "int", min: 1 },
  { long: "group", short: "g", kind: "string" },
  { long: "groupPrefixEnable", short: "p", kind: "bool" },
  { long: "filterType", short: "f", kind: "string" },
  { long: "expression", short: "e", kind: "string" },
  { long: "failRate", short: "r", kind: "number", min: 0 },
  { long: "consumeFrom", kind: "string" },
  { long: "pullBatchSize", kind: "int", min: 1 },
  { long: "suspendTimeout", kind: "int", min: 0 },
];

function serializeTypeOf(raw: Raw): "JSON" | "ROCKETMQ" {
  const v = str(raw, "serializeType", "JSON").toUpperCase();
  if (v !== "JSON" && v !== "ROCKETMQ") {
    throw new BenchUsageError(`Unknown serialize type "${v}": expected JSON or ROCKETMQ`);
  }
  return v;
}

function common(raw: Raw, env: (name: string) => string | undefined): CommonBenchOptions {
  return {
    topic: str(raw, "topic", "BenchmarkTest"),
    namesrvAddr: str(raw, "namesrvAddr", env("NAMESRV_ADDR") ?? "127.0.0.1:9876"),
    reportIntervalMs: num(raw, "reportInterval", 1000),
    durationSec: num(raw, "duration", 0),
    warmupSec: num(raw, "warmup", 0),
    messageQuantity: num(raw, "messageQuantity", 0),
    json: bool(raw, "json", false),
    help: bool(raw, "help", false),
  };
}

/**
 * Parses `rmq bench producer` arguments.
 *
 * @example parseProducerOptions(["-t", "T", "-w", "16", "-s", "1024", "--duration=10"]).threadCount // 16
 * @throws {BenchUsageError} for unknown options, bad values or combinations that make no sense.
 */
export function parseProducerOptions(
  args: readonly string[],
  env: (name: string) => string | undefined = () => undefined,
): ProducerBenchOptions {
  const raw = parseArgs(PRODUCER, args);
  const o: ProducerBenchOptions = {
    ...common(raw, env),
    threadCount: num(raw, "threadCount", 64),
    messageSize: num(raw, "messageSize", 128),
    keyEnable: bool(raw, "keyEnable", false),
    propertySize: num(raw, "propertySize", 0),
    tagCount: num(raw, "tagCount", 0),
    asyncEnable: bool(raw, "asyncEnable", false),
    delayEnable: bool(raw, "delayEnable", false),
    delayLevel: num(raw, "delayLevel", 1),
    oneway: bool(raw, "oneway", false),
    batch: num(raw, "batch", 1),
    rate: num(raw, "rate", 0),
    producerGroup: str(raw, "producerGroup", "benchmark_producer"),
    sendTimeoutMs: num(raw, "sendTimeout", 3000),
    serializeType: serializeTypeOf(raw),
  };
  if (o.oneway && o.asyncEnable) {
    throw new BenchUsageError(`Options "--oneway" and "--asyncEnable" exclude each other`);
  }
  if (o.oneway && o.batch > 1) {
    throw new BenchUsageError(`Options "--oneway" and "--batch" exclude each other`);
  }
  if (o.delayEnable && o.batch > 1) {
    throw new BenchUsageError(`Delayed messages cannot be batched ("--batch ${o.batch}")`);
  }
  return o;
}

/**
 * Parses `rmq bench consumer` arguments. The expression file (-e) is read by the caller.
 *
 * @throws {BenchUsageError} for unknown options, bad values or unsupported features.
 */
export function parseConsumerOptions(
  args: readonly string[],
  env: (name: string) => string | undefined = () => undefined,
): ConsumerBenchOptions {
  const raw = parseArgs(CONSUMER, args);
  const filterType = str(raw, "filterType", "TAG").toUpperCase();
  if (filterType !== "TAG") {
    throw new BenchUsageError(`Filter type "${filterType}" is not supported by the benchmark; use TAG`);
  }
  if (num(raw, "failRate", 0) !== 0) {
    throw new BenchUsageError(`Fail rate "${raw["failRate"]}" is not supported by the benchmark; use 0`);
  }
  const from = str(raw, "consumeFrom", "last").toLowerCase();
  if (from !== "last" && from !== "first") {
    throw new BenchUsageError(
      `Cannot parse value "${from}" for option "--consumeFrom": expected last or first`,
    );
  }
  return {
    ...common(raw, env),
    group: str(raw, "group", "benchmark_consumer"),
    groupPrefixEnable: bool(raw, "groupPrefixEnable", false),
    expression: "*",
    expressionFile: str(raw, "expression", ""),
    consumeFrom: from,
    pullBatchSize: num(raw, "pullBatchSize", 32),
    suspendTimeoutMs: num(raw, "suspendTimeout", 15_000),
    serializeType: serializeTypeOf(raw),
  };
}
