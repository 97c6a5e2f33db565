import assert from "node:assert/strict";
import { MessageConst } from "../../src/message/message_const.ts";
import { toDeliveryMessage } from "../../src/timer/timer_delivery.ts";
import { TIMER_TOPIC } from "../../src/timer/timer_rewrite.ts";
import { DefaultMessageStore } from "../../src/store/message_store.ts";
import { TimerMessageService } from "../../src/timer/timer_message_service.ts";
import {
  bodyText,
  openTimerStack,
  readQueue,
  sendTimer,
  timerStoreConfig,
  waitFor,
  withRoot,
} from "./helpers.ts";

/** Lateness we promise under no load, plus a margin for a busy CI machine. */
const LATENESS_MS = 100;
const CI_MARGIN_MS = 60;

async function bodiesIn(
  store: Parameters<typeof readQueue>[0],
  topic: string,
  queues: number[],
): Promise<string[]> {
  const out: string[] = [];
  for (const q of queues) for (const m of await readQueue(store, topic, q)) out.push(bodyText(m));
  return out;
}

Deno.test("timers of 0.3 s, 2 s and 10 s arrive in order, never early and within 100 ms of their time", async () => {
  await withRoot(async (root) => {
    const { store, timer, close } = await openTimerStack(root);
    try {
      const arrivals: { body: string; at: number; outMs: number }[] = [];
      store.setMessageArrivingListener((topic, _q, _off, _tags, _ts, props) => {
        if (topic !== "T") return;
        arrivals.push({
          body: props["KEYS"] ?? "",
          at: Date.now(),
          outMs: Number(props[MessageConst.TIMER_OUT_MS]),
        });
      });
      // Sent in reverse order of delivery so queue order cannot explain the arrival order.
      await sendTimer(store, "T", 0, "10s", 10_000, { KEYS: "10s" });
      await sendTimer(store, "T", 0, "2s", 2_000, { KEYS: "2s" });
      await sendTimer(store, "T", 0, "0.3s", 300, { KEYS: "0.3s" });
      assert.ok(await waitFor(() => arrivals.length === 3, 12_000), `only ${arrivals.length} arrived`);
      assert.deepEqual(arrivals.map((a) => a.body), ["0.3s", "2s", "10s"]);
      for (const a of arrivals) {
        const late = a.at - a.outMs;
        console.log(`timer ${a.body}: ${late} ms late`);
        assert.ok(late >= 0, `${a.body} arrived ${-late} ms early`);
        assert.ok(late <= LATENESS_MS + CI_MARGIN_MS, `${a.body} arrived ${late} ms late`);
      }
      const got = await readQueue(store, "T", 0);
      assert.deepEqual(got.map(bodyText), ["0.3s", "2s", "10s"]);
      for (const m of got) {
        assert.equal(m.properties["REAL_TOPIC"], undefined);
        assert.equal(m.properties["REAL_QID"], undefined);
        assert.ok(m.properties["TIMER_ENQUEUE_MS"]);
        assert.ok(m.properties["TIMER_DEQUEUE_MS"]);
      }
      assert.equal(timer.pendingCount(), 0);
    } finally {
      await close();
    }
  });
});

Deno.test("timers pending across a clean restart fire once, including those due while the broker was down", async () => {
  await withRoot(async (root) => {
    let stack = await openTimerStack(root);
    const sent = [];
    try {
      for (const [i, d] of [150, 500, 900, 1200].entries()) {
        sent.push(await sendTimer(stack.store, "T", i % 2, `r${i}`, d));
      }
      await waitFor(() => stack.timer.pendingCount() === 4, 2000);
    } finally {
      await stack.close();
    }
    await new Promise((r) => setTimeout(r, 300));
    stack = await openTimerStack(root);
    try {
      assert.equal(stack.timer.pendingCount() + stack.timer.stats().delivered, 4);
      assert.ok(await waitFor(() => stack.timer.pendingCount() === 0, 3000));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual((await bodiesIn(stack.store, "T", [0, 1])).sort(), ["r0", "r1", "r2", "r3"]);
    } finally {
      await stack.close();
    }
    // A second restart finds nothing left to deliver.
    stack = await openTimerStack(root);
    try {
      assert.equal(stack.timer.pendingCount(), 0);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await bodiesIn(stack.store, "T", [0, 1])).length, 4);
    } finally {
      await stack.close();
    }
  });
});

