import assert from "node:assert/strict";
import { type LoadOptions, loadRoleConfig } from "../../src/config/load.ts";
import { BrokerConfigSchema } from "../../src/config/broker_config.ts";
import { MessageStoreConfigSchema } from "../../src/config/store_config.ts";
import { NamesrvConfigSchema } from "../../src/config/namesrv_config.ts";
import { ConfigError } from "../../src/config/schema.ts";
import { thrownBy } from "./assert_util.ts";

const BROKER = [BrokerConfigSchema, MessageStoreConfigSchema] as const;
const noEnv = () => undefined;

/** Writes `text` to a temp properties file, runs `f` with its path, and removes the directory. */
async function withFile<T>(text: string, f: (path: string) => T): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "rmq-config-" });
  try {
    const path = `${dir}/broker.properties`;
    await Deno.writeTextFile(path, text);
    return f(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function load(opts: LoadOptions) {
  const warnings: string[] = [];
  const result = loadRoleConfig(BROKER, {
    env: noEnv,
    home: "/home/mq",
    warn: (m) => warnings.push(m),
    ...opts,
  });
  return { ...result, warnings };
}

Deno.test("loadRoleConfig() feeds one broker file to both the broker and the store schema", async () => {
  const { configs: [broker, store], warnings } = await withFile(
    "brokerName = broker-b\nbrokerId=0\nbrokerRole=SYNC_MASTER\nflushDiskType=SYNC_FLUSH\nfileReservedTime=48\n",
    (configFile) => load({ configFile }),
  );
  assert.equal(broker.brokerName, "broker-b");
  assert.equal(store.brokerRole, "SYNC_MASTER");
  assert.equal(store.flushDiskType, "SYNC_FLUSH");
  assert.equal(store.fileReservedTime, 48);
  assert.deepEqual(warnings, []);
});

Deno.test("loadRoleConfig() keeps defaults for keys nobody set", () => {
  const { configs: [broker, store] } = load({});
  assert.equal(broker.listenPort, 10911);
  assert.equal(broker.brokerClusterName, "DefaultCluster");
  assert.equal(store.mappedFileSizeCommitLog, 1073741824);
});

Deno.test("loadRoleConfig() lets a --key=value flag beat the file, and the last flag win", async () => {
  const { configs: [broker] } = await withFile(
    "listenPort=10000\nbrokerName=from-file\n",
    (configFile) => load({ configFile, overrides: [["listenPort", "10100"], ["listenPort", "10200"]] }),
  );
  assert.equal(broker.listenPort, 10200);
  assert.equal(broker.brokerName, "from-file");
});

Deno.test("loadRoleConfig() takes namesrvAddr from NAMESRV_ADDR, then the file, then flags, then -n", async () => {
  const env = (name: string) => name === "NAMESRV_ADDR" ? "10.0.0.9:9876" : undefined;
  assert.equal(load({ env }).configs[0].namesrvAddr, "10.0.0.9:9876");
  await withFile("namesrvAddr=10.0.0.1:9876\n", (configFile) => {
    assert.equal(load({ env, configFile }).configs[0].namesrvAddr, "10.0.0.1:9876");
    const flag = load({ env, configFile, overrides: [["namesrvAddr", "10.0.0.2:9876"]] });
    assert.equal(flag.configs[0].namesrvAddr, "10.0.0.2:9876");
    const dashN = load({
      env,
      configFile,
      overrides: [["namesrvAddr", "10.0.0.2:9876"]],
      namesrvAddr: "h:1",
    });
    assert.equal(dashN.configs[0].namesrvAddr, "h:1");
  });
});

Deno.test("loadRoleConfig() accepts ',' and blanks in a name server list and stores it ';'-separated", () => {
  const { configs: [broker] } = load({ namesrvAddr: " 10.0.0.1:9876 , ns2.local:9877;" });
  assert.equal(broker.namesrvAddr, "10.0.0.1:9876;ns2.local:9877");
});

Deno.test("loadRoleConfig() rejects a name server entry that is not host:port", () => {
  const err = thrownBy(() => load({ namesrvAddr: "10.0.0.1:9876;ns2" }), ConfigError);
  assert.match(err.message, /^Invalid name server address "ns2" in namesrvAddr "10.0.0.1:9876;ns2"/);
  assert.match(err.message, /\(-n\)$/);
  thrownBy(() => load({ namesrvAddr: "host:99999" }), ConfigError);
  thrownBy(() => load({ env: () => "host:abc" }), ConfigError);
});

Deno.test("loadRoleConfig() maps the old maped* spellings to mapped* and back", async () => {
  const { configs: [, store], warnings } = await withFile(
    "mapedFileSizeCommitLog=1048576\nmapedFileSizeConsumeQueue=6000\nwarmMappedFileEnable=true\n",
    (configFile) => load({ configFile }),
  );
  assert.equal(store.mappedFileSizeCommitLog, 1048576);
  assert.equal(store.mappedFileSizeConsumeQueue, 6000);
  assert.equal(store.warmMapedFileEnable, true);
  assert.deepEqual(warnings, []);
});

Deno.test("loadRoleConfig() lets the later of two spellings of one key win", () => {
  const { configs: [, store] } = load({
    overrides: [["mappedFileSizeCommitLog", "4096"], ["mapedFileSizeCommitLog", "8192"]],
  });
  assert.equal(store.mappedFileSizeCommitLog, 8192);
});

Deno.test("loadRoleConfig() warns once per unknown key, with its origin and a likely correction", async () => {
  const { warnings, unknown } = await withFile(
    "brokerName=a\nbrokerrole=SLAVE\nnoSuchThing=1\n",
    (configFile) => load({ configFile, overrides: [["autoCreateTopicEnabel", "true"]] }),
  );
  assert.deepEqual(unknown, ["brokerrole", "noSuchThing", "autoCreateTopicEnabel"]);
  assert.equal(warnings.length, 3);
  assert.match(
    warnings[0] ?? "",
    /^Unknown config key "brokerrole" \(.*broker\.properties:2\) is ignored; did you mean "brokerRole"\?$/,
  );
  assert.match(warnings[1] ?? "", /^Unknown config key "noSuchThing" \(.*:3\) is ignored$/);
  assert.match(
    warnings[2] ?? "",
    /"autoCreateTopicEnabel" \(--autoCreateTopicEnabel\).*did you mean "autoCreateTopicEnable"/,
  );
});

Deno.test("loadRoleConfig() trims a value with trailing blanks and warns about it", async () => {
  const { configs: [broker, store], warnings } = await withFile(
    "brokerRole=SLAVE \nbrokerId=1\t\n",
    (configFile) => load({ configFile }),
  );
  assert.equal(store.brokerRole, "SLAVE");
  assert.equal(broker.brokerId, 1);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0] ?? "", /^Value of "brokerRole" \(.*:1\) has trailing whitespace; using "SLAVE"$/);
});

