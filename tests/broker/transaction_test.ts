import assert from "node:assert/strict";
import { createRequest, type RemotingCommand } from "../../src/remoting/command.ts";
import { encodeHeartbeatData } from "../../src/protocol/bodies/heartbeat.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { decodeOffsetMsgId } from "../../src/message/msg_id.ts";
import { MessageSysFlag } from "../../src/message/message_const.ts";
import { decodeRecords } from "../../src/message/record_codec.ts";
import {
  decodeCheckTransactionStateRequestHeader,
  encodeEndTransactionRequestHeader,
} from "../../src/protocol/headers/transaction.ts";
import { pullRequest, sendRequest, startBroker, waitFor } from "./helpers.ts";

Deno.test("a half message stays invisible until END_TRANSACTION commits it", async () => {
  const f = await startBroker();
  try {
    await f.client.invokeSync(f.addr, sendRequest("TxTopic", "seed"), 3000);
    const half = await f.client.invokeSync(
      f.addr,
      sendRequest("TxTopic", "tx", { TRAN_MSG: "true", PGROUP: "PG", UNIQ_KEY: "U" }, {
        sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE,
      }),
      3000,
    );
    assert.equal(half.code, ResponseCode.SUCCESS, half.remark);
    const before = await f.client.invokeSync(f.addr, pullRequest("G", "TxTopic", 0, 1), 3000);
    assert.equal(before.code, ResponseCode.PULL_NOT_FOUND);

    const end = createRequest(
      RequestCode.END_TRANSACTION,
      encodeEndTransactionRequestHeader({
        producerGroup: "PG",
        tranStateTableOffset: Number(half.extFields.queueOffset),
        commitLogOffset: decodeOffsetMsgId(half.extFields.msgId!).offset,
        commitOrRollback: MessageSysFlag.TRANSACTION_COMMIT_TYPE,
        msgId: "U",
      }),
    );
    await f.client.invokeOneway(f.addr, end);
    let got: Awaited<ReturnType<typeof f.client.invokeSync>> | undefined;
    await waitFor(async () => {
      got = await f.client.invokeSync(f.addr, pullRequest("G", "TxTopic", 0, 1), 3000);
      return got.code === ResponseCode.SUCCESS;
    });
    const [m] = decodeRecords(got!.body!);
    assert.equal(new TextDecoder().decode(m!.body), "tx");
    assert.equal(m!.sysFlag & 0xc, MessageSysFlag.TRANSACTION_COMMIT_TYPE);
    assert.equal(m!.properties.TRAN_MSG, undefined);
  } finally {
    await f.stop();
  }
});

Deno.test("an unresolved half message is checked back with its producer, which can then commit it", async () => {
  const f = await startBroker({ transactionTimeOut: 0, transactionCheckInterval: 50 });
  const checks: RemotingCommand[] = [];
  f.client.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, (req) => {
    checks.push(req);
    const h = decodeCheckTransactionStateRequestHeader(req.extFields);
    const [view] = decodeRecords(req.body!);
    assert.equal(view!.topic, "TxCheck");
    void f.client.invokeOneway(
      f.addr,
      createRequest(
        RequestCode.END_TRANSACTION,
        encodeEndTransactionRequestHeader({
          producerGroup: "PG",
          tranStateTableOffset: h.tranStateTableOffset,
          commitLogOffset: h.commitLogOffset,
          commitOrRollback: MessageSysFlag.TRANSACTION_COMMIT_TYPE,
          fromTransactionCheck: true,
          msgId: h.msgId ?? "",
        }),
      ),
    );
    return null;
  });
  try {
    const hb = encodeHeartbeatData({
      clientID: "tx-producer",
      producerDataSet: [{ groupName: "PG" }],
      consumerDataSet: [],
    });
    await f.client.invokeSync(f.addr, createRequest(RequestCode.HEART_BEAT, {}, hb), 3000);
    const half = await f.client.invokeSync(
      f.addr,
      sendRequest("TxCheck", "checked", { TRAN_MSG: "true", PGROUP: "PG", UNIQ_KEY: "U2" }, {
        sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE,
      }),
      3000,
    );
    assert.equal(half.code, ResponseCode.SUCCESS);
    await waitFor(async () => {
      const r = await f.client.invokeSync(f.addr, pullRequest("G", "TxCheck", 0, 0), 3000);
      return r.code === ResponseCode.SUCCESS;
    });
    assert.equal(checks[0]!.extFields.msgId, "U2");
    const seen = checks.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(checks.length, seen, "a resolved half is not checked again");
  } finally {
    await f.stop();
  }
});