Deno.test("after an unclean stop a timer whose delivery was already stored is not delivered again", async () => {
  await withRoot(async (root) => {
    // The first "run" parks two timers and stores A's delivery, then dies before recording it.
    const store = new DefaultMessageStore(timerStoreConfig(root));
    await store.start();
    let timer: TimerMessageService | null = null;
    try {
      await sendTimer(store, "T", 0, "A", 50);
      await sendTimer(store, "T", 0, "B", 60);
      await new Promise((r) => setTimeout(r, 100));
      const parkedA = await store.lookMessageByOffset(
        await store.getCommitLogOffsetInQueue(TIMER_TOPIC, 0, 0),
      );
      assert.ok(parkedA);
      const delivered = toDeliveryMessage(parkedA, Date.now());
      assert.ok(typeof delivered !== "string");
      assert.equal((await store.putMessage(delivered)).status, "PUT_OK");
      // No timer checkpoint but a non-empty timer queue: the service must assume an unclean stop.
      timer = new TimerMessageService(store, { storePathRootDir: root, timerWheelEnable: true });
      await timer.start();
      const t = timer;
      assert.ok(await waitFor(() => t.pendingCount() === 0, 2000));
      assert.deepEqual(await bodiesIn(store, "T", [0]), ["A", "B"]);
      assert.equal(t.stats().skippedAsDuplicate, 1);
      assert.equal(t.stats().delivered, 1);
    } finally {
      await timer?.shutdown();
      await store.shutdown();
    }
  });
});

/** Runs the crash-test child (fixtures/timer_child.ts) until it printed "SENT"; returns it still running. */
async function spawnChild(root: string, args: (string | number)[]): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-check",
      new URL("./fixtures/timer_child.ts", import.meta.url).pathname,
      root,
      ...args.map(String),
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("SENT")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  if (!text.includes("SENT")) {
    await child.status;
    throw new Error("The crash-test child did not finish sending");
  }
  return child;
}

/** Reopens the store after a crash, waits for every timer and checks each of `count` arrived exactly once. */
async function expectEachOnce(root: string, count: number): Promise<number> {
  const stack = await openTimerStack(root);
  try {
    const before = (await bodiesIn(stack.store, "T", [0, 1])).length;
    console.log(`${before} of ${count} timers were delivered before the crash`);
    assert.ok(await waitFor(() => stack.timer.pendingCount() === 0, 4000), "timers still pending");
    await new Promise((r) => setTimeout(r, 100));
    const bodies = await bodiesIn(stack.store, "T", [0, 1]);
    assert.equal(new Set(bodies).size, count, "a timer was lost");
    assert.equal(bodies.length, count, "a timer was delivered twice");
    return stack.timer.stats().skippedAsDuplicate;
  } finally {
    await stack.close();
  }
}

Deno.test("a broker killed with SIGKILL while delivering timers neither loses nor duplicates any", async () => {
  await withRoot(async (root) => {
    // Small batches and frequent snapshots, so the kill lands between snapshots, logs and puts.
    const child = await spawnChild(root, [400, 300, 1300, 16, 50]);
    // Kill it while roughly half of the timers have been delivered.
    await new Promise((r) => setTimeout(r, 700));
    child.kill("SIGKILL");
    await child.status;
    await expectEachOnce(root, 400);
  });
});

Deno.test("a broker killed after storing a delivery but before recording it does not deliver it again", async () => {
  await withRoot(async (root) => {
    // The child kills itself inside the store's dispatch of its 50th delivery.
    const child = await spawnChild(root, [200, 300, 600, 32, 65536, 50]);
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    const skipped = await expectEachOnce(root, 200);
    assert.ok(skipped >= 1, "the stored but unrecorded delivery was not recognised");
  });
});

