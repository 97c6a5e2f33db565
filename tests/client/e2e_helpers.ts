/** A real name server and a real broker on ephemeral ports with a temp store, for client end-to-end tests. */
import { startNamesrv } from "../namesrv/helpers.ts";
import { BrokerController } from "../../src/broker/broker_controller.ts";
import { type BrokerConfig, BrokerConfigSchema } from "../../src/config/broker_config.ts";
import { MessageStoreConfigSchema } from "../../src/config/store_config.ts";
import { defaultsOf } from "../../src/config/schema.ts";

export interface RealCluster {
  namesrvAddr: string;
  broker: BrokerController;
  close(): Promise<void>;
}

export async function startRealCluster(brokerOverrides: Partial<BrokerConfig> = {}): Promise<RealCluster> {
  const ns = await startNamesrv();
  const dir = await Deno.makeTempDir({ prefix: "rmq-client-e2e-" });
  const broker = new BrokerController(
    {
      ...defaultsOf(BrokerConfigSchema),
      listenPort: 0,
      listenHost: "127.0.0.1",
      brokerIP1: "127.0.0.1",
      namesrvAddr: ns.addr,
      autoCreateTopicEnable: true,
      ...brokerOverrides,
    },
    {
      ...defaultsOf(MessageStoreConfigSchema),
      storePathRootDir: dir,
      mappedFileSizeCommitLog: 4 * 1024 * 1024,
      messageDelayLevel: "1s 2s 3s",
    },
    { vipChannelEnabled: false, longPollingCheckIntervalMs: 100 },
  );
  try {
    await broker.start();
  } catch (e) {
    await ns.dispose();
    await Deno.remove(dir, { recursive: true });
    throw e;
  }
  return {
    namesrvAddr: ns.addr,
    broker,
    async close() {
      await broker.shutdown();
      await ns.dispose();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
