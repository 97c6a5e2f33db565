/**
 * A minimal broker for admin tests while the real BrokerController is developed in parallel: it keeps
 * topics, groups and config in memory, answers the admin request codes with the real body codecs, and
 * registers with the name server (bumping its data version) whenever its topics change.
 */
import { RemotingServer } from "../../src/remoting/server.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { createRequest, createResponse } from "../../src/remoting/command.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { decodeCreateTopicRequestHeader } from "../../src/protocol/headers/admin.ts";
import {
  defaultTopicConfig,
  encodeRegisterBrokerBody,
  type TopicConfig,
} from "../../src/protocol/register_broker.ts";
import { encodeRegisterBrokerRequestHeader } from "../../src/protocol/namesrv_headers.ts";
import {
  decodeSubscriptionGroupConfig,
  type SubscriptionGroupConfig,
} from "../../src/protocol/bodies/subscription_group.ts";
import {
  encodeConsumeStats,
  encodeResetOffsetBody,
  encodeTopicStatsTable,
} from "../../src/protocol/bodies/stats.ts";
import {
  type Connection,
  encodeConsumerConnection,
  encodeProducerConnection,
} from "../../src/protocol/bodies/connection.ts";
import { encodeKVTable } from "../../src/protocol/kv.ts";
import { parseProperties } from "../../src/config/properties.ts";
import { encodeRecord, recordSizeOf } from "../../src/message/record_codec.ts";
import { encodeProperties } from "../../src/message/properties.ts";
import { parseHostAddress } from "../../src/message/host.ts";

export class StandInBroker {
  readonly topics = new Map<string, TopicConfig>();
  readonly groups = new Map<string, SubscriptionGroupConfig>();
  readonly config = new Map<string, string>([["brokerName", "broker-a"], ["autoCreateTopicEnable", "true"]]);
  readonly deletedGroups: Array<[string, string]> = [];
  /** `topic@group` → queueId → committed offset. */
  readonly offsets = new Map<string, Map<number, number>>();
  /** Online consumers per group. */
  readonly consumers = new Map<string, Connection[]>();
  readonly producers = new Map<string, Connection[]>();
  /** Stored records by commit-log offset, with their topic, queue and queue offset. */
  readonly records: Array<
    {
      topic: string;
      queueId: number;
      queueOffset: number;
      offset: number;
      bytes: Uint8Array;
      props: Record<string, string>;
    }
  > = [];
  #commitLogEnd = 0;
  readonly maintenanceCalls: number[] = [];
  readonly #server = new RemotingServer({ hostname: "127.0.0.1", port: 0, name: "stand-in-broker" });
  readonly #client = new RemotingClient({ name: "stand-in-broker" });
  #version = 0;

