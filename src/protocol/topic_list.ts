/**
 * TopicList (remoting-protocol.md §5.3.2): `{"brokerAddr":"ip:port"?,"topicList":[…]}`. `brokerAddr` is
 * only set by GET_SYSTEM_TOPIC_LIST_FROM_NS.
 */
import { asObject, encodeFastjson, optArray, optString, parseBody } from "./fastjson.ts";

/** A set of topic names, optionally with the broker they were listed by. */
export interface TopicList {
  topicList: string[];
  brokerAddr?: string | undefined;
}

/** TopicList body bytes. */
export function encodeTopicList(list: TopicList): Uint8Array {
  return encodeFastjson({ brokerAddr: list.brokerAddr, topicList: list.topicList });
}

/** Parses a TopicList body. */
export function decodeTopicList(body: Uint8Array | undefined): TopicList {
  const o = asObject(parseBody(body, "TopicList"), "TopicList");
  const out: TopicList = { topicList: optArray(o.topicList, "topicList").map((x) => optString(x, "")) };
  if (typeof o.brokerAddr === "string") out.brokerAddr = o.brokerAddr;
  return out;
}
