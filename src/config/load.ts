/**
 * Turns the places settings come from into typed configs, with upstream's precedence
 * (operations.md §4.3): schema defaults → environment (NAMESRV_ADDR) → the `-c` properties file →
 * `--key=value` command-line overrides → `-n`.
 *
 * Like upstream, one set of properties feeds several config objects and a key is applied to every schema
 * that declares it (a broker file feeds BrokerConfig and MessageStoreConfig). Unlike upstream, problems
 * are not silent: a key no schema declares gets one warning (with a "did you mean" hint), a value with
 * trailing blanks is trimmed with a warning, and a value that does not parse is a ConfigError naming the
 * key, the value and where it came from.
 */
import { ConfigError, type ConfigOf, defaultsOf, type Schema } from "./schema.ts";
import { parsePropertiesEntries } from "./properties.ts";
import { normalizeNamesrvAddr } from "./namesrv_addr.ts";
import { expandHome, homeDir } from "./host.ts";
import { getLogger } from "../log/logger.ts";

/** Inputs of {@link loadRoleConfig}; every field is optional. */
export interface LoadOptions {
  /** `-c`: path of a properties file. */
  configFile?: string;
  /** `--key=value` pairs in command-line order (later wins). */
  overrides?: ReadonlyArray<readonly [string, string]>;
  /** `-n`: name server list; beats everything else. */
  namesrvAddr?: string;
  /** Environment lookup (default `Deno.env.get`); only NAMESRV_ADDR is read. */
  env?: (name: string) => string | undefined;
  /** Receives each warning (default: a WARN line on the "config" logger). */
  warn?: (message: string) => void;
  /** Home directory used to expand `~` in path settings (default `$HOME`). */
  home?: string;
}

/** A tuple of configs, one per schema passed in. */
export type ConfigsOf<S extends readonly Schema[]> = {
  -readonly [I in keyof S]: S[I] extends Schema ? ConfigOf<S[I]> : never;
};

/** What {@link loadRoleConfig} found. */
export interface LoadedConfig<S extends readonly Schema[]> {
  configs: ConfigsOf<S>;
  /** Canonical keys that were set explicitly (file, flags, env), so role rules can tell them from defaults. */
  explicit: Set<string>;
  /** Keys no schema declares, as written. */
  unknown: string[];
}

interface RawValue {
  value: string;
  origin: string;
}

/** Settings whose values are file-system paths: `~` and `${user.home}` prefixes are expanded. */
function isPathKey(key: string): boolean {
  return /(Path|Dir|PathCommitLog|Home)$/.test(key) || key.startsWith("storePath");
}

/** The canonical key for `key`: itself, or its other `maped`/`mapped` spelling when only that is known. */
export function canonicalKey(key: string, known: (k: string) => boolean): string | null {
  if (known(key)) return key;
  const candidates = [
    key.replace(/maped/g, "mapped").replace(/Maped/g, "Mapped"),
    key.replace(/mapped/g, "maped").replace(/Mapped/g, "Maped"),
  ];
  return candidates.find((c) => c !== key && known(c)) ?? null;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min((prev[j] as number) + 1, (prev[j - 1] as number) + 1, diag + cost);
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

function suggestion(key: string, knownKeys: Iterable<string>): string {
  let best: string | null = null;
  let bestDistance = 3;
  for (const k of knownKeys) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best ? `; did you mean "${best}"?` : "";
}

function readConfigFile(path: string): string {
  try {
    return new TextDecoder().decode(Deno.readFileSync(path));
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Error
      ? e.message
      : String(e);
    throw new ConfigError(`Cannot read config file "${path}": ${why}`);
  }
}

/**
 * Loads and validates the configs of one role.
 *
 * @example
 * ```ts
 * const { configs: [broker, store] } = loadRoleConfig([BrokerConfigSchema, MessageStoreConfigSchema], {
 *   configFile: "conf/broker.conf",
 *   overrides: [["listenPort", "10911"]],
 * });
 * ```
 * @throws {ConfigError} when the file cannot be read or parsed, or a value is invalid.
 */
export function loadRoleConfig<const S extends readonly Schema[]>(
  schemas: S,
  opts: LoadOptions = {},
): LoadedConfig<S> {
  const warn = opts.warn ?? ((m: string) => getLogger("config").warn(m));
  const env = opts.env ?? ((name: string) => Deno.env.get(name));
  const home = opts.home ?? homeDir();
  const known = (k: string) => schemas.some((s) => Object.hasOwn(s, k));

  const raw = new Map<string, RawValue>();
  const unknown: string[] = [];
  const put = (key: string, value: string, origin: string, silentIfUnknown = false) => {
    const canonical = canonicalKey(key, known);
    if (canonical === null) {
      if (silentIfUnknown) return;
      unknown.push(key);
      const allKeys = schemas.flatMap((s) => Object.keys(s));
      warn(`Unknown config key "${key}" (${origin}) is ignored${suggestion(key, allKeys)}`);
      return;
    }
    raw.delete(canonical); // re-insert so iteration order follows precedence
    raw.set(canonical, { value, origin });
  };

  const envAddr = env("NAMESRV_ADDR");
  if (envAddr !== undefined && envAddr.trim() !== "") put("namesrvAddr", envAddr, "env NAMESRV_ADDR", true);

  if (opts.configFile !== undefined) {
    const text = readConfigFile(opts.configFile);
    const entries = withOrigin(() => parsePropertiesEntries(text), opts.configFile);
    for (const e of entries) {
      const origin = `${opts.configFile}:${e.line}`;
      if (e.value !== e.value.trimEnd()) {
        warn(`Value of "${e.key}" (${origin}) has trailing whitespace; using "${e.value.trim()}"`);
      }
      put(e.key, e.value, origin);
    }
  }
  for (const [key, value] of opts.overrides ?? []) put(key, value, `--${key}`);
  if (opts.namesrvAddr !== undefined) put("namesrvAddr", opts.namesrvAddr, "-n", true);

  const explicit = new Set(raw.keys());
  const configs = schemas.map((schema) => {
    const config = defaultsOf(schema) as Record<string, unknown>;
    for (const [key, { value, origin }] of raw) {
      const spec = schema[key];
      if (!spec) continue;
      let v = value.trim();
      if (key === "namesrvAddr") v = withOrigin(() => normalizeNamesrvAddr(v, `namesrvAddr`), origin);
      if (isPathKey(key) && spec.kind === "string") {
        v = v.split(",").map((p) => expandHome(p, home)).join(",");
      }
      config[key] = withOrigin(() => spec.parse(v, key), origin);
    }
    return config;
  });
  return { configs: configs as ConfigsOf<S>, explicit, unknown };
}

function withOrigin<T>(f: () => T, origin: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${e.message} (${origin})`);
    throw e;
  }
}
