/**
 * The admin client (upstream DefaultMQAdminExt): typed calls to name servers and brokers over one
 * RemotingClient, turning non-SUCCESS answers into AdminError with the server's code and remark.
 */
import { RemotingClient } from "../remoting/client.ts";
import { createRequest, type ExtFields, type RemotingCommand } from "../remoting/command.ts";
import { RemotingConnectError } from "../remoting/errors.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { type ClusterInfo, decodeClusterInfo } from "../protocol/cluster.ts";
import { decodeTopicRouteData, type TopicRouteData } from "../protocol/route.ts";
import { decodeTopicList, type TopicList } from "../protocol/topic_list.ts";
import { decodeKVTable } from "../protocol/kv.ts";
import { encodeKVConfigRequestHeader } from "../protocol/namesrv_headers.ts";
import { parseProperties } from "../config/properties.ts";

/** Admin RPC timeout, as upstream's tool uses. */
export const ADMIN_TIMEOUT_MS = 5000;

/** A server answered with a failure code. */
export class AdminError extends Error {
  override name = "AdminError";
  constructor(readonly code: number, readonly remark: string | undefined, readonly addr?: string) {
    super(`CODE: ${code}  DESC: ${remark ?? ""}${addr ? `  (from ${addr})` : ""}`);
  }
}

/** No name server address was configured. */
export class NoNamesrvError extends Error {
  override name = "NoNamesrvError";
  constructor() {
    super(
      "No name server address: pass -n host:port[;host:port], set NAMESRV_ADDR, or set rocketmq.namesrv.addr " +
        "(JAVA_OPT=-Drocketmq.namesrv.addr=host:port)",
    );
  }
}

