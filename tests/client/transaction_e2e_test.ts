/** Transactional sends against the real broker: commit, rollback, and the broker's check-back. */
import assert from "node:assert/strict";
import { startRealCluster } from "./e2e_helpers.ts";
import { waitFor } from "./scripted_broker.ts";
import { type LocalTransactionState, Producer } from "../../src/client/producer.ts";
import { PushConsumer } from "../../src/client/push_consumer.ts";
import type { ConsumedMessage } from "../../src/client/message.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("e2e: committed transactions are delivered and rolled-back ones are not", async () => {
  const cluster = await startRealCluster();
  const checked: string[] = [];
  const producer = new Producer({
    group: "TX_PG",
    namesrvAddr: cluster.namesrvAddr,
    transactionListener: {
      executeLocalTransaction: (msg): LocalTransactionState => {
        const body = dec(msg.body);
        return body === "commit" ? "COMMIT_MESSAGE" : body === "rollback" ? "ROLLBACK_MESSAGE" : "UNKNOW";
      },
      checkLocalTransaction: (msg) => {
        checked.push(dec(msg.body));
        return "COMMIT_MESSAGE";
      },
    },
  });
  const consumer = new PushConsumer({
    group: "TX_CG",
    namesrvAddr: cluster.namesrvAddr,
    consumeFromWhere: "CONSUME_FROM_FIRST_OFFSET",
  });
  const got: ConsumedMessage[] = [];
  try {
    await producer.start();
    const states = [];
    for (const body of ["rollback", "commit"]) {
      states.push(
        (await producer.sendMessageInTransaction({ topic: "TxTopic", body: enc(body) }))
          .localTransactionState,
      );
    }
    assert.deepEqual(states, ["ROLLBACK_MESSAGE", "COMMIT_MESSAGE"]);
    consumer.subscribe("TxTopic", "*");
    consumer.registerMessageListener((msgs) => {
      got.push(...msgs);
      return "CONSUME_SUCCESS";
    });
    await consumer.start();
    await waitFor(() => got.length >= 1, 10_000, "the committed message");
    // Give a wrongly delivered rolled-back message time to show up before judging.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(got.map((m) => dec(m.body)), ["commit"]);
    assert.equal(got[0]!.properties["TRAN_MSG"], undefined);
    assert.deepEqual(checked, []);
  } finally {
    await consumer.shutdown();
    await producer.shutdown();
    await cluster.close();
  }
});
