import { RequestCode } from "../../src/remoting/request_code.ts";
import { defaultTopicConfig } from "../../src/protocol/register_broker.ts";
import { admin, assertEquals, assertStringIncludes, registerRequest, startNamesrv } from "./helpers.ts";

Deno.test("updateKvConfig and deleteKvConfig write and remove a key on the name server", async () => {
  const ns = await startNamesrv();
  try {
    const up = await admin(
      "updateKvConfig",
      "-n",
      ns.addr,
      "-s",
      "ORDER_TOPIC_CONFIG",
      "-k",
      "T1",
      "-v",
      "broker-a:4",
    );
    assertEquals([up.code, up.stdout], [0, "create or update kv config to namespace success.\n"]);
    assertEquals(ns.controller.kvConfigManager.get("ORDER_TOPIC_CONFIG", "T1"), "broker-a:4");
    const del = await admin("deleteKvConfig", "-n", ns.addr, "-s", "ORDER_TOPIC_CONFIG", "-k", "T1");
    assertEquals([del.code, del.stdout], [0, "delete kv config from namespace success.\n"]);
    assertEquals(ns.controller.kvConfigManager.get("ORDER_TOPIC_CONFIG", "T1"), undefined);
  } finally {
    await ns.dispose();
  }
});

Deno.test("getNamesrvConfig prints a banner per server and padded key=  value lines", async () => {
  const ns = await startNamesrv();
  try {
    const r = await admin("getNamesrvConfig", "-n", ns.addr);
    assertEquals(r.code, 0);
    assertStringIncludes(r.stdout, `============${ns.addr}============\n`);
    assertStringIncludes(r.stdout, `${"orderMessageEnable".padEnd(50)}=  false\n`);
  } finally {
    await ns.dispose();
  }
});

Deno.test("updateNamesrvConfig changes a setting and echoes it; a black-listed key fails with the server's code", async () => {
  const ns = await startNamesrv();
  try {
    const ok = await admin("updateNamesrvConfig", "-n", ns.addr, "-k", "orderMessageEnable", "-v", "true");
    assertEquals(ok.code, 0);
    assertEquals(ok.stdout, `update name server config success![${ns.addr}]\norderMessageEnable : true\n`);
    assertEquals(ns.config.orderMessageEnable, true);
    const bad = await admin("updateNamesrvConfig", "-n", ns.addr, "-k", "kvConfigPath", "-v", "/tmp/x");
    assertEquals(bad.code, 1);
    assertStringIncludes(bad.stderr, "CODE: 16  DESC: Can not update config in black list.");
  } finally {
    await ns.dispose();
  }
});

Deno.test("wipeWritePerm and addWritePerm report the topic count per name server", async () => {
  const ns = await startNamesrv();
  try {
    await ns.client.invokeSync(
      ns.addr,
      registerRequest({ topics: [defaultTopicConfig("T1"), defaultTopicConfig("T2")] }),
      3000,
    );
    const wipe = await admin("wipeWritePerm", "-n", ns.addr, "-b", "broker-a");
    assertEquals(wipe.stdout, `wipe write perm of broker[broker-a] in name server[${ns.addr}] OK, 2\n`);
    const add = await admin("addWritePerm", "-n", ns.addr, "-b", "broker-a");
    assertEquals(add.stdout, `add write perm of broker[broker-a] in name server[${ns.addr}] OK, 2\n`);
  } finally {
    await ns.dispose();
  }
});

Deno.test("updateOrderConf puts, gets and deletes a topic's order config", async () => {
  const ns = await startNamesrv();
  try {
    const put = await admin("updateOrderConf", "-n", ns.addr, "-t", "T1", "-m", "put", "-v", "broker-a:4");
    assertEquals(put.stdout, "update orderConf success. topic=[T1], orderConf=[broker-a:4]");
    const get = await admin("updateOrderConf", "-n", ns.addr, "-t", "T1", "-m", "get");
    assertEquals(get.stdout, "get orderConf success. topic=[T1], orderConf=[broker-a:4] ");
    const del = await admin("updateOrderConf", "-n", ns.addr, "-t", "T1", "-m", "delete");
    assertEquals([del.code, del.stdout], [0, "delete orderConf success. topic=[T1]"]);
    const gone = await admin("updateOrderConf", "-n", ns.addr, "-t", "T1", "-m", "get");
    assertEquals(gone.code, 1);
    assertStringIncludes(gone.stderr, "CODE: 22");
    assertEquals(RequestCode.PUT_KV_CONFIG, 100);
  } finally {
    await ns.dispose();
  }
});
