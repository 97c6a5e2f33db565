/**
 * Broker administration of topics, groups, config and offsets tables (remoting-protocol.md §4.11):
 * codes 17, 215, 21, 25, 26, 28, 200, 201, 207, 43, 45, 305. Statistics and client relays live in
 * admin_stats_processor.ts.
 */
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { RequestCode } from "../../remoting/request_code.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import {
  decodeCreateTopicRequestHeader,
  decodeDeleteSubscriptionGroupRequestHeader,
  decodeTopicRequestHeader,
  encodeGetBrokerConfigResponseHeader,
} from "../../protocol/headers/admin.ts";
import { topicConfig, topicConfigWrapperJson } from "../../protocol/bodies/topic_config.ts";
import { decodeSubscriptionGroupConfig } from "../../protocol/bodies/subscription_group.ts";
import { encodeKVTable } from "../../protocol/kv.ts";
import { encodeTopicList } from "../../protocol/topic_list.ts";
import { BrokerConfigSchema } from "../../config/broker_config.ts";
import { MessageStoreConfigSchema } from "../../config/store_config.ts";
import { formatProperties, parseProperties } from "../../config/properties.ts";
import type { FieldSpec } from "../../config/schema.ts";
import type { BrokerContext } from "../broker_context.ts";
import { validateTopicName } from "../topic_validator.ts";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("broker");
const enc = new TextEncoder();

function json(v: unknown): Uint8Array {
  return enc.encode(JSON.stringify(v));
}

export class AdminBrokerProcessor {
  private configVersion = { counter: 0, timestamp: Date.now() };
  private readonly bootTimestamp: number;

  /** `delayOffsets` renders the GET_ALL_DELAY_OFFSET body (owned by the schedule service). */
  constructor(private readonly ctx: BrokerContext, private readonly delayOffsets: () => Uint8Array) {
    this.bootTimestamp = ctx.now();
  }

  /** The RequestProcessor for the codes listed in the module comment. */
  async process(req: RemotingCommand): Promise<RemotingCommand> {
    const resp = await this.#handle(req);
    if (resp.code !== ResponseCode.SUCCESS) return resp;
    // An admin change is answered once its config file holds it (config files are written off the event
    // loop, see ConfigFile); a failed write is logged there, and the change is in effect either way.
    if (req.code === RequestCode.UPDATE_AND_CREATE_TOPIC || req.code === RequestCode.DELETE_TOPIC_IN_BROKER) {
      await this.ctx.topicConfigManager.persisted();
    } else if (
      req.code === RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP ||
      req.code === RequestCode.DELETE_SUBSCRIPTIONGROUP
    ) {
      await this.ctx.subscriptionGroupManager.persisted();
    }
    return resp;
  }

