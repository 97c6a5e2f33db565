/**
 * The SEND_BATCH_MESSAGE request body (remoting-protocol.md §6.3): entries of
 * size ‖ magic(0) ‖ crc(0) ‖ flag ‖ bodyLength ‖ body ‖ propertiesLength(short) ‖ properties.
 */

import { decodeProperties, encodeProperties } from "./properties.ts";
import { MessageDecodeError } from "./record_codec.ts";
import { decodeUtf8, utf8Encoder } from "../util/utf8.ts";

/** One message of a batch. `body` is a view into the batch body (no copy). */
export interface BatchItem {
  flag: number;
  body: Uint8Array;
  properties: Record<string, string>;
  propertiesString: string;
}

/** What encodeBatchBody needs per message: an encoded properties string wins over the map. */
export interface BatchItemInput {
  flag: number;
  body: Uint8Array;
  properties?: Record<string, string>;
  propertiesString?: string;
}

const ENTRY_FIXED = 4 + 4 + 4 + 4 + 4 + 2;

/** Splits a batch body into its messages; throws MessageDecodeError on a malformed entry. */
export function decodeBatchBody(body: Uint8Array): BatchItem[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const items: BatchItem[] = [];
  let at = 0;
  while (at < body.length) {
    if (body.length - at < ENTRY_FIXED) {
      throw new MessageDecodeError(`Batch entry at ${at} is truncated: ${body.length - at} bytes left`);
    }
    const size = view.getInt32(at);
    const flag = view.getInt32(at + 12);
    const bodyLen = view.getInt32(at + 16);
    const bodyPos = at + 20;
    if (bodyLen < 0 || bodyPos + bodyLen + 2 > body.length) {
      throw new MessageDecodeError(`Batch entry at ${at} has bad body length "${bodyLen}"`);
    }
    const propsLen = view.getInt16(bodyPos + bodyLen);
    const propsPos = bodyPos + bodyLen + 2;
    const end = propsPos + propsLen;
    if (propsLen < 0 || end > body.length) {
      throw new MessageDecodeError(`Batch entry at ${at} has bad properties length "${propsLen}"`);
    }
    // Clients disagree on whether TOTALSIZE is exact; the field lengths are authoritative.
    if (size !== end - at && size !== 0) {
      throw new MessageDecodeError(`Batch entry at ${at} has total size "${size}", expected ${end - at}`);
    }
    const propertiesString = decodeUtf8(body, propsPos, end);
    items.push({
      flag,
      body: body.subarray(bodyPos, bodyPos + bodyLen),
      properties: decodeProperties(propertiesString),
      propertiesString,
    });
    at = end;
  }
  return items;
}

/** Builds a batch body. */
export function encodeBatchBody(items: readonly BatchItemInput[]): Uint8Array {
  const encodedProps = items.map((it) =>
    utf8Encoder.encode(it.propertiesString ?? encodeProperties(it.properties ?? {}))
  );
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    total += ENTRY_FIXED + items[i]!.body.length + encodedProps[i]!.length;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const props = encodedProps[i]!;
    const size = ENTRY_FIXED + it.body.length + props.length;
    view.setInt32(at, size);
    // magic and crc stay 0: unused by the broker.
    view.setInt32(at + 12, it.flag);
    view.setInt32(at + 16, it.body.length);
    out.set(it.body, at + 20);
    view.setInt16(at + 20 + it.body.length, props.length);
    out.set(props, at + 22 + it.body.length);
    at += size;
  }
  return out;
}
