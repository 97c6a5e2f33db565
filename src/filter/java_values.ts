/**
 * Java-typed values of the SQL92 filter and the upstream comparison rules between them
 * (store-and-semantics.md §11.2.4, "Conversion rules").
 *
 * Constants keep their Java type because it decides how a property string is converted: `a > 5` parses `a`
 * with `Integer.valueOf`, `a > 5.0` with `Double.valueOf`. JS numbers cannot tell an int from a double, hence
 * the small wrapper classes.
 */

/** A Java `Integer` (32-bit). */
export class JavaInt {
  constructor(readonly value: number) {}
  toString(): string {
    return String(this.value);
  }
}

/** A Java `Long` (64-bit, kept exact as a bigint). */
export class JavaLong {
  constructor(readonly value: bigint) {}
  toString(): string {
    return String(this.value);
  }
}

/** A Java `Double`. */
export class JavaDouble {
  constructor(readonly value: number) {}
  toString(): string {
    return String(this.value);
  }
}

/** Any number a selector can produce. */
export type JavaNumber = JavaInt | JavaLong | JavaDouble;

/** A value during evaluation: properties are strings, absent properties null. */
export type JavaValue = null | boolean | string | JavaNumber;

/** Why an evaluation failed (upstream throws; the message then simply does not match). */
export class Sql92EvalError {
  constructor(readonly reason: string) {}
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;
const INTEGER_TEXT = /^[+-]?[0-9]+$/;

/** Java `Integer.valueOf(String)`: optional sign and ASCII digits, in int range; null when it would throw. */
export function parseJavaInt(s: string): JavaInt | null {
  const v = parseJavaIntValue(s);
  return v === null ? null : new JavaInt(v);
}

/** {@link parseJavaInt} without the wrapper: this sits on the per-message path of `a > 5`. */
function parseJavaIntValue(s: string): number | null {
  const n = s.length;
  let i = 0;
  const first = s.charCodeAt(0);
  if (first === 45 || first === 43) i = 1;
  if (i >= n) return null;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
    // Once past the int range more digits only grow it, so stop before precision could matter.
    if (v > 2147483648) return null;
  }
  if (first === 45) v = 0 - v; // not -v: ints have no negative zero
  return v >= INT_MIN && v <= INT_MAX ? v : null;
}

/** Java `Long.valueOf(String)`; null when it would throw. */
export function parseJavaLong(s: string): JavaLong | null {
  if (!INTEGER_TEXT.test(s)) return null;
  const v = BigInt(s);
  return v >= LONG_MIN && v <= LONG_MAX ? new JavaLong(v) : null;
}

/**
 * Java `Double.valueOf(String)` for decimal input: surrounding control/space characters are ignored, a
 * `f`/`d` suffix is allowed, `NaN` and `Infinity` are accepted. Hexadecimal floats are not supported.
 * Returns null when the text is not a number.
 */
export function parseJavaDouble(s: string): JavaDouble | null {
  const t = javaTrim(s);
  const end = decimalTextEnd(t);
  if (end < 0) return null;
  // `end` excludes an f/d suffix, which Number() would not accept.
  return new JavaDouble(Number(end === t.length ? t : t.slice(0, end)));
}

/**
 * Checks `t` against Java's decimal floating-point syntax without a regex (this runs per message for
 * `a > 1.5`). Returns where the number ends before an optional `f`/`d` suffix, or -1 when it is not one.
 */
function decimalTextEnd(t: string): number {
  const n = t.length;
  let i = 0;
  const first = t.charCodeAt(0);
  if (first === 43 || first === 45) i = 1;
  if (t.startsWith("NaN", i) || t.startsWith("Infinity", i)) {
    return t.length === i + (t.charCodeAt(i) === 78 ? 3 : 8) ? n : -1;
  }
  let digits = 0;
  while (i < n && isAsciiDigit(t.charCodeAt(i))) i++, digits++;
  if (t.charCodeAt(i) === 46) {
    i++;
    while (i < n && isAsciiDigit(t.charCodeAt(i))) i++, digits++;
  }
  if (digits === 0) return -1;
  const e = t.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = t.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const expStart = i;
    while (i < n && isAsciiDigit(t.charCodeAt(i))) i++;
    if (i === expStart) return -1;
  }
  if (i === n) return n;
  const suffix = t.charCodeAt(i);
  const isSuffix = suffix === 102 || suffix === 70 || suffix === 100 || suffix === 68;
  return isSuffix && i + 1 === n ? i : -1;
}

function isAsciiDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Java `String.trim()`: strips code units up to U+0020 at both ends. */
function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Java `Double.compare`: NaN is above everything and equal to itself, -0.0 sorts before 0.0. */
export function compareJavaDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  const aNaN = a !== a;
  const bNaN = b !== b;
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  if (a === 0 && b === 0) {
    const aNeg = Object.is(a, -0);
    const bNeg = Object.is(b, -0);
    return aNeg === bNeg ? 0 : aNeg ? -1 : 1;
  }
  return 0;
}

/** Java unary minus: int and long wrap around, as `-Integer.MIN_VALUE` does in Java. */
export function negateJavaNumber(v: JavaNumber): JavaNumber {
  if (v instanceof JavaInt) return new JavaInt(-v.value | 0);
  if (v instanceof JavaLong) return new JavaLong(BigInt.asIntN(64, -v.value));
  return new JavaDouble(-v.value);
}

/** True for the three number wrappers. */
export function isJavaNumber(v: unknown): v is JavaNumber {
  return v instanceof JavaInt || v instanceof JavaLong || v instanceof JavaDouble;
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

function conversionError(text: string, type: string): Sql92EvalError {
  return new Sql92EvalError(`Cannot convert ${JSON.stringify(text)} to ${type}`);
}

/**
 * Upstream `ComparisonExpression.__compare` with string conversion on: values of different types are
 * widened (int → long → double) or a string is parsed into the other side's type; a failed parse is an
 * evaluation error; any other mixed pair counts as "less than" (-1).
 *
 * @example compareJavaValues("10", new JavaInt(5)) // 1
 */
export function compareJavaValues(
  lv: Exclude<JavaValue, null>,
  rv: Exclude<JavaValue, null>,
): number | Sql92EvalError {
  if (typeof lv === "string") {
    if (typeof rv === "string") return lv < rv ? -1 : lv > rv ? 1 : 0;
    if (typeof rv === "boolean") return compareBooleans(lv.toLowerCase() === "true", rv);
    if (rv instanceof JavaInt) {
      const l = parseJavaIntValue(lv);
      return l === null ? conversionError(lv, "int") : sign(l - rv.value);
    }
    if (rv instanceof JavaLong) {
      const l = parseJavaLong(lv);
      return l === null ? conversionError(lv, "long") : compareBigInts(l.value, rv.value);
    }
    const l = parseJavaDouble(lv);
    return l === null ? conversionError(lv, "double") : compareJavaDoubles(l.value, rv.value);
  }
  if (typeof lv === "boolean") {
    if (typeof rv === "boolean") return compareBooleans(lv, rv);
    // Upstream casts the Boolean to String here and fails with a ClassCastException.
    if (typeof rv === "string") return new Sql92EvalError("Cannot compare a boolean with a string");
    return -1;
  }
  if (typeof rv === "boolean") return -1;
  if (typeof rv === "string") {
    if (lv instanceof JavaInt) {
      const r = parseJavaIntValue(rv);
      return r === null ? conversionError(rv, "int") : sign(lv.value - r);
    }
    if (lv instanceof JavaLong) {
      const r = parseJavaLong(rv);
      return r === null ? conversionError(rv, "long") : compareBigInts(lv.value, r.value);
    }
    const r = parseJavaDouble(rv);
    return r === null ? conversionError(rv, "double") : compareJavaDoubles(lv.value, r.value);
  }
  return compareJavaNumbers(lv, rv);
}

function compareBooleans(a: boolean, b: boolean): number {
  return a === b ? 0 : a ? 1 : -1;
}

function compareBigInts(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two numbers after widening both to the wider type. */
export function compareJavaNumbers(lv: JavaNumber, rv: JavaNumber): number {
  if (lv instanceof JavaDouble || rv instanceof JavaDouble) {
    return compareJavaDoubles(Number(lv.value), Number(rv.value));
  }
  if (lv instanceof JavaInt && rv instanceof JavaInt) return sign(lv.value - rv.value);
  return compareBigInts(BigInt(lv.value), BigInt(rv.value));
}
