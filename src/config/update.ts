/**
 * Runtime config updates (UPDATE_BROKER_CONFIG 25, UPDATE_NAMESRV_CONFIG 318): validate a set of
 * properties against live config objects and apply all of them or none. Upstream applies what parses and
 * silently drops the rest (operations.md §4.5); here an invalid value refuses the whole update.
 */
import { ConfigError, type Schema } from "./schema.ts";
import { canonicalKey } from "./load.ts";

/** A live config object and the schema describing it. */
export interface UpdateTarget {
  schema: Schema;
  config: Record<string, unknown>;
}

/** What {@link applyConfigUpdate} did. */
export interface ConfigUpdateResult {
  /** Canonical keys that were applied (to every target declaring them). */
  applied: string[];
  /** Keys no target declares, as given; they are not applied. */
  unknown: string[];
}

/**
 * Applies `props` to every target whose schema declares the key (`maped*` spellings accepted).
 * `blackList` keys are refused. Nothing changes unless every known value parses.
 *
 * @example
 * ```ts
 * applyConfigUpdate([{ schema: BrokerConfigSchema, config: brokerConfig }], new Map([["brokerPermission", "4"]]));
 * ```
 * @throws {ConfigError} naming the first black-listed key or invalid value.
 */
export function applyConfigUpdate(
  targets: readonly UpdateTarget[],
  props: ReadonlyMap<string, string>,
  blackList: ReadonlySet<string> = new Set(),
): ConfigUpdateResult {
  const known = (k: string) => targets.some((t) => Object.hasOwn(t.schema, k));
  const staged: Array<[Record<string, unknown>, string, unknown]> = [];
  const applied: string[] = [];
  const unknown: string[] = [];
  for (const [key, raw] of props) {
    if (blackList.has(key)) throw new ConfigError(`Config key "${key}" cannot be updated at runtime`);
    const canonical = canonicalKey(key, known);
    if (canonical === null) {
      unknown.push(key);
      continue;
    }
    if (blackList.has(canonical)) {
      throw new ConfigError(`Config key "${canonical}" cannot be updated at runtime`);
    }
    for (const t of targets) {
      const spec = t.schema[canonical];
      if (spec) staged.push([t.config, canonical, spec.parse(raw.trim(), canonical)]);
    }
    applied.push(canonical);
  }
  for (const [config, key, value] of staged) config[key] = value;
  return { applied, unknown };
}