  async #handle(req: RemotingCommand): Promise<RemotingCommand> {
    const { ctx } = this;
    switch (req.code) {
      case RequestCode.UPDATE_AND_CREATE_TOPIC:
        return this.createTopic(req);
      case RequestCode.DELETE_TOPIC_IN_BROKER: {
        const { topic } = decodeTopicRequestHeader(req.extFields);
        if (ctx.topicConfigManager.isSystemTopic(topic)) {
          return createResponse(
            req,
            ResponseCode.SYSTEM_ERROR,
            `The topic[${topic}] is conflict with system topic.`,
          );
        }
        ctx.topicConfigManager.deleteTopicConfig(topic);
        ctx.consumerOffsetManager.removeTopic(topic);
        await ctx.store.deleteTopics([topic]);
        return createResponse(req, ResponseCode.SUCCESS);
      }
      case RequestCode.GET_ALL_TOPIC_CONFIG: {
        const all = ctx.topicConfigManager.all();
        if (all.length === 0) {
          return createResponse(req, ResponseCode.SYSTEM_ERROR, "No topic in this broker");
        }
        const body = json(topicConfigWrapperJson(all, ctx.topicConfigManager.dataVersion));
        return createResponse(req, ResponseCode.SUCCESS, undefined, {}, body);
      }
      case RequestCode.UPDATE_BROKER_CONFIG:
        return this.updateBrokerConfig(req);
      case RequestCode.GET_BROKER_CONFIG: {
        const text = formatProperties([
          ...Object.entries(ctx.brokerConfig),
          ...Object.entries(ctx.storeConfig),
        ]);
        return createResponse(
          req,
          ResponseCode.SUCCESS,
          undefined,
          encodeGetBrokerConfigResponseHeader(JSON.stringify(this.configVersion)),
          enc.encode(text),
        );
      }
      case RequestCode.GET_BROKER_RUNTIME_INFO:
        return createResponse(req, ResponseCode.SUCCESS, undefined, {}, encodeKVTable(this.runtimeInfo()));
      case RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: {
        if (!req.body || req.body.length === 0) {
          return createResponse(
            req,
            ResponseCode.SYSTEM_ERROR,
            "The subscription group config body is empty",
          );
        }
        const g = decodeSubscriptionGroupConfig(req.body);
        if (g.groupName === "") {
          return createResponse(req, ResponseCode.SYSTEM_ERROR, "The group name is blank");
        }
        ctx.subscriptionGroupManager.updateSubscriptionGroupConfig(g);
        return createResponse(req, ResponseCode.SUCCESS);
      }
      case RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG:
        return createResponse(
          req,
          ResponseCode.SUCCESS,
          undefined,
          {},
          json(ctx.subscriptionGroupManager.wrapperJson()),
        );
      case RequestCode.DELETE_SUBSCRIPTIONGROUP: {
        const h = decodeDeleteSubscriptionGroupRequestHeader(req.extFields);
        ctx.subscriptionGroupManager.deleteSubscriptionGroupConfig(h.groupName);
        if (h.removeOffset) ctx.consumerOffsetManager.removeGroup(h.groupName);
        return createResponse(req, ResponseCode.SUCCESS);
      }
      case RequestCode.GET_ALL_CONSUMER_OFFSET: {
        // Inner queue-id keys bare, as fastjson writes Map<Integer, Long>.
        const table = ctx.consumerOffsetManager.wrapperJson().offsetTable;
        const parts = Object.entries(table).map(([k, m]) =>
          `${JSON.stringify(k)}:{${Object.entries(m).map(([q, o]) => `${q}:${o}`).join(",")}}`
        );
        return createResponse(
          req,
          ResponseCode.SUCCESS,
          undefined,
          {},
          enc.encode(`{"offsetTable":{${parts.join(",")}}}`),
        );
      }
      case RequestCode.GET_ALL_DELAY_OFFSET:
        return createResponse(req, ResponseCode.SUCCESS, undefined, {}, this.delayOffsets());
      case RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_BROKER:
        return createResponse(
          req,
          ResponseCode.SUCCESS,
          undefined,
          {},
          encodeTopicList({ topicList: ctx.topicConfigManager.systemTopicList() }),
        );
      default:
        return createResponse(
          req,
          ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
          ` request type ${req.code} not supported`,
        );
    }
  }

  private createTopic(req: RemotingCommand): RemotingCommand {
    const h = decodeCreateTopicRequestHeader(req.extFields);
    const invalid = validateTopicName(h.topic);
    if (invalid !== null) return createResponse(req, ResponseCode.SYSTEM_ERROR, invalid);
    if (this.ctx.topicConfigManager.isSystemTopic(h.topic)) {
      return createResponse(
        req,
        ResponseCode.SYSTEM_ERROR,
        `The topic[${h.topic}] is conflict with system topic.`,
      );
    }
    if (h.readQueueNums < 0 || h.writeQueueNums < 0) {
      return createResponse(
        req,
        ResponseCode.SYSTEM_ERROR,
        `Queue numbers of topic[${h.topic}] must not be negative`,
      );
    }
    this.ctx.topicConfigManager.updateTopicConfig(topicConfig(h.topic, {
      readQueueNums: h.readQueueNums,
      writeQueueNums: h.writeQueueNums,
      perm: h.perm,
      topicFilterType: h.topicFilterType,
      topicSysFlag: h.topicSysFlag ?? 0,
      order: h.order,
    }));
    return createResponse(req, ResponseCode.SUCCESS);
  }

  private updateBrokerConfig(req: RemotingCommand): RemotingCommand {
    const { ctx } = this;
    const props = parseProperties(new TextDecoder().decode(req.body ?? new Uint8Array()));
    const black = new Set(ctx.brokerConfig.configBlackList.split(";").map((s) => s.trim()));
    for (const k of props.keys()) {
      if (black.has(k)) {
        return createResponse(req, ResponseCode.NO_PERMISSION, `Can not update config in black list.`);
      }
    }
    const schemas: Array<[Record<string, FieldSpec<unknown>>, Record<string, unknown>]> = [
      [BrokerConfigSchema as unknown as Record<string, FieldSpec<unknown>>, ctx.brokerConfig],
      [MessageStoreConfigSchema as unknown as Record<string, FieldSpec<unknown>>, ctx.storeConfig],
    ];
    const updates: Array<[Record<string, unknown>, string, unknown]> = [];
    for (const [k, raw] of props) {
      for (const [schema, target] of schemas) {
        const spec = schema[k];
        if (spec) {
          try {
            updates.push([target, k, spec.parse(raw, k)]);
          } catch (e) {
            return createResponse(req, ResponseCode.SYSTEM_ERROR, (e as Error).message);
          }
        }
      }
    }
    const permBefore = ctx.brokerConfig.brokerPermission;
    for (const [target, k, v] of updates) target[k] = v;
    this.configVersion = { counter: this.configVersion.counter + 1, timestamp: ctx.now() };
    log.info(`Broker config updated: ${[...props.keys()].join(", ")}`);
    if (ctx.brokerConfig.brokerPermission !== permBefore) ctx.requestRegistration();
    return createResponse(req, ResponseCode.SUCCESS);
  }

  private runtimeInfo(): Map<string, string> {
    const { ctx } = this;
    const m = new Map<string, string>([
      ["brokerVersionDesc", "V4_9_8"],
      ["brokerVersion", "409"],
      ["bootTimestamp", String(this.bootTimestamp)],
      ["runtime", runtimeText(ctx.now() - this.bootTimestamp)],
      ["sendThreadPoolQueueSize", "0"],
      ["pullThreadPoolQueueSize", "0"],
      ["queryThreadPoolQueueSize", "0"],
      ["sendThreadPoolQueueCapacity", String(ctx.brokerConfig.sendThreadPoolQueueCapacity)],
      ["pullThreadPoolQueueCapacity", String(ctx.brokerConfig.pullThreadPoolQueueCapacity)],
      ["queryThreadPoolQueueCapacity", String(ctx.brokerConfig.queryThreadPoolQueueCapacity)],
      ["sendThreadPoolQueueHeadWaitTimeMills", "0"],
      ["pullThreadPoolQueueHeadWaitTimeMills", "0"],
      ["EndTransactionQueueSize", "0"],
      ["EndTransactionThreadPoolQueueCapacity", String(ctx.brokerConfig.endTransactionPoolQueueCapacity)],
      ["startAcceptSendRequestTimeStamp", String(ctx.brokerConfig.startAcceptSendRequestTimeStamp)],
      ["commitLogMinOffset", String(ctx.store.getMinPhyOffset())],
      ["commitLogMaxOffset", String(ctx.store.getMaxPhyOffset())],
    ]);
    for (const [k, v] of Object.entries(ctx.store.getRuntimeInfo())) m.set(k, v);
    for (const [k, v] of Object.entries(ctx.stats.runtimeInfo())) m.set(k, v);
    if (!m.has("pageCacheLockTimeMills")) m.set("pageCacheLockTimeMills", "0");
    return m;
  }
}

/** Upstream's "[ d days, h hours, m minutes, s seconds ]" uptime text. */
function runtimeText(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `[ ${Math.floor(s / 86400)} days, ${Math.floor(s / 3600) % 24} hours, ${
    Math.floor(s / 60) % 60
  } minutes, ${s % 60} seconds ]`;
}
