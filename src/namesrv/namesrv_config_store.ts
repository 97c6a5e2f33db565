/**
 * The name server's live configuration as UPDATE_NAMESRV_CONFIG (318) and GET_NAMESRV_CONFIG (319) see
 * it (remoting-protocol.md §4.2.10, operations.md §4.5): a properties-text view of NamesrvConfig plus any
 * keys the schema does not know (upstream keeps and returns those too).
 *
 * Unlike upstream, which drops values it cannot parse, an update with an invalid value is refused as a
 * whole with an error naming the key. Accepted updates are written to `configStorePath`.
 */
import { NamesrvConfigSchema } from "../config/namesrv_config.ts";
import type { NamesrvConfig } from "../config/namesrv_config.ts";
import { formatProperties, parseProperties } from "../config/properties.ts";
import { writeFileAtomicSync } from "../util/atomic_file.ts";
import { getLogger } from "../log/logger.ts";

const log = getLogger("namesrv");

/** Why an update was refused. */
export class ConfigUpdateRefused extends Error {
  override name = "ConfigUpdateRefused";
  constructor(message: string, readonly blackListed: boolean) {
    super(message);
  }
}

/** Reads and updates a NamesrvConfig object in place. */
export class NamesrvConfigStore {
  readonly #extras = new Map<string, string>();

  constructor(readonly config: NamesrvConfig) {}

  /** Every setting as `key=value` lines, sorted by key. */
  render(): string {
    const all = new Map<string, unknown>(Object.entries(this.config));
    for (const [k, v] of this.#extras) all.set(k, v);
    return formatProperties([...all.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  }

  #blackList(): Set<string> {
    return new Set(this.config.configBlackList.split(";").map((s) => s.trim()).filter((s) => s !== ""));
  }

  /**
   * Applies properties text. Throws ConfigUpdateRefused (black-listed key) or ConfigError (bad value)
   * before changing anything. Returns the keys applied.
   */
  update(text: string): string[] {
    const props = parseProperties(text);
    const black = this.#blackList();
    for (const k of props.keys()) {
      if (black.has(k)) throw new ConfigUpdateRefused("Can not update config in black list.", true);
    }
    const schema: Record<string, { parse(raw: string, key: string): unknown }> = NamesrvConfigSchema;
    const parsed: Array<[string, unknown]> = [];
    const unknown: Array<[string, string]> = [];
    for (const [k, v] of props) {
      const spec = schema[k];
      if (spec) parsed.push([k, spec.parse(v.trim(), k)]);
      else unknown.push([k, v]);
    }
    const target = this.config as Record<string, unknown>;
    for (const [k, v] of parsed) target[k] = v;
    for (const [k, v] of unknown) {
      log.warn(`UPDATE_NAMESRV_CONFIG: unknown key "${k}" kept but has no effect`);
      this.#extras.set(k, v);
    }
    log.info(`Name server config updated: ${[...props.keys()].join(", ")}`);
    this.#persist();
    return [...props.keys()];
  }

  #persist(): void {
    const path = this.config.configStorePath;
    if (!path) return;
    try {
      writeFileAtomicSync(path, this.render());
    } catch (e) {
      // The live change stands; failing to write it back must not fail the request.
      log.error(`Cannot persist name server config to "${path}"`, e);
    }
  }
}
