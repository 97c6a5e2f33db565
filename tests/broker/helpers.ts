/** Shared fixtures for broker tests: a real broker on an ephemeral port over a temp store dir. */
import { BrokerController, type BrokerControllerOptions } from "../../src/broker/broker_controller.ts";
import { type BrokerConfig, BrokerConfigSchema } from "../../src/config/broker_config.ts";
import { type MessageStoreConfig, MessageStoreConfigSchema } from "../../src/config/store_config.ts";
import { defaultsOf } from "../../src/config/schema.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest, type RemotingCommand } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { encodeSendMessageRequestHeaderV2 } from "../../src/protocol/headers/send.ts";
import { encodePullMessageRequestHeader } from "../../src/protocol/headers/pull.ts";
import { encodeProperties } from "../../src/message/properties.ts";
import { PullSysFlag } from "../../src/message/message_const.ts";

export interface BrokerFixture {
  broker: BrokerController;
  client: RemotingClient;
  addr: string;
  dir: string;
  brokerConfig: BrokerConfig;
  storeConfig: MessageStoreConfig;
  stop(): Promise<void>;
}

/** Configs for a small broker bound to 127.0.0.1:0 over `dir`. */
export function testConfigs(
  dir: string,
  broker: Partial<BrokerConfig> = {},
  store: Partial<MessageStoreConfig> = {},
): { brokerConfig: BrokerConfig; storeConfig: MessageStoreConfig } {
  return {
    brokerConfig: {
      ...defaultsOf(BrokerConfigSchema),
      brokerName: "broker-a",
      brokerClusterName: "TestCluster",
      brokerIP1: "127.0.0.1",
      brokerIP2: "127.0.0.1",
      listenHost: "127.0.0.1",
      listenPort: 0,
      namesrvAddr: "",
      logDir: `${dir}/logs`,
      ...broker,
    },
    storeConfig: {
      ...defaultsOf(MessageStoreConfigSchema),
      storePathRootDir: dir,
      mappedFileSizeCommitLog: 4 * 1024 * 1024,
      mappedFileSizeConsumeQueue: 20 * 1000,
      haListenPort: 0,
      ...store,
    },
  };
}

/** Starts a broker on a fresh temp dir (or `dir`) plus a client pointed at it. */
export async function startBroker(
  broker: Partial<BrokerConfig> = {},
  store: Partial<MessageStoreConfig> = {},
  opts: BrokerControllerOptions & { dir?: string } = {},
): Promise<BrokerFixture> {
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "rmq-broker-" });
  const { brokerConfig, storeConfig } = testConfigs(dir, broker, store);
  const controller = new BrokerController(brokerConfig, storeConfig, { vipChannelEnabled: false, ...opts });
  await controller.start();
  const client = new RemotingClient({ name: "test-client" });
  const addr = `127.0.0.1:${controller.port}`;
  return {
    broker: controller,
    client,
    addr,
    dir,
    brokerConfig,
    storeConfig,
    async stop() {
      client.close();
      await client.closed();
      await controller.shutdown();
      if (!opts.dir) await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A SEND_MESSAGE_V2 request. */
export function sendRequest(
  topic: string,
  body: string | Uint8Array,
  props: Record<string, string> = {},
  over: {
    queueId?: number;
    reconsumeTimes?: number;
    maxReconsumeTimes?: number;
    code?: number;
    sysFlag?: number;
  } = {},
): RemotingCommand {
  return createRequest(
    over.code ?? RequestCode.SEND_MESSAGE_V2,
    encodeSendMessageRequestHeaderV2({
      producerGroup: "PG",
      topic,
      defaultTopic: "TBW102",
      defaultTopicQueueNums: 4,
      queueId: over.queueId ?? 0,
      sysFlag: over.sysFlag ?? 0,
      bornTimestamp: Date.now(),
      flag: 0,
      properties: encodeProperties(props),
      reconsumeTimes: over.reconsumeTimes,
      maxReconsumeTimes: over.maxReconsumeTimes,
    }),
    typeof body === "string" ? new TextEncoder().encode(body) : body,
  );
}

/** A PULL_MESSAGE request carrying its own subscription. */
export function pullRequest(
  group: string,
  topic: string,
  queueId: number,
  queueOffset: number,
  over: {
    suspend?: number;
    subscription?: string;
    commitOffset?: number;
    maxMsgNums?: number;
    useSub?: boolean;
  } = {},
): RemotingCommand {
  const suspend = over.suspend ?? 0;
  const useSub = over.useSub ?? true;
  return createRequest(
    RequestCode.PULL_MESSAGE,
    encodePullMessageRequestHeader({
      consumerGroup: group,
      topic,
      queueId,
      queueOffset,
      maxMsgNums: over.maxMsgNums ?? 32,
      sysFlag: PullSysFlag.build(over.commitOffset !== undefined, suspend > 0, useSub),
      commitOffset: over.commitOffset ?? 0,
      suspendTimeoutMillis: suspend,
      subscription: useSub ? over.subscription ?? "*" : undefined,
      subVersion: 0,
      expressionType: "TAG",
    }),
  );
}

/** Polls `cond` every 20 ms until it is true or `timeoutMs` passes. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("Timed out waiting for a condition");
    await new Promise((r) => setTimeout(r, 20));
  }
}
