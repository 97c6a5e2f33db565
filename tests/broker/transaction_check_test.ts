/**
 * Transaction messages end to end over real sockets (store-and-semantics.md §9): commit, rollback, check-back
 * resolving either way, another producer of the group answering, the check limit, and a broker restart in the
 * middle of a check cycle.
 */
import assert from "node:assert/strict";
import { createRequest, type RemotingCommand } from "../../src/remoting/command.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { encodeHeartbeatData } from "../../src/protocol/bodies/heartbeat.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { decodeOffsetMsgId } from "../../src/message/msg_id.ts";
import { MessageSysFlag } from "../../src/message/message_const.ts";
import { decodeRecords } from "../../src/message/record_codec.ts";
import type { MessageExt } from "../../src/message/message.ts";
import {
  decodeCheckTransactionStateRequestHeader,
  encodeEndTransactionRequestHeader,
} from "../../src/protocol/headers/transaction.ts";
import { TRANS_CHECK_GROUP } from "../../src/broker/transaction/transaction_check_service.ts";
import { Producer } from "../../src/client/producer.ts";
import { startNamesrv } from "../namesrv/helpers.ts";
import { type BrokerFixture, pullRequest, sendRequest, startBroker, waitFor } from "./helpers.ts";

/** Fast check settings: a half is checked 200 ms after it was stored, passes run every 40 ms. */
const FAST = { transactionTimeOut: 200, transactionCheckInterval: 40 };
const { TRANSACTION_COMMIT_TYPE: COMMIT, TRANSACTION_ROLLBACK_TYPE: ROLLBACK } = MessageSysFlag;

type Answer = "commit" | "rollback" | "unknown";

/** A producer connection of group PG that answers CHECK_TRANSACTION_STATE with `answer()`. */
class TxProducer {
  readonly client = new RemotingClient({ name: "tx-producer" });
  readonly checks: { times: string | undefined; msg: MessageExt }[] = [];
  /** How long the producer takes to answer a check. */
  answerDelayMs = 0;
  readonly #answers: Promise<void>[] = [];

  constructor(readonly addr: string, readonly clientId: string, public answer: () => Answer) {
    this.client.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (req) => {
      const h = decodeCheckTransactionStateRequestHeader(req.extFields);
      const [msg] = decodeRecords(req.body!);
      this.checks.push({ times: msg!.properties.TRANSACTION_CHECK_TIMES, msg: msg! });
      const a = this.answer();
      if (a !== "unknown") {
        const type = a === "commit" ? COMMIT : ROLLBACK;
        this.#answers.push(
          sleep(this.answerDelayMs).then(() =>
            this.end(h.tranStateTableOffset, h.commitLogOffset, type, h.msgId ?? "").catch(() => {})
          ),
        );
      }
      return null;
    });
  }

  /** Registers the connection as a producer of PG. */
  async heartbeat(): Promise<void> {
    const hb = encodeHeartbeatData({
      clientID: this.clientId,
      producerDataSet: [{ groupName: "PG" }],
      consumerDataSet: [],
    });
    const r = await this.client.invokeSync(this.addr, createRequest(RequestCode.HEART_BEAT, {}, hb), 3000);
    assert.equal(r.code, ResponseCode.SUCCESS);
  }

  /** Sends a half message of topic `topic`; returns the send response. */
  async sendHalf(topic: string, body: string, uniq: string): Promise<RemotingCommand> {
    const r = await this.client.invokeSync(
      this.addr,
      sendRequest(topic, body, { TRAN_MSG: "true", PGROUP: "PG", UNIQ_KEY: uniq }, {
        sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE,
      }),
      3000,
    );
    assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
    return r;
  }

  /** Oneway END_TRANSACTION for the half at (queue offset, commitlog offset). */
  end(tranStateTableOffset: number, commitLogOffset: number, type: number, msgId: string): Promise<void> {
    return this.client.invokeOneway(
      this.addr,
      createRequest(
        RequestCode.END_TRANSACTION,
        encodeEndTransactionRequestHeader({
          producerGroup: "PG",
          tranStateTableOffset,
          commitLogOffset,
          commitOrRollback: type,
          fromTransactionCheck: true,
          msgId,
        }),
      ),
    );
  }

  /** END_TRANSACTION for the half a send response describes. */
  endHalf(sent: RemotingCommand, type: number, msgId: string): Promise<void> {
    return this.end(
      Number(sent.extFields.queueOffset),
      decodeOffsetMsgId(sent.extFields.msgId!).offset,
      type,
      msgId,
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.#answers);
    this.client.close();
    await this.client.closed();
  }
}