Deno.test("a burst of 100k timers is enqueued quickly and each is delivered exactly once", async () => {
  await withRoot(async (root) => {
    const N = 100_000;
    const stack = await openTimerStack(root, {
      mappedFileSizeCommitLog: 64 * 1024 * 1024,
      mappedFileSizeConsumeQueue: 20 * 200_000,
      maxHashSlotNum: 200_000,
      maxIndexNum: 800_000,
      hotTailCacheBytes: 64 * 1024 * 1024,
    });
    try {
      const t0 = performance.now();
      for (let i = 0; i < N; i += 2000) {
        const sends = [];
        for (let j = i; j < Math.min(N, i + 2000); j++) {
          sends.push(sendTimer(stack.store, "T", j % 4, `b${j}`, 800 + (j % 500)));
        }
        await Promise.all(sends);
      }
      const enqueueMs = performance.now() - t0;
      assert.ok(await waitFor(() => stack.timer.pendingCount() + stack.timer.stats().delivered === N, 5000));
      console.log(
        `enqueued ${N} timers in ${enqueueMs.toFixed(0)} ms (${(N / enqueueMs * 1000).toFixed(0)}/s)`,
      );
      const t1 = performance.now();
      assert.ok(await waitFor(() => stack.timer.pendingCount() === 0, 20_000), "timers still pending");
      console.log(`last timer delivered ${(performance.now() - t1).toFixed(0)} ms after enqueueing ended`);
      await new Promise((r) => setTimeout(r, 50));
      let total = 0;
      for (const q of [0, 1, 2, 3]) total += stack.store.getMaxOffsetInQueue("T", q);
      assert.equal(total, N);
      const bodies = await bodiesIn(stack.store, "T", [0, 1, 2, 3]);
      assert.equal(new Set(bodies).size, N);
      assert.equal(stack.timer.stats().delivered, N);
    } finally {
      await stack.close();
    }
  });
});

Deno.test("a pending cancel request (TIMER_DEL_UNIQKEY) suppresses the timer it names", async () => {
  await withRoot(async (root) => {
    const stack = await openTimerStack(root);
    try {
      const target = await sendTimer(stack.store, "T", 0, "cancelled", 200);
      await sendTimer(stack.store, "T", 0, "kept", 200);
      await sendTimer(stack.store, "T", 0, "cancel-request", 200, { TIMER_DEL_UNIQKEY: target.uniqKey });
      assert.ok(
        await waitFor(() => stack.timer.pendingCount() === 0 && stack.timer.stats().delivered > 0, 2000),
      );
      assert.deepEqual(await bodiesIn(stack.store, "T", [0]), ["kept"]);
      assert.equal(stack.timer.stats().cancelled, 1);
    } finally {
      await stack.close();
    }
  });
});

Deno.test("a timer due beyond the roll window is written back to the timer topic and still fires once, on time", async () => {
  await withRoot(async (root) => {
    const store = new DefaultMessageStore(timerStoreConfig(root));
    await store.start();
    // A 150 ms roll window: a 500 ms timer is rolled (up to three times) before it is delivered.
    const timer = new TimerMessageService(store, {
      storePathRootDir: root,
      timerWheelEnable: true,
      timerRollWindowSlot: 1,
      timerPrecisionMs: 150,
    });
    try {
      await timer.start();
      let arrivedAt = 0;
      store.setMessageArrivingListener((topic) => {
        if (topic === "T") arrivedAt = Date.now();
      });
      const { deliverMs } = await sendTimer(store, "T", 0, "far", 500);
      assert.ok(await waitFor(() => arrivedAt > 0, 2000));
      assert.ok(arrivedAt >= deliverMs && arrivedAt - deliverMs <= LATENESS_MS + CI_MARGIN_MS);
      await new Promise((r) => setTimeout(r, 100));
      const got = await readQueue(store, "T", 0);
      assert.equal(got.length, 1);
      // Three rolls on time; fewer if the machine is slow enough that a roll lands late.
      const rolled = timer.stats().rolled;
      assert.ok(rolled >= 1 && rolled <= 3, `rolled ${rolled} times`);
      assert.equal(got[0]!.properties["TIMER_ROLL_TIMES"], String(rolled));
      assert.equal(store.getMaxOffsetInQueue(TIMER_TOPIC, 0), 1 + rolled);
      assert.equal(timer.stats().delivered, 1);
    } finally {
      await timer.shutdown();
      await store.shutdown();
    }
  });
});

Deno.test("start() refuses to run over a store that was not started instead of dropping pending timers", async () => {
  await withRoot(async (root) => {
    const stack = await openTimerStack(root);
    try {
      await sendTimer(stack.store, "T", 0, "later", 60_000);
      await waitFor(() => stack.timer.pendingCount() === 1, 1000);
    } finally {
      await stack.close();
    }
    const store = new DefaultMessageStore(timerStoreConfig(root));
    const timer = new TimerMessageService(store, { storePathRootDir: root, timerWheelEnable: true });
    await assert.rejects(() => timer.start(), /start the store first/);
    const again = await openTimerStack(root);
    try {
      assert.equal(again.timer.pendingCount(), 1);
    } finally {
      await again.close();
    }
  });
});
