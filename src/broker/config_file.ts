/**
 * The config-file protocol shared by topics.json, subscriptionGroup.json, consumerOffset.json and
 * delayOffset.json (store-and-semantics.md §10.1.1): atomic replace with a `.bak`, tolerant reads that
 * fall back to the `.bak` when the main file is missing, empty or unparsable.
 */
import { writeFileAtomic, writeFileAtomicSync } from "../util/atomic_file.ts";
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

/** A config file's text: pretty-printed with tabs, as upstream writes them. */
function configText(value: unknown): string {
  return JSON.stringify(value, null, "\t");
}

/** Writes a config file atomically. */
export function persistConfigFile(path: string, value: unknown): void {
  writeFileAtomicSync(path, configText(value));
}

/**
 * One config file kept up to date without blocking the event loop. A change schedules a write of the
 * state as it is when the write starts (so a burst of changes costs one write); writes never overlap.
 * Writing synchronously on every change cost two fsyncs on the event loop, which every connection waited
 * for: a topic auto-created on its first send, or the periodic consumer-offset flush, stalled all sends
 * for the length of two fsyncs (milliseconds here, far more on a slow disk).
 */
export class ConfigFile {
  #tail: Promise<unknown> = Promise.resolve();
  #queued: Promise<boolean> | null = null;

  /** `render` gives the file's content as a JSON value, read when a write starts. */
  constructor(readonly path: string, private readonly render: () => unknown) {}

  /**
   * Schedules a write; resolves true once a write that includes the state as of this call is on disk,
   * false when it failed (logged here, so callers may ignore the result).
   */
  persistSoon(): Promise<boolean> {
    if (this.#queued) return this.#queued;
    const p = this.#tail.then(async () => {
      this.#queued = null;
      try {
        await writeFileAtomic(this.path, configText(this.render()));
        return true;
      } catch (e) {
        log.error(`Cannot write "${this.path}"`, e);
        return false;
      }
    });
    this.#queued = p;
    this.#tail = p;
    return p;
  }

  /**
   * Writes the current state synchronously once the writes scheduled before it are done (shutdown);
   * rejects when it fails. It takes its turn in the same queue, so no two writes ever share the temp file.
   */
  persistNow(): Promise<void> {
    const p = this.#tail.then(() => persistConfigFile(this.path, this.render()));
    this.#tail = p.catch(() => {});
    return p;
  }
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
