/**
 * Pure encoder/decoder for one remoting frame (remoting-protocol.md §1.2–§1.4): the 4-byte total length,
 * the header word (serialize type + header length), a JSON or ROCKETMQ-binary header, and the body.
 *
 * Nothing here does I/O or awaits; the frame decoder and the connections build on it.
 */

import {
  type ExtFields,
  LANGUAGE_NAMES,
  type LanguageCode,
  type RemotingCommand,
  SerializeType,
} from "./command.ts";
import { RemotingCodecError } from "./errors.ts";
import { allocBuffer, commitBuffer, reserveBuffer } from "./slab.ts";
import { decodeJsonHeaderFast, jsonHeaderText } from "./json_header.ts";
import { type JsonValue, parseJson, stringifyJson } from "../util/json.ts";
import { decodeUtf8, utf8ByteLength, utf8Decoder, utf8Encoder, writeUtf8 } from "../util/utf8.ts";

/** Largest header length the 24-bit field of the header word can carry. */
export const MAX_HEADER_LENGTH = 0xffffff;

/** Size of the fixed part of a ROCKETMQ binary header (§1.4). */
const BINARY_FIXED_LENGTH = 21;

const LANGUAGE_BYTES = new Map<string, number>(LANGUAGE_NAMES.map((name, i) => [name, i]));
const OTHER_BYTE = LANGUAGE_BYTES.get("OTHER") ?? 7;

/**
 * Encodes a command as a complete frame, length field included, ready for the socket. The header form is
 * taken from `cmd.serializeType`; the body is copied exactly once, into the returned buffer. Small frames
 * are carved from a shared slab (see slab.ts): address them through their `byteOffset`.
 *
 * @example
 * ```ts
 * import { createRequest } from "./command.ts";
 * const frame = encodeCommand(createRequest(105, { topic: "T1" }));
 * new DataView(frame.buffer, frame.byteOffset).getInt32(0); // frame.length - 4
 * ```
 */
export function encodeCommand(cmd: RemotingCommand): Uint8Array {
  return cmd.serializeType === SerializeType.ROCKETMQ
    ? encodeBinary(cmd, cmd.body)
    : encodeJson(cmd, cmd.body);
}

/**
 * Encodes a command whose body is the concatenation of `bodyParts` (after `cmd.body`, if it has one),
 * copying each part once into the frame. For a body assembled from pieces the caller already holds, such
 * as the stored records of a pull: joining them first would copy every byte twice.
 *
 * @example
 * ```ts
 * import { createRequest } from "./command.ts";
 * const frame = encodeCommandParts(createRequest(11), [new Uint8Array([1, 2]), new Uint8Array([3])]);
 * decodeCommand(frame.subarray(4)).body; // Uint8Array [1, 2, 3]
 * ```
 */
export function encodeCommandParts(cmd: RemotingCommand, bodyParts: readonly Uint8Array[]): Uint8Array {
  const parts = cmd.body === undefined ? bodyParts : [cmd.body, ...bodyParts];
  return cmd.serializeType === SerializeType.ROCKETMQ ? encodeBinary(cmd, parts) : encodeJson(cmd, parts);
}

/** A frame body: one buffer, the parts to join, or none. */
type Body = Uint8Array | readonly Uint8Array[] | undefined;

/**
 * Decodes the bytes of one frame that follow its 4-byte total length. The body (if any) is a view into
 * `frame`, not a copy.
 *
 * @throws {RemotingCodecError} when the header word, the header lengths or the header content are invalid.
 */
