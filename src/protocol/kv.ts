/**
 * KVTable (remoting-protocol.md §5.3.2): `{"table":{"k":"v",…}}`. Carries KV-config namespaces
 * (GET_KVLIST_BY_NAMESPACE, the REGISTER_BROKER answer) and broker runtime info (GET_BROKER_RUNTIME_INFO).
 */
import { asObject, encodeFastjson, optObject, optString, parseBody } from "./fastjson.ts";

/** KVTable body bytes; entries keep their insertion order. */
export function encodeKVTable(table: ReadonlyMap<string, string>): Uint8Array {
  return encodeFastjson({ table: new Map(table) });
}

/** Parses a KVTable body; non-string values are stringified. */
export function decodeKVTable(body: Uint8Array | undefined): Map<string, string> {
  const o = asObject(parseBody(body, "KVTable"), "KVTable");
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(optObject(o.table, "table"))) out.set(k, optString(v, ""));
  return out;
}
