/**
 * END_TRANSACTION (37): commits or rolls back a half message (remoting-protocol.md §9.10). A commit
 * re-stores the half record into its real topic/queue with transaction type COMMIT; both outcomes
 * are recorded with the check service so the half is never checked again.
 */
import { createResponse, type RemotingCommand } from "../../remoting/command.ts";
import { ResponseCode } from "../../remoting/response_code.ts";
import { decodeEndTransactionRequestHeader } from "../../protocol/headers/transaction.ts";
import { MessageConst, MessageSysFlag, resetTransactionValue } from "../../message/message_const.ts";
import type { BrokerContext, PutMessageStatus } from "../broker_context.ts";
import { innerFromStored } from "../message_factory.ts";
import { SystemTopics } from "../topic_validator.ts";
import { applyDeliveryRewrites } from "../delivery_rewrite.ts";
import { putStatusToResponse } from "./send_message_processor.ts";
import type { TransactionCheckService } from "../transaction/transaction_check_service.ts";
import { getLogger } from "../../log/logger.ts";

const log = getLogger("broker");

/** Put outcomes after which the committed message exists (store-and-semantics.md §9.3). */
const STORED: ReadonlySet<PutMessageStatus> = new Set<PutMessageStatus>([
  "PUT_OK",
  "FLUSH_DISK_TIMEOUT",
  "FLUSH_SLAVE_TIMEOUT",
  "SLAVE_NOT_AVAILABLE",
]);

export class EndTransactionProcessor {
  constructor(private readonly ctx: BrokerContext, private readonly checks: TransactionCheckService) {}

  /** The RequestProcessor for code 37. */
  async process(req: RemotingCommand): Promise<RemotingCommand | null> {
    const { ctx } = this;
    const h = decodeEndTransactionRequestHeader(req.extFields);
    if (ctx.storeConfig.brokerRole === "SLAVE") {
      return createResponse(
        req,
        ResponseCode.SLAVE_NOT_AVAILABLE,
        "Slave broker can not handle transaction messages",
      );
    }
    if (h.commitOrRollback === MessageSysFlag.TRANSACTION_NOT_TYPE) return null;
    const half = await ctx.store.lookMessageByOffset(h.commitLogOffset);
    if (!half || half.topic !== SystemTopics.TRANS_HALF_TOPIC) {
      return createResponse(req, ResponseCode.SYSTEM_ERROR, "Find prepared transaction message failed");
    }
    if (half.properties[MessageConst.PGROUP] !== h.producerGroup) {
      return createResponse(req, ResponseCode.SYSTEM_ERROR, "The producer group wrong");
    }
    if (half.queueOffset !== h.tranStateTableOffset || half.commitLogOffset !== h.commitLogOffset) {
      return createResponse(
        req,
        ResponseCode.SYSTEM_ERROR,
        "The transaction state table offset or commit log offset wrong",
      );
    }
    if (this.checks.wasResolved(half)) {
      // A late answer to an earlier check of the same transaction: settle this copy, publish nothing.
      log.debug(`Transaction ${h.msgId} was already resolved; ignoring a repeated answer`);
      await this.checks.markResolved(half);
      return createResponse(req, ResponseCode.SUCCESS);
    }
    if (h.commitOrRollback === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      log.debug(`Transaction ${h.msgId} rolled back`);
      await this.checks.markResolved(half);
      return createResponse(req, ResponseCode.SUCCESS);
    }
    const props = { ...half.properties };
    const topic = props[MessageConst.REAL_TOPIC] ?? half.topic;
    const queueId = Number(props[MessageConst.REAL_QID] ?? half.queueId);
    delete props[MessageConst.REAL_TOPIC];
    delete props[MessageConst.REAL_QID];
    delete props[MessageConst.TRAN_MSG];
    props[MessageConst.WAIT] = "false";
    const msg = innerFromStored(half, topic, Number.isFinite(queueId) ? queueId : 0, props, ctx.storeHost);
    msg.sysFlag = resetTransactionValue(half.sysFlag, MessageSysFlag.TRANSACTION_COMMIT_TYPE);
    msg.preparedTransactionOffset = half.commitLogOffset;
    // A committed message is delivered like a plain send: its timer or delay level applies now.
    const refused = applyDeliveryRewrites(msg, ctx);
    if (refused) return createResponse(req, ResponseCode.MESSAGE_ILLEGAL, refused.remark);
    const put = await ctx.store.putMessage(msg);
    if (STORED.has(put.status)) {
      // The commit is written (only its flush or replication lagged): the half must never publish again.
      await this.checks.markResolved(half);
      return createResponse(req, ResponseCode.SUCCESS);
    }
    const { code, remark } = putStatusToResponse(put);
    return createResponse(req, code, remark);
  }
}
