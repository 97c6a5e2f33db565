/**
 * Reads only the properties of a stored record (store-and-semantics.md §1.2), for the commitlog stage of
 * pull filtering: the body, topic and hosts are skipped, nothing else is decoded or copied.
 */
import { MESSAGE_MAGIC_CODE, MESSAGE_MAGIC_CODE_V2, MessageSysFlag } from "../../message/message_const.ts";
import { decodeProperties } from "../../message/properties.ts";
import { decodeUtf8 } from "../../util/utf8.ts";

const OFF_MAGIC = 4;
const OFF_SYS_FLAG = 36;
const OFF_BORN_HOST = 48;
const NO_PROPERTIES: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The properties of the record that starts at `rec[0]`; an empty object when the record is malformed, so a
 * damaged record simply matches no property filter.
 *
 * @example recordProperties(storedRecord)["TAGS"] // "TagA"
 */
export function recordProperties(rec: Uint8Array): Readonly<Record<string, string>> {
  if (rec.length < OFF_BORN_HOST + 8) return NO_PROPERTIES;
  const view = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const magic = view.getInt32(OFF_MAGIC);
  if (magic !== MESSAGE_MAGIC_CODE && magic !== MESSAGE_MAGIC_CODE_V2) return NO_PROPERTIES;
  const size = Math.min(view.getInt32(0), rec.length);
  const sysFlag = view.getInt32(OFF_SYS_FLAG);
  const bornHost = (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0 ? 20 : 8;
  const storeHost = (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) !== 0 ? 20 : 8;
  // born host, store timestamp, store host, reconsume times, prepared transaction offset.
  const bodyLenPos = OFF_BORN_HOST + bornHost + 8 + storeHost + 4 + 8;
  if (bodyLenPos + 4 > size) return NO_PROPERTIES;
  const bodyLen = view.getInt32(bodyLenPos);
  let pos = bodyLenPos + 4 + bodyLen;
  const v2 = magic === MESSAGE_MAGIC_CODE_V2;
  if (bodyLen < 0 || pos + (v2 ? 2 : 1) > size) return NO_PROPERTIES;
  const topicLen = v2 ? view.getUint16(pos) : view.getUint8(pos);
  pos += (v2 ? 2 : 1) + topicLen;
  if (pos + 2 > size) return NO_PROPERTIES;
  const propsLen = view.getInt16(pos);
  pos += 2;
  if (propsLen <= 0 || pos + propsLen > size) return NO_PROPERTIES;
  return decodeProperties(decodeUtf8(rec, pos, pos + propsLen));
}
