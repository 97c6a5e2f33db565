/**
 * The stored message record (store-and-semantics.md §1.2, remoting-protocol.md §6.1): one codec for the
 * commit log, pull bodies, query/view bodies and replication. Never awaits and never copies a body; the
 * only state is a few small caches that make decoding cheap (see readIpv4Host and readTopic).
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
import { utf8ByteLength, utf8Decoder, writeUtf8 } from "../util/utf8.ts";

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

/**
 * The record size `encodeRecord` will write for `msg` (measures topic and properties in UTF-8). The store
 * calls this for every put: utf8ByteLength measures an all-ASCII string (the usual case) by one native
 * regex scan and its `.length`, which is cheaper than a charCodeAt loop here.
 */
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
  const ip = h.ip;
  // Four byte stores beat a TypedArray.set() call for the common IPv4 address.
  if (ip.length === 4) {
    target[pos] = ip[0]!;
    target[pos + 1] = ip[1]!;
    target[pos + 2] = ip[2]!;
    target[pos + 3] = ip[3]!;
  } else target.set(ip, pos);
  view.setInt32(pos + ip.length, h.port);
  return pos + ip.length + 4;
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
 * The DataView of the last buffer encoded into or decoded from: the store encodes every record into the
 * same write buffer and decodeRecord callers often reread one buffer, so this saves an allocation per
 * record while keeping at most one extra buffer alive.
 */
let lastTarget: Uint8Array | null = null;
let lastView: DataView | null = null;

function viewOf(target: Uint8Array): DataView {
  if (target === lastTarget && lastView !== null) return lastView;
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  lastTarget = target;
  lastView = view;
  return view;
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
  const view = viewOf(target);
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

  const topicLen = writeUtf8(msg.topic, target, pos + 1);
  if (topicLen < 0) throw new RangeError(`No room for topic "${msg.topic}" in the record`);
  target[pos] = topicLen;
  pos += 1 + topicLen;

  const propsLen = writeUtf8(msg.propertiesString, target, pos + 2);
  if (propsLen < 0) throw new RangeError("No room for properties in the record");
  view.setInt16(pos, propsLen);
  pos += 2 + propsLen;

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

/** A decoded IPv4 host and, once needed, its offset-msgId prefix (ip ‖ port in hex). */
interface CachedHost {
  host: HostAddress;
  msgIdPrefix: string | null;
}

/**
 * Decoded IPv4 hosts by ip × 2^16 + port. A pull body or a commitlog scan names the same few producers
 * and one store host over and over, and allocating a Uint8Array costs more than the rest of the record's
 * fixed fields together; so equal hosts decode to one shared, read-only HostAddress.
 */
const ipv4Hosts = new Map<number, CachedHost>();
const IPV4_HOSTS_MAX = 4096;

function readIpv4Host(buf: Uint8Array, view: DataView, pos: number): CachedHost {
  const port = view.getInt32(pos + 4);
  // 32-bit address times 2^16 plus a 16-bit port stays a safe integer; other ports skip the cache.
  const key = (port & 0xffff) === port ? view.getUint32(pos) * 0x10000 + port : -1;
  let cached = key < 0 ? undefined : ipv4Hosts.get(key);
  if (cached === undefined) {
    cached = { host: { ip: buf.slice(pos, pos + 4), port }, msgIdPrefix: null };
    if (key >= 0) {
      if (ipv4Hosts.size >= IPV4_HOSTS_MAX) ipv4Hosts.clear();
      ipv4Hosts.set(key, cached);
    }
  }
  return cached;
}

function readHost(buf: Uint8Array, view: DataView, pos: number, len: number): HostAddress {
  if (len === 8) return readIpv4Host(buf, view, pos).host;
  const ipLen = len - 4;
  return { ip: buf.slice(pos, pos + ipLen), port: view.getInt32(pos + ipLen) };
}

const HEX_DIGITS = "0123456789ABCDEF";
const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!);

function hex32(v: number): string {
  return BYTE_HEX[v >>> 24]! + BYTE_HEX[(v >>> 16) & 255]! + BYTE_HEX[(v >>> 8) & 255]! + BYTE_HEX[v & 255]!;
}

