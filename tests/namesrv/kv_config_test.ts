import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { decodeKVTable } from "../../src/protocol/kv.ts";
import { assertEquals, request, startNamesrv, text } from "./helpers.ts";

const put = (namespace: string, key: string, value: string) =>
  request(RequestCode.PUT_KV_CONFIG, { namespace, key, value });

Deno.test("PUT/GET/DELETE_KV_CONFIG store, return and remove a value", async () => {
  const ns = await startNamesrv();
  try {
    assertEquals((await ns.client.invokeSync(ns.addr, put("NS1", "k1", "v1"), 3000)).code, 0);
    const got = await ns.client.invokeSync(
      ns.addr,
      request(RequestCode.GET_KV_CONFIG, { namespace: "NS1", key: "k1" }),
      3000,
    );
    assertEquals([got.code, got.extFields.value], [0, "v1"]);
    const del = await ns.client.invokeSync(
      ns.addr,
      request(RequestCode.DELETE_KV_CONFIG, { namespace: "NS1", key: "k1" }),
      3000,
    );
    assertEquals(del.code, 0);
    const gone = await ns.client.invokeSync(
      ns.addr,
      request(RequestCode.GET_KV_CONFIG, { namespace: "NS1", key: "k1" }),
      3000,
    );
    assertEquals(gone.code, ResponseCode.QUERY_NOT_FOUND);
    assertEquals(gone.remark, "No config item, Namespace: NS1 Key: k1");
  } finally {
    await ns.dispose();
  }
});

Deno.test("GET_KVLIST_BY_NAMESPACE returns the namespace as a KVTable, QUERY_NOT_FOUND if never created", async () => {
  const ns = await startNamesrv();
  try {
    await ns.client.invokeSync(ns.addr, put("NS1", "a", "1"), 3000);
    await ns.client.invokeSync(ns.addr, put("NS1", "b", "2"), 3000);
    const res = await ns.client.invokeSync(
      ns.addr,
      request(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: "NS1" }),
      3000,
    );
    assertEquals(text(res.body), '{"table":{"a":"1","b":"2"}}');
    assertEquals([...decodeKVTable(res.body)], [["a", "1"], ["b", "2"]]);
    const none = await ns.client.invokeSync(
      ns.addr,
      request(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: "X" }),
      3000,
    );
    assertEquals([none.code, none.remark], [ResponseCode.QUERY_NOT_FOUND, "No config item, Namespace: X"]);
  } finally {
    await ns.dispose();
  }
});

Deno.test("PUT_KV_CONFIG without a namespace answers SYSTEM_ERROR", async () => {
  const ns = await startNamesrv();
  try {
    const res = await ns.client.invokeSync(
      ns.addr,
      request(RequestCode.PUT_KV_CONFIG, { key: "k", value: "v" }),
      3000,
    );
    assertEquals(res.code, ResponseCode.SYSTEM_ERROR);
  } finally {
    await ns.dispose();
  }
});

Deno.test("KV config survives a name server restart (persisted to kvConfigPath)", async () => {
  const first = await startNamesrv();
  try {
    await first.client.invokeSync(
      first.addr,
      put("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4;broker-b:4"),
      3000,
    );
    await first.client.invokeSync(first.addr, put("PROJECT_CONFIG", "p", "x"), 3000);
    await first.stop();
    const onDisk = JSON.parse(await Deno.readTextFile(first.config.kvConfigPath));
    assertEquals(onDisk, {
      configTable: { ORDER_TOPIC_CONFIG: { TopicA: "broker-a:4;broker-b:4" }, PROJECT_CONFIG: { p: "x" } },
    });
    const second = await startNamesrv({ dir: first.dir });
    try {
      const got = await second.client.invokeSync(
        second.addr,
        request(RequestCode.GET_KV_CONFIG, { namespace: "ORDER_TOPIC_CONFIG", key: "TopicA" }),
        3000,
      );
      assertEquals(got.extFields.value, "broker-a:4;broker-b:4");
    } finally {
      await second.stop();
    }
  } finally {
    await first.dispose();
  }
});