/** Splits a `;`/`,`-separated name server list; `http://host:port` prefixes are dropped as upstream does. */
export function splitNamesrvList(value: string): string[] {
  return value.split(/[;,]/).map((s) => s.trim().replace(/^.*\//, "")).filter((s) => s !== "");
}

/** Typed admin calls. Call `close()` when done. */
export class MQAdminExt {
  readonly client: RemotingClient;

  constructor(readonly namesrvList: string[], readonly timeoutMs: number = ADMIN_TIMEOUT_MS) {
    this.client = new RemotingClient({ name: "admin", connectTimeoutMs: 3000 });
  }

  async close(): Promise<void> {
    this.client.close();
    await this.client.closed();
  }

  /** Sends to `addr`; throws AdminError unless the answer is SUCCESS (or one of `accept`). */
  async invoke(addr: string, req: RemotingCommand, accept: number[] = []): Promise<RemotingCommand> {
    const res = await this.client.invokeSync(addr, req, this.timeoutMs);
    if (res.code !== ResponseCode.SUCCESS && !accept.includes(res.code)) {
      throw new AdminError(res.code, res.remark, addr);
    }
    return res;
  }

  /** Sends to the first name server that can be reached (upstream picks one and fails over). */
  async invokeNamesrv(code: number, ext: ExtFields = {}, body?: Uint8Array): Promise<RemotingCommand> {
    if (this.namesrvList.length === 0) throw new NoNamesrvError();
    let lastError: unknown;
    for (const addr of this.namesrvList) {
      try {
        return await this.invoke(addr, createRequest(code, ext, body));
      } catch (e) {
        if (!(e instanceof RemotingConnectError)) throw e;
        lastError = e;
      }
    }
    throw lastError;
  }

  /** Sends the same request to every name server (KV writes, config updates); all must succeed. */
  async invokeAllNamesrv(code: number, ext: ExtFields = {}, body?: Uint8Array): Promise<void> {
    if (this.namesrvList.length === 0) throw new NoNamesrvError();
    for (const addr of this.namesrvList) await this.invoke(addr, createRequest(code, ext, body));
  }

  async examineBrokerClusterInfo(): Promise<ClusterInfo> {
    return decodeClusterInfo((await this.invokeNamesrv(RequestCode.GET_BROKER_CLUSTER_INFO)).body);
  }

  async examineTopicRouteInfo(topic: string): Promise<TopicRouteData> {
    return decodeTopicRouteData(
      (await this.invokeNamesrv(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic })).body,
    );
  }

  async fetchAllTopicList(): Promise<TopicList> {
    return decodeTopicList((await this.invokeNamesrv(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER)).body);
  }

  async fetchTopicsByCluster(cluster: string): Promise<TopicList> {
    return decodeTopicList((await this.invokeNamesrv(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster })).body);
  }

  async createAndUpdateKvConfig(namespace: string, key: string, value: string): Promise<void> {
    await this.invokeAllNamesrv(
      RequestCode.PUT_KV_CONFIG,
      encodeKVConfigRequestHeader({ namespace, key, value }),
    );
  }

  async deleteKvConfig(namespace: string, key: string): Promise<void> {
    await this.invokeAllNamesrv(
      RequestCode.DELETE_KV_CONFIG,
      encodeKVConfigRequestHeader({ namespace, key }),
    );
  }

  /** The value; a missing key fails with QUERY_NOT_FOUND as upstream. */
  async getKVConfig(namespace: string, key: string): Promise<string> {
    const res = await this.invokeNamesrv(RequestCode.GET_KV_CONFIG, { namespace, key });
    return res.extFields.value ?? "";
  }

  /** Each listed name server's config (`servers` defaults to all). */
  async getNameServerConfig(servers: string[] = this.namesrvList): Promise<Map<string, Map<string, string>>> {
    if (servers.length === 0) throw new NoNamesrvError();
    const out = new Map<string, Map<string, string>>();
    for (const addr of servers) {
      const res = await this.invoke(addr, createRequest(RequestCode.GET_NAMESRV_CONFIG));
      out.set(addr, parseProperties(new TextDecoder().decode(res.body ?? new Uint8Array())));
    }
    return out;
  }

  async updateNameServerConfig(
    props: ReadonlyMap<string, string>,
    servers: string[] = this.namesrvList,
  ): Promise<void> {
    if (servers.length === 0) throw new NoNamesrvError();
    const body = new TextEncoder().encode([...props].map(([k, v]) => `${k}=${v}\n`).join(""));
    for (const addr of servers) {
      await this.invoke(addr, createRequest(RequestCode.UPDATE_NAMESRV_CONFIG, {}, body));
    }
  }

  /** WIPE (205) or ADD (327) write perm on one name server; returns the topic count it reports. */
  async operateWritePerm(addr: string, brokerName: string, wipe: boolean): Promise<number> {
    const code = wipe ? RequestCode.WIPE_WRITE_PERM_OF_BROKER : RequestCode.ADD_WRITE_PERM_OF_BROKER;
    const res = await this.invoke(addr, createRequest(code, { brokerName }));
    return Number(res.extFields[wipe ? "wipeTopicCount" : "addTopicCount"] ?? 0);
  }

  /** GET_BROKER_RUNTIME_INFO (28) of one broker. */
  async fetchBrokerRuntimeStats(brokerAddr: string): Promise<Map<string, string>> {
    return decodeKVTable(
      (await this.invoke(brokerAddr, createRequest(RequestCode.GET_BROKER_RUNTIME_INFO))).body,
    );
  }

  /** QUERY_TOPIC_CONSUME_BY_WHO (300) on the first master found in the topic's route. */
  async queryTopicConsumeByWho(topic: string): Promise<string[]> {
    const route = await this.examineTopicRouteInfo(topic);
    for (const bd of route.brokerDatas) {
      const addr = bd.brokerAddrs.get(0) ?? bd.brokerAddrs.values().next().value;
      if (addr === undefined) continue;
      const res = await this.invoke(addr, createRequest(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic }));
      const body = res.body ? JSON.parse(new TextDecoder().decode(res.body)) as { groupList?: string[] } : {};
      return body.groupList ?? [];
    }
    return [];
  }
}
