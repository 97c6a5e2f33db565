import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { decodeKVTable } from "../../src/protocol/kv.ts";
import { assertEquals, request, startNamesrv, text } from "./helpers.ts";

const put = (namespace: string, key: string, value: string) =>
  request(RequestCode.PUT_KV_CONFIG, { namespace, key, value });

Deno.test("PUT/GET/DELETE_KV_CONFIG store, return and remove a value", async () => {
  const ns = await startNamesrv();
  try {
    assertEquals((await ns.call(put("NS1", "k1", "v1"))).code, 0);
    const got = await ns.call(request(RequestCode.GET_KV_CONFIG, { namespace: "NS1", key: "k1" }));
    assertEquals([got.code, got.extFields.value], [0, "v1"]);
    const del = await ns.call(request(RequestCode.DELETE_KV_CONFIG, { namespace: "NS1", key: "k1" }));
    assertEquals(del.code, 0);
    const gone = await ns.call(request(RequestCode.GET_KV_CONFIG, { namespace: "NS1", key: "k1" }));
    assertEquals(gone.code, ResponseCode.QUERY_NOT_FOUND);
    assertEquals(gone.remark, "No config item, Namespace: NS1 Key: k1");
  } finally {
    await ns.dispose();
  }
});

Deno.test("GET_KVLIST_BY_NAMESPACE returns the namespace as a KVTable, QUERY_NOT_FOUND if never created", async () => {
  const ns = await startNamesrv();
  try {
    await ns.call(put("NS1", "a", "1"));
    await ns.call(put("NS1", "b", "2"));
    const res = await ns.call(request(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: "NS1" }));
    assertEquals(text(res.body), '{"table":{"a":"1","b":"2"}}');
    assertEquals([...decodeKVTable(res.body)], [["a", "1"], ["b", "2"]]);
    const none = await ns.call(request(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: "X" }));
    assertEquals([none.code, none.remark], [ResponseCode.QUERY_NOT_FOUND, "No config item, Namespace: X"]);
  } finally {
    await ns.dispose();
  }
});

Deno.test("PUT_KV_CONFIG without a namespace answers SYSTEM_ERROR", async () => {
  const ns = await startNamesrv();
  try {
    const res = await ns.call(request(RequestCode.PUT_KV_CONFIG, { key: "k", value: "v" }));
    assertEquals(res.code, ResponseCode.SYSTEM_ERROR);
  } finally {
    await ns.dispose();
  }
});

Deno.test("KV config survives a name server restart (persisted to kvConfigPath)", async () => {
  const first = await startNamesrv();
  try {
    await first.call(put("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4;broker-b:4"));
    await first.call(put("PROJECT_CONFIG", "p", "x"));
    await first.stop();
    const onDisk = JSON.parse(await Deno.readTextFile(first.config.kvConfigPath));
    assertEquals(onDisk, {
      configTable: { ORDER_TOPIC_CONFIG: { TopicA: "broker-a:4;broker-b:4" }, PROJECT_CONFIG: { p: "x" } },
    });
    const second = await startNamesrv({ dir: first.dir });
    try {
      const got = await second.call(
        request(RequestCode.GET_KV_CONFIG, { namespace: "ORDER_TOPIC_CONFIG", key: "TopicA" }),
      );
      assertEquals(got.extFields.value, "broker-a:4;broker-b:4");
    } finally {
      await second.stop();
    }
  } finally {
    await first.dispose();
  }
});
