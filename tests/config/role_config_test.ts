import assert from "node:assert/strict";
import { loadRole } from "../../src/config/role_config.ts";
import { ConfigError } from "../../src/config/schema.ts";
import { thrownBy } from "./assert_util.ts";

const CONF = new URL("../../conf/", import.meta.url).pathname;

function collect() {
  const warnings: string[] = [];
  return { warnings, opts: { env: () => undefined, warn: (m: string) => warnings.push(m) } };
}

Deno.test("loadRole('broker') refuses a slave whose brokerId is not positive", () => {
  const { opts } = collect();
  const err = thrownBy(
    () => loadRole("broker", { ...opts, overrides: [["brokerRole", "SLAVE"], ["brokerId", "0"]] }),
    ConfigError,
  );
  assert.match(err.message, /^Slave's brokerId must be > 0, got "0"/);
});

Deno.test("loadRole('broker') forces a master to brokerId 0 and says so", () => {
  const { opts, warnings } = collect();
  const rc = loadRole("broker", { ...opts, overrides: [["brokerRole", "SYNC_MASTER"], ["brokerId", "2"]] });
  assert.ok(rc.role === "broker");
  assert.equal(rc.broker.brokerId, 0);
  assert.deepEqual(warnings, ['brokerId "2" is ignored: a SYNC_MASTER is always brokerId 0']);
});

Deno.test("loadRole('broker') puts the HA port next to the listen port unless haListenPort is set", () => {
  const { opts } = collect();
  const derived = loadRole("broker", { ...opts, overrides: [["listenPort", "20911"]] });
  assert.ok(derived.role === "broker");
  assert.equal(derived.store.haListenPort, 20912);
  const explicit = loadRole("broker", {
    ...opts,
    overrides: [["listenPort", "20911"], ["haListenPort", "30000"]],
  });
  assert.ok(explicit.role === "broker");
  assert.equal(explicit.store.haListenPort, 30000);
});

Deno.test("loadRole('all') points the broker at the embedded name server by default", () => {
  const { opts } = collect();
  const rc = loadRole("all", { ...opts, env: () => "10.9.9.9:9876", overrides: [["namesrvPort", "19876"]] });
  assert.ok(rc.role === "all");
  assert.equal(rc.namesrv.listenPort, 19876);
  assert.equal(rc.broker.listenPort, 10911);
  assert.equal(rc.broker.namesrvAddr, "127.0.0.1:19876");
});

Deno.test("loadRole('all') keeps an explicitly given name server list", () => {
  const { opts } = collect();
  const rc = loadRole("all", { ...opts, namesrvAddr: "10.0.0.1:9876" });
  assert.ok(rc.role === "all");
  assert.equal(rc.broker.namesrvAddr, "10.0.0.1:9876");
});

Deno.test("loadRole('namesrv') warns about broker keys in a name server file", () => {
  const { opts, warnings } = collect();
  const rc = loadRole("namesrv", { ...opts, overrides: [["listenPort", "9877"], ["brokerName", "x"]] });
  assert.ok(rc.role === "namesrv");
  assert.equal(rc.namesrv.listenPort, 9877);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? "", /Unknown config key "brokerName"/);
});

const SHIPPED: Array<[string, string, string, number]> = [
  ["broker.conf", "broker-a", "ASYNC_MASTER", 0],
  ["2m-noslave/broker-a.properties", "broker-a", "ASYNC_MASTER", 0],
  ["2m-noslave/broker-b.properties", "broker-b", "ASYNC_MASTER", 0],
  ["2m-noslave/broker-trace.properties", "broker-trace", "ASYNC_MASTER", 0],
  ["2m-2s-async/broker-a.properties", "broker-a", "ASYNC_MASTER", 0],
  ["2m-2s-async/broker-a-s.properties", "broker-a", "SLAVE", 1],
  ["2m-2s-async/broker-b.properties", "broker-b", "ASYNC_MASTER", 0],
  ["2m-2s-async/broker-b-s.properties", "broker-b", "SLAVE", 1],
  ["2m-2s-sync/broker-a.properties", "broker-a", "SYNC_MASTER", 0],
  ["2m-2s-sync/broker-a-s.properties", "broker-a", "SLAVE", 1],
  ["2m-2s-sync/broker-b.properties", "broker-b", "SYNC_MASTER", 0],
  ["2m-2s-sync/broker-b-s.properties", "broker-b", "SLAVE", 1],
];

Deno.test("every shipped broker file in conf/ loads without warnings and sets its role", () => {
  for (const [file, name, role, id] of SHIPPED) {
    const { opts, warnings } = collect();
    const rc = loadRole("broker", { ...opts, configFile: CONF + file });
    assert.ok(rc.role === "broker");
    assert.deepEqual([rc.broker.brokerName, rc.store.brokerRole, rc.broker.brokerId], [name, role, id], file);
    assert.equal(rc.store.deleteWhen, "04", file);
    assert.equal(rc.store.fileReservedTime, 48, file);
    assert.deepEqual(warnings, [], file);
  }
});

Deno.test("conf/namesrv.conf loads without warnings", () => {
  const { opts, warnings } = collect();
  const rc = loadRole("namesrv", { ...opts, configFile: CONF + "namesrv.conf" });
  assert.ok(rc.role === "namesrv");
  assert.equal(rc.namesrv.listenPort, 9876);
  assert.deepEqual(warnings, []);
});

Deno.test("loadRole('broker') advertises a specific bind address unless brokerIP1 is set", () => {
  const { opts } = collect();
  const bound = loadRole("broker", { ...opts, overrides: [["listenHost", "127.0.0.1"]] });
  assert.ok(bound.role === "broker");
  assert.deepEqual([bound.broker.brokerIP1, bound.broker.brokerIP2], ["127.0.0.1", "127.0.0.1"]);
  const explicit = loadRole("broker", {
    ...opts,
    overrides: [["listenHost", "127.0.0.1"], ["brokerIP1", "10.0.0.5"]],
  });
  assert.ok(explicit.role === "broker");
  assert.equal(explicit.broker.brokerIP1, "10.0.0.5");
});

Deno.test("loadRole('broker') records the -c file in brokerConfigPath", () => {
  const { opts } = collect();
  const rc = loadRole("broker", { ...opts, configFile: CONF + "broker.conf" });
  assert.ok(rc.role === "broker");
  assert.equal(rc.broker.brokerConfigPath, CONF + "broker.conf");
});
