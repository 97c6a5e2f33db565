/**
 * Typed config definitions with upstream key names, defaults and strict validation.
 *
 * A config is declared once as a schema (`{ listenPort: int(10911), brokerRole: oneOf([...], "ASYNC_MASTER") }`);
 * `buildConfig` turns raw string properties into a typed object. Unlike upstream, which silently keeps the
 * default when a value does not parse (operations.md §6), an invalid value is an error naming the key.
 */

export class ConfigError extends Error {
  override name = "ConfigError";
}

export interface FieldSpec<T> {
  readonly kind: "string" | "int" | "long" | "bool" | "double" | "enum";
  readonly defaultValue: T;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  parse(raw: string, key: string): T;
}

function fail(key: string, raw: string, why: string): never {
  throw new ConfigError(`Cannot parse config value "${raw}" for key "${key}": ${why}`);
}

export function str(defaultValue: string): FieldSpec<string> {
  return { kind: "string", defaultValue, parse: (raw) => raw };
}

function integer(
  kind: "int" | "long",
  defaultValue: number,
  bounds: { min?: number; max?: number },
): FieldSpec<number> {
  const min = bounds.min ?? (kind === "int" ? -2147483648 : Number.MIN_SAFE_INTEGER);
  const max = bounds.max ?? (kind === "int" ? 2147483647 : Number.MAX_SAFE_INTEGER);
  return {
    kind,
    defaultValue,
    min,
    max,
    parse(raw, key) {
      if (!/^[+-]?\d+$/.test(raw)) fail(key, raw, "not an integer");
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < min || n > max) fail(key, raw, `must be between ${min} and ${max}`);
      return n;
    },
  };
}

export function int(defaultValue: number, bounds: { min?: number; max?: number } = {}): FieldSpec<number> {
  return integer("int", defaultValue, bounds);
}

export function long(defaultValue: number, bounds: { min?: number; max?: number } = {}): FieldSpec<number> {
  return integer("long", defaultValue, bounds);
}

export function double(defaultValue: number): FieldSpec<number> {
  return {
    kind: "double",
    defaultValue,
    parse(raw, key) {
      const n = Number(raw);
      if (raw === "" || !Number.isFinite(n)) fail(key, raw, "not a number");
      return n;
    },
  };
}

export function bool(defaultValue: boolean): FieldSpec<boolean> {
  return {
    kind: "bool",
    defaultValue,
    parse(raw, key) {
      const v = raw.toLowerCase();
      if (v === "true") return true;
      if (v === "false") return false;
      return fail(key, raw, "expected true or false");
    },
  };
}

export function oneOf<const C extends readonly string[]>(
  choices: C,
  defaultValue: C[number],
): FieldSpec<C[number]> {
  return {
    kind: "enum",
    defaultValue,
    choices,
    parse(raw, key) {
      if ((choices as readonly string[]).includes(raw)) return raw as C[number];
      return fail(key, raw, `expected one of ${choices.join(", ")}`);
    },
  };
}

// deno-lint-ignore no-explicit-any
export type Schema = Record<string, FieldSpec<any>>;
export type ConfigOf<S extends Schema> = { -readonly [K in keyof S]: S[K]["defaultValue"] };

/** The schema's defaults as a config object. */
export function defaultsOf<S extends Schema>(schema: S): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(schema)) out[k] = spec.defaultValue;
  return out as ConfigOf<S>;
}

/**
 * Applies raw string values onto the defaults. Keys the schema does not know are returned in
 * `unknown` (callers warn about them; another schema loaded from the same file may own them).
 */
export function buildConfig<S extends Schema>(
  schema: S,
  raw: ReadonlyMap<string, string> | Record<string, string>,
): { config: ConfigOf<S>; unknown: string[] } {
  const config = defaultsOf(schema) as Record<string, unknown>;
  const unknown: string[] = [];
  const entries = raw instanceof Map ? [...raw.entries()] : Object.entries(raw);
  for (const [key, value] of entries) {
    const spec = schema[key];
    if (!spec) {
      unknown.push(key);
      continue;
    }
    config[key] = spec.parse(value.trim(), key);
  }
  return { config: config as ConfigOf<S>, unknown };
}

/** Renders a config as upstream's `-p` prints it: `key=value` lines. */
export function renderConfig(config: Record<string, unknown>): string {
  return Object.keys(config).sort().map((k) => `${k}=${String(config[k])}`).join("\n") + "\n";
}
