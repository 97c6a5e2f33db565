/**
 * Listener typing is part of the API: every listener below must type-check exactly as written, without
 * `as const` (`deno check` and `deno test` compile this file; a regression fails the build, not a run).
 * The listeners also run once, so the file documents what each form returns.
 *
 * One form cannot be supported by any declaration: an `async` listener whose only return is a bare
 * string literal. TypeScript widens a lone literal returned from an async function to `string` unless
 * the expected return type is exactly a `Promise<…>` (it does not look through `T | Promise<T>`), and a
 * sync listener then needs the opposite. Such listeners use the status constants or annotate their return.
 */
import assert from "node:assert/strict";
import {
  type ConcurrentListener,
  type ConsumeConcurrentlyContext,
  ConsumeConcurrentlyStatus,
  type ConsumeOrderlyContext,
  ConsumeOrderlyStatus,
  isOrderlySuccess,
  type OrderlyListener,
} from "../../src/client/consume_service.ts";
import type { ConsumedMessage } from "../../src/client/message.ts";
import type { PushConsumer } from "../../src/client/push_consumer.ts";

const mq = { topic: "T", brokerName: "broker-a", queueId: 0 };
const cctx = (): ConsumeConcurrentlyContext => ({
  messageQueue: mq,
  delayLevelWhenNextConsume: 0,
  ackIndex: -1,
});
const octx = (): ConsumeOrderlyContext => ({ messageQueue: mq, suspendCurrentQueueTimeMillis: 1000 });
const none: ConsumedMessage[] = [];

/** Stands in for registerMessageListener: the same parameter type gives the same contextual typing. */
const concurrently = (l: ConcurrentListener) => l(none, cctx());
/** Stands in for registerOrderlyListener. */
const orderly = (l: OrderlyListener) => l(none, octx());

Deno.test("async concurrent listeners type-check with upstream-style constants, several returns or an annotation", async () => {
  assert.equal(
    await concurrently(async () => {
      await Promise.resolve();
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    }),
    "CONSUME_SUCCESS",
  );
  assert.equal(
    await concurrently(async (msgs, ctx) => {
      await Promise.resolve();
      if (msgs.length > 0) return "CONSUME_SUCCESS";
      ctx.delayLevelWhenNextConsume = 3;
      return "RECONSUME_LATER";
    }),
    "RECONSUME_LATER",
  );
  assert.equal(
    await concurrently(async (): Promise<ConsumeConcurrentlyStatus> => {
      await Promise.resolve();
      return "CONSUME_SUCCESS";
    }),
    "CONSUME_SUCCESS",
  );
  const standalone: ConcurrentListener = async (_msgs, ctx) => {
    ctx.ackIndex = await Promise.resolve(0);
    return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
  };
  assert.equal(await concurrently(standalone), "CONSUME_SUCCESS");
});

Deno.test("sync concurrent listeners returning a bare status string type-check", async () => {
  assert.equal(await concurrently(() => "CONSUME_SUCCESS"), "CONSUME_SUCCESS");
  assert.equal(
    await concurrently((msgs) => {
      if (msgs.length > 0) return "CONSUME_SUCCESS";
      return "RECONSUME_LATER";
    }),
    "RECONSUME_LATER",
  );
  const standalone: ConcurrentListener = () => "RECONSUME_LATER";
  assert.equal(await concurrently(standalone), "RECONSUME_LATER");
});

Deno.test("orderly listeners accept upstream's SUCCESS and SUSPEND_CURRENT_QUEUE_A_MOMENT, and COMMIT/ROLLBACK as SUCCESS", async () => {
  assert.equal(await orderly(() => "SUCCESS"), "SUCCESS");
  assert.equal(await orderly(() => "SUSPEND_CURRENT_QUEUE_A_MOMENT"), "SUSPEND_CURRENT_QUEUE_A_MOMENT");
  assert.equal(await orderly(() => "COMMIT"), "COMMIT");
  assert.equal(await orderly(() => "ROLLBACK"), "ROLLBACK");
  assert.equal(
    await orderly(async () => {
      await Promise.resolve();
      return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
    }),
    "SUSPEND_CURRENT_QUEUE_A_MOMENT",
  );
  assert.deepEqual(
    (["SUCCESS", "COMMIT", "ROLLBACK", "SUSPEND_CURRENT_QUEUE_A_MOMENT"] as const).map(isOrderlySuccess),
    [true, true, true, false],
  );
});

Deno.test("listeners returning something else than a status do not type-check", () => {
  // @ts-expect-error: not a concurrent status
  concurrently(() => "CONSUME_LATER");
  // @ts-expect-error: an orderly status is not a concurrent one
  concurrently(() => "SUCCESS");
  // @ts-expect-error: a concurrent status is not an orderly one
  orderly(() => "CONSUME_SUCCESS");
});

/** Never called: checks that PushConsumer's registration methods give the same contextual typing. */
export function registrationTypeChecks(consumer: PushConsumer): void {
  consumer.registerMessageListener(() => "CONSUME_SUCCESS");
  consumer.registerMessageListener(async (msgs) => {
    await Promise.all(msgs.map((m) => Promise.resolve(m)));
    return ConsumeConcurrentlyStatus.RECONSUME_LATER;
  });
  consumer.registerOrderlyListener(() => "COMMIT");
  consumer.registerOrderlyListener(async () => {
    await Promise.resolve();
    return ConsumeOrderlyStatus.SUCCESS;
  });
}
