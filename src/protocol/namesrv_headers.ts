/**
 * Typed custom headers of the name-server requests (remoting-protocol.md §4.2). `decode*` validates
 * required fields (throwing HeaderDecodeError naming the field); `encode*` builds extFields for senders
 * (broker registration, admin tools).
 */
import type { ExtFields } from "../remoting/command.ts";
import { optBool, optInt, optLong, optStr, reqLong, reqStr, toExt } from "./headers/fields.ts";

/** REGISTER_BROKER (103). */
export interface RegisterBrokerRequestHeader {
  brokerName: string;
  brokerAddr: string;
  clusterName: string;
  haServerAddr: string;
  brokerId: number;
  compressed: boolean;
  /** CRC32 of the body masked with 0x7FFFFFFF; 0 disables the check. */
  bodyCrc32: number;
  heartbeatTimeoutMillis?: number | undefined;
  enableActingMaster?: boolean | undefined;
}

/** Reads REGISTER_BROKER extFields; throws HeaderDecodeError naming a missing required field. */
export function decodeRegisterBrokerRequestHeader(ext: ExtFields): RegisterBrokerRequestHeader {
  return {
    brokerName: reqStr(ext, "brokerName"),
    brokerAddr: reqStr(ext, "brokerAddr"),
    clusterName: reqStr(ext, "clusterName"),
    // Required upstream, but brokers without HA send an empty value, which reads as absent.
    haServerAddr: optStr(ext, "haServerAddr") ?? "",
    brokerId: reqLong(ext, "brokerId"),
    compressed: optBool(ext, "compressed") ?? false,
    bodyCrc32: optInt(ext, "bodyCrc32") ?? 0,
    heartbeatTimeoutMillis: optLong(ext, "heartbeatTimeoutMillis"),
    enableActingMaster: optBool(ext, "enableActingMaster"),
  };
}

