/**
 * Registration with name servers (store-and-semantics.md §13.1): REGISTER_BROKER (103) to every
 * name server with the topic config wrapper, UNREGISTER_BROKER (104) at shutdown. One failing name
 * server never blocks the others.
 */
import { createRequest } from "../remoting/command.ts";
import type { RemotingClient } from "../remoting/client.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import {
  encodeRegisterBrokerBody,
  type TopicConfig as WireTopicConfig,
} from "../protocol/register_broker.ts";
import {
  encodeBrokerIdentityHeader,
  encodeRegisterBrokerRequestHeader,
} from "../protocol/namesrv_headers.ts";
import type { DataVersion, TopicConfig } from "../protocol/bodies/topic_config.ts";
import { bodyCrc } from "../message/crc32.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("broker");

/** Who is registering. */
export interface BrokerIdentity {
  clusterName: string;
  brokerName: string;
  brokerAddr: string;
  brokerId: number;
  haServerAddr: string;
}

/** Splits a `namesrvAddr` value (`;` separated, `,` accepted) into addresses. */
export function parseNamesrvAddrs(value: string): string[] {
  return value.split(/[;,]/).map((s) => s.trim()).filter((s) => s !== "");
}

function toWire(tc: TopicConfig): WireTopicConfig {
  return {
    topicName: tc.topicName,
    readQueueNums: tc.readQueueNums,
    writeQueueNums: tc.writeQueueNums,
    perm: tc.perm,
    topicFilterType: tc.topicFilterType === "MULTI_TAG" ? "MULTI_TAG" : "SINGLE_TAG",
    topicSysFlag: tc.topicSysFlag,
    order: tc.order,
  };
}

export class BrokerOuterAPI {
  constructor(private readonly client: RemotingClient, private readonly timeoutMs: number) {}

  /** Registers with every name server in parallel; returns how many accepted. */
  async registerBrokerAll(
    namesrvAddrs: string[],
    id: BrokerIdentity,
    topics: TopicConfig[],
    dataVersion: DataVersion,
    compressed: boolean,
  ): Promise<number> {
    const table = new Map<string, WireTopicConfig>();
    for (const t of topics) table.set(t.topicName, toWire(t));
    const body = encodeRegisterBrokerBody({
      topicConfigSerializeWrapper: { topicConfigTable: table, dataVersion },
      filterServerList: [],
    }, compressed);
    const ext = encodeRegisterBrokerRequestHeader({
      brokerName: id.brokerName,
      brokerAddr: id.brokerAddr,
      clusterName: id.clusterName,
      haServerAddr: id.haServerAddr,
      brokerId: id.brokerId,
      compressed,
      bodyCrc32: bodyCrc(body),
    });
    const results = await Promise.all(namesrvAddrs.map(async (addr) => {
      try {
        const res = await this.client.invokeSync(
          addr,
          createRequest(RequestCode.REGISTER_BROKER, { ...ext }, body),
          this.timeoutMs,
        );
        if (res.code !== ResponseCode.SUCCESS) {
          log.warn(`Name server ${addr} refused registration: code ${res.code} ${res.remark ?? ""}`);
          return false;
        }
        return true;
      } catch (e) {
        log.warn(`Cannot register to name server ${addr}: ${(e as Error).message}`);
        return false;
      }
    }));
    return results.filter((x) => x).length;
  }

  /** Unregisters from every name server (best effort). */
  async unregisterBrokerAll(namesrvAddrs: string[], id: BrokerIdentity): Promise<void> {
    const ext = encodeBrokerIdentityHeader({
      brokerName: id.brokerName,
      brokerAddr: id.brokerAddr,
      clusterName: id.clusterName,
      brokerId: id.brokerId,
    });
    await Promise.all(namesrvAddrs.map(async (addr) => {
      try {
        await this.client.invokeSync(
          addr,
          createRequest(RequestCode.UNREGISTER_BROKER, { ...ext }),
          this.timeoutMs,
        );
      } catch (e) {
        log.warn(`Cannot unregister from name server ${addr}: ${(e as Error).message}`);
      }
    }));
  }
}
