/**
 * The stored message record (store-and-semantics.md §1.2, remoting-protocol.md §6.1): one codec for the
 * commit log, pull bodies, query/view bodies and replication. Pure; never allocates a copy of a body.
 */

import { bodyCrc } from "./crc32.ts";
import type { HostAddress } from "./host.ts";
import type { MessageExt, MessageExtBrokerInner } from "./message.ts";
import {
  BLANK_MAGIC_CODE,
  MESSAGE_MAGIC_CODE,
  MESSAGE_MAGIC_CODE_V2,
  MessageSysFlag,
} from "./message_const.ts";
import { createOffsetMsgId } from "./msg_id.ts";
import { decodeProperties } from "./properties.ts";
import { decodeUtf8, utf8ByteLength, utf8Encoder } from "./utf8.ts";

/** Thrown by decodeRecord for a malformed record. */
export class MessageDecodeError extends Error {
  override name = "MessageDecodeError";
}

/** Longest topic a v1 record can carry (1-byte length). */
export const MAX_TOPIC_BYTES_V1 = 127;
/** Longest properties string a record can carry (signed short length). */
export const MAX_PROPERTIES_BYTES = 32767;
/** Size of the end-of-file blank marker (total size + magic). */
export const BLANK_RECORD_MIN_SIZE = 8;

// Fixed offsets that never shift with host lengths.
const OFF_MAGIC = 4;
const OFF_BODY_CRC = 8;
const OFF_QUEUE_ID = 12;
const OFF_FLAG = 16;
const OFF_QUEUE_OFFSET = 20;
const OFF_PHYSICAL_OFFSET = 28;
const OFF_SYS_FLAG = 36;
const OFF_BORN_TIMESTAMP = 40;
const OFF_BORN_HOST = 48;

/** Everything except the two hosts, body, topic and properties: 4·9 fixed ints/longs + lengths. */
const FIXED_WITHOUT_HOSTS = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 4 + 8 + 4 + 1 + 2;