  constructor(
    readonly namesrvAddr: string,
    readonly brokerName = "broker-a",
    readonly clusterName = "DefaultCluster",
  ) {
    const s = this.#server;
    s.registerProcessor(RequestCode.UPDATE_AND_CREATE_TOPIC, async (req) => {
      const h = decodeCreateTopicRequestHeader(req.extFields);
      this.topics.set(
        h.topic,
        defaultTopicConfig(h.topic, {
          readQueueNums: h.readQueueNums,
          writeQueueNums: h.writeQueueNums,
          perm: h.perm,
          topicSysFlag: h.topicSysFlag ?? 0,
          order: h.order,
        }),
      );
      await this.register();
      return createResponse(req, 0);
    });
    s.registerProcessor(RequestCode.DELETE_TOPIC_IN_BROKER, async (req) => {
      this.topics.delete(req.extFields.topic ?? "");
      await this.register();
      return createResponse(req, 0);
    });
    s.registerProcessor(RequestCode.GET_TOPIC_STATS_INFO, (req) => {
      const tc = this.topics.get(req.extFields.topic ?? "");
      if (!tc) return createResponse(req, 17, `topic[${req.extFields.topic}] not exist`);
      const offsetTable = Array.from(
        { length: tc.writeQueueNums },
        (_, q) =>
          [{ brokerName: this.brokerName, queueId: q, topic: tc.topicName }, {
            minOffset: 0,
            maxOffset: q * 10,
            lastUpdateTimestamp: q === 0 ? 0 : 1_700_000_000_000,
          }] as [
            { brokerName: string; queueId: number; topic: string },
            { minOffset: number; maxOffset: number; lastUpdateTimestamp: number },
          ],
      );
      return createResponse(req, 0, undefined, {}, encodeTopicStatsTable({ offsetTable }));
    });
    s.registerProcessor(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, (req) => {
      const g = decodeSubscriptionGroupConfig(req.body ?? new Uint8Array());
      this.groups.set(g.groupName, g);
      return createResponse(req, 0);
    });
    s.registerProcessor(RequestCode.DELETE_SUBSCRIPTIONGROUP, (req) => {
      this.groups.delete(req.extFields.groupName ?? "");
      this.deletedGroups.push([req.extFields.groupName ?? "", req.extFields.removeOffset ?? ""]);
      return createResponse(req, 0);
    });
    s.registerProcessor(RequestCode.GET_BROKER_CONFIG, (req) => {
      const text = [...this.config].map(([k, v]) => `${k}=${v}\n`).join("");
      return createResponse(
        req,
        0,
        undefined,
        { version: '{"counter":1,"timestamp":1}' },
        new TextEncoder().encode(text),
      );
    });
    s.registerProcessor(RequestCode.UPDATE_BROKER_CONFIG, (req) => {
      const props = parseProperties(new TextDecoder().decode(req.body ?? new Uint8Array()));
      if (props.has("brokerConfigPath")) {
        return createResponse(req, 16, "Can not update config in black list.");
      }
      for (const [k, v] of props) this.config.set(k, v);
      return createResponse(req, 0);
    });
    s.registerProcessor(
      RequestCode.GET_BROKER_RUNTIME_INFO,
      (req) =>
        createResponse(
          req,
          0,
          undefined,
          {},
          encodeKVTable(new Map([["putTps", "0.0 0.0 0.0"], ["brokerVersionDesc", "V4_9_8"]])),
        ),
    );
  }

