/**
 * rmq's exit-status contract (unlike upstream mqadmin, which exits 0 after a stack trace): every
 * command that fails exits non-zero and says why on stderr, with the server's code and remark when a
 * server refused.
 */
import { admin, assert, assertEquals, startNamesrv, startRealBroker } from "./helpers.ts";
import { waitUntil } from "./wait.ts";
import { ADMIN_COMMANDS } from "../../src/admin/registry.ts";

/** Nothing listens on port 1. */
const DOWN = "127.0.0.1:1";

/** Arguments that make each command talk to a server (required options filled, -b pointing at DOWN). */
const AGAINST_DOWN_SERVERS: Record<string, string[]> = {
  updateTopic: ["-b", DOWN, "-t", "T"],
  deleteTopic: ["-t", "T", "-c", "C"],
  topicList: [],
  topicRoute: ["-t", "T"],
  topicStatus: ["-t", "T"],
  topicClusterList: ["-t", "T"],
  updateTopicPerm: ["-b", DOWN, "-t", "T", "-p", "6"],
  updateOrderConf: ["-t", "T", "-m", "get"],
  allocateMQ: ["-t", "T", "-i", "10.0.0.1"],
  clusterList: [],
  clusterRT: ["-a", "2", "--rounds", "1"],
  brokerStatus: ["-b", DOWN],
  getBrokerConfig: ["-b", DOWN],
  updateBrokerConfig: ["-b", DOWN, "-k", "k", "-v", "v"],
  brokerConsumeStats: ["-b", DOWN],
  cleanExpiredCQ: ["-b", DOWN],
  cleanUnusedTopic: ["-b", DOWN],
  deleteExpiredCommitLog: ["-b", DOWN],
  updateSubGroup: ["-b", DOWN, "-g", "G"],
  deleteSubGroup: ["-b", DOWN, "-g", "G"],
  consumerProgress: ["-g", "G"],
  consumerConnection: ["-g", "G"],
  consumerStatus: ["-g", "G"],
  getConsumerConfig: ["-g", "G"],
  producerConnection: ["-g", "G", "-t", "T"],
  producer: ["-b", DOWN],
  queryMsgById: ["-i", "7F00000100000001000000000000000A"],
  queryMsgByKey: ["-t", "T", "-k", "k"],
  queryMsgByUniqueKey: ["-t", "T", "-i", "X"],
  queryMsgByOffset: ["-t", "T", "-b", "b", "-i", "0", "-o", "0"],
  printMsg: ["-t", "T"],
  queryMsgTraceById: ["-i", "X"],
  printMsgByQueue: ["-t", "T", "-a", "b", "-i", "0"],
  queryCq: ["-t", "T", "-q", "0", "-i", "0"],
  sendMessage: ["-t", "T", "-p", "x"],
  consumeMessage: ["-t", "T"],
  resetOffsetByTime: ["-g", "G", "-t", "T", "-s", "now"],
  skipAccumulatedMessage: ["-g", "G", "-t", "T"],
  cloneGroupOffset: ["-s", "G", "-d", "H", "-t", "T"],
  updateKvConfig: ["-s", "N", "-k", "k", "-v", "v"],
  deleteKvConfig: ["-s", "N", "-k", "k"],
  getNamesrvConfig: [],
  updateNamesrvConfig: ["-k", "k", "-v", "v"],
  wipeWritePerm: ["-b", "b"],
  addWritePerm: ["-b", "b"],
  statsAll: [],
  sendMsgStatus: ["-b", "broker-a", "-c", "1"],
  checkMsgSendRT: ["-t", "T", "-a", "2"],
};

Deno.test("every admin command exits 1 and names the unreachable server when nothing answers", async () => {
  const missing = ADMIN_COMMANDS.map((c) => c.name).filter((n) => !(n in AGAINST_DOWN_SERVERS));
  assertEquals(missing, [], "every registered command needs a row in the table");
  assertEquals(Object.keys(AGAINST_DOWN_SERVERS).length, ADMIN_COMMANDS.length);
  for (const cmd of ADMIN_COMMANDS) {
    const r = await admin(cmd.name, "-n", DOWN, ...AGAINST_DOWN_SERVERS[cmd.name]!);
    assertEquals(r.code, 1, `${cmd.name}: ${r.stdout}${r.stderr}`);
    assert(/Cannot connect to "127\.0\.0\.1:\d+"/.test(r.stderr), `${cmd.name} stderr: ${r.stderr}`);
  }
});

/** Commands given a topic (or group) that does not exist; deleteTopic is idempotent and sendMessage auto-creates. */
const AGAINST_UNKNOWN_TOPIC: Array<[string, string[], number]> = [
  ["topicRoute", ["-t", "NoSuchTopic"], 17],
  ["topicStatus", ["-t", "NoSuchTopic"], 17],
  ["topicClusterList", ["-t", "NoSuchTopic"], 17],
  ["allocateMQ", ["-t", "NoSuchTopic", "-i", "10.0.0.1"], 17],
  ["producerConnection", ["-g", "G", "-t", "NoSuchTopic"], 17],
  ["queryMsgByKey", ["-t", "NoSuchTopic", "-k", "k"], 17],
  ["queryMsgByUniqueKey", ["-t", "NoSuchTopic", "-i", "X"], 17],
  ["queryMsgByOffset", ["-t", "NoSuchTopic", "-b", "broker-a", "-i", "0", "-o", "0"], 17],
  ["printMsg", ["-t", "NoSuchTopic"], 17],
  ["printMsgByQueue", ["-t", "NoSuchTopic", "-a", "broker-a", "-i", "0"], 17],
  ["queryCq", ["-t", "NoSuchTopic", "-q", "0", "-i", "0"], 17],
  ["queryMsgTraceById", ["-i", "X", "-t", "NoSuchTopic"], 17],
  ["consumeMessage", ["-t", "NoSuchTopic"], 17],
  ["resetOffsetByTime", ["-g", "G", "-t", "NoSuchTopic", "-s", "now"], 17],
  ["skipAccumulatedMessage", ["-g", "G", "-t", "NoSuchTopic"], 17],
  ["cloneGroupOffset", ["-s", "G", "-d", "H", "-t", "NoSuchTopic"], 17],
  ["statsAll", ["-t", "NoSuchTopic"], 17],
  ["checkMsgSendRT", ["-t", "NoSuchTopic", "-a", "1"], 17],
  ["updateOrderConf", ["-t", "NoSuchTopic", "-m", "get"], 22],
  ["consumerStatus", ["-g", "NoSuchGroup"], 17],
  ["consumerConnection", ["-g", "NoSuchGroup"], 17],
  ["consumerProgress", ["-g", "NoSuchGroup"], 17],
  ["getConsumerConfig", ["-g", "NoSuchGroup"], 26],
];

Deno.test("commands on an unknown topic or group exit 1 with the server's code and remark", async () => {
  const ns = await startNamesrv();
  const b = await startRealBroker(ns.addr);
  try {
    await waitUntil(
      async () => (await admin("topicList", "-n", ns.addr)).stdout.includes("TBW102"),
      "registration",
    );
    for (const [name, args, code] of AGAINST_UNKNOWN_TOPIC) {
      const r = await admin(name, "-n", ns.addr, ...args);
      assertEquals(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
      const said = new RegExp(
        `^${name} command failed( \\(server 127\\.0\\.0\\.1:\\d+\\))?: CODE: ${code}  DESC: \\S`,
      );
      assert(said.test(r.stderr), `${name} stderr: ${r.stderr}`);
    }
  } finally {
    await b.stop();
    await ns.dispose();
  }
});
