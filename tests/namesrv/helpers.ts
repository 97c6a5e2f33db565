/** Shared set-up for name server tests: a real NamesrvController on 127.0.0.1:0 with a temp dir. */
import { deepStrictEqual, ok } from "node:assert/strict";
import { defaultsOf } from "../../src/config/schema.ts";
import { type NamesrvConfig, NamesrvConfigSchema } from "../../src/config/namesrv_config.ts";
import { NamesrvController, type NamesrvControllerOptions } from "../../src/namesrv/namesrv_controller.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest, type RemotingCommand } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { configureLogging } from "../../src/log/logger.ts";
import { bodyCrc } from "../../src/message/crc32.ts";
import {
  type DataVersion,
  defaultTopicConfig,
  encodeRegisterBrokerBody,
  type TopicConfig,
} from "../../src/protocol/register_broker.ts";
import { encodeRegisterBrokerRequestHeader } from "../../src/protocol/namesrv_headers.ts";

// Keep test output readable; failures still show WARN and ERROR lines.
configureLogging({ level: "WARN" });

export interface NamesrvFixture {
  dir: string;
  config: NamesrvConfig;
  controller: NamesrvController;
  addr: string;
  client: RemotingClient;
  /** Sends `req` to this name server with the test client and waits up to 3 s for the answer. */
  call(req: RemotingCommand): Promise<RemotingCommand>;
  /** Stops the client and the controller; keeps the temp dir (see `dispose`). */
  stop(): Promise<void>;
  /** Stops everything and removes the temp dir. */
  dispose(): Promise<void>;
}

/** Starts a name server in `dir` (a new temp dir when omitted). */
export async function startNamesrv(
  opts: NamesrvControllerOptions & { dir?: string; config?: Partial<NamesrvConfig> } = {},
): Promise<NamesrvFixture> {
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "rmq-namesrv-" });
  const config: NamesrvConfig = {
    ...defaultsOf(NamesrvConfigSchema),
    listenPort: 0,
    listenHost: "127.0.0.1",
    kvConfigPath: `${dir}/kvConfig.json`,
    configStorePath: `${dir}/namesrv.properties`,
    ...opts.config,
  };
  const controller = new NamesrvController(config, { disableScan: true, ...opts });
  await controller.start();
  const client = new RemotingClient({ name: "test-client" });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    client.close();
    await client.closed();
    await controller.shutdown();
  };
  return {
    dir,
    config,
    controller,
    addr: `127.0.0.1:${controller.port}`,
    client,
    call: (req) => client.invokeSync(`127.0.0.1:${controller.port}`, req, 3000),
    stop,
    async dispose() {
      await stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

export interface BrokerRegistration {
  brokerName?: string;
  brokerAddr?: string;
  clusterName?: string;
  brokerId?: number;
  haServerAddr?: string;
  topics?: TopicConfig[];
  dataVersion?: DataVersion;
  compressed?: boolean;
  /** Override the body CRC written into the header (default: the correct one). */
  bodyCrc32?: number;
}

/** Builds a REGISTER_BROKER request as a 4.9 broker sends it. */
export function registerRequest(r: BrokerRegistration = {}): RemotingCommand {
  const compressed = r.compressed ?? false;
  const topics = r.topics ?? [defaultTopicConfig("TopicA", { readQueueNums: 4, writeQueueNums: 4 })];
  const body = encodeRegisterBrokerBody({
    topicConfigSerializeWrapper: {
      topicConfigTable: new Map(topics.map((t) => [t.topicName, t])),
      dataVersion: r.dataVersion ?? { counter: 1, timestamp: 1_700_000_000_000 },
    },
    filterServerList: [],
  }, compressed);
  const ext = encodeRegisterBrokerRequestHeader({
    brokerName: r.brokerName ?? "broker-a",
    brokerAddr: r.brokerAddr ?? "127.0.0.1:10911",
    clusterName: r.clusterName ?? "DefaultCluster",
    haServerAddr: r.haServerAddr ?? "127.0.0.1:10912",
    brokerId: r.brokerId ?? 0,
    compressed,
    bodyCrc32: r.bodyCrc32 ?? bodyCrc(body),
  });
  return createRequest(RequestCode.REGISTER_BROKER, ext, body);
}

/** A request with the given code, header and version. */
export function request(code: number, ext: Record<string, string> = {}, version?: number): RemotingCommand {
  const req = createRequest(code, ext);
  if (version !== undefined) req.version = version;
  return req;
}

export const text = (body: Uint8Array | undefined): string =>
  new TextDecoder().decode(body ?? new Uint8Array());

/** Deep equality (node:assert's strict form). */
export function assertEquals<T>(actual: unknown, expected: T, msg?: string): void {
  deepStrictEqual(actual, expected, msg);
}

/** `haystack` contains `needle`. */
export function assertStringIncludes(haystack: string, needle: string): void {
  ok(haystack.includes(needle), `Expected ${JSON.stringify(haystack)} to include ${JSON.stringify(needle)}`);
}

export { ok as assert };
