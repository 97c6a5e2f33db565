/**
 * The timer rewrite and the broker's delay-level rewrite together: DELAY keeps winning (issue 5: "the 18 delay
 * levels keep working"). Kept apart from the service tests because it depends on broker code.
 */
import assert from "node:assert/strict";
import { applyDelayRewrite, parseDelayLevels } from "../../src/broker/message_factory.ts";
import { defaultTimerConfig } from "../../src/timer/timer_config.ts";
import { TIMER_TOPIC, transformTimerMessage } from "../../src/timer/timer_rewrite.ts";
import { openTimerStack, plainMsg, readQueue, waitFor, withRoot } from "./helpers.ts";

Deno.test("a message with a DELAY level and timer properties takes the delay-level path", async () => {
  await withRoot(async (root) => {
    const stack = await openTimerStack(root);
    try {
      const msg = plainMsg("T", 1, "leveled", { DELAY: "2", TIMER_DELAY_SEC: "1" });
      // The send path runs the timer rewrite first, then the delay-level rewrite.
      assert.equal(transformTimerMessage(msg, Date.now(), defaultTimerConfig()).action, "none");
      const levels = parseDelayLevels(stack.store.config.messageDelayLevel);
      assert.ok(applyDelayRewrite(msg, levels, levels.size, Date.now()));
      assert.equal((await stack.store.putMessage(msg)).status, "PUT_OK");
      await waitFor(() => stack.store.getMaxOffsetInQueue("SCHEDULE_TOPIC_XXXX", 1) === 1, 1000);
      const [parked] = await readQueue(stack.store, "SCHEDULE_TOPIC_XXXX", 1);
      assert.ok(parked);
      assert.equal(parked.properties["REAL_TOPIC"], "T");
      assert.equal(parked.properties["TIMER_DELAY_SEC"], undefined);
      assert.equal(stack.store.getMaxOffsetInQueue(TIMER_TOPIC, 0), 0);
      assert.equal(stack.timer.pendingCount(), 0);
    } finally {
      await stack.close();
    }
  });
});
