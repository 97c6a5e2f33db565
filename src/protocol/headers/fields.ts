/**
 * Typed reads of extFields (remoting-protocol.md §2.6, §4): every value is a string on the wire, empty
 * strings count as absent (Go sends them for unset optionals), and a missing required field is an error
 * that names the field, so the remoting server answers SYSTEM_ERROR with a readable remark.
 */
import type { ExtFields } from "../../remoting/command.ts";

/** A request header could not be decoded: a required field is missing or a value does not parse. */
export class HeaderDecodeError extends Error {
  override name = "HeaderDecodeError";
}

const INTEGER = /^[+-]?\d+$/;

function raw(ext: ExtFields, key: string): string | undefined {
  const v = ext[key];
  return v === undefined || v === "" ? undefined : v;
}

function missing(key: string): never {
  throw new HeaderDecodeError(`The custom field "${key}" is null`);
}

/**
 * Plain decimal text (optional leading "-", at most 15 digits, so exact as a double) parsed without the
 * trim and regex of the general path: this runs for several fields of every send and pull request.
 */
function plainInteger(v: string): number | undefined {
  const len = v.length;
  let i = v.charCodeAt(0) === 45 ? 1 : 0;
  if (len === i || len - i > 15) return undefined;
  let n = 0;
  for (; i < len; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return v.charCodeAt(0) === 45 ? -n : n;
}

function parseInteger(key: string, v: string, min: number, max: number): number {
  const fast = plainInteger(v);
  if (fast !== undefined) {
    if (fast < min || fast > max) {
      throw new HeaderDecodeError(`Header field "${key}" value "${v}" is out of range`);
    }
    return fast;
  }
  const t = v.trim();
  if (!INTEGER.test(t)) {
    throw new HeaderDecodeError(`Cannot parse header field "${key}" value "${v}" as a number`);
  }
  const n = Number(t);
  // int64 values beyond 2^53 (a Go subVersion in ns) keep their magnitude; only int32 fields are range-checked.
  if (n < min || n > max) throw new HeaderDecodeError(`Header field "${key}" value "${v}" is out of range`);
  return n;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** Required string field. */
export function reqStr(ext: ExtFields, key: string): string {
  return raw(ext, key) ?? missing(key);
}

/** Optional string field. */
export function optStr(ext: ExtFields, key: string): string | undefined {
  return raw(ext, key);
}

/** Required int32 field. */
export function reqInt(ext: ExtFields, key: string): number {
  return parseInteger(key, raw(ext, key) ?? missing(key), INT_MIN, INT_MAX);
}

/** Optional int32 field. */
export function optInt(ext: ExtFields, key: string): number | undefined {
  const v = raw(ext, key);
  return v === undefined ? undefined : parseInteger(key, v, INT_MIN, INT_MAX);
}

/** Required int64 field (as a JS number; offsets and timestamps fit in 2^53). */
export function reqLong(ext: ExtFields, key: string): number {
  return parseInteger(key, raw(ext, key) ?? missing(key), -Infinity, Infinity);
}

/** Optional int64 field. */
export function optLong(ext: ExtFields, key: string): number | undefined {
  const v = raw(ext, key);
  return v === undefined ? undefined : parseInteger(key, v, -Infinity, Infinity);
}

/** Optional boolean: like Java's Boolean.parseBoolean, anything but "true" (any case) is false. */
export function optBool(ext: ExtFields, key: string): boolean | undefined {
  const v = raw(ext, key);
  return v === undefined ? undefined : v.trim().toLowerCase() === "true";
}

/** Required boolean field. */
export function reqBool(ext: ExtFields, key: string): boolean {
  return optBool(ext, key) ?? missing(key);
}

/** Builds extFields from a record, dropping undefined values and stringifying the rest. */
export function toExt(fields: Record<string, string | number | boolean | undefined>): ExtFields {
  const out: ExtFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v !== undefined) out[k] = String(v);
  }
  return out;
}