  #registerClientProcessors(): void {
    const s = this.#server;
    const mq = (topic: string, queueId: number) => ({ brokerName: this.brokerName, queueId, topic });
    s.registerProcessor(RequestCode.GET_CONSUME_STATS, (req) => {
      const group = req.extFields.consumerGroup ?? "";
      const offsetTable: Parameters<typeof encodeConsumeStats>[0]["offsetTable"] = [];
      for (const [key, queues] of this.offsets) {
        const [topic, g] = key.split("@") as [string, string];
        if (g !== group || (req.extFields.topic && req.extFields.topic !== topic)) continue;
        for (const [q, off] of queues) {
          offsetTable.push([mq(topic, q), {
            brokerOffset: 100,
            consumerOffset: off,
            lastTimestamp: off > 0 ? 1_700_000_000_000 : 0,
          }]);
        }
      }
      return createResponse(req, 0, undefined, {}, encodeConsumeStats({ consumeTps: 1.5, offsetTable }));
    });
    s.registerProcessor(RequestCode.GET_CONSUMER_CONNECTION_LIST, (req) => {
      const group = req.extFields.consumerGroup ?? "";
      const conns = this.consumers.get(group) ?? [];
      if (conns.length === 0) return createResponse(req, 206, `the consumer group[${group}] not online`);
      return createResponse(
        req,
        0,
        undefined,
        {},
        encodeConsumerConnection({
          connectionSet: conns,
          consumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
          consumeType: "CONSUME_PASSIVELY",
          messageModel: "CLUSTERING",
          subscriptionTable: {
            T1: {
              topic: "T1",
              subString: "TagA || TagB",
              tagsSet: ["TagA", "TagB"],
              codeSet: [],
              subVersion: 1,
              expressionType: "TAG",
              classFilterMode: false,
            },
          },
        }),
      );
    });
    s.registerProcessor(RequestCode.GET_PRODUCER_CONNECTION_LIST, (req) => {
      const conns = this.producers.get(req.extFields.producerGroup ?? "") ?? [];
      return createResponse(req, 0, undefined, {}, encodeProducerConnection({ connectionSet: conns }));
    });
    s.registerProcessor(RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, (req) => {
      const group = req.extFields.group ?? "";
      if ((this.consumers.get(group) ?? []).length === 0) {
        return createResponse(req, 206, `Consumer not online, so can not reset offset, Group: ${group}`);
      }
      const topic = req.extFields.topic ?? "";
      const queues = this.offsets.get(`${topic}@${group}`) ?? new Map<number, number>();
      const table: Array<[ReturnType<typeof mq>, number]> = [...queues.keys()].map((q) => [mq(topic, q), 7]);
      return createResponse(req, 0, undefined, {}, encodeResetOffsetBody(table));
    });
    s.registerProcessor(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, (req) => {
      const table: Record<string, unknown> = {};
      for (const [name, g] of this.groups) table[name] = g;
      const body = JSON.stringify({
        dataVersion: { counter: 1, timestamp: 1 },
        subscriptionGroupTable: table,
      });
      return createResponse(req, 0, undefined, {}, new TextEncoder().encode(body));
    });
    for (
      const code of [
        RequestCode.CLEAN_EXPIRED_CONSUMEQUEUE,
        RequestCode.CLEAN_UNUSED_TOPIC,
        RequestCode.DELETE_EXPIRED_COMMITLOG,
      ]
    ) {
      s.registerProcessor(code, (req) => {
        this.maintenanceCalls.push(req.code);
        return createResponse(req, 0);
      });
    }
    s.registerProcessor(RequestCode.GET_BROKER_CONSUME_STATS, (req) => {
      const mqKey = (q: number) => `{"brokerName":"${this.brokerName}","queueId":${q},"topic":"T1"}`;
      const body =
        `{"brokerAddr":"${this.addr}","consumeStatsList":[{"G1":[{"consumeTps":0.0,"offsetTable":{` +
        `${mqKey(1)}:{"brokerOffset":10,"consumerOffset":4,"lastTimestamp":1700000000000},` +
        `${mqKey(0)}:{"brokerOffset":5,"consumerOffset":5,"lastTimestamp":1700000000000},` +
        `${mqKey(2)}:{"brokerOffset":3,"consumerOffset":0,"lastTimestamp":0}}}]}],"totalDiff":9}`;
      return createResponse(req, 0, undefined, {}, new TextEncoder().encode(body));
    });
    s.registerProcessor(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, (req) => {
      const groups = [...this.offsets.keys()].filter((k) => k.startsWith(`${req.extFields.topic}@`)).map((
        k,
      ) => k.slice(k.indexOf("@") + 1));
      return createResponse(
        req,
        0,
        undefined,
        {},
        new TextEncoder().encode(JSON.stringify({ groupList: groups })),
      );
    });
    s.registerProcessor(
      RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
      (req) => createResponse(req, 0, undefined, { offset: "3" }),
    );
    s.registerProcessor(RequestCode.UPDATE_CONSUMER_OFFSET, (req) => {
      const key = `${req.extFields.topic}@${req.extFields.consumerGroup}`;
      const queues = this.offsets.get(key) ?? new Map<number, number>();
      queues.set(Number(req.extFields.queueId), Number(req.extFields.commitOffset));
      this.offsets.set(key, queues);
      return createResponse(req, 0);
    });
  }

  /** Appends one message as a real stored record (the store's codec), returning its offset msgId parts. */
  putMessage(
    topic: string,
    queueId: number,
    body: string,
    props: Record<string, string>,
  ): { offset: number; queueOffset: number } {
    const queueOffset = this.records.filter((r) => r.topic === topic && r.queueId === queueId).length;
    const msg = {
      topic,
      queueId,
      flag: 0,
      body: new TextEncoder().encode(body),
      properties: props,
      propertiesString: encodeProperties(props),
      tagsCode: 0,
      sysFlag: 0,
      bornTimestamp: 1_700_000_000_000,
      bornHost: parseHostAddress("127.0.0.1:5555"),
      storeHost: parseHostAddress(this.addr),
      reconsumeTimes: 0,
      preparedTransactionOffset: 0,
      storeTimestamp: 1_700_000_000_001,
    };
    const bytes = new Uint8Array(recordSizeOf(msg));
    encodeRecord(msg, queueOffset, this.#commitLogEnd, bytes, 0);
    this.records.push({ topic, queueId, queueOffset, offset: this.#commitLogEnd, bytes, props });
    this.#commitLogEnd += bytes.length;
    return { offset: this.#commitLogEnd - bytes.length, queueOffset };
  }

  #registerMessageProcessors(): void {
    const s = this.#server;
    s.registerProcessor(RequestCode.VIEW_MESSAGE_BY_ID, (req) => {
      const r = this.records.find((x) => x.offset === Number(req.extFields.offset));
      if (!r) return createResponse(req, 1, `can not find message by the offset, ${req.extFields.offset}`);
      return createResponse(req, 0, undefined, {}, r.bytes);
    });
    s.registerProcessor(RequestCode.QUERY_MESSAGE, (req) => {
      const key = req.extFields.key ?? "";
      const hits = this.records.filter((r) =>
        r.topic === req.extFields.topic &&
        ((r.props.KEYS ?? "").split(" ").includes(key) || r.props.UNIQ_KEY === key)
      );
      if (hits.length === 0) {
        return createResponse(req, 22, "can not find message, maybe time range not correct");
      }
      const body = new Uint8Array(hits.reduce((n, r) => n + r.bytes.length, 0));
      let at = 0;
      for (const r of hits) {
        body.set(r.bytes, at);
        at += r.bytes.length;
      }
      return createResponse(req, 0, undefined, {
        indexLastUpdateTimestamp: "0",
        indexLastUpdatePhyoffset: "0",
      }, body);
    });
    s.registerProcessor(RequestCode.PULL_MESSAGE, (req) => {
      const r = this.records.find((x) =>
        x.topic === req.extFields.topic && x.queueId === Number(req.extFields.queueId) &&
        x.queueOffset === Number(req.extFields.queueOffset)
      );
      if (!r) {
        return createResponse(req, 19, "no new message", {
          nextBeginOffset: "0",
          minOffset: "0",
          maxOffset: "0",
          suggestWhichBrokerId: "0",
        });
      }
      return createResponse(req, 0, undefined, {
        nextBeginOffset: String(r.queueOffset + 1),
        minOffset: "0",
        maxOffset: "9",
        suggestWhichBrokerId: "0",
      }, r.bytes);
    });
  }

  get addr(): string {
    return `127.0.0.1:${this.#server.port}`;
  }

  async start(): Promise<void> {
    this.#registerClientProcessors();
    this.#registerMessageProcessors();
    await this.#server.start();
    await this.register();
  }

  /** REGISTER_BROKER with the current topics and a new data version. */
  async register(): Promise<void> {
    const body = encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: {
        topicConfigTable: new Map(this.topics),
        dataVersion: { counter: ++this.#version, timestamp: Date.now() },
      },
      filterServerList: [],
    }, false);
    const ext = encodeRegisterBrokerRequestHeader({
      brokerName: this.brokerName,
      brokerAddr: this.addr,
      clusterName: this.clusterName,
      haServerAddr: "",
      brokerId: 0,
      compressed: false,
      bodyCrc32: 0,
    });
    const res = await this.#client.invokeSync(
      this.namesrvAddr,
      createRequest(RequestCode.REGISTER_BROKER, ext, body),
      3000,
    );
    if (res.code !== 0) throw new Error(`Registration failed: ${res.remark}`);
  }

  async shutdown(): Promise<void> {
    this.#client.close();
    await this.#client.closed();
    await this.#server.shutdown();
  }
}