Deno.test("loadRoleConfig() refuses an invalid value, naming the key, the value and the line", async () => {
  const err = await withFile(
    "brokerName=a\nbrokerRole=slave\n",
    (configFile) => thrownBy(() => load({ configFile }), ConfigError),
  );
  assert.match(
    err.message,
    /^Cannot parse config value "slave" for key "brokerRole": expected one of ASYNC_MASTER, SYNC_MASTER, SLAVE \(.*broker\.properties:2\)$/,
  );
});

Deno.test("loadRoleConfig() refuses non-numeric and out-of-range numbers", () => {
  const abc = thrownBy(() => load({ overrides: [["listenPort", "abc"]] }), ConfigError);
  assert.equal(
    abc.message,
    'Cannot parse config value "abc" for key "listenPort": not an integer (--listenPort)',
  );
  thrownBy(() => load({ overrides: [["listenPort", "70000"]] }), ConfigError);
  thrownBy(() => load({ overrides: [["autoCreateTopicEnable", "ture"]] }), ConfigError);
});

Deno.test("loadRoleConfig() accepts only broker permissions 0, 2, 4 and 6", () => {
  assert.equal(load({ overrides: [["brokerPermission", "4"]] }).configs[0].brokerPermission, 4);
  const err = thrownBy(() => load({ overrides: [["brokerPermission", "5"]] }), ConfigError);
  assert.match(err.message, /^Cannot parse config value "5" for key "brokerPermission"/);
});

Deno.test("loadRoleConfig() expands ~ and ${user.home} in path settings only", () => {
  const { configs: [broker, store] } = load({
    overrides: [
      ["storePathRootDir", "~/store"],
      ["storePathCommitLog", "${user.home}/cl1,~/cl2"],
      ["logDir", "$HOME/logs"],
      ["brokerName", "~broker"],
    ],
  });
  assert.equal(store.storePathRootDir, "/home/mq/store");
  assert.equal(store.storePathCommitLog, "/home/mq/cl1,/home/mq/cl2");
  assert.equal(broker.logDir, "/home/mq/logs");
  assert.equal(broker.brokerName, "~broker");
});

Deno.test("loadRoleConfig() names the file it cannot read", () => {
  const err = thrownBy(() => load({ configFile: "/nonexistent/rmq/broker.conf" }), ConfigError);
  assert.equal(err.message, 'Cannot read config file "/nonexistent/rmq/broker.conf": no such file');
});

Deno.test("loadRoleConfig() ignores -n and NAMESRV_ADDR silently for a role without namesrvAddr", () => {
  const warnings: string[] = [];
  const { configs: [namesrv] } = loadRoleConfig([NamesrvConfigSchema], {
    namesrvAddr: "h:1",
    env: () => "h:2",
    warn: (m) => warnings.push(m),
  });
  assert.equal(namesrv.listenPort, 9876);
  assert.deepEqual(warnings, []);
});

Deno.test("loadRoleConfig() reports which keys were set explicitly", () => {
  const { explicit } = load({ overrides: [["mapedFileSizeCommitLog", "4096"], ["listenPort", "1"]] });
  assert.deepEqual([...explicit].sort(), ["listenPort", "mappedFileSizeCommitLog"]);
});

Deno.test("loadRoleConfig() names the file holding a malformed \\u escape", async () => {
  const err = await withFile(
    "a=1\nb=\\uZZZZ\n",
    (configFile) => thrownBy(() => load({ configFile }), ConfigError),
  );
  assert.match(err.message, /^Malformed \\uXXXX escape "\\uZZZZ" on line 2 \(.*broker\.properties\)$/);
});
