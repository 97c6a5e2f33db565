/** Admin test set-up: a real name server, optional stand-in broker listeners, and a captured runAdmin. */
import { runAdmin } from "../../src/admin/main.ts";
import { BufferOutput } from "../../src/admin/output.ts";
import { RemotingServer } from "../../src/remoting/server.ts";
import { createResponse } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { encodeKVTable } from "../../src/protocol/kv.ts";
import { BrokerController } from "../../src/broker/broker_controller.ts";
import { type BrokerConfig, BrokerConfigSchema } from "../../src/config/broker_config.ts";
import { type MessageStoreConfig, MessageStoreConfigSchema } from "../../src/config/store_config.ts";
import { defaultsOf } from "../../src/config/schema.ts";
export { registerRequest, startNamesrv } from "../namesrv/helpers.ts";
export { assert, assertEquals, assertStringIncludes } from "../namesrv/helpers.ts";

/** Runs an admin command and returns its exit code and captured output. */
export async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new BufferOutput();
  const code = await runAdmin(args, out);
  return { code, stdout: out.stdout, stderr: out.stderr };
}

/** A remoting server answering GET_BROKER_RUNTIME_INFO like a broker would. */
export async function startRuntimeInfoServer(table: Record<string, string>): Promise<RemotingServer> {
  const server = new RemotingServer({ hostname: "127.0.0.1", port: 0, name: "stand-in-broker" });
  server.registerProcessor(
    RequestCode.GET_BROKER_RUNTIME_INFO,
    (req) => createResponse(req, 0, undefined, {}, encodeKVTable(new Map(Object.entries(table)))),
  );
  await server.start();
  return server;
}

/** A real BrokerController on 127.0.0.1:0 over a temp store, registering with `namesrvAddr`. */
export async function startRealBroker(namesrvAddr: string): Promise<{ addr: string; stop(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "rmq-admin-broker-" });
  const brokerConfig: BrokerConfig = {
    ...defaultsOf(BrokerConfigSchema),
    brokerName: "broker-a",
    brokerClusterName: "TestCluster",
    brokerIP1: "127.0.0.1",
    brokerIP2: "127.0.0.1",
    listenHost: "127.0.0.1",
    listenPort: 0,
    namesrvAddr,
    logDir: `${dir}/logs`,
  };
  const storeConfig: MessageStoreConfig = {
    ...defaultsOf(MessageStoreConfigSchema),
    storePathRootDir: dir,
    mappedFileSizeCommitLog: 4 * 1024 * 1024,
    mappedFileSizeConsumeQueue: 20 * 1000,
    haListenPort: 0,
  };
  const broker = new BrokerController(brokerConfig, storeConfig, { vipChannelEnabled: false });
  await broker.start();
  return {
    addr: `127.0.0.1:${broker.port}`,
    async stop() {
      await broker.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
