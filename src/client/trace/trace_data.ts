/**
 * Message trace records in upstream's text form (TraceDataEncoder, remoting-protocol.md §9.16): one
 * record per traced message, fields separated by U+0001 and records terminated by U+0002, many records
 * per trace message body. Pure: no I/O.
 *
 * Record layouts (field order is the contract):
 * - Pub: type, timeStamp, regionId, groupName, topic, msgId, tags, keys, storeHost, bodyLength, costTime,
 *   msgType ordinal, offsetMsgId, success [, clientHost]
 * - SubBefore: type, timeStamp, regionId, groupName, requestId, msgId, retryTimes, keys
 * - SubAfter: type, requestId, msgId, costTime, success, keys [, contextCode [, timeStamp [, groupName]]]
 *   (4.9.x writes all nine; older clients stop after keys, contextCode or timeStamp)
 * - EndTransaction: type, timeStamp, regionId, groupName, topic, msgId, tags, keys, storeHost, msgType
 *   ordinal, transactionId, transactionState, fromTransactionCheck
 */

/** Separates the fields of one record. */
export const CONTENT_SPLITOR = "\u0001";
/** Ends each record. */
export const FIELD_SPLITOR = "\u0002";
/** The default trace topic. */
export const RMQ_SYS_TRACE_TOPIC = "RMQ_SYS_TRACE_TOPIC";

/** The kinds of trace records. */
export type TraceType = "Pub" | "SubBefore" | "SubAfter" | "EndTransaction";

/** Upstream MessageType, by ordinal as records carry it. */
export const MessageType = [
  "Normal_Msg",
  "Trans_Msg_Half",
  "Trans_msg_Commit",
  "Delay_Msg",
  "Order_Msg",
] as const;

/** Upstream ConsumeReturnType ordinals (SubAfter contextCode). */
export const ConsumeReturnType = { SUCCESS: 0, TIME_OUT: 1, EXCEPTION: 2, RETURNNULL: 3, FAILED: 4 } as const;

/** One traced message. */
export interface TraceBean {
  topic: string;
  /** The client msgId (UNIQ_KEY). */
  msgId: string;
  offsetMsgId: string;
  tags: string;
  keys: string;
  /** Broker address the message was sent to. */
  storeHost: string;
  clientHost: string;
  bodyLength: number;
  /** Ordinal into MessageType. */
  msgType: number;
  retryTimes: number;
  transactionId: string;
  transactionState: string;
  fromTransactionCheck: boolean;
}

/** One trace event about one or more messages. */
export interface TraceContext {
  traceType: TraceType;
  timeStamp: number;
  regionId: string;
  groupName: string;
  costTime: number;
  success: boolean;
  /** Links a SubBefore to its SubAfter. */
  requestId: string;
  /** ConsumeReturnType ordinal (SubAfter). */
  contextCode: number;
  traceBeans: TraceBean[];
}

/** A blank bean, for building contexts field by field. */
export function emptyTraceBean(): TraceBean {
  return {
    topic: "",
    msgId: "",
    offsetMsgId: "",
    tags: "",
    keys: "",
    storeHost: "",
    clientHost: "",
    bodyLength: 0,
    msgType: 0,
    retryTimes: 0,
    transactionId: "",
    transactionState: "",
    fromTransactionCheck: false,
  };
}

/** A context with neutral values, for building contexts field by field. */
export function emptyTraceContext(traceType: TraceType): TraceContext {
  return {
    traceType,
    timeStamp: 0,
    regionId: "",
    groupName: "",
    costTime: 0,
    success: true,
    requestId: "",
    contextCode: 0,
    traceBeans: [],
  };
}

/** What one context contributes to a trace message: its records and the keys to index it by. */
export interface EncodedTrace {
  data: string;
  /** msgId and, when present, the keys of every bean. */
  keys: string[];
}

function record(fields: ReadonlyArray<string | number | boolean>): string {
  return fields.join(CONTENT_SPLITOR) + FIELD_SPLITOR;
}

/**
 * Encodes a context as upstream's encoderFromContextBean does (Pub and EndTransaction use the first
 * bean; the Sub types write one record per bean).
 *
 * @example
 * ```ts
 * const ctx = { ...emptyTraceContext("Pub"), traceBeans: [{ ...emptyTraceBean(), msgId: "ID" }] };
 * encodeTraceContext(ctx).keys; // ["ID"]
 * ```
 */
