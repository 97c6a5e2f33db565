/**
 * The name server's request handlers (remoting-protocol.md §4.2, store-and-semantics.md §13): one function
 * per request code, each turning a decoded request into a RouteInfoManager / KVConfigManager call and a
 * response mirroring upstream's codes, remarks and bodies.
 *
 * Handlers throw on malformed headers or bodies; the remoting dispatcher turns that into SYSTEM_ERROR
 * with the error text as remark.
 */
import { createResponse, type RemotingCommand } from "../remoting/command.ts";
import type { RemotingChannel, RequestProcessor } from "../remoting/server.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { bodyCrc } from "../message/crc32.ts";
import type { NamesrvConfig } from "../config/namesrv_config.ts";
import { ConfigError } from "../config/schema.ts";
import {
  decodeBrokerHeartbeatRequestHeader,
  decodeBrokerIdentityHeader,
  decodeBrokerMemberGroupRequestHeader,
  decodeBrokerNameRequestHeader,
  decodeDeleteTopicFromNamesrvRequestHeader,
  decodeGetRouteInfoRequestHeader,
  decodeGetTopicsByClusterRequestHeader,
  decodeKVConfigRequestHeader,
  decodeNamespaceRequestHeader,
  decodePutKVConfigRequestHeader,
  decodeRegisterBrokerRequestHeader,
  decodeTopicRequestHeader,
  encodeQueryDataVersionResponseHeader,
  encodeRegisterBrokerResponseHeader,
} from "../protocol/namesrv_headers.ts";
import {
  decodeDataVersion,
  decodeRegisterBrokerBody,
  decodeTopicConfigWrapper,
  encodeDataVersion,
  type TopicConfigSerializeWrapper,
} from "../protocol/register_broker.ts";
import { brokerDataToFj, decodeTopicRouteData, encodeTopicRouteData } from "../protocol/route.ts";
import { encodeFastjson } from "../protocol/fastjson.ts";
import { encodeClusterInfo } from "../protocol/cluster.ts";
import { encodeTopicList } from "../protocol/topic_list.ts";
import { encodeKVTable } from "../protocol/kv.ts";
import type { RouteInfoManager } from "./route_info_manager.ts";
import { type KVConfigManager, NAMESPACE_ORDER_TOPIC_CONFIG } from "./kv_config_manager.ts";
import { ConfigUpdateRefused, type NamesrvConfigStore } from "./namesrv_config_store.ts";

/** V3_0_11: from this request version on, REGISTER_BROKER carries a RegisterBrokerBody. */
const VERSION_REGISTER_BODY = 37;
/** V4_9_4: from this request version on, routes are sent as standard JSON. */
const VERSION_STANDARD_JSON_ROUTE = 401;

/** Upstream's FAQ hint appended to "no route" remarks. */
const FAQ_SUFFIX = "\nSee http://rocketmq.apache.org/docs/faq/ for further details.";

/** What the handlers work on. */
export interface NamesrvContext {
  config: NamesrvConfig;
  routes: RouteInfoManager;
  kv: KVConfigManager;
  configStore: NamesrvConfigStore;
}

type Handler = (ctx: NamesrvContext, req: RemotingCommand, channel: RemotingChannel) => RemotingCommand;

const ok = (req: RemotingCommand, body?: Uint8Array, ext: Record<string, string> = {}): RemotingCommand =>
  createResponse(req, ResponseCode.SUCCESS, undefined, ext, body);

function registerBroker(
  ctx: NamesrvContext,
  req: RemotingCommand,
  channel: RemotingChannel,
): RemotingCommand {
  const h = decodeRegisterBrokerRequestHeader(req.extFields);
  let wrapper: TopicConfigSerializeWrapper = {
    topicConfigTable: new Map(),
    dataVersion: { counter: 0, timestamp: 0 },
  };
  if (req.version >= VERSION_REGISTER_BODY) {
    if (h.bodyCrc32 !== 0 && bodyCrc(req.body ?? new Uint8Array()) !== h.bodyCrc32) {
      return createResponse(req, ResponseCode.SYSTEM_ERROR, "crc32 not match");
    }
    if (req.body && req.body.length > 0) {
      wrapper = decodeRegisterBrokerBody(req.body, h.compressed).topicConfigSerializeWrapper;
    }
  } else if (req.body && req.body.length > 0) {
    wrapper = decodeTopicConfigWrapper(req.body);
  }
  const result = ctx.routes.registerBroker({
    clusterName: h.clusterName,
    brokerAddr: h.brokerAddr,
    brokerName: h.brokerName,
    brokerId: h.brokerId,
    haServerAddr: h.haServerAddr,
    topicConfigWrapper: wrapper,
    channel,
    heartbeatTimeoutMillis: h.heartbeatTimeoutMillis,
  });
  const orderConf = ctx.config.returnOrderTopicConfigToBroker
    ? ctx.kv.list(NAMESPACE_ORDER_TOPIC_CONFIG)
    : undefined;
  return ok(
    req,
    orderConf ? encodeKVTable(orderConf) : undefined,
    encodeRegisterBrokerResponseHeader(result),
  );
}

