import assert from "node:assert/strict";
import { applyConfigUpdate } from "../../src/config/update.ts";
import { BrokerConfigSchema } from "../../src/config/broker_config.ts";
import { MessageStoreConfigSchema } from "../../src/config/store_config.ts";
import { ConfigError, defaultsOf } from "../../src/config/schema.ts";
import { thrownBy } from "./assert_util.ts";

function targets() {
  const broker: Record<string, unknown> = defaultsOf(BrokerConfigSchema);
  const store: Record<string, unknown> = defaultsOf(MessageStoreConfigSchema);
  return {
    broker,
    store,
    list: [{ schema: BrokerConfigSchema, config: broker }, {
      schema: MessageStoreConfigSchema,
      config: store,
    }],
  };
}

Deno.test("applyConfigUpdate() applies each key to the config that declares it", () => {
  const t = targets();
  const result = applyConfigUpdate(
    t.list,
    new Map([["brokerPermission", "4"], ["mapedFileSizeCommitLog", " 4096 "], ["bogus", "1"]]),
  );
  assert.deepEqual(result, { applied: ["brokerPermission", "mappedFileSizeCommitLog"], unknown: ["bogus"] });
  assert.equal(t.broker.brokerPermission, 4);
  assert.equal(t.store.mappedFileSizeCommitLog, 4096);
});

Deno.test("applyConfigUpdate() changes nothing when one value is invalid", () => {
  const t = targets();
  const err = thrownBy(
    () => applyConfigUpdate(t.list, new Map([["brokerPermission", "4"], ["flushDiskType", "sync"]])),
    ConfigError,
  );
  assert.match(err.message, /^Cannot parse config value "sync" for key "flushDiskType"/);
  assert.equal(t.broker.brokerPermission, 6);
});

Deno.test("applyConfigUpdate() refuses black-listed keys", () => {
  const t = targets();
  const err = thrownBy(
    () => applyConfigUpdate(t.list, new Map([["brokerConfigPath", "/x"]]), new Set(["brokerConfigPath"])),
    ConfigError,
  );
  assert.equal(err.message, 'Config key "brokerConfigPath" cannot be updated at runtime');
});
