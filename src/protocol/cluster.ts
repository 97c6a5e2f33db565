/**
 * ClusterInfo (remoting-protocol.md §5.3.1): the GET_BROKER_CLUSTER_INFO body. Upstream always writes
 * it in fastjson's default form (bare integer keys in `brokerAddrs`), whatever the client version.
 */
import {
  asObject,
  encodeFastjson,
  type FjValue,
  optArray,
  optObject,
  optString,
  parseBody,
} from "./fastjson.ts";
import { type BrokerData, brokerDataFromJson, brokerDataToFj } from "./route.ts";

/** Every broker group by name, and the broker names of each cluster. */
export interface ClusterInfo {
  brokerAddrTable: Map<string, BrokerData>;
  clusterAddrTable: Map<string, Set<string>>;
}

/** ClusterInfo body bytes (default fastjson form). */
export function encodeClusterInfo(info: ClusterInfo): Uint8Array {
  const brokers = new Map<string, FjValue>();
  for (const [name, b] of info.brokerAddrTable) brokers.set(name, brokerDataToFj(b));
  const clusters = new Map<string, FjValue>();
  for (const [name, set] of info.clusterAddrTable) clusters.set(name, [...set]);
  return encodeFastjson({ brokerAddrTable: brokers, clusterAddrTable: clusters });
}

/** Parses a ClusterInfo body (quoted or bare integer keys). */
export function decodeClusterInfo(body: Uint8Array | undefined): ClusterInfo {
  const o = asObject(parseBody(body, "ClusterInfo"), "ClusterInfo");
  const brokerAddrTable = new Map<string, BrokerData>();
  for (const [name, b] of Object.entries(optObject(o.brokerAddrTable, "brokerAddrTable"))) {
    brokerAddrTable.set(name, brokerDataFromJson(b));
  }
  const clusterAddrTable = new Map<string, Set<string>>();
  for (const [name, list] of Object.entries(optObject(o.clusterAddrTable, "clusterAddrTable"))) {
    clusterAddrTable.set(name, new Set(optArray(list, "clusterAddrTable").map((x) => optString(x, ""))));
  }
  return { brokerAddrTable, clusterAddrTable };
}