function bornHostLength(sysFlag: number): number {
  return (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0 ? 20 : 8;
}

function storeHostLength(sysFlag: number): number {
  return (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) !== 0 ? 20 : 8;
}

/**
 * Total v1 record length; host lengths come from the V6 bits of `sysFlag`.
 *
 * @example calcRecordSize(5, 4, 0, 0) // 100 (91 + 5 + 4)
 */
export function calcRecordSize(
  bodyLength: number,
  topicByteLength: number,
  propertiesByteLength: number,
  sysFlag: number,
): number {
  return FIXED_WITHOUT_HOSTS + bornHostLength(sysFlag) + storeHostLength(sysFlag) + bodyLength +
    topicByteLength + propertiesByteLength;
}

/** `msg.sysFlag` with the V6 bits set to match the actual host address lengths. */
export function normalizedSysFlag(
  msg: Pick<MessageExtBrokerInner, "sysFlag" | "bornHost" | "storeHost">,
): number {
  let f = msg.sysFlag & ~(MessageSysFlag.BORNHOST_V6_FLAG | MessageSysFlag.STOREHOSTADDRESS_V6_FLAG);
  if (msg.bornHost.ip.length === 16) f |= MessageSysFlag.BORNHOST_V6_FLAG;
  if (msg.storeHost.ip.length === 16) f |= MessageSysFlag.STOREHOSTADDRESS_V6_FLAG;
  return f;
}

/** The record size `encodeRecord` will write for `msg` (measures topic and properties in UTF-8). */
export function recordSizeOf(msg: MessageExtBrokerInner): number {
  return calcRecordSize(
    msg.body.length,
    utf8ByteLength(msg.topic),
    utf8ByteLength(msg.propertiesString),
    normalizedSysFlag(msg),
  );
}

/** Why `msg` cannot be written as a v1 record, or null if it can. */
export function validateForRecord(msg: MessageExtBrokerInner): string | null {
  const topicLen = utf8ByteLength(msg.topic);
  if (topicLen === 0) return "Topic is empty";
  if (topicLen > MAX_TOPIC_BYTES_V1) {
    return `Topic "${msg.topic}" is ${topicLen} bytes long, more than ${MAX_TOPIC_BYTES_V1}`;
  }
  const propLen = utf8ByteLength(msg.propertiesString);
  if (propLen > MAX_PROPERTIES_BYTES) {
    return `Properties are ${propLen} bytes long, more than ${MAX_PROPERTIES_BYTES}`;
  }
  for (const [name, h] of [["born", msg.bornHost], ["store", msg.storeHost]] as const) {
    if (h.ip.length !== 4 && h.ip.length !== 16) return `The ${name} host address has ${h.ip.length} bytes`;
  }
  return null;
}

function writeHost(view: DataView, target: Uint8Array, pos: number, h: HostAddress): number {
  target.set(h.ip, pos);
  view.setInt32(pos + h.ip.length, h.port);
  return pos + h.ip.length + 4;
}

function setLong(view: DataView, pos: number, v: number): void {
  // Two int32 halves are much cheaper than BigInt for the common non-negative safe integers.
  view.setInt32(pos, Math.floor(v / 0x100000000));
  view.setUint32(pos + 4, v >>> 0);
}

function getLong(view: DataView, pos: number): number {
  return view.getInt32(pos) * 0x100000000 + view.getUint32(pos + 4);
}

/**
 * Writes `msg` as one v1 record into `target` at `at` and returns the bytes written. Computes the
 * masked body CRC, sets the V6 sysFlag bits from the host lengths, and uses `msg.storeTimestamp`
 * (or 0). The caller must have validated the message (`validateForRecord`) and made sure
 * `recordSizeOf(msg)` bytes fit; otherwise a RangeError is thrown.
 */
export function encodeRecord(
  msg: MessageExtBrokerInner,
  queueOffset: number,
  physicalOffset: number,
  target: Uint8Array,
  at: number,
): number {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  const sysFlag = normalizedSysFlag(msg);
  const body = msg.body;
  view.setInt32(at + OFF_MAGIC, MESSAGE_MAGIC_CODE);
  view.setInt32(at + OFF_BODY_CRC, bodyCrc(body));
  view.setInt32(at + OFF_QUEUE_ID, msg.queueId);
  view.setInt32(at + OFF_FLAG, msg.flag);
  setLong(view, at + OFF_QUEUE_OFFSET, queueOffset);
  setLong(view, at + OFF_PHYSICAL_OFFSET, physicalOffset);
  view.setInt32(at + OFF_SYS_FLAG, sysFlag);
  setLong(view, at + OFF_BORN_TIMESTAMP, msg.bornTimestamp);
  let pos = writeHost(view, target, at + OFF_BORN_HOST, msg.bornHost);
  setLong(view, pos, msg.storeTimestamp ?? 0);
  pos = writeHost(view, target, pos + 8, msg.storeHost);
  view.setInt32(pos, msg.reconsumeTimes);
  setLong(view, pos + 4, msg.preparedTransactionOffset);
  view.setInt32(pos + 12, body.length);
  pos += 16;
  target.set(body, pos);
  pos += body.length;

  const topic = utf8Encoder.encodeInto(msg.topic, target.subarray(pos + 1));
  if (topic.read !== msg.topic.length) throw new RangeError(`No room for topic "${msg.topic}" in the record`);
  target[pos] = topic.written;
  pos += 1 + topic.written;

  const props = utf8Encoder.encodeInto(msg.propertiesString, target.subarray(pos + 2));
  if (props.read !== msg.propertiesString.length) {
    throw new RangeError("No room for properties in the record");
  }
  view.setInt16(pos, props.written);
  pos += 2 + props.written;

  const size = pos - at;
  view.setInt32(at, size);
  return size;
}

/** Writes the end-of-file blank marker (total size `size`, blank magic) at `at`; needs 8 bytes. */
export function encodeBlankRecord(target: Uint8Array, at: number, size: number): void {
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  view.setInt32(at, size);
  view.setInt32(at + 4, BLANK_MAGIC_CODE);
}

function readHost(buf: Uint8Array, view: DataView, pos: number, len: number): HostAddress {
  const ipLen = len - 4;
  return { ip: buf.slice(pos, pos + ipLen), port: view.getInt32(pos + ipLen) };
}

/** Layout facts of one record gathered by a bounds-checked walk; null if inconsistent. */
interface RecordLayout {
  size: number;
  v2: boolean;
  sysFlag: number;
  bornHostLen: number;
  storeHostLen: number;
  bodyPos: number;
  bodyLen: number;
  topicPos: number;
  topicLen: number;
  propsPos: number;
  propsLen: number;
}

function walkRecord(view: DataView, at: number, size: number, magic: number): RecordLayout | string {
  const end = at + size;
  const v2 = magic === MESSAGE_MAGIC_CODE_V2;
  const sysFlag = view.getInt32(at + OFF_SYS_FLAG);
  const bornHostLen = bornHostLength(sysFlag);
  const storeHostLen = storeHostLength(sysFlag);
  const bodyLenPos = at + OFF_BORN_HOST + bornHostLen + 8 + storeHostLen + 4 + 8;
  if (bodyLenPos + 4 > end) return `total size ${size} is too small for the fixed fields`;
  const bodyLen = view.getInt32(bodyLenPos);
  const bodyPos = bodyLenPos + 4;
  if (bodyLen < 0 || bodyPos + bodyLen + (v2 ? 2 : 1) > end) {
    return `body length ${bodyLen} overruns the record`;
  }
  let topicPos = bodyPos + bodyLen;
  // Lengths are read unsigned so a 128..255-byte topic (5.x retry topics) still decodes.
  const topicLen = v2 ? view.getUint16(topicPos) : view.getUint8(topicPos);
  topicPos += v2 ? 2 : 1;
  const propsLenPos = topicPos + topicLen;
  if (propsLenPos + 2 > end) return `topic length ${topicLen} overruns the record`;
  const propsLen = view.getInt16(propsLenPos);
  const propsPos = propsLenPos + 2;
  if (propsLen < 0 || propsPos + propsLen !== end) {
    return `properties length ${propsLen} does not end at total size ${size}`;
  }
  return {
    size,
    v2,
    sysFlag,
    bornHostLen,
    storeHostLen,
    bodyPos,
    bodyLen,
    topicPos,
    topicLen,
    propsPos,
    propsLen,
  };
}

/** Smallest possible message record: IPv4 hosts, empty body, topic and properties. */
const MIN_RECORD_SIZE = calcRecordSize(0, 0, 0, 0);

/** Result of `checkRecordAt`. */
export interface RecordCheck {
  /**
   * "message": a whole valid record; "blank": the end-of-file marker (size = rest of the file);
   * "incomplete": `buf` ends before the record does (read more); "corrupt": bad magic, size, lengths or
   * CRC — including the zero bytes after the last record of a file (then size is 0).
   */
  kind: "message" | "blank" | "incomplete" | "corrupt";
  size: number;
}

/** Validates the record at `at` without decoding strings; used by recovery. */
export function checkRecordAt(buf: Uint8Array, at: number, checkCRC: boolean): RecordCheck {
  const avail = buf.length - at;
  if (avail < 8) return { kind: "incomplete", size: 0 };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const size = view.getInt32(at);
  const magic = view.getInt32(at + OFF_MAGIC);
  if (magic === BLANK_MAGIC_CODE) return { kind: "blank", size };
  if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2) {
    return { kind: "corrupt", size: size > 0 ? size : 0 };
  }
  if (size < MIN_RECORD_SIZE) return { kind: "corrupt", size: Math.max(size, 0) };
  if (avail < size) return { kind: "incomplete", size };
  const layout = walkRecord(view, at, size, magic);
  if (typeof layout === "string") return { kind: "corrupt", size };
  if (checkCRC && layout.bodyLen > 0) {
    const stored = view.getInt32(at + OFF_BODY_CRC);
    if (stored !== bodyCrc(buf, layout.bodyPos, layout.bodyPos + layout.bodyLen)) {
      return { kind: "corrupt", size };
    }
  }
  return { kind: "message", size };
}

