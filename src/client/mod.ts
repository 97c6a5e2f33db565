/**
 * The rmq TypeScript client: producers (plain, ordered, batch, transactional, request-reply), push and
 * lite pull consumers (TAG or SQL92 subscriptions), and message trace, over the remoting client.
 *
 * @example
 * ```ts
 * import { Producer, PushConsumer } from "./mod.ts";
 * const producer = new Producer({ group: "PG", namesrvAddr: "127.0.0.1:9876" });
 * await producer.start();
 * await producer.send({ topic: "T", body: new TextEncoder().encode("hi"), tags: "A" });
 * await producer.shutdown();
 * ```
 */
export { type ClientConfig } from "./client_config.ts";
export { MQBrokerError, MQClientError, RequestTimeoutError } from "./errors.ts";
export { createReplyMessage, isReplyMessage, replyTopic } from "./request_reply.ts";
export { type ExpressionType, MessageSelector } from "./subscription.ts";
export {
  decodeTraceRecords,
  encodeTraceContext,
  MessageType,
  RMQ_SYS_TRACE_TOPIC,
  type TraceBean,
  type TraceContext,
  type TraceType,
} from "./trace/trace_data.ts";
export type { ConsumedMessage, Message, SendResult, SendStatus } from "./message.ts";
export {
  type LocalTransactionState,
  type MessageQueueSelector,
  Producer,
  type ProducerOptions,
  selectByHash,
  type TransactionListener,
  type TransactionSendResult,
} from "./producer.ts";
export { type ConsumeFromWhere, PushConsumer, type PushConsumerOptions } from "./push_consumer.ts";
export {
  type ConcurrentListener,
  type ConsumeConcurrentlyContext,
  ConsumeConcurrentlyStatus,
  type ConsumeOrderlyContext,
  ConsumeOrderlyStatus,
  isOrderlySuccess,
  type OrderlyListener,
} from "./consume_service.ts";
export { LitePullConsumer, type LitePullConsumerOptions } from "./lite_pull_consumer.ts";
export { allocateAveragely, allocateByCircle, type AllocateStrategy } from "./allocate.ts";
export type { MessageModel } from "./rebalance.ts";
export { MQClientInstance } from "./mq_client_instance.ts";
export type { MessageQueue } from "../protocol/bodies/message_queue.ts";