function unregisterBroker(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeBrokerIdentityHeader(req.extFields);
  ctx.routes.unregisterBroker(h.clusterName, h.brokerAddr, h.brokerName, h.brokerId);
  return ok(req);
}

/** 5.x lightweight liveness: refresh the broker's timestamp without re-sending its topics. */
function brokerHeartbeat(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeBrokerHeartbeatRequestHeader(req.extFields);
  ctx.routes.updateBrokerInfoUpdateTimestamp(h.brokerAddr);
  return ok(req);
}

/** 5.x: a broker or admin adds a topic's queue data without a full registration. */
function registerTopicInNamesrv(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeTopicRequestHeader(req.extFields);
  if (req.body && req.body.length > 0) {
    ctx.routes.registerTopic(h.topic, decodeTopicRouteData(req.body).queueDatas);
  }
  return ok(req);
}

/** 5.x: the members of one broker group. */
function getBrokerMemberGroup(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeBrokerMemberGroupRequestHeader(req.extFields);
  const group = ctx.routes.getBrokerMemberGroup(h.clusterName, h.brokerName);
  return ok(req, encodeFastjson({ brokerMemberGroup: brokerDataToFj(group) }));
}

function queryDataVersion(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeBrokerIdentityHeader(req.extFields);
  const dv = decodeDataVersion(req.body);
  const changed = ctx.routes.isBrokerTopicConfigChanged(h.brokerAddr, dv);
  if (!changed) ctx.routes.updateBrokerInfoUpdateTimestamp(h.brokerAddr);
  const recorded = ctx.routes.queryBrokerTopicConfig(h.brokerAddr);
  return ok(
    req,
    recorded ? encodeDataVersion(recorded) : undefined,
    encodeQueryDataVersionResponseHeader(changed),
  );
}

function getRouteInfoByTopic(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeGetRouteInfoRequestHeader(req.extFields);
  const route = ctx.routes.pickupTopicRouteData(h.topic);
  if (!route) {
    return createResponse(
      req,
      ResponseCode.TOPIC_NOT_EXIST,
      `No topic route info in name server for the topic: ${h.topic}${FAQ_SUFFIX}`,
    );
  }
  if (ctx.config.orderMessageEnable) route.orderTopicConf = ctx.kv.get(NAMESPACE_ORDER_TOPIC_CONFIG, h.topic);
  const standard = req.version >= VERSION_STANDARD_JSON_ROUTE || h.acceptStandardJsonOnly === true;
  return ok(req, encodeTopicRouteData(route, standard));
}

function getBrokerClusterInfo(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  return ok(req, encodeClusterInfo(ctx.routes.getAllClusterInfo()));
}

function getAllTopicList(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  if (!ctx.config.enableAllTopicList) return createResponse(req, ResponseCode.SYSTEM_ERROR, "disable");
  return ok(req, encodeTopicList({ topicList: ctx.routes.getAllTopicList() }));
}

function getTopicsByCluster(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  if (!ctx.config.enableTopicList) return createResponse(req, ResponseCode.SYSTEM_ERROR, "disable");
  const h = decodeGetTopicsByClusterRequestHeader(req.extFields);
  return ok(req, encodeTopicList({ topicList: ctx.routes.getTopicsByCluster(h.cluster) }));
}

function getSystemTopicList(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  return ok(req, encodeTopicList(ctx.routes.getSystemTopicList()));
}

const unitList = (pick: (r: RouteInfoManager) => string[]): Handler => (ctx, req) =>
  ok(req, encodeTopicList({ topicList: pick(ctx.routes) }));

function deleteTopicInNamesrv(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeDeleteTopicFromNamesrvRequestHeader(req.extFields);
  ctx.routes.deleteTopic(h.topic, h.clusterName);
  return ok(req);
}

function putKVConfig(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodePutKVConfigRequestHeader(req.extFields);
  ctx.kv.put(h.namespace, h.key, h.value);
  return ok(req);
}

