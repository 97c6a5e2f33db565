/**
 * One pull of one queue (upstream PullAPIWrapper): builds the PULL_MESSAGE header, decodes the body,
 * re-filters by exact tag and turns records into ConsumedMessages.
 */

import { PullSysFlag } from "../message/message_const.ts";
import { decodeRecords } from "../message/record_codec.ts";
import type { MessageQueue } from "../protocol/bodies/message_queue.ts";
import { RemotingError } from "../remoting/errors.ts";
import { ResponseCode } from "../remoting/response_code.ts";
import { MQBrokerError, MQClientError } from "./errors.ts";
import { type ConsumedMessage, retryTopic, toConsumedMessage } from "./message.ts";
import type { PullStatus } from "./mq_client_api.ts";
import type { MQClientInstance } from "./mq_client_instance.ts";
import type { Subscription } from "./subscription.ts";

export type { Subscription } from "./subscription.ts";

/** Pause before pulling a queue again after a failed pull (ms). */
export const PULL_TIME_DELAY_WHEN_EXCEPTION = 3000;
/** Pause before pulling a queue again after the broker answered FLOW_CONTROL (ms). */
const PULL_TIME_DELAY_WHEN_BROKER_FLOW_CONTROL = 20;

/** What one pull produced. */
export interface PullResult {
  status: PullStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  /** Matching messages (FOUND only; may be empty when all were filtered out). */
  msgs: ConsumedMessage[];
}

/** Parameters of one pull. */
export interface PullParams {
  group: string;
  mq: MessageQueue;
  sub: Subscription;
  offset: number;
  maxNums: number;
  /** Offset to commit with the pull (COMMIT_OFFSET flag), if > 0. */
  commitOffset: number;
  /** Broker hold time; 0 disables the SUSPEND flag. */
  suspendTimeoutMillis: number;
  timeoutMs: number;
  /** Send the expression with the pull (SUBSCRIPTION flag). */
  postSubscription: boolean;
  litePull?: boolean;
}

/** Pulls once. Throws MQBrokerError / RemotingError on failure. */
export async function pullKernel(instance: MQClientInstance, p: PullParams): Promise<PullResult> {
  let addr = instance.findBrokerAddressInSubscribe(p.mq.brokerName);
  if (!addr) {
    await instance.updateTopicRouteInfoFromNameServer(p.mq.topic);
    addr = instance.findBrokerAddressInSubscribe(p.mq.brokerName);
  }
  if (!addr) throw new MQClientError(`The broker "${p.mq.brokerName}" does not exist`);
  const sysFlag = PullSysFlag.build(
    p.commitOffset > 0,
    p.suspendTimeoutMillis > 0,
    p.postSubscription,
    false,
    p.litePull ?? false,
  );
  const res = await instance.api.pullMessage(addr, {
    consumerGroup: p.group,
    topic: p.mq.topic,
    queueId: p.mq.queueId,
    queueOffset: p.offset,
    maxMsgNums: p.maxNums,
    sysFlag,
    commitOffset: p.commitOffset > 0 ? p.commitOffset : 0,
    suspendTimeoutMillis: p.suspendTimeoutMillis,
    subscription: p.postSubscription ? p.sub.data.subString : undefined,
    subVersion: p.sub.data.subVersion,
    expressionType: p.sub.data.expressionType,
    bname: p.mq.brokerName,
  }, p.timeoutMs);
  const msgs: ConsumedMessage[] = [];
  if (res.status === "FOUND" && res.body) {
    const retry = retryTopic(p.group);
    const bounds = { minOffset: res.minOffset, maxOffset: res.maxOffset };
    for (const ext of decodeRecords(res.body)) {
      if (!p.sub.matches(ext.properties)) continue;
      msgs.push(toConsumedMessage(ext, p.mq.brokerName, bounds, retry));
    }
  }
  return {
    status: res.status,
    nextBeginOffset: res.nextBeginOffset,
    minOffset: res.minOffset,
    maxOffset: res.maxOffset,
    msgs,
  };
}

/**
 * How long a pull loop waits after `e` before pulling again. A busy broker is retried almost at once;
 * anything that is not a broker, network or client error is a bug and is thrown again.
 */
export function pullRetryDelayMs(e: unknown): number {
  if (!(e instanceof MQBrokerError) && !(e instanceof RemotingError) && !(e instanceof MQClientError)) {
    throw e;
  }
  return e instanceof MQBrokerError && e.code === ResponseCode.FLOW_CONTROL
    ? PULL_TIME_DELAY_WHEN_BROKER_FLOW_CONTROL
    : PULL_TIME_DELAY_WHEN_EXCEPTION;
}
