/** Broker administration headers (remoting-protocol.md §4.11). */
import type { ExtFields } from "../../remoting/command.ts";
import { optBool, optInt, optStr, reqInt, reqStr, toExt } from "./fields.ts";

/** UPDATE_AND_CREATE_TOPIC (17). */
export interface CreateTopicRequestHeader {
  topic: string;
  defaultTopic: string;
  readQueueNums: number;
  writeQueueNums: number;
  perm: number;
  topicFilterType: string;
  topicSysFlag?: number | undefined;
  order: boolean;
  attributes?: string | undefined;
}

/** Reads CreateTopicRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeCreateTopicRequestHeader(ext: ExtFields): CreateTopicRequestHeader {
  return {
    topic: reqStr(ext, "topic"),
    defaultTopic: optStr(ext, "defaultTopic") ?? "TBW102",
    readQueueNums: reqInt(ext, "readQueueNums"),
    writeQueueNums: reqInt(ext, "writeQueueNums"),
    perm: reqInt(ext, "perm"),
    topicFilterType: optStr(ext, "topicFilterType") ?? "SINGLE_TAG",
    topicSysFlag: optInt(ext, "topicSysFlag"),
    order: optBool(ext, "order") ?? false,
    attributes: optStr(ext, "attributes"),
  };
}

/** Writes CreateTopicRequestHeader as extFields, omitting absent optionals. */
export function encodeCreateTopicRequestHeader(h: CreateTopicRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** DELETE_TOPIC_IN_BROKER (215), GET_TOPIC_STATS_INFO (202), QUERY_TOPIC_CONSUME_BY_WHO (300). */
export interface TopicRequestHeader {
  topic: string;
}

/** Reads TopicRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeTopicRequestHeader(ext: ExtFields): TopicRequestHeader {
  return { topic: reqStr(ext, "topic") };
}

/** Writes TopicRequestHeader as extFields, omitting absent optionals. */
export function encodeTopicRequestHeader(h: TopicRequestHeader): ExtFields {
  return { topic: h.topic };
}

/** DELETE_SUBSCRIPTIONGROUP (207): `removeOffset` (4.9) or `cleanOffset` (5.x). */
export interface DeleteSubscriptionGroupRequestHeader {
  groupName: string;
  removeOffset: boolean;
}

/** Reads DeleteSubscriptionGroupRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeDeleteSubscriptionGroupRequestHeader(
  ext: ExtFields,
): DeleteSubscriptionGroupRequestHeader {
  return {
    groupName: reqStr(ext, "groupName"),
    removeOffset: (optBool(ext, "removeOffset") ?? false) || (optBool(ext, "cleanOffset") ?? false),
  };
}

/** Writes DeleteSubscriptionGroupRequestHeader as extFields, omitting absent optionals. */
export function encodeDeleteSubscriptionGroupRequestHeader(
  h: DeleteSubscriptionGroupRequestHeader,
): ExtFields {
  return toExt({ groupName: h.groupName, removeOffset: h.removeOffset, cleanOffset: h.removeOffset });
}

/** GET_PRODUCER_CONNECTION_LIST (204). */
export interface ProducerGroupRequestHeader {
  producerGroup: string;
}

/** Reads ProducerGroupRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeProducerGroupRequestHeader(ext: ExtFields): ProducerGroupRequestHeader {
  return { producerGroup: reqStr(ext, "producerGroup") };
}

/** Writes ProducerGroupRequestHeader as extFields, omitting absent optionals. */
export function encodeProducerGroupRequestHeader(h: ProducerGroupRequestHeader): ExtFields {
  return { producerGroup: h.producerGroup };
}

/** GET_CONSUME_STATS (208): topic optional (absent ⇒ every topic the group has offsets for). */
export interface GetConsumeStatsRequestHeader {
  consumerGroup: string;
  topic?: string | undefined;
}

/** Reads GetConsumeStatsRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeGetConsumeStatsRequestHeader(ext: ExtFields): GetConsumeStatsRequestHeader {
  return { consumerGroup: reqStr(ext, "consumerGroup"), topic: optStr(ext, "topic") };
}

/** Writes GetConsumeStatsRequestHeader as extFields, omitting absent optionals. */
export function encodeGetConsumeStatsRequestHeader(h: GetConsumeStatsRequestHeader): ExtFields {
  return toExt({ ...h });
}

/** VIEW_BROKER_STATS_DATA (315). */
export interface ViewBrokerStatsDataRequestHeader {
  statsName: string;
  statsKey: string;
}

/** Reads ViewBrokerStatsDataRequestHeader; throws HeaderDecodeError naming a missing or bad field. */
export function decodeViewBrokerStatsDataRequestHeader(ext: ExtFields): ViewBrokerStatsDataRequestHeader {
  return { statsName: reqStr(ext, "statsName"), statsKey: reqStr(ext, "statsKey") };
}

/** Writes ViewBrokerStatsDataRequestHeader as extFields, omitting absent optionals. */
export function encodeViewBrokerStatsDataRequestHeader(h: ViewBrokerStatsDataRequestHeader): ExtFields {
  return { statsName: h.statsName, statsKey: h.statsKey };
}

/** GET_BROKER_CONFIG (26) response: `version` = DataVersion JSON of the config. */
export function encodeGetBrokerConfigResponseHeader(version: string): ExtFields {
  return { version };
}