function getKVConfig(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeKVConfigRequestHeader(req.extFields);
  const value = ctx.kv.get(h.namespace, h.key);
  if (value === undefined) {
    return createResponse(
      req,
      ResponseCode.QUERY_NOT_FOUND,
      `No config item, Namespace: ${h.namespace} Key: ${h.key}`,
    );
  }
  return ok(req, undefined, { value });
}

function deleteKVConfig(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeKVConfigRequestHeader(req.extFields);
  ctx.kv.delete(h.namespace, h.key);
  return ok(req);
}

function getKVListByNamespace(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeNamespaceRequestHeader(req.extFields);
  const table = ctx.kv.list(h.namespace);
  if (!table) {
    return createResponse(req, ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${h.namespace}`);
  }
  return ok(req, encodeKVTable(table));
}

function wipeWritePerm(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeBrokerNameRequestHeader(req.extFields);
  const count = ctx.routes.wipeWritePermOfBroker(h.brokerName);
  return ok(req, undefined, { wipeTopicCount: String(count) });
}

function addWritePerm(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const h = decodeBrokerNameRequestHeader(req.extFields);
  const count = ctx.routes.addWritePermOfBroker(h.brokerName);
  return ok(req, undefined, { addTopicCount: String(count) });
}

function updateNamesrvConfig(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  if (req.body && req.body.length > 0) {
    // java.util.Properties reads ISO-8859-1; UTF-8 agrees on the ASCII that config text is made of.
    const text = new TextDecoder().decode(req.body);
    try {
      ctx.configStore.update(text);
    } catch (e) {
      if (e instanceof ConfigUpdateRefused) return createResponse(req, ResponseCode.NO_PERMISSION, e.message);
      if (e instanceof ConfigError) return createResponse(req, ResponseCode.SYSTEM_ERROR, e.message);
      throw e;
    }
  }
  return ok(req);
}

function getNamesrvConfig(ctx: NamesrvContext, req: RemotingCommand): RemotingCommand {
  const text = ctx.configStore.render();
  return ok(req, text.length > 0 ? new TextEncoder().encode(text) : undefined);
}

/** Request code → handler, for every name-server request rmq serves. */
export const NAMESRV_HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [RequestCode.PUT_KV_CONFIG, putKVConfig],
  [RequestCode.GET_KV_CONFIG, getKVConfig],
  [RequestCode.DELETE_KV_CONFIG, deleteKVConfig],
  [RequestCode.GET_KVLIST_BY_NAMESPACE, getKVListByNamespace],
  [RequestCode.QUERY_DATA_VERSION, queryDataVersion],
  [RequestCode.REGISTER_BROKER, registerBroker],
  [RequestCode.UNREGISTER_BROKER, unregisterBroker],
  [RequestCode.GET_ROUTEINFO_BY_TOPIC, getRouteInfoByTopic],
  [RequestCode.GET_BROKER_CLUSTER_INFO, getBrokerClusterInfo],
  [RequestCode.WIPE_WRITE_PERM_OF_BROKER, wipeWritePerm],
  [RequestCode.ADD_WRITE_PERM_OF_BROKER, addWritePerm],
  [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, getAllTopicList],
  [RequestCode.DELETE_TOPIC_IN_NAMESRV, deleteTopicInNamesrv],
  [RequestCode.GET_TOPICS_BY_CLUSTER, getTopicsByCluster],
  [RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS, getSystemTopicList],
  [RequestCode.GET_UNIT_TOPIC_LIST, unitList((r) => r.getUnitTopics())],
  [RequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST, unitList((r) => r.getHasUnitSubTopicList())],
  [RequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST, unitList((r) => r.getHasUnitSubUnUnitTopicList())],
  [RequestCode.BROKER_HEARTBEAT, brokerHeartbeat],
  [RequestCode.REGISTER_TOPIC_IN_NAMESRV, registerTopicInNamesrv],
  [RequestCode.GET_BROKER_MEMBER_GROUP, getBrokerMemberGroup],
  [RequestCode.UPDATE_NAMESRV_CONFIG, updateNamesrvConfig],
  [RequestCode.GET_NAMESRV_CONFIG, getNamesrvConfig],
]);

/** Binds every handler to `ctx`, ready for `RemotingServer.registerProcessor`. */
export function createNamesrvProcessors(ctx: NamesrvContext): Map<number, RequestProcessor> {
  const out = new Map<number, RequestProcessor>();
  for (const [code, handler] of NAMESRV_HANDLERS) out.set(code, (req, channel) => handler(ctx, req, channel));
  return out;
}