export function decodeCommand(frame: Uint8Array): RemotingCommand {
  if (frame.length < 4) {
    throw new RemotingCodecError(
      `Cannot decode frame of ${frame.length} bytes: shorter than its header word`,
    );
  }
  const serializeType = frame[0]!;
  const headerLength = ((frame[1]! << 16) | (frame[2]! << 8) | frame[3]!) >>> 0;
  if (headerLength > frame.length - 4) {
    throw new RemotingCodecError(
      `Header length "${headerLength}" exceeds the ${frame.length - 4} bytes left in the frame`,
    );
  }
  const header = frame.subarray(4, 4 + headerLength);
  const body = frame.length > 4 + headerLength ? frame.subarray(4 + headerLength) : undefined;
  let cmd: RemotingCommand;
  if (serializeType === SerializeType.JSON) cmd = decodeJsonHeader(header);
  else if (serializeType === SerializeType.ROCKETMQ) cmd = decodeBinaryHeader(header);
  else throw new RemotingCodecError(`Unknown serialize type "${serializeType}" in header word`);
  cmd.body = body;
  return cmd;
}

// ---------------------------------------------------------------------------------------------------
// JSON header

function encodeJson(cmd: RemotingCommand, body: Body): Uint8Array {
  return jsonFrame(jsonHeaderText(cmd), body);
}

/**
 * Encodes a JSON-header frame from header text the caller already built (a sender that stamps a
 * precomputed template per message, such as the benchmark producer). The text must be a valid header
 * for the peer; nothing here checks it.
 *
 * @example
 * ```ts
 * const frame = encodeJsonFrame('{"code":105,"opaque":1}');
 * ```
 */
export function encodeJsonFrame(text: string, body?: Uint8Array): Uint8Array {
  return jsonFrame(text, body);
}

function jsonFrame(text: string, body: Body): Uint8Array {
  const bodyLength = lengthOf(body);
  // Small frames: encode the header straight into its place in the slab, which learns its UTF-8 length
  // natively and saves a copy (a UTF-16 unit never takes more than 3 bytes).
  const space = reserveBuffer(8 + text.length * 3 + bodyLength, 8);
  // (A header that fits a slab is far below the 24-bit limit, so only the fallback checks it.)
  if (space !== null) {
    const headerLength = utf8Encoder.encodeInto(text, space).written;
    const frame = commitBuffer(8 + headerLength + bodyLength);
    writeLengths(frame, SerializeType.JSON, headerLength, bodyLength);
    copyBody(frame, 8 + headerLength, body);
    return frame;
  }
  // Encoding into a reusable scratch buffer learns the byte length natively; a JS pass to count UTF-8
  // bytes first cost more than the copy that follows.
  if (text.length * 3 > scratch.length) {
    scratch = new Uint8Array(Math.max(text.length * 3, scratch.length * 2));
  }
  const headerLength = utf8Encoder.encodeInto(text, scratch).written;
  const frame = allocFrame(SerializeType.JSON, headerLength, body);
  frame.set(scratch.subarray(0, headerLength), 8);
  if (scratch.length > SCRATCH_KEEP) scratch = new Uint8Array(SCRATCH_KEEP);
  return frame;
}

/** Reused by encodeJson (the codec never awaits, so no two encodes overlap). */
let scratch = new Uint8Array(4096);
/** A scratch buffer grown for a huge header is dropped afterwards rather than kept for the process life. */
const SCRATCH_KEEP = 64 * 1024;

