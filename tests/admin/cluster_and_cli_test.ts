import {
  admin,
  assertEquals,
  assertStringIncludes,
  registerRequest,
  startNamesrv,
  startRuntimeInfoServer,
} from "./helpers.ts";

Deno.test("clusterList shows each broker with its runtime info columns", async () => {
  const ns = await startNamesrv();
  const broker = await startRuntimeInfoServer({
    brokerVersionDesc: "V4_9_8",
    putTps: "12.5 10.0 9.0",
    getTransferedTps: "3.25 1 1",
    sendThreadPoolQueueSize: "0",
    sendThreadPoolQueueHeadWaitTimeMills: "0",
    pullThreadPoolQueueSize: "1",
    pullThreadPoolQueueHeadWaitTimeMills: "2",
    pageCacheLockTimeMills: "0",
    earliestMessageTimeStamp: String(Date.now()),
    commitLogDiskRatio: "0.25",
  });
  try {
    const addr = `127.0.0.1:${broker.port}`;
    await ns.client.invokeSync(ns.addr, registerRequest({ brokerAddr: addr }), 3000);
    const r = await admin("clusterList", "-n", ns.addr);
    assertEquals(r.code, 0);
    const [header, row] = r.stdout.split("\n");
    assertEquals(
      header,
      "#Cluster Name     #Broker Name            #BID  #Addr                  #Version                #InTPS(LOAD)       #OutTPS(LOAD) #PCWait(ms) #Hour #SPACE",
    );
    assertStringIncludes(row!, `DefaultCluster    broker-a                0     ${addr.padEnd(22)} V4_9_8`);
    assertStringIncludes(row!, "    12.50(0,0ms)");
    assertStringIncludes(row!, "     3.25(1,2ms)");
    assertStringIncludes(row!, "0.2500");
  } finally {
    await broker.shutdown();
    await ns.dispose();
  }
});

Deno.test("clusterList still prints a row when the broker does not answer", async () => {
  const ns = await startNamesrv();
  try {
    await ns.client.invokeSync(ns.addr, registerRequest({ brokerAddr: "127.0.0.1:1" }), 3000);
    const r = await admin("clusterList", "-n", ns.addr);
    assertEquals(r.code, 0);
    assertStringIncludes(r.stdout, "DefaultCluster    broker-a                0     127.0.0.1:1");
    assertStringIncludes(r.stderr, "127.0.0.1:1");
  } finally {
    await ns.dispose();
  }
});

Deno.test("clusterList -m prints the message total columns", async () => {
  const ns = await startNamesrv();
  const broker = await startRuntimeInfoServer({
    msgPutTotalYesterdayMorning: "10",
    msgPutTotalTodayMorning: "25",
    msgPutTotalTodayNow: "40",
    msgGetTotalYesterdayMorning: "0",
    msgGetTotalTodayMorning: "5",
    msgGetTotalTodayNow: "6",
  });
  try {
    await ns.client.invokeSync(ns.addr, registerRequest({ brokerAddr: `127.0.0.1:${broker.port}` }), 3000);
    const r = await admin("clusterList", "-n", ns.addr, "-m");
    const [header, row] = r.stdout.split("\n");
    assertStringIncludes(header!, "#InTotalYest  #OutTotalYest");
    assertEquals(
      row,
      `${"DefaultCluster".padEnd(16)}  ${"broker-a".padEnd(32)} ${"15".padStart(14)} ${"5".padStart(14)} ${
        "15".padStart(14)
      } ${"1".padStart(14)}`,
    );
  } finally {
    await broker.shutdown();
    await ns.dispose();
  }
});

Deno.test("admin with no command lists the commands grouped; <cmd> -h shows its options", async () => {
  const list = await admin();
  assertEquals(list.code, 0);
  assertStringIncludes(list.stdout, "The most commonly used mqadmin commands are:");
  assertStringIncludes(list.stdout, " Topics:\n");
  assertStringIncludes(list.stdout, "   topicRoute           Examine topic route info\n");
  const help = await admin("topicRoute", "-h");
  assertEquals(help.code, 0);
  assertStringIncludes(help.stdout, "usage: mqadmin topicRoute [-h] [-l] [-n <arg>] -t <arg> [--json]\n");
  assertStringIncludes(help.stdout, " -t,--topic <arg>");
  const viaHelp = await admin("help", "TOPICROUTE");
  assertEquals(viaHelp.stdout, help.stdout);
});

Deno.test("admin rejects unknown commands, unknown options and missing required options with exit 1", async () => {
  const unknown = await admin("noSuchCommand");
  assertEquals([unknown.code, unknown.stderr], [1, "The sub command noSuchCommand not exist.\n"]);
  const badOpt = await admin("topicRoute", "-n", "127.0.0.1:1", "-t", "T", "-z");
  assertEquals(badOpt.code, 1);
  assertStringIncludes(badOpt.stderr, "Unrecognized option: -z");
  const missing = await admin("topicRoute", "-n", "127.0.0.1:1");
  assertEquals(missing.code, 1);
  assertStringIncludes(missing.stderr, "Missing required option: t");
  assertStringIncludes(missing.stderr, "usage: mqadmin topicRoute");
});

Deno.test("admin option forms: glued value, long name with = and case-insensitive command names", async () => {
  const ns = await startNamesrv();
  try {
    await ns.client.invokeSync(ns.addr, registerRequest(), 3000);
    const glued = await admin("TOPICCLUSTERLIST", `-n${ns.addr}`, "-tTopicA");
    assertEquals(glued.stdout, "DefaultCluster\n");
    const long = await admin("topicClusterList", `--namesrvAddr=${ns.addr}`, "--topic", " TopicA ");
    assertEquals(long.stdout, "DefaultCluster\n");
  } finally {
    await ns.dispose();
  }
});

Deno.test("admin without any name server address fails naming the ways to set one", async () => {
  const saved = Deno.env.get("NAMESRV_ADDR");
  Deno.env.delete("NAMESRV_ADDR");
  try {
    const r = await admin("topicList");
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "NAMESRV_ADDR");
  } finally {
    if (saved !== undefined) Deno.env.set("NAMESRV_ADDR", saved);
  }
});

Deno.test("admin reports an unreachable name server as a failure, not a crash", async () => {
  const r = await admin("topicList", "-n", "127.0.0.1:1");
  assertEquals(r.code, 1);
  assertStringIncludes(r.stderr, "topicList command failed:");
});

Deno.test("--json gives machine-readable topicList, topicRoute and clusterList output", async () => {
  const ns = await startNamesrv();
  try {
    await ns.client.invokeSync(ns.addr, registerRequest({ brokerAddr: "127.0.0.1:1" }), 3000);
    const list = await admin("topicList", "-n", ns.addr, "--json");
    assertEquals(JSON.parse(list.stdout), { topicList: ["TopicA"] });
    const route = await admin("topicRoute", "-n", ns.addr, "-t", "TopicA", "--json");
    assertEquals(JSON.parse(route.stdout).brokerDatas[0].brokerAddrs, { "0": "127.0.0.1:1" });
    const cl = await admin("clusterList", "-n", ns.addr, "--json");
    assertEquals(JSON.parse(cl.stdout), [
      { cluster: "DefaultCluster", brokerName: "broker-a", brokerId: 0, addr: "127.0.0.1:1", runtime: null },
    ]);
    const help = await admin("topicList", "-h");
    assertStringIncludes(help.stdout, "    --json");
  } finally {
    await ns.dispose();
  }
});