export function encodeTraceContext(ctx: TraceContext): EncodedTrace {
  let data = "";
  const first = ctx.traceBeans[0];
  switch (ctx.traceType) {
    case "Pub":
      if (first) {
        data = record([
          "Pub",
          ctx.timeStamp,
          ctx.regionId,
          ctx.groupName,
          first.topic,
          first.msgId,
          first.tags,
          first.keys,
          first.storeHost,
          first.bodyLength,
          ctx.costTime,
          first.msgType,
          first.offsetMsgId,
          ctx.success,
        ]);
      }
      break;
    case "SubBefore":
      for (const b of ctx.traceBeans) {
        data += record([
          "SubBefore",
          ctx.timeStamp,
          ctx.regionId,
          ctx.groupName,
          ctx.requestId,
          b.msgId,
          b.retryTimes,
          b.keys,
        ]);
      }
      break;
    case "SubAfter":
      for (const b of ctx.traceBeans) {
        data += record([
          "SubAfter",
          ctx.requestId,
          b.msgId,
          ctx.costTime,
          ctx.success,
          b.keys,
          ctx.contextCode,
          ctx.timeStamp,
          ctx.groupName,
        ]);
      }
      break;
    case "EndTransaction":
      if (first) {
        data = record([
          "EndTransaction",
          ctx.timeStamp,
          ctx.regionId,
          ctx.groupName,
          first.topic,
          first.msgId,
          first.tags,
          first.keys,
          first.storeHost,
          first.msgType,
          first.transactionId,
          first.transactionState,
          first.fromTransactionCheck,
        ]);
      }
      break;
  }
  const keys: string[] = [];
  for (const b of ctx.traceBeans) {
    keys.push(b.msgId);
    if (b.keys.length > 0) keys.push(b.keys);
  }
  return { data, keys };
}

const int = (s: string | undefined): number => {
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
};
const bool = (s: string | undefined): boolean => s?.toLowerCase() === "true";

/**
 * Decodes a trace message body into contexts of one bean each (upstream decoderFromTraceDataString).
 * Records of unknown types or too short to read are skipped, never thrown on: the body comes from
 * the network.
 *
 * @example
 * ```ts
 * const [pub] = decodeTraceRecords("Pub\u00011\u0001r\u0001g\u0001T\u0001ID\u0001\u0001\u0001h\u00011\u00012\u00010\u0001OID\u0001true\u0002");
 * pub!.traceBeans[0]!.msgId; // "ID"
 * ```
 */
export function decodeTraceRecords(text: string): TraceContext[] {
  const out: TraceContext[] = [];
  for (const rec of text.split(FIELD_SPLITOR)) {
    if (rec.length === 0) continue;
    const f = rec.split(CONTENT_SPLITOR);
    const at = (i: number) => f[i] ?? "";
    const bean = emptyTraceBean();
    switch (f[0]) {
      case "Pub": {
        if (f.length < 12) continue;
        const ctx = emptyTraceContext("Pub");
        ctx.timeStamp = int(f[1]);
        ctx.regionId = at(2);
        ctx.groupName = at(3);
        bean.topic = at(4);
        bean.msgId = at(5);
        bean.tags = at(6);
        bean.keys = at(7);
        bean.storeHost = at(8);
        bean.bodyLength = int(f[9]);
        ctx.costTime = int(f[10]);
        bean.msgType = int(f[11]);
        if (f.length === 13) {
          ctx.success = bool(f[12]);
        } else if (f.length >= 14) {
          bean.offsetMsgId = at(12);
          ctx.success = bool(f[13]);
          if (f.length >= 15) bean.clientHost = at(14);
        }
        ctx.traceBeans.push(bean);
        out.push(ctx);
        break;
      }
      case "SubBefore": {
        if (f.length < 8) continue;
        const ctx = emptyTraceContext("SubBefore");
        ctx.timeStamp = int(f[1]);
        ctx.regionId = at(2);
        ctx.groupName = at(3);
        ctx.requestId = at(4);
        bean.msgId = at(5);
        bean.retryTimes = int(f[6]);
        bean.keys = at(7);
        ctx.traceBeans.push(bean);
        out.push(ctx);
        break;
      }
      case "SubAfter": {
        if (f.length < 6) continue;
        const ctx = emptyTraceContext("SubAfter");
        ctx.requestId = at(1);
        bean.msgId = at(2);
        ctx.costTime = int(f[3]);
        ctx.success = bool(f[4]);
        bean.keys = at(5);
        if (f.length >= 7) ctx.contextCode = int(f[6]);
        if (f.length >= 8) ctx.timeStamp = int(f[7]);
        if (f.length >= 9) ctx.groupName = at(8);
        ctx.traceBeans.push(bean);
        out.push(ctx);
        break;
      }
      case "EndTransaction": {
        if (f.length < 13) continue;
        const ctx = emptyTraceContext("EndTransaction");
        ctx.timeStamp = int(f[1]);
        ctx.regionId = at(2);
        ctx.groupName = at(3);
        bean.topic = at(4);
        bean.msgId = at(5);
        bean.tags = at(6);
        bean.keys = at(7);
        bean.storeHost = at(8);
        bean.msgType = int(f[9]);
        bean.transactionId = at(10);
        bean.transactionState = at(11);
        bean.fromTransactionCheck = bool(f[12]);
        ctx.traceBeans.push(bean);
        out.push(ctx);
        break;
      }
      default:
        continue;
    }
  }
  return out;
}
