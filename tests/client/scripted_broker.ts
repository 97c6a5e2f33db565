/**
 * A broker endpoint for client tests: a real RemotingServer registered with a real name server, whose
 * processors keep just enough state (queues of encoded records, offsets, group members) to exercise the
 * client's protocol handling while the real broker is developed separately.
 */
import { type NamesrvFixture, registerRequest, startNamesrv } from "../namesrv/helpers.ts";
import { defaultTopicConfig } from "../../src/protocol/register_broker.ts";
import { RemotingServer } from "../../src/remoting/server.ts";
import type { RemotingChannel } from "../../src/remoting/channel.ts";
import { createRequest, createResponse, type RemotingCommand } from "../../src/remoting/command.ts";
import { decodeHeartbeatData } from "../../src/protocol/bodies/heartbeat.ts";
import { decodeLockBatchRequestBody, encodeLockBatchResponseBody } from "../../src/protocol/bodies/lock.ts";
import { encodeRecord, recordSizeOf } from "../../src/message/record_codec.ts";
import { encodeProperties } from "../../src/message/properties.ts";
import { tagsHashCode } from "../../src/message/tags.ts";
import { parseHostAddress } from "../../src/message/host.ts";

export interface ScriptedCluster {
  ns: NamesrvFixture;
  broker: RemotingServer;
  addr: string;
  /** topic → queueId → encoded records. */
  queues: Map<string, Uint8Array[][]>;
  offsets: Map<string, number>;
  sendBacks: RemotingCommand[];
  /** SEND_MESSAGE_V2 requests received. */
  sends: RemotingCommand[];
  /** Response code for CONSUMER_SEND_MSG_BACK (default SUCCESS). */
  sendBackCode: number;
  /** Appends a message to a queue and wakes parked pulls. */
  put(topic: string, queueId: number, body: string, props?: Record<string, string>): void;
  members(group: string): string[];
  close(): Promise<void>;
}

