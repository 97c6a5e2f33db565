import assert from "node:assert/strict";
import { createRequest, type RemotingCommand } from "../../src/remoting/command.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { pullStatusToCode, tagFilter } from "../../src/broker/processor/pull_message_processor.ts";
import { putStatusToResponse } from "../../src/broker/processor/send_message_processor.ts";
import { PullRequestHoldService } from "../../src/broker/long_polling/pull_request_hold_service.ts";
import type {
  GetMessageResult,
  GetMessageStatus,
  PutMessageResult,
} from "../../src/broker/broker_context.ts";
import type { BrokerChannel } from "../../src/broker/client_channel.ts";
import { javaStringHashCode } from "../../src/message/tags.ts";

function result(status: GetMessageStatus): GetMessageResult {
  return {
    status,
    nextBeginOffset: 0,
    minOffset: 0,
    maxOffset: 0,
    records: [],
    bufferTotalSize: 0,
    messageCount: 0,
    suggestPullingFromSlave: false,
    msgCount4Commercial: 0,
  };
}

Deno.test("pullStatusToCode() maps store statuses as upstream's PullMessageProcessor does", () => {
  const cases: Array<[GetMessageStatus, number, number]> = [
    ["FOUND", 5, ResponseCode.SUCCESS],
    ["NO_MATCHED_MESSAGE", 5, ResponseCode.PULL_RETRY_IMMEDIATELY],
    ["MESSAGE_WAS_REMOVING", 5, ResponseCode.PULL_RETRY_IMMEDIATELY],
    ["NO_MESSAGE_IN_QUEUE", 0, ResponseCode.PULL_NOT_FOUND],
    ["NO_MESSAGE_IN_QUEUE", 3, ResponseCode.PULL_OFFSET_MOVED],
    ["NO_MATCHED_LOGIC_QUEUE", 3, ResponseCode.PULL_OFFSET_MOVED],
    ["OFFSET_FOUND_NULL", 3, ResponseCode.PULL_NOT_FOUND],
    ["OFFSET_OVERFLOW_ONE", 3, ResponseCode.PULL_NOT_FOUND],
    ["OFFSET_OVERFLOW_BADLY", 3, ResponseCode.PULL_OFFSET_MOVED],
    ["OFFSET_TOO_SMALL", 3, ResponseCode.PULL_OFFSET_MOVED],
  ];
  for (const [status, offset, code] of cases) {
    assert.equal(pullStatusToCode(result(status), offset), code, status);
  }
});

Deno.test("putStatusToResponse() keeps the stored-but-degraded codes distinct from errors", () => {
  const put = (status: PutMessageResult["status"]): PutMessageResult => ({
    status,
    wroteOffset: 0,
    wroteBytes: 0,
    msgId: "",
    queueOffset: 0,
    msgNum: 0,
    storeTimestamp: 0,
  });
  assert.equal(putStatusToResponse(put("PUT_OK")).code, ResponseCode.SUCCESS);
  assert.equal(putStatusToResponse(put("FLUSH_DISK_TIMEOUT")).code, ResponseCode.FLUSH_DISK_TIMEOUT);
  assert.equal(putStatusToResponse(put("SLAVE_NOT_AVAILABLE")).code, ResponseCode.SLAVE_NOT_AVAILABLE);
  assert.equal(putStatusToResponse(put("SERVICE_NOT_AVAILABLE")).code, ResponseCode.SERVICE_NOT_AVAILABLE);
  assert.equal(putStatusToResponse(put("PROPERTIES_SIZE_EXCEEDED")).code, ResponseCode.MESSAGE_ILLEGAL);
  assert.equal(putStatusToResponse(put("UNKNOWN_ERROR")).code, ResponseCode.SYSTEM_ERROR);
});

Deno.test("tagFilter() matches tag hashes; '*' and '' match everything", () => {
  assert.ok(tagFilter("*").isMatchedByConsumeQueue(123));
  assert.ok(tagFilter("").isMatchedByConsumeQueue(0));
  const f = tagFilter("TagA || TagB");
  assert.ok(f.isMatchedByConsumeQueue(javaStringHashCode("TagB")));
  assert.ok(!f.isMatchedByConsumeQueue(javaStringHashCode("TagC")));
  assert.ok(!f.isMatchedByConsumeQueue(0));
});

Deno.test("PullRequestHoldService wakes a held pull only for a matching arrival, or at its deadline", () => {
  let now = 1000;
  let max = 5;
  const woken: RemotingCommand[] = [];
  const svc = new PullRequestHoldService(() => max, (_ch, req) => void woken.push(req), () => now);
  const channel = { closed: false } as BrokerChannel;
  const req = createRequest(11);
  svc.suspendPullRequest("T", 0, {
    request: req,
    channel,
    pullFromThisOffset: 5,
    suspendTimestamp: now,
    timeoutMillis: 15_000,
    filter: tagFilter("TagA"),
  });
  max = 6;
  svc.notifyMessageArriving("T", 0, 6, javaStringHashCode("TagB"));
  assert.equal(woken.length, 0, "a non-matching tag does not wake the pull");
  svc.notifyMessageArriving("T", 1, 6, javaStringHashCode("TagA"));
  assert.equal(woken.length, 0, "another queue does not wake the pull");
  svc.notifyMessageArriving("T", 0, 7, javaStringHashCode("TagA"));
  assert.equal(woken.length, 1);
  assert.equal(svc.size, 0);

  svc.suspendPullRequest("T", 0, {
    request: req,
    channel,
    pullFromThisOffset: 7,
    suspendTimestamp: now,
    timeoutMillis: 15_000,
    filter: tagFilter("*"),
  });
  max = 7;
  svc.notifyMessageArriving("T", 0, 7);
  assert.equal(woken.length, 1, "nothing new and not expired: keep holding");
  now += 15_000;
  svc.notifyMessageArriving("T", 0, 7);
  assert.equal(woken.length, 2, "expired: answered");
});
