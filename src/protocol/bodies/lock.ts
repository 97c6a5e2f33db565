/** LOCK_BATCH_MQ / UNLOCK_BATCH_MQ bodies (remoting-protocol.md §5.6). */
import { parseJson } from "../../util/json.ts";
import { type MessageQueue, toMessageQueue } from "./message_queue.ts";

/** LockBatchRequestBody and UnlockBatchRequestBody share this shape. */
export interface LockBatchRequestBody {
  clientId: string;
  consumerGroup: string;
  mqSet: MessageQueue[];
  onlyThisBroker?: boolean;
}

/** Reads a lock/unlock request body; malformed queue entries are skipped. */
export function decodeLockBatchRequestBody(body: Uint8Array | undefined): LockBatchRequestBody {
  const o = parseJson(new TextDecoder().decode(body ?? new Uint8Array())) as Record<string, unknown>;
  const mqSet: MessageQueue[] = [];
  for (const v of Array.isArray(o.mqSet) ? o.mqSet : []) {
    const mq = toMessageQueue(v);
    if (mq) mqSet.push(mq);
  }
  return { clientId: String(o.clientId ?? ""), consumerGroup: String(o.consumerGroup ?? ""), mqSet };
}

/** Writes a lock/unlock request body. */
export function encodeLockBatchRequestBody(b: LockBatchRequestBody): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({ clientId: b.clientId, consumerGroup: b.consumerGroup, mqSet: b.mqSet }),
  );
}

/** Writes the LOCK_BATCH_MQ response body `{"lockOKMQSet":[...]}`. */
export function encodeLockBatchResponseBody(locked: MessageQueue[]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ lockOKMQSet: locked }));
}

/** Reads the LOCK_BATCH_MQ response body. */
export function decodeLockBatchResponseBody(body: Uint8Array | undefined): MessageQueue[] {
  if (!body || body.length === 0) return [];
  const o = parseJson(new TextDecoder().decode(body)) as Record<string, unknown>;
  const out: MessageQueue[] = [];
  for (const v of Array.isArray(o.lockOKMQSet) ? o.lockOKMQSet : []) {
    const mq = toMessageQueue(v);
    if (mq) out.push(mq);
  }
  return out;
}