/** Same text as `createOffsetMsgId`, but the cached host keeps its hex prefix so only the offset is formatted. */
function ipv4OffsetMsgId(cached: CachedHost, offset: number): string {
  const prefix = cached.msgIdPrefix ??= hex32(
    (cached.host.ip[0]! << 24) | (cached.host.ip[1]! << 16) | (cached.host.ip[2]! << 8) | cached.host.ip[3]!,
  ) + hex32(cached.host.port);
  return prefix + hex32(Math.floor(offset / 0x100000000)) + hex32(offset >>> 0);
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
 * Longest ASCII run decoded by a fromCharCode loop; from about this length on the TextDecoder call
 * overhead is repaid (measured on Deno 2.9 / V8).
 */
const ASCII_DIRECT_MAX = 16;

/**
 * The last decoded topic and its bytes: records read together nearly always share the topic, so a byte
 * compare replaces a decode. The bytes live in one reused buffer (a v2 length is at most 65535).
 */
let lastTopic = "";
let lastTopicLen = 0;
let lastTopicBytes = new Uint8Array(256);

function readTopic(buf: Uint8Array, start: number, len: number): string {
  if (len === lastTopicLen) {
    let i = 0;
    while (i < len && buf[start + i] === lastTopicBytes[i]) i++;
    if (i === len) return lastTopic;
  }
  const topic = readUtf8(buf, start, len);
  if (len > lastTopicBytes.length) lastTopicBytes = new Uint8Array(len);
  for (let i = 0; i < len; i++) lastTopicBytes[i] = buf[start + i]!;
  lastTopic = topic;
  lastTopicLen = len;
  return topic;
}

/** Decodes `len` bytes at `start` as UTF-8 (bad bytes become U+FFFD, as in Java). */
function readUtf8(buf: Uint8Array, start: number, len: number): string {
  if (len === 0) return "";
  if (len <= ASCII_DIRECT_MAX) {
    let s = "";
    for (let i = start; i < start + len; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return utf8Decoder.decode(buf.subarray(start, start + len));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8Decoder.decode(buf.subarray(start, start + len));
}

function decodeAt(buf: Uint8Array, view: DataView, at: number, opts: DecodeRecordOptions): MessageExt {
  if (at < 0 || buf.length - at < MIN_RECORD_SIZE) {
    throw new MessageDecodeError(`Record at ${at} is truncated: ${buf.length - at} bytes left`);
  }
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
  const afterStoreHost = storeTsPos + 8 + l.storeHostLen;
  const commitLogOffset = getLong(view, at + OFF_PHYSICAL_OFFSET);
  let storeHost: HostAddress;
  let msgId: string;
  if (l.storeHostLen === 8) {
    const cached = readIpv4Host(buf, view, storeTsPos + 8);
    storeHost = cached.host;
    msgId = ipv4OffsetMsgId(cached, commitLogOffset);
  } else {
    storeHost = readHost(buf, view, storeTsPos + 8, l.storeHostLen);
    msgId = createOffsetMsgId(storeHost, commitLogOffset);
  }
  return {
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
    topic: readTopic(buf, l.topicPos, l.topicLen),
    properties: decodeProperties(readUtf8(buf, l.propsPos, l.propsLen)),
    msgId,
  };
}

/**
 * Decodes the record at `at`; returns it and the offset just after it. The returned body is a
 * view into `buf` (no copy): copy it if `buf` will be reused. IPv4 hosts are shared between decoded
 * records (treat them as read-only). Throws MessageDecodeError.
 */
export function decodeRecord(
  buf: Uint8Array,
  at: number,
  opts: DecodeRecordOptions = {},
): [MessageExt, number] {
  const msg = decodeAt(buf, viewOf(buf), at, opts);
  return [msg, at + msg.storeSize];
}

/**
 * Decodes a pull/query body (records back to back). Like the Java client, stops silently at the
 * first record that does not decode.
 */
export function decodeRecords(buf: Uint8Array, opts: DecodeRecordOptions = {}): MessageExt[] {
  const out: MessageExt[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  while (at < buf.length) {
    try {
      const msg = decodeAt(buf, view, at, opts);
      out.push(msg);
      at += msg.storeSize;
    } catch {
      break;
    }
  }
  return out;
}
