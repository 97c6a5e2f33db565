/**
 * The RemotingCommand: one request or response on the wire (remoting-protocol.md §2).
 *
 * This module only defines the value type and small constructors; encoding lives in codec.ts.
 * Everything here is pure and shared by the server, the client, the namesrv and the broker.
 */

/** Header serialization carried in the high byte of the header word (§1.2). */
export const SerializeType = {
  JSON: 0,
  ROCKETMQ: 1,
} as const;
export type SerializeType = (typeof SerializeType)[keyof typeof SerializeType];

/** LanguageCode names in byte order (§2.3); unknown names or bytes map to OTHER. */
export const LANGUAGE_NAMES = [
  "JAVA",
  "CPP",
  "DOTNET",
  "PYTHON",
  "DELPHI",
  "ERLANG",
  "RUBY",
  "OTHER",
  "HTTP",
  "GO",
  "PHP",
  "OMS",
  "RUST",
  "NODE_JS",
] as const;
export type LanguageCode = (typeof LANGUAGE_NAMES)[number];

/** flag bit 0: the frame is a response. */
export const FLAG_RESPONSE = 0x1;
/** flag bit 1: the requester wants no response. */
export const FLAG_ONEWAY = 0x2;

/** The version ordinal rmq stamps on everything it sends: V4_9_8 (§2.5). */
export const RMQ_VERSION_ORDINAL = 409;

/** extFields: always string to string on the wire (§2.6). */
export type ExtFields = Record<string, string>;

export interface RemotingCommand {
  code: number;
  language: LanguageCode;
  version: number;
  opaque: number;
  flag: number;
  remark?: string | undefined;
  extFields: ExtFields;
  /**
   * `extFields` already written as JSON object text, exactly what `JSON.stringify(extFields)` gives. A
   * processor answering many requests with one header shape (the send response) builds it directly, which
   * is several times cheaper than serializing the object; JSON-header encoders then use it as is. Whoever
   * sets it must not change `extFields` afterwards.
   */
  extFieldsJson?: string | undefined;
  body?: Uint8Array | undefined;
  /** How this command was (or will be) serialized. Responses copy the request's. */
  serializeType: SerializeType;
}

let nextOpaque = 0;

/** Returns a fresh process-wide opaque (int32, wraps). */
export function newOpaque(): number {
  nextOpaque = (nextOpaque + 1) | 0;
  return nextOpaque;
}

/** Builds a request with a fresh opaque, labelled JAVA like an Apache server's own commands. */
export function createRequest(
  code: number,
  extFields: ExtFields = {},
  body?: Uint8Array,
): RemotingCommand {
  return {
    code,
    language: "JAVA",
    version: RMQ_VERSION_ORDINAL,
    opaque: newOpaque(),
    flag: 0,
    extFields,
    body,
    serializeType: SerializeType.JSON,
  };
}

/** Builds the response to `request`: same opaque and serialize type, response bit set. */
export function createResponse(
  request: RemotingCommand,
  code: number,
  remark?: string,
  extFields: ExtFields = {},
  body?: Uint8Array,
): RemotingCommand {
  return {
    code,
    language: "JAVA",
    version: RMQ_VERSION_ORDINAL,
    opaque: request.opaque,
    flag: FLAG_RESPONSE,
    remark,
    extFields,
    body,
    serializeType: request.serializeType,
  };
}

export function isResponse(cmd: RemotingCommand): boolean {
  return (cmd.flag & FLAG_RESPONSE) !== 0;
}

export function isOneway(cmd: RemotingCommand): boolean {
  return (cmd.flag & FLAG_ONEWAY) !== 0;
}

/**
 * Reads a header field the way upstream's generic decoder does: empty strings (Go sends them for
 * absent optionals) count as absent.
 */
export function extString(cmd: RemotingCommand, key: string): string | undefined {
  const v = cmd.extFields[key];
  return v === undefined || v === "" ? undefined : v;
}