/** Options for decodeRecord. */
export interface DecodeRecordOptions {
  /** Decode the body (default true); false leaves `body` empty. */
  readBody?: boolean;
  /** Verify BODYCRC (default false). */
  checkCRC?: boolean;
}

const EMPTY = new Uint8Array(0);

/**
 * Decodes the record at `at`; returns it and the offset just after it. The returned body is a
 * view into `buf` (no copy): copy it if `buf` will be reused. Throws MessageDecodeError.
 */
export function decodeRecord(
  buf: Uint8Array,
  at: number,
  opts: DecodeRecordOptions = {},
): [MessageExt, number] {
  if (at < 0 || buf.length - at < MIN_RECORD_SIZE) {
    throw new MessageDecodeError(`Record at ${at} is truncated: ${buf.length - at} bytes left`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const size = view.getInt32(at);
  const magic = view.getInt32(at + OFF_MAGIC);
  if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2) {
    throw new MessageDecodeError(`Record at ${at} has bad magic code "${(magic >>> 0).toString(16)}"`);
  }
  if (size < MIN_RECORD_SIZE || size > buf.length - at) {
    throw new MessageDecodeError(`Record at ${at} has bad total size "${size}"`);
  }
  const l = walkRecord(view, at, size, magic);
  if (typeof l === "string") throw new MessageDecodeError(`Record at ${at} is inconsistent: ${l}`);
  const bodyCRC = view.getInt32(at + OFF_BODY_CRC);
  if (opts.checkCRC && l.bodyLen > 0 && bodyCRC !== bodyCrc(buf, l.bodyPos, l.bodyPos + l.bodyLen)) {
    throw new MessageDecodeError(`Record at ${at} fails its body CRC check (stored "${bodyCRC}")`);
  }
  const storeTsPos = at + OFF_BORN_HOST + l.bornHostLen;
  const storeHost = readHost(buf, view, storeTsPos + 8, l.storeHostLen);
  const afterStoreHost = storeTsPos + 8 + l.storeHostLen;
  const commitLogOffset = getLong(view, at + OFF_PHYSICAL_OFFSET);
  const msg: MessageExt = {
    storeSize: size,
    bodyCRC,
    queueId: view.getInt32(at + OFF_QUEUE_ID),
    flag: view.getInt32(at + OFF_FLAG),
    queueOffset: getLong(view, at + OFF_QUEUE_OFFSET),
    commitLogOffset,
    sysFlag: l.sysFlag,
    bornTimestamp: getLong(view, at + OFF_BORN_TIMESTAMP),
    bornHost: readHost(buf, view, at + OFF_BORN_HOST, l.bornHostLen),
    storeTimestamp: getLong(view, storeTsPos),
    storeHost,
    reconsumeTimes: view.getInt32(afterStoreHost),
    preparedTransactionOffset: getLong(view, afterStoreHost + 4),
    body: opts.readBody === false ? EMPTY : buf.subarray(l.bodyPos, l.bodyPos + l.bodyLen),
    topic: decodeUtf8(buf, l.topicPos, l.topicPos + l.topicLen),
    properties: decodeProperties(decodeUtf8(buf, l.propsPos, l.propsPos + l.propsLen)),
    msgId: createOffsetMsgId(storeHost, commitLogOffset),
  };
  return [msg, at + size];
}

/**
 * Decodes a pull/query body (records back to back). Like the Java client, stops silently at the
 * first record that does not decode.
 */
export function decodeRecords(buf: Uint8Array, opts: DecodeRecordOptions = {}): MessageExt[] {
  const out: MessageExt[] = [];
  let at = 0;
  while (at < buf.length) {
    try {
      const [msg, next] = decodeRecord(buf, at, opts);
      out.push(msg);
      at = next;
    } catch {
      break;
    }
  }
  return out;
}