function decodeJsonHeader(header: Uint8Array): RemotingCommand {
  const text = utf8Decoder.decode(header);
  const fast = decodeJsonHeaderFast(text);
  if (fast !== null) {
    fast.serializeType = SerializeType.JSON;
    return fast;
  }
  let doc: JsonValue;
  try {
    doc = parseJson(text);
  } catch (e) {
    throw new RemotingCodecError(`Cannot parse JSON header: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new RemotingCodecError(`JSON header is not an object: ${truncate(stringifyJson(doc))}`);
  }
  const code = toInt(doc["code"]);
  if (code === undefined) {
    throw new RemotingCodecError(`JSON header has no numeric "code": ${truncate(stringifyJson(doc))}`);
  }
  const remark = doc["remark"];
  return {
    code,
    language: languageFromJson(doc["language"]),
    version: toInt(doc["version"]) ?? 0,
    opaque: toInt(doc["opaque"]) ?? 0,
    flag: toInt(doc["flag"]) ?? 0,
    remark: remark === null || remark === undefined ? undefined : scalarText(remark),
    extFields: extFieldsFromJson(doc["extFields"]),
    serializeType: SerializeType.JSON,
  };
}

/** Accepts a JSON number, bigint or integer text; returns it as an int32, or undefined if not numeric. */
function toInt(v: JsonValue | undefined): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v | 0 : undefined;
  if (typeof v === "bigint") return Number(BigInt.asIntN(32, v));
  if (typeof v === "string" && /^\s*-?\d+\s*$/.test(v)) return Number(v) | 0;
  return undefined;
}

function languageFromJson(v: JsonValue | undefined): LanguageCode {
  // Java's field default: a header without "language" reads as JAVA.
  if (v === undefined || v === null) return "JAVA";
  if (typeof v === "string") return LANGUAGE_BYTES.has(v) ? v as LanguageCode : "OTHER";
  if (typeof v === "number") return LANGUAGE_NAMES[v] ?? "OTHER";
  return "OTHER";
}

function extFieldsFromJson(v: JsonValue | undefined): ExtFields {
  const out: ExtFields = {};
  if (v === undefined || v === null) return out;
  if (typeof v !== "object" || Array.isArray(v)) {
    throw new RemotingCodecError(`JSON header "extFields" is not an object: ${truncate(stringifyJson(v))}`);
  }
  for (const key in v) {
    const value = v[key];
    if (value === null || value === undefined) continue;
    out[key] = scalarText(value);
  }
  return out;
}

/** The string form a Java peer would give a JSON value bound to a String (ali-ons sends raw scalars). */
function scalarText(v: JsonValue): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return stringifyJson(v);
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}

// ---------------------------------------------------------------------------------------------------
// ROCKETMQ binary header

function encodeBinary(cmd: RemotingCommand, body: Body): Uint8Array {
  if (cmd.code < -0x8000 || cmd.code > 0x7fff) {
    throw new RemotingCodecError(`Cannot encode code "${cmd.code}" in a binary header: it exceeds int16`);
  }
  // Lengths first, then every string written straight into the frame: encoding each key and value to
  // its own buffer first cost more than the rest of the frame.
  const remark = cmd.remark ? cmd.remark : "";
  const remarkLength = utf8ByteLength(remark);
  const texts: string[] = [];
  let extLength = 0;
  const fields = cmd.extFields;
  for (const key in fields) {
    const value = fields[key] as unknown;
    // Zero-length strings read back as null in Java, so empty keys/values are not expressible: skip them.
    if (key === "" || value === undefined || value === null || value === "") continue;
    const val = typeof value === "string" ? value : String(value);
    texts.push(key, val);
    extLength += 2 + utf8ByteLength(key) + 4 + utf8ByteLength(val);
  }
  const headerLength = BINARY_FIXED_LENGTH + remarkLength + extLength;
  const frame = allocFrame(SerializeType.ROCKETMQ, headerLength, body);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let p = 8;
  view.setInt16(p, cmd.code);
  view.setInt8(p + 2, LANGUAGE_BYTES.get(cmd.language) ?? OTHER_BYTE);
  view.setInt16(p + 3, cmd.version);
  view.setInt32(p + 5, cmd.opaque);
  view.setInt32(p + 9, cmd.flag);
  view.setInt32(p + 13, remarkLength);
  p += 17;
  p += writeUtf8(remark, frame, p);
  view.setInt32(p, extLength);
  p += 4;
  for (let i = 0; i < texts.length; i += 2) {
    const kLength = writeUtf8(texts[i]!, frame, p + 2);
    view.setInt16(p, kLength);
    p += 2 + kLength;
    const vLength = writeUtf8(texts[i + 1]!, frame, p + 4);
    view.setInt32(p, vLength);
    p += 4 + vLength;
  }
  return frame;
}

function decodeBinaryHeader(header: Uint8Array): RemotingCommand {
  const len = header.length;
  if (len < BINARY_FIXED_LENGTH) {
    throw new RemotingCodecError(
      `Binary header of ${len} bytes is shorter than its ${BINARY_FIXED_LENGTH}-byte fixed part`,
    );
  }
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const code = view.getInt16(0);
  const language = LANGUAGE_NAMES[header[2]!] ?? "OTHER";
  const version = view.getInt16(3);
  const opaque = view.getInt32(5);
  const flag = view.getInt32(9);
  const remarkLength = view.getInt32(13);
  let p = 17;
  if (remarkLength < 0 || remarkLength > len - p - 4) {
    throw new RemotingCodecError(`Binary header remark length "${remarkLength}" exceeds the header`);
  }
  const remark = remarkLength > 0 ? decodeUtf8(header, p, p + remarkLength) : undefined;
  p += remarkLength;
  const extLength = view.getInt32(p);
  p += 4;
  if (extLength < 0 || extLength > len - p) {
    throw new RemotingCodecError(`Binary header extFields length "${extLength}" exceeds the header`);
  }
  const extFields: ExtFields = {};
  const end = p + extLength;
  while (p < end) {
    if (end - p < 2) throw new RemotingCodecError("Binary header extFields block ends inside a key length");
    const keyLength = view.getInt16(p);
    p += 2;
    if (keyLength < 0 || keyLength > end - p - 4) {
      throw new RemotingCodecError(`Binary header key length "${keyLength}" exceeds the extFields block`);
    }
    const key = decodeUtf8(header, p, p + keyLength);
    p += keyLength;
    const valueLength = view.getInt32(p);
    p += 4;
    if (valueLength < 0 || valueLength > end - p) {
      throw new RemotingCodecError(`Binary header value length "${valueLength}" exceeds the extFields block`);
    }
    const value = decodeUtf8(header, p, p + valueLength);
    p += valueLength;
    // Zero-length strings are Java nulls: absent. Duplicate keys: the last one wins.
    if (keyLength > 0 && valueLength > 0) extFields[key] = value;
  }
  return { code, language, version, opaque, flag, remark, extFields, serializeType: SerializeType.ROCKETMQ };
}

// ---------------------------------------------------------------------------------------------------
// Shared helpers

/** Allocates the whole frame, writes both length words and copies the body into place. */
function allocFrame(type: SerializeType, headerLength: number, body: Body): Uint8Array {
  if (headerLength > MAX_HEADER_LENGTH) {
    throw new RemotingCodecError(`Header of ${headerLength} bytes exceeds the 24-bit header length field`);
  }
  const bodyLength = lengthOf(body);
  const frame = allocBuffer(8 + headerLength + bodyLength);
  writeLengths(frame, type, headerLength, bodyLength);
  copyBody(frame, 8 + headerLength, body);
  return frame;
}

function lengthOf(body: Body): number {
  if (body === undefined) return 0;
  if (body instanceof Uint8Array) return body.length;
  let n = 0;
  for (const part of body) n += part.length;
  return n;
}

/** The total length and the header word, big-endian, byte by byte (cheaper than a DataView per frame). */
function writeLengths(
  frame: Uint8Array,
  type: SerializeType,
  headerLength: number,
  bodyLength: number,
): void {
  const total = 4 + headerLength + bodyLength;
  frame[0] = total >>> 24;
  frame[1] = total >>> 16;
  frame[2] = total >>> 8;
  frame[3] = total;
  frame[4] = type;
  frame[5] = headerLength >>> 16;
  frame[6] = headerLength >>> 8;
  frame[7] = headerLength;
}

function copyBody(frame: Uint8Array, at: number, body: Body): void {
  if (body === undefined) return;
  if (body instanceof Uint8Array) {
    if (body.length > 0) frame.set(body, at);
    return;
  }
  for (const part of body) {
    frame.set(part, at);
    at += part.length;
  }
}
