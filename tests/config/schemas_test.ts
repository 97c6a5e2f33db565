import assert from "node:assert/strict";
import { buildConfig, ConfigError, defaultsOf } from "../../src/config/schema.ts";
import { BrokerConfigSchema } from "../../src/config/broker_config.ts";
import { NamesrvConfigSchema } from "../../src/config/namesrv_config.ts";
import { normalizeNamesrvAddr } from "../../src/config/namesrv_addr.ts";
import { thrownBy } from "./assert_util.ts";

Deno.test("NamesrvConfigSchema has upstream's defaults and rmq's bind address and log directory", () => {
  const c = defaultsOf(NamesrvConfigSchema);
  assert.equal(c.listenPort, 9876);
  assert.equal(c.orderMessageEnable, false);
  assert.equal(c.scanNotActiveBrokerInterval, 5000);
  assert.equal(c.productEnvName, "center");
  assert.equal(c.serverChannelMaxIdleTimeSeconds, 120);
  assert.equal(c.listenHost, "0.0.0.0");
  assert.match(c.kvConfigPath, /\/namesrv\/kvConfig\.json$/);
  assert.match(c.configStorePath, /\/namesrv\/namesrv\.properties$/);
  assert.match(c.logDir, /\/logs\/rmq$/);
});

Deno.test("BrokerConfigSchema has upstream's defaults (store-and-semantics.md §14.1)", () => {
  const c = defaultsOf(BrokerConfigSchema);
  assert.deepEqual(
    [c.brokerClusterName, c.brokerId, c.listenPort, c.brokerPermission, c.defaultTopicQueueNums],
    ["DefaultCluster", 0, 10911, 6, 8],
  );
  assert.equal(c.autoCreateTopicEnable, true);
  assert.equal(c.autoCreateSubscriptionGroup, true);
  assert.equal(c.longPollingEnable, true);
  assert.equal(c.shortPollingTimeMills, 1000);
  assert.equal(c.registerNameServerPeriod, 30000);
  assert.equal(c.flushConsumerOffsetInterval, 5000);
  assert.equal(c.transactionCheckMax, 15);
  assert.equal(c.consumerFallbehindThreshold, 17179869184);
  assert.equal(c.msgTraceTopicName, "RMQ_SYS_TRACE_TOPIC");
  assert.equal(c.namesrvAddr, "");
  assert.notEqual(c.brokerName, "");
  assert.notEqual(c.brokerIP1, "");
});

Deno.test("BrokerConfigSchema parses values strictly and names the key in errors", () => {
  const { config, unknown } = buildConfig(BrokerConfigSchema, {
    brokerId: "1",
    slaveReadEnable: "TRUE",
    x: "1",
  });
  assert.equal(config.brokerId, 1);
  assert.equal(config.slaveReadEnable, true);
  assert.deepEqual(unknown, ["x"]);
  const err = thrownBy(() => buildConfig(BrokerConfigSchema, { brokerId: "one" }), ConfigError);
  assert.equal(err.message, 'Cannot parse config value "one" for key "brokerId": not an integer');
});

Deno.test("normalizeNamesrvAddr() accepts bracketed IPv6 entries and an empty list", () => {
  assert.equal(normalizeNamesrvAddr("[::1]:9876;h:1"), "[::1]:9876;h:1");
  assert.equal(normalizeNamesrvAddr(""), "");
  assert.equal(normalizeNamesrvAddr(" ; "), "");
});

Deno.test("normalizeNamesrvAddr() refuses entries without a port or with port 0", () => {
  thrownBy(() => normalizeNamesrvAddr("localhost"), ConfigError);
  thrownBy(() => normalizeNamesrvAddr("localhost:0"), ConfigError);
  thrownBy(() => normalizeNamesrvAddr("http://h:9876"), ConfigError);
});
