/**
 * Topic name rules and the system-topic sets (remoting-protocol.md §9.2, §9.3).
 */

/** Topic names rmq and upstream create themselves. */
export const SystemTopics = {
  AUTO_CREATE_TOPIC_KEY: "TBW102",
  SCHEDULE_TOPIC: "SCHEDULE_TOPIC_XXXX",
  BENCHMARK_TOPIC: "BenchmarkTest",
  TRANS_HALF_TOPIC: "RMQ_SYS_TRANS_HALF_TOPIC",
  TRACE_TOPIC: "RMQ_SYS_TRACE_TOPIC",
  TRANS_OP_HALF_TOPIC: "RMQ_SYS_TRANS_OP_HALF_TOPIC",
  TRANS_CHECK_MAX_TIME_TOPIC: "TRANS_CHECK_MAX_TIME_TOPIC",
  SELF_TEST_TOPIC: "SELF_TEST_TOPIC",
  OFFSET_MOVED_EVENT: "OFFSET_MOVED_EVENT",
} as const;

/** Prefix of a consumer group's retry topic. */
export const RETRY_GROUP_TOPIC_PREFIX = "%RETRY%";
/** Prefix of a consumer group's dead-letter topic. */
export const DLQ_GROUP_TOPIC_PREFIX = "%DLQ%";

/** The retry topic of a consumer group. */
export function retryTopic(group: string): string {
  return RETRY_GROUP_TOPIC_PREFIX + group;
}

/** The dead-letter topic of a consumer group. */
export function dlqTopic(group: string): string {
  return DLQ_GROUP_TOPIC_PREFIX + group;
}

const NOT_ALLOWED_SEND: ReadonlySet<string> = new Set([
  SystemTopics.SCHEDULE_TOPIC,
  SystemTopics.TRANS_HALF_TOPIC,
  SystemTopics.TRANS_OP_HALF_TOPIC,
  SystemTopics.TRANS_CHECK_MAX_TIME_TOPIC,
  SystemTopics.SELF_TEST_TOPIC,
  SystemTopics.OFFSET_MOVED_EVENT,
]);

/** True when producers may not send to `topic` directly. */
export function isNotAllowedSendTopic(topic: string): boolean {
  return NOT_ALLOWED_SEND.has(topic);
}

const VALID_CHARS = /^[%|a-zA-Z0-9_-]+$/;
/** Upstream's TOPIC_MAX_LENGTH for v1 records. */
export const TOPIC_MAX_LENGTH = 127;

/** Returns the upstream remark for an invalid topic name, or null when it is valid. */
export function validateTopicName(topic: string): string | null {
  if (topic.trim() === "") return "The specified topic is blank.";
  if (!VALID_CHARS.test(topic)) {
    return `The specified topic[${topic}] contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`;
  }
  if (topic.length > TOPIC_MAX_LENGTH) {
    return `The specified topic[${topic}] is longer than topic max length.`;
  }
  return null;
}