/** REGISTER_BROKER extFields as a broker sends them. */
export function encodeRegisterBrokerRequestHeader(h: RegisterBrokerRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** REGISTER_BROKER response: filled for slaves with their master's addresses. */
export interface RegisterBrokerResponseHeader {
  haServerAddr?: string | undefined;
  masterAddr?: string | undefined;
}

/** Reads the REGISTER_BROKER response header. */
export function decodeRegisterBrokerResponseHeader(ext: ExtFields): RegisterBrokerResponseHeader {
  return { haServerAddr: optStr(ext, "haServerAddr"), masterAddr: optStr(ext, "masterAddr") };
}

/** The REGISTER_BROKER response header (absent fields omitted). */
export function encodeRegisterBrokerResponseHeader(h: RegisterBrokerResponseHeader): ExtFields {
  return toExt({ ...h });
}

/** UNREGISTER_BROKER (104) and QUERY_DATA_VERSION (322) share these fields. */
export interface BrokerIdentityHeader {
  brokerName: string;
  brokerAddr: string;
  clusterName: string;
  brokerId: number;
}

/** Reads UNREGISTER_BROKER / QUERY_DATA_VERSION extFields. */
export function decodeBrokerIdentityHeader(ext: ExtFields): BrokerIdentityHeader {
  return {
    brokerName: reqStr(ext, "brokerName"),
    brokerAddr: reqStr(ext, "brokerAddr"),
    clusterName: reqStr(ext, "clusterName"),
    brokerId: reqLong(ext, "brokerId"),
  };
}

/** UNREGISTER_BROKER / QUERY_DATA_VERSION extFields. */
export function encodeBrokerIdentityHeader(h: BrokerIdentityHeader): ExtFields {
  return toExt({ ...h });
}

/** QUERY_DATA_VERSION response header. */
export function encodeQueryDataVersionResponseHeader(changed: boolean): ExtFields {
  return { changed: String(changed) };
}

/** GET_ROUTEINFO_BY_TOPIC (105). */
export interface GetRouteInfoRequestHeader {
  topic: string;
  acceptStandardJsonOnly?: boolean | undefined;
}

/** Reads GET_ROUTEINFO_BY_TOPIC extFields. */
export function decodeGetRouteInfoRequestHeader(ext: ExtFields): GetRouteInfoRequestHeader {
  return { topic: reqStr(ext, "topic"), acceptStandardJsonOnly: optBool(ext, "acceptStandardJsonOnly") };
}

/** GET_ROUTEINFO_BY_TOPIC extFields. */
export function encodeGetRouteInfoRequestHeader(h: GetRouteInfoRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** PUT_KV_CONFIG (100), GET_KV_CONFIG (101), DELETE_KV_CONFIG (102); `value` only for puts. */
export interface KVConfigRequestHeader {
  namespace: string;
  key: string;
  value?: string | undefined;
}

/** Reads PUT_KV_CONFIG extFields (an empty value is kept). */
export function decodePutKVConfigRequestHeader(
  ext: ExtFields,
): { namespace: string; key: string; value: string } {
  // An empty value is a legal value for a put, so it is read raw rather than as "absent".
  return { namespace: reqStr(ext, "namespace"), key: reqStr(ext, "key"), value: ext.value ?? "" };
}

/** Reads GET_KV_CONFIG / DELETE_KV_CONFIG extFields. */
export function decodeKVConfigRequestHeader(ext: ExtFields): KVConfigRequestHeader {
  return { namespace: reqStr(ext, "namespace"), key: reqStr(ext, "key") };
}

/** KV config request extFields. */
export function encodeKVConfigRequestHeader(h: KVConfigRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** GET_KVLIST_BY_NAMESPACE (219). */
export function decodeNamespaceRequestHeader(ext: ExtFields): { namespace: string } {
  return { namespace: reqStr(ext, "namespace") };
}

/** GET_TOPICS_BY_CLUSTER (224). */
export function decodeGetTopicsByClusterRequestHeader(ext: ExtFields): { cluster: string } {
  return { cluster: reqStr(ext, "cluster") };
}

/** DELETE_TOPIC_IN_NAMESRV (216). */
export interface DeleteTopicFromNamesrvRequestHeader {
  topic: string;
  clusterName?: string | undefined;
}

/** Reads DELETE_TOPIC_IN_NAMESRV extFields. */
export function decodeDeleteTopicFromNamesrvRequestHeader(
  ext: ExtFields,
): DeleteTopicFromNamesrvRequestHeader {
  return { topic: reqStr(ext, "topic"), clusterName: optStr(ext, "clusterName") };
}

/** DELETE_TOPIC_IN_NAMESRV extFields. */
export function encodeDeleteTopicFromNamesrvRequestHeader(h: DeleteTopicFromNamesrvRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** WIPE_WRITE_PERM_OF_BROKER (205) / ADD_WRITE_PERM_OF_BROKER (327). */
export function decodeBrokerNameRequestHeader(ext: ExtFields): { brokerName: string } {
  return { brokerName: reqStr(ext, "brokerName") };
}

/** BROKER_HEARTBEAT (904, 5.x): only the address matters to the name server. */
export function decodeBrokerHeartbeatRequestHeader(
  ext: ExtFields,
): { clusterName: string; brokerAddr: string } {
  return { clusterName: reqStr(ext, "clusterName"), brokerAddr: reqStr(ext, "brokerAddr") };
}

/** REGISTER_TOPIC_IN_NAMESRV (217, 5.x). */
export function decodeTopicRequestHeader(ext: ExtFields): { topic: string } {
  return { topic: reqStr(ext, "topic") };
}

/** GET_BROKER_MEMBER_GROUP (901, 5.x). */
export function decodeBrokerMemberGroupRequestHeader(
  ext: ExtFields,
): { clusterName: string; brokerName: string } {
  return { clusterName: reqStr(ext, "clusterName"), brokerName: reqStr(ext, "brokerName") };
}
