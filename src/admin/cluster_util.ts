/**
 * Cluster fan-out helpers (upstream CommandUtil): which broker addresses a `-c <cluster>` option means.
 */
import type { ClusterInfo } from "../protocol/cluster.ts";
import type { AdminOutput } from "./output.ts";

/** Printed when `-c` names a cluster the name server does not know (upstream's wording). */
export const UNKNOWN_CLUSTER_MESSAGE =
  "[error] Make sure the specified clusterName exists or the name server connected to is correct.";

/** Master (id 0) addresses of every broker group in `cluster`; reports an unknown cluster on `out`. */
export function masterAddrsOfCluster(info: ClusterInfo, cluster: string, out: AdminOutput): string[] {
  const names = info.clusterAddrTable.get(cluster);
  if (!names) {
    out.out(`${UNKNOWN_CLUSTER_MESSAGE}\n`);
    return [];
  }
  const addrs: string[] = [];
  for (const name of names) {
    const master = info.brokerAddrTable.get(name)?.brokerAddrs.get(0);
    if (master !== undefined) addrs.push(master);
  }
  return addrs;
}

/** Broker names of every group in `cluster`. */
export function brokerNamesOfCluster(info: ClusterInfo, cluster: string): string[] {
  return [...(info.clusterAddrTable.get(cluster) ?? [])];
}

/** Master address → its slaves' addresses, for every group of `cluster` that has a master. */
export function mastersAndSlavesOfCluster(
  info: ClusterInfo,
  cluster: string,
  out: AdminOutput,
): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const names = info.clusterAddrTable.get(cluster);
  if (!names) {
    out.out(`${UNKNOWN_CLUSTER_MESSAGE}\n`);
    return result;
  }
  for (const name of names) {
    const addrs = info.brokerAddrTable.get(name)?.brokerAddrs;
    const master = addrs?.get(0);
    if (!addrs || master === undefined) continue;
    result.set(master, [...addrs].filter(([id]) => id !== 0).sort((a, b) => a[0] - b[0]).map(([, a]) => a));
  }
  return result;
}

/** The broker name registered at `addr`, or undefined. */
export function brokerNameOfAddr(info: ClusterInfo, addr: string): string | undefined {
  for (const bd of info.brokerAddrTable.values()) {
    for (const a of bd.brokerAddrs.values()) if (a === addr) return bd.brokerName;
  }
  return undefined;
}
