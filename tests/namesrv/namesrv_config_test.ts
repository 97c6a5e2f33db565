import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { parseProperties } from "../../src/config/properties.ts";
import { assertEquals, assertStringIncludes, request, startNamesrv, text } from "./helpers.ts";

const update = (body: string) => {
  const req = request(RequestCode.UPDATE_NAMESRV_CONFIG);
  req.body = new TextEncoder().encode(body);
  return req;
};

Deno.test("GET_NAMESRV_CONFIG returns the live config as properties text", async () => {
  const ns = await startNamesrv();
  try {
    const res = await ns.call(request(RequestCode.GET_NAMESRV_CONFIG));
    assertEquals(res.code, 0);
    const props = parseProperties(text(res.body));
    assertEquals(props.get("orderMessageEnable"), "false");
    assertEquals(props.get("kvConfigPath"), ns.config.kvConfigPath);
    assertEquals(props.get("listenPort"), "0");
  } finally {
    await ns.dispose();
  }
});

Deno.test("UPDATE_NAMESRV_CONFIG applies a value, shows it in GET_NAMESRV_CONFIG and writes configStorePath", async () => {
  const ns = await startNamesrv();
  try {
    const res = await ns.call(update("orderMessageEnable=true\n"));
    assertEquals(res.code, ResponseCode.SUCCESS);
    assertEquals(ns.config.orderMessageEnable, true);
    const got = await ns.call(request(RequestCode.GET_NAMESRV_CONFIG));
    assertEquals(parseProperties(text(got.body)).get("orderMessageEnable"), "true");
    const saved = parseProperties(await Deno.readTextFile(ns.config.configStorePath));
    assertEquals(saved.get("orderMessageEnable"), "true");
  } finally {
    await ns.dispose();
  }
});

Deno.test("UPDATE_NAMESRV_CONFIG refuses black-listed keys with NO_PERMISSION", async () => {
  const ns = await startNamesrv();
  try {
    const res = await ns.call(update("kvConfigPath=/tmp/elsewhere\n"));
    assertEquals([res.code, res.remark], [
      ResponseCode.NO_PERMISSION,
      "Can not update config in black list.",
    ]);
    assertEquals(ns.config.kvConfigPath.endsWith("kvConfig.json"), true);
  } finally {
    await ns.dispose();
  }
});

Deno.test("UPDATE_NAMESRV_CONFIG refuses an invalid value, naming the key, and changes nothing", async () => {
  const ns = await startNamesrv();
  try {
    const res = await ns.call(update("orderMessageEnable=true\nclusterTest=maybe\n"));
    assertEquals(res.code, ResponseCode.SYSTEM_ERROR);
    assertStringIncludes(res.remark ?? "", '"clusterTest"');
    assertStringIncludes(res.remark ?? "", '"maybe"');
    assertEquals(ns.config.orderMessageEnable, false);
  } finally {
    await ns.dispose();
  }
});

Deno.test("UPDATE_NAMESRV_CONFIG keeps unknown keys, as upstream, and GET_NAMESRV_CONFIG returns them", async () => {
  const ns = await startNamesrv();
  try {
    assertEquals((await ns.call(update("someFutureKey=42\n"))).code, 0);
    const got = await ns.call(request(RequestCode.GET_NAMESRV_CONFIG));
    assertEquals(parseProperties(text(got.body)).get("someFutureKey"), "42");
  } finally {
    await ns.dispose();
  }
});

Deno.test("a name server refuses to start over a corrupt kvConfig file, naming the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmq-namesrv-" });
  try {
    await Deno.writeTextFile(`${dir}/kvConfig.json`, "{not json");
    let message = "";
    try {
      const ns = await startNamesrv({ dir });
      await ns.stop();
    } catch (e) {
      message = (e as Error).message;
    }
    assertStringIncludes(message, `${dir}/kvConfig.json`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
