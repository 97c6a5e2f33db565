/**
 * The config-file protocol shared by topics.json, subscriptionGroup.json, consumerOffset.json and
 * delayOffset.json (store-and-semantics.md §10.1.1): atomic replace with a `.bak`, tolerant reads that
 * fall back to the `.bak` when the main file is missing, empty or unparsable.
 */
import { writeFileAtomicSync } from "../util/atomic_file.ts";
import { type JsonValue, parseJson } from "../util/json.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("broker");

/** Reads and parses a config file, or its `.bak`; null when neither holds valid JSON. */
export function loadConfigFile(path: string): JsonValue | null {
  for (const p of [path, `${path}.bak`]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(p);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw e;
    }
    if (text.trim() === "") continue;
    try {
      return parseJson(text);
    } catch (e) {
      log.warn(`Config file "${p}" is not valid JSON, trying its backup`, e);
    }
  }
  return null;
}

/** Writes a config file atomically (pretty-printed, as upstream writes them). */
export function persistConfigFile(path: string, value: unknown): void {
  writeFileAtomicSync(path, JSON.stringify(value, null, "\t"));
}

/** The object members of a parsed JSON value, or an empty record. */
export function members(v: JsonValue | undefined | null): Record<string, JsonValue> {
  return (typeof v === "object" && v !== null && !Array.isArray(v) ? v : {}) as Record<string, JsonValue>;
}

/** A JSON number (or bigint/numeric string) as a number, else null. */
export function asNumber(v: JsonValue | undefined): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  return null;
}