export async function startScriptedCluster(topicQueues: Record<string, number>): Promise<ScriptedCluster> {
  const ns = await startNamesrv();
  const broker = new RemotingServer({ port: 0, hostname: "127.0.0.1" });
  const queues = new Map<string, Uint8Array[][]>();
  for (const [t, n] of Object.entries(topicQueues)) queues.set(t, Array.from({ length: n }, () => []));
  const offsets = new Map<string, number>();
  const sendBacks: RemotingCommand[] = [];
  const sends: RemotingCommand[] = [];
  const groups = new Map<string, Map<string, RemotingChannel>>();
  const waiters = new Set<() => void>();
  let physical = 0;

  broker.registerProcessor(34, (req, ch) => {
    const hb = decodeHeartbeatData(req.body);
    for (const c of hb.consumerDataSet) {
      const members = groups.get(c.groupName) ?? new Map<string, RemotingChannel>();
      const isNew = !members.has(hb.clientID);
      members.set(hb.clientID, ch);
      groups.set(c.groupName, members);
      if (isNew) {
        for (const other of members.values()) {
          other.invokeOneway(createRequest(40, { consumerGroup: c.groupName }));
        }
      }
    }
    return createResponse(req, 0);
  });
  broker.registerProcessor(35, (req) => {
    const group = req.extFields["consumerGroup"];
    if (group) groups.get(group)?.delete(req.extFields["clientID"] ?? "");
    return createResponse(req, 0);
  });
  broker.registerProcessor(38, (req) => {
    const ids = [...(groups.get(req.extFields["consumerGroup"] ?? "")?.keys() ?? [])];
    return createResponse(
      req,
      0,
      undefined,
      {},
      new TextEncoder().encode(JSON.stringify({ consumerIdList: ids })),
    );
  });
  const key = (ext: Record<string, string>) => `${ext["consumerGroup"]}@${ext["topic"]}@${ext["queueId"]}`;
  broker.registerProcessor(14, (req) => {
    const v = offsets.get(key(req.extFields));
    return v === undefined
      ? createResponse(req, 22, "not found")
      : createResponse(req, 0, undefined, { offset: String(v) });
  });
  broker.registerProcessor(15, (req) => {
    offsets.set(key(req.extFields), Number(req.extFields["commitOffset"]));
    return createResponse(req, 0);
  });
  broker.registerProcessor(30, (req) => {
    const q = queues.get(req.extFields["topic"] ?? "")?.[Number(req.extFields["queueId"])] ?? [];
    return createResponse(req, 0, undefined, { offset: String(q.length) });
  });
  broker.registerProcessor(36, (req) => {
    sendBacks.push(req);
    return createResponse(
      req,
      cluster.sendBackCode,
      cluster.sendBackCode === 0 ? undefined : "look message by offset failed",
    );
  });
  broker.registerProcessor(310, (req) => {
    sends.push(req);
    return createResponse(req, 0, undefined, {
      msgId: "7F00000100002A9F0000000000000F2C",
      queueId: req.extFields["e"] ?? "0",
      queueOffset: "0",
      MSG_REGION: "DefaultRegion",
      TRACE_ON: "true",
    });
  });
  broker.registerProcessor(41, (req) => {
    return createResponse(
      req,
      0,
      undefined,
      {},
      encodeLockBatchResponseBody(decodeLockBatchRequestBody(req.body).mqSet),
    );
  });
  broker.registerProcessor(42, (req) => createResponse(req, 0));
  const pull = (req: RemotingCommand): RemotingCommand => {
    const e = req.extFields;
    if (Number(e["sysFlag"]) & 1) offsets.set(key(e), Number(e["commitOffset"]));
    const q = queues.get(e["topic"] ?? "")?.[Number(e["queueId"])] ?? [];
    const offset = Number(e["queueOffset"]);
    const header = (next: number) => ({
      suggestWhichBrokerId: "0",
      nextBeginOffset: String(next),
      minOffset: "0",
      maxOffset: String(q.length),
    });
    if (offset > q.length) return createResponse(req, 21, "OFFSET_OVERFLOW_BADLY", header(q.length));
    if (offset === q.length) return createResponse(req, 19, "NO_NEW_MSG", header(offset));
    const found = q.slice(offset, offset + Number(e["maxMsgNums"]));
    const body = new Uint8Array(found.reduce((n, r) => n + r.length, 0));
    let at = 0;
    for (const r of found) {
      body.set(r, at);
      at += r.length;
    }
    return createResponse(req, 0, "FOUND", header(offset + found.length), body);
  };
  broker.registerProcessor(11, async (req) => {
    const res = pull(req);
    if (res.code !== 19) return res;
    // Long polling: hold until something arrives or a short hold time passes.
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, 200);
      waiters.add(done);
    });
    return pull(req);
  });
  await broker.start();
  const addr = `127.0.0.1:${broker.port}`;
  const topics = Object.entries(topicQueues).map(([t, n]) =>
    defaultTopicConfig(t, { readQueueNums: n, writeQueueNums: n, perm: 6 })
  );
  const reg = await ns.client.invokeSync(ns.addr, registerRequest({ brokerAddr: addr, topics }), 3000);
  if (reg.code !== 0) throw new Error(`register failed: ${reg.remark}`);

  const cluster: ScriptedCluster = {
    ns,
    broker,
    addr,
    queues,
    offsets,
    sendBacks,
    sends,
    sendBackCode: 0,
    put(topic, queueId, body, props = {}) {
      const q = queues.get(topic)![queueId]!;
      const properties = { UNIQ_KEY: `U${topic}-${queueId}-${q.length}`, ...props };
      const propertiesString = encodeProperties(properties);
      const msg = {
        topic,
        queueId,
        flag: 0,
        body: new TextEncoder().encode(body),
        properties,
        propertiesString,
        tagsCode: tagsHashCode(props["TAGS"]),
        sysFlag: 0,
        bornTimestamp: Date.now(),
        bornHost: parseHostAddress("127.0.0.1:5555"),
        storeHost: parseHostAddress(addr),
        reconsumeTimes: 0,
        preparedTransactionOffset: 0,
        storeTimestamp: Date.now(),
      };
      const rec = new Uint8Array(recordSizeOf(msg));
      encodeRecord(msg, q.length, physical, rec, 0);
      physical += rec.length;
      q.push(rec);
      for (const w of [...waiters]) w();
    },
    members: (group) => [...(groups.get(group)?.keys() ?? [])],
    async close() {
      for (const w of [...waiters]) w();
      await broker.shutdown();
      await ns.dispose();
    },
  };
  return cluster;
}

/** Polls `cond` every 10 ms until true or `ms` elapse. */
export async function waitFor(cond: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
