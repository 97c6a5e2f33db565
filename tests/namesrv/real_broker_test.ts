/** The name server with a real BrokerController: registration, routes, unregistration at shutdown. */
import { startRealBroker } from "../admin/helpers.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { decodeTopicRouteData } from "../../src/protocol/route.ts";
import { decodeClusterInfo } from "../../src/protocol/cluster.ts";
import { assertEquals, request, startNamesrv } from "./helpers.ts";

Deno.test("a real broker registers its topics and is removed when it shuts down", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  let stopped = false;
  try {
    let code = -1;
    for (let i = 0; i < 200 && code !== 0; i++) {
      code = (await ns.call(request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "TBW102" })))
        .code;
      if (code !== 0) await new Promise((r) => setTimeout(r, 20));
    }
    assertEquals(code, 0);
    const res = await ns.call(request(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: "TBW102" }));
    const route = decodeTopicRouteData(res.body);
    assertEquals(route.brokerDatas[0]?.brokerAddrs.get(0), b.addr);
    assertEquals(route.brokerDatas[0]?.cluster, "TestCluster");
    await b.stop();
    stopped = true;
    const info = decodeClusterInfo((await ns.call(request(106))).body);
    assertEquals(info.brokerAddrTable.size, 0);
  } finally {
    if (!stopped) await b.stop();
    await ns.dispose();
  }
});