/** Every message of queue 0 of `topic`, through a plain pull. */
async function pullAll(f: BrokerFixture, topic: string): Promise<MessageExt[]> {
  const r = await f.client.invokeSync(f.addr, pullRequest("TxReader", topic, 0, 0), 3000);
  if (r.code !== ResponseCode.SUCCESS) return [];
  return decodeRecords(r.body!);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const text = (m: MessageExt) => new TextDecoder().decode(m.body);

Deno.test("END_TRANSACTION rollback discards a half message and it is never checked", async () => {
  // A longer timeout than FAST: on a slow machine the rollback could otherwise arrive after a due check.
  const f = await startBroker({ ...FAST, transactionTimeOut: 1000 });
  const p = new TxProducer(f.addr, "p1", () => "commit");
  try {
    await p.heartbeat();
    const sent = await p.sendHalf("TxRollback", "rolled back", "R1");
    await p.endHalf(sent, ROLLBACK, "R1");
    await sleep(1300);
    assert.deepEqual(await pullAll(f, "TxRollback"), []);
    assert.equal(p.checks.length, 0, "a rolled-back half is not checked");
  } finally {
    await p.close();
    await f.stop();
  }
});

Deno.test("an unknown transaction is checked back and committed by the producer's answer, once", async () => {
  const f = await startBroker(FAST);
  let answer: Answer = "unknown";
  const p = new TxProducer(f.addr, "p1", () => answer);
  try {
    await p.heartbeat();
    await p.sendHalf("TxCommitByCheck", "late commit", "C1");
    await waitFor(() => p.checks.length >= 2);
    assert.deepEqual(p.checks.slice(0, 2).map((c) => c.times), ["1", "2"], "each check raises the count");
    assert.equal(p.checks[0]!.msg.topic, "TxCommitByCheck", "the check shows the real topic");
    assert.deepEqual(await pullAll(f, "TxCommitByCheck"), [], "unknown keeps the message invisible");
    answer = "commit";
    await waitFor(async () => (await pullAll(f, "TxCommitByCheck")).length > 0);
    const checksAtCommit = p.checks.length;
    await sleep(500);
    const got = await pullAll(f, "TxCommitByCheck");
    assert.deepEqual(got.map(text), ["late commit"], "committed exactly once");
    assert.equal(got[0]!.sysFlag & 0xc, COMMIT);
    assert.equal(got[0]!.properties.UNIQ_KEY, "C1");
    assert.equal(p.checks.length, checksAtCommit, "a resolved half is not checked again");
  } finally {
    await p.close();
    await f.stop();
  }
});

Deno.test("an unknown transaction is checked back and rolled back by the producer's answer", async () => {
  const f = await startBroker(FAST);
  const p = new TxProducer(f.addr, "p1", () => "rollback");
  try {
    await p.heartbeat();
    await p.sendHalf("TxRollbackByCheck", "never seen", "RB1");
    await waitFor(() => p.checks.length >= 1);
    const seen = p.checks.length;
    await sleep(500);
    assert.equal(p.checks.length, seen, "no check after the rollback");
    assert.deepEqual(await pullAll(f, "TxRollbackByCheck"), []);
  } finally {
    await p.close();
    await f.stop();
  }
});

Deno.test("when the sending producer is gone another producer of the same group answers the check", async () => {
  const f = await startBroker(FAST);
  const gone = new TxProducer(f.addr, "gone", () => "rollback");
  const other = new TxProducer(f.addr, "other", () => "commit");
  try {
    await gone.heartbeat();
    await other.heartbeat();
    await gone.sendHalf("TxFailover", "answered by a peer", "F1");
    await gone.close();
    await waitFor(async () => (await pullAll(f, "TxFailover")).length > 0);
    assert.deepEqual((await pullAll(f, "TxFailover")).map(text), ["answered by a peer"]);
    assert.equal(gone.checks.length, 0);
    assert.ok(other.checks.length >= 1);
  } finally {
    await other.close();
    await f.stop();
  }
});

Deno.test("a half never resolved is moved to TRANS_CHECK_MAX_TIME_TOPIC after transactionCheckMax checks", async () => {
  const f = await startBroker({ ...FAST, transactionTimeOut: 0, transactionCheckMax: 3 });
  const p = new TxProducer(f.addr, "p1", () => "unknown");
  try {
    await p.heartbeat();
    await p.sendHalf("TxGiveUp", "abandoned", "G1");
    await waitFor(async () => (await pullAll(f, "TRANS_CHECK_MAX_TIME_TOPIC")).length > 0);
    const [aside] = await pullAll(f, "TRANS_CHECK_MAX_TIME_TOPIC");
    assert.equal(text(aside!), "abandoned");
    assert.equal(aside!.properties.REAL_TOPIC, "TxGiveUp");
    assert.equal(aside!.properties.TRANSACTION_CHECK_TIMES, "3");
    await sleep(200);
    assert.equal(p.checks.length, 3, "no check after the limit");
    assert.deepEqual(await pullAll(f, "TxGiveUp"), []);
  } finally {
    await p.close();
    await f.stop();
  }
});

Deno.test("check progress is kept as CID_RMQ_SYS_TRANS offsets and the op log is not re-read", async () => {
  const f = await startBroker({ ...FAST, transactionCheckInterval: 60_000 });
  const p = new TxProducer(f.addr, "p1", () => "commit");
  try {
    await p.heartbeat();
    for (let i = 0; i < 5; i++) {
      const sent = await p.sendHalf("TxProgress", `m${i}`, `P${i}`);
      await p.endHalf(sent, i % 2 === 0 ? COMMIT : ROLLBACK, `P${i}`);
    }
    await waitFor(() => f.broker.context.store.getMaxOffsetInQueue("RMQ_SYS_TRANS_OP_HALF_TOPIC", 0) === 5);
    const offsets = f.broker.context.consumerOffsetManager;
    // Drive one pass by hand (the periodic one is a minute away).
    await f.broker.transactionCheckService.check();
    assert.equal(offsets.queryOffset(TRANS_CHECK_GROUP, "RMQ_SYS_TRANS_HALF_TOPIC", 0), 5);
    assert.equal(offsets.queryOffset(TRANS_CHECK_GROUP, "RMQ_SYS_TRANS_OP_HALF_TOPIC", 0), 5);
    assert.equal(p.checks.length, 0);
  } finally {
    await p.close();
    await f.stop();
  }
});

Deno.test("a broker restart in the middle of a check cycle keeps the half, its check count and progress", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rmq-tx-restart-" });
  try {
    let f = await startBroker(FAST, {}, { dir });
    let p = new TxProducer(f.addr, "p1", () => "unknown");
    await p.heartbeat();
    const settled = await p.sendHalf("TxRestart", "settled", "S1");
    await p.endHalf(settled, ROLLBACK, "S1");
    await p.sendHalf("TxRestart", "survives", "S2");
    // On a slow machine the rolled-back half may be checked first (its rollback still on the way): wait
    // for the check of the one that survives.
    await waitFor(() => p.checks.some((c) => text(c.msg) === "survives"));
    await p.close();
    await f.stop();

    f = await startBroker(FAST, {}, { dir });
    p = new TxProducer(f.addr, "p1", () => "commit");
    try {
      await p.heartbeat();
      await waitFor(async () => (await pullAll(f, "TxRestart")).length > 0);
      await sleep(300);
      assert.deepEqual((await pullAll(f, "TxRestart")).map(text), ["survives"]);
      assert.ok(p.checks.every((c) => text(c.msg) === "survives"), "the rolled-back half stays resolved");
      assert.ok(Number(p.checks[0]!.times) >= 2, "the check count carried over the restart");
      const persisted = await Deno.readTextFile(`${dir}/config/consumerOffset.json`);
      assert.match(persisted, /RMQ_SYS_TRANS_HALF_TOPIC@CID_RMQ_SYS_TRANS/);
    } finally {
      await p.close();
      await f.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CHECK_IMMUNITY_TIME_IN_SECONDS delays the check of its half without holding up later halves", async () => {
  const f = await startBroker({ transactionTimeOut: 100, transactionCheckInterval: 40 });
  const p = new TxProducer(f.addr, "p1", () => "commit");
  try {
    await p.heartbeat();
    const sentAt = Date.now();
    const immune = await p.client.invokeSync(
      f.addr,
      sendRequest(
        "TxImmunity",
        "immune",
        { TRAN_MSG: "true", PGROUP: "PG", UNIQ_KEY: "I1", CHECK_IMMUNITY_TIME_IN_SECONDS: "1" },
        { sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE },
      ),
      3000,
    );
    assert.equal(immune.code, ResponseCode.SUCCESS);
    await p.sendHalf("TxImmunity", "plain", "I2");
    await waitFor(() => p.checks.length >= 1);
    assert.equal(text(p.checks[0]!.msg), "plain", "the later half is checked first");
    await waitFor(() => p.checks.some((c) => text(c.msg) === "immune"), 5000);
    const immuneCheckedAfter = Date.now() - sentAt;
    assert.ok(immuneCheckedAfter >= 950, `immune half checked after ${immuneCheckedAfter} ms`);
    await waitFor(async () => (await pullAll(f, "TxImmunity")).length >= 2);
    await sleep(300);
    assert.deepEqual((await pullAll(f, "TxImmunity")).map(text).sort(), ["immune", "plain"]);
  } finally {
    await p.close();
    await f.stop();
  }
});

Deno.test("a slow producer answering two checks of one transaction publishes the message once", async () => {
  const f = await startBroker({ transactionTimeOut: 100, transactionCheckInterval: 30 });
  const p = new TxProducer(f.addr, "slow", () => "commit");
  p.answerDelayMs = 350;
  try {
    await p.heartbeat();
    await p.sendHalf("TxSlowAnswer", "once", "D1");
    await waitFor(() => p.checks.length >= 2, 5000);
    await waitFor(async () => (await pullAll(f, "TxSlowAnswer")).length > 0);
    await sleep(700);
    assert.deepEqual((await pullAll(f, "TxSlowAnswer")).map(text), ["once"]);
  } finally {
    await p.close();
    await f.stop();
  }
});

Deno.test("a committed half carrying TIMER_DELAY_MS is delivered through the timer", async () => {
  const f = await startBroker();
  const p = new TxProducer(f.addr, "p1", () => "commit");
  try {
    await p.heartbeat();
    const sent = await p.client.invokeSync(
      f.addr,
      sendRequest("TxTimer", "timed", {
        TRAN_MSG: "true",
        PGROUP: "PG",
        UNIQ_KEY: "T1",
        TIMER_DELAY_MS: "400",
      }, {
        sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE,
      }),
      3000,
    );
    assert.equal(sent.code, ResponseCode.SUCCESS);
    const committedAt = Date.now();
    await p.endHalf(sent, COMMIT, "T1");
    await sleep(100);
    assert.deepEqual(await pullAll(f, "TxTimer"), [], "not visible before the timer fires");
    await waitFor(async () => (await pullAll(f, "TxTimer")).length > 0);
    assert.ok(Date.now() - committedAt >= 380);
    const [m] = await pullAll(f, "TxTimer");
    assert.equal(m!.sysFlag & 0xc, COMMIT);
  } finally {
    await p.close();
    await f.stop();
  }
});

Deno.test("the rmq client's transactional producer resolves UNKNOW transactions through check-back", async () => {
  const ns = await startNamesrv();
  const f = await startBroker({ ...FAST, namesrvAddr: ns.addr });
  const checked: string[] = [];
  const producer = new Producer({
    group: "TX_CLIENT_PG",
    namesrvAddr: ns.addr,
    transactionListener: {
      executeLocalTransaction: () => "UNKNOW",
      checkLocalTransaction: (msg) => {
        const body = new TextDecoder().decode(msg.body);
        checked.push(body);
        return body === "keep" ? "COMMIT_MESSAGE" : "ROLLBACK_MESSAGE";
      },
    },
  });
  try {
    await producer.start();
    for (const body of ["keep", "drop"]) {
      const r = await producer.sendMessageInTransaction({
        topic: "TxClient",
        body: new TextEncoder().encode(body),
      });
      assert.equal(r.localTransactionState, "UNKNOW");
    }
    const pullTopic = async () => {
      const all: string[] = [];
      for (let q = 0; q < 4; q++) {
        const r = await f.client.invokeSync(f.addr, pullRequest("TxReader", "TxClient", q, 0), 3000);
        if (r.code === ResponseCode.SUCCESS) all.push(...decodeRecords(r.body!).map(text));
      }
      return all;
    };
    await waitFor(async () => (await pullTopic()).length > 0 && checked.length >= 2);
    await sleep(400);
    const all = await pullTopic();
    assert.deepEqual(all, ["keep"]);
    assert.deepEqual([...new Set(checked)].sort(), ["drop", "keep"]);
  } finally {
    await producer.shutdown();
    await f.stop();
    await ns.dispose();
  }
});
