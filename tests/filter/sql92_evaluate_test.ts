import assert from "node:assert/strict";
import { compileSql92, Sql92EvalError } from "../../src/filter/message_filter.ts";

// Every row below except the 5.x string tests was cross-checked (outside this suite) against the upstream
// 4.9.8 filter module: same true/false/null/error outcome for each.

type Props = Record<string, string>;
/** Expected raw outcome: true/false/null (unknown) or "error" (evaluation error); only true matches. */
type Outcome = boolean | null | "error";

function outcome(expression: string, props: Props): Outcome {
  const v = compileSql92(expression).evaluateRaw(props);
  return v instanceof Sql92EvalError ? "error" : v;
}

function check(cases: ReadonlyArray<readonly [string, Props, Outcome]>): void {
  for (const [expression, props, expected] of cases) {
    assert.equal(outcome(expression, props), expected, `${expression} with ${JSON.stringify(props)}`);
    assert.equal(compileSql92(expression).evaluate(props), expected === true, `evaluate(): ${expression}`);
  }
}

Deno.test("evaluate() compares a string property with an int constant by parsing it as an int", () => {
  check([
    ["a > 5", { a: "10" }, true],
    ["a > 5", { a: "5" }, false],
    ["a >= 5", { a: "5" }, true],
    ["a < 5", { a: "-7" }, true],
    ["a <= 5", { a: "+5" }, true],
    ["a = 5", { a: "5" }, true],
    ["a <> 5", { a: "6" }, true],
    ["a > 5", { a: "10.5" }, "error"],
    ["a > 5", { a: " 10" }, "error"],
    ["a = 5", { a: "five" }, "error"],
    ["a > 5", { a: "99999999999" }, "error"],
  ]);
});

Deno.test("evaluate() parses the property into the constant's type: long, then double", () => {
  check([
    ["a > 3000000000", { a: "3000000001" }, true],
    ["a = 3000000000", { a: "3000000000" }, true],
    ["a > 3000000000", { a: "1.5" }, "error"],
    ["a > 9223372036854775806", { a: "9223372036854775807" }, true],
    ["a > 1.5", { a: "2" }, true],
    ["a > 1.5", { a: " 2.5 " }, true],
    ["a = 2.5", { a: "2.5d" }, true],
    ["a < 1.5", { a: "1e0" }, true],
    ["a > 1.5", { a: "NaN" }, true],
    ["a > 1.5", { a: "abc" }, "error"],
    ["a > 1E3", { a: "1001" }, true],
    ["a < .5", { a: "0.25" }, true],
  ]);
});

Deno.test("evaluate() orders two string properties numerically and fails on text", () => {
  check([
    ["a > b", { a: "10", b: "9" }, true],
    ["a < b", { a: "1.5", b: "2" }, true],
    ["a > b", { a: "x", b: "1" }, "error"],
    ["a = b", { a: "10", b: "10.0" }, false],
    ["a = b", { a: "x", b: "x" }, true],
    ["a <> b", { a: "x", b: "y" }, true],
  ]);
});

Deno.test("evaluate() follows upstream null rules for comparisons, IN and IS NULL", () => {
  check([
    ["a > 5", {}, null],
    ["a = 'x'", {}, null],
    ["'x' = a", {}, false],
    ["a <> 'x'", {}, null],
    ["a = b", {}, true],
    ["a = b", { b: "1" }, null],
    ["a IS NULL", {}, true],
    ["a IS NULL", { a: "" }, false],
    ["a IS NOT NULL", { a: "" }, true],
    ["a IS NOT NULL", {}, false],
    ["a IN ('x')", {}, null],
    ["a NOT IN ('x')", {}, null],
    ["a BETWEEN 1 AND 3", {}, null],
    ["a", {}, null],
    ["NOT a", {}, null],
    ["-a > 1", {}, null],
  ]);
});

Deno.test("evaluate() treats absent and inherited property names alike", () => {
  check([
    ["constructor IS NULL", {}, true],
    ["toString IS NULL", {}, true],
    ["__proto__ IS NULL", {}, true],
  ]);
});

Deno.test("evaluate() uses three-valued AND, OR and NOT", () => {
  check([
    ["a = 1 AND b = 1", { a: "1", b: "1" }, true],
    ["a = 1 AND b = 1", { a: "1" }, null],
    ["a = 1 AND b = 1", { a: "2" }, false],
    ["b = 1 AND a = 2", { a: "1" }, false],
    ["a = 1 OR b = 1", { b: "1" }, true],
    ["a = 1 OR b = 1", { a: "2" }, null],
    ["a = 1 OR b = 1", { a: "2", b: "2" }, false],
    ["NOT (a = 1)", { a: "2" }, true],
    ["NOT (a = 1)", {}, null],
    ["NOT NOT (a = 1)", { a: "1" }, true],
    ["TRUE", {}, true],
    ["FALSE OR TRUE", {}, true],
    ["NULL", {}, null],
    ["NULL OR TRUE", {}, true],
    ["NULL AND FALSE", {}, false],
  ]);
});

Deno.test("evaluate() short-circuits like upstream, so a later error is not reached", () => {
  check([
    ["FALSE AND a > 1", { a: "x" }, false],
    ["a > 1 AND FALSE", { a: "x" }, "error"],
    ["TRUE OR a > 1", { a: "x" }, true],
    ["NOT (FALSE AND a > 1)", { a: "x" }, true],
    ["NOT (a > 1 AND FALSE)", { a: "x" }, "error"],
    ["b > 1 AND a > 1", { a: "x" }, "error"],
    ["b > 1 OR c = 1 OR a > 1", { a: "x" }, "error"],
  ]);
});

Deno.test("evaluate() binds NOT tighter than comparisons, as upstream's grammar does", () => {
  check([
    // (NOT a) = 1: the cast of a string is false, NOT makes it true, and TRUE = 1 is false.
    ["NOT a = 1", { a: "1" }, false],
    ["NOT a = 1", { a: "2" }, false],
    ["NOT (a = 1)", { a: "2" }, true],
    ["NOT a = 1 OR b = 2", { b: "2" }, true],
    // (NOT a) IS NULL: NOT keeps an absent property's null, so this is true exactly when a is absent.
    ["NOT a IS NULL", {}, true],
    ["NOT a IS NULL", { a: "x" }, false],
  ]);
});

Deno.test("evaluate() groups with nested parentheses and AND above OR", () => {
  check([
    ["a = 1 OR b = 1 AND c = 1", { a: "1" }, true],
    ["(a = 1 OR b = 1) AND c = 1", { a: "1" }, null],
    ["(a = 1 OR b = 1) AND c = 1", { a: "1", c: "1" }, true],
    ["((((a = 1))) AND (((b = 2) OR (c = 3))))", { a: "1", c: "3" }, true],
    ["(((a > 1) AND ((b < 5) OR (c = 'z'))) OR d IS NOT NULL)", { d: "" }, true],
  ]);
});

Deno.test("evaluate() includes both BETWEEN bounds and excludes them for NOT BETWEEN", () => {
  check([
    ["a BETWEEN 1 AND 3", { a: "1" }, true],
    ["a BETWEEN 1 AND 3", { a: "3" }, true],
    ["a BETWEEN 1 AND 3", { a: "0" }, false],
    ["a BETWEEN 1 AND 3", { a: "4" }, false],
    ["a BETWEEN 1 AND 1", { a: "1" }, true],
    ["a NOT BETWEEN 1 AND 3", { a: "1" }, false],
    ["a NOT BETWEEN 1 AND 3", { a: "0" }, true],
    ["a NOT BETWEEN 1 AND 3", { a: "4" }, true],
    ["a BETWEEN 1.5 AND 2.5", { a: "2" }, true],
    ["a BETWEEN -5 AND 5", { a: "-5" }, true],
    ["a BETWEEN 1 AND 3", { a: "x" }, "error"],
    ["a BETWEEN b AND c", { a: "2", b: "1", c: "3" }, true],
    ["a BETWEEN 1 AND 3 AND b = 'x'", { a: "2", b: "x" }, true],
  ]);
});

Deno.test("evaluate() matches IN lists by exact string", () => {
  check([
    ["a IN ('x', 'y')", { a: "y" }, true],
    ["a IN ('x', 'y')", { a: "Y" }, false],
    ["a IN ('x', 'y')", { a: "x " }, false],
    ["a IN ('1')", { a: "1" }, true],
    ["a NOT IN ('x', 'y')", { a: "z" }, true],
    ["a NOT IN ('x', 'y')", { a: "x" }, false],
    ["a IN ('', 'it''s')", { a: "it's" }, true],
    ["a IN ('', 'it''s')", { a: "" }, true],
    ["a IN ('a','b','c','d','e','f')", { a: "f" }, true],
  ]);
});

Deno.test("evaluate() sees TAGS as the stored TAGS property", () => {
  check([
    ["TAGS = 'a'", { TAGS: "a" }, true],
    ["TAGS IN ('a', 'b') AND region = 'hz'", { TAGS: "b", region: "hz" }, true],
    ["TAGS IN ('a', 'b')", {}, null],
    ["TAGS IS NULL", {}, true],
    ["tags = 'a'", { TAGS: "a" }, null],
    ["KEYS = 'k1'", { KEYS: "k1" }, true],
  ]);
});

Deno.test("evaluate() casts a bare property to false and never matches it", () => {
  check([
    ["a", { a: "true" }, false],
    ["a OR b = 1", { a: "true", b: "1" }, true],
    ["NOT a", { a: "x" }, true],
  ]);
});

Deno.test("evaluate() applies upstream conversions between booleans, strings and numbers", () => {
  check([
    ["a = TRUE", { a: "TRUE" }, true],
    ["a = TRUE", { a: "yes" }, false],
    ["a = FALSE", { a: "no" }, true],
    ["'true' = TRUE", {}, true],
    ["1 = TRUE", {}, false],
    ["(a = 1) = TRUE", { a: "1" }, true],
    ["(a = 1) = (b = 2)", { a: "0", b: "0" }, true],
    ["(a = 1) = 'true'", { a: "1" }, "error"],
    ["1 = 1.0", {}, true],
    ["3000000000 > 2.5", {}, true],
    ["2 < 3000000000", {}, true],
    // Negating a string yields null: properties are never numbers.
    ["-a = -5", { a: "5" }, null],
    ["-5 = a", { a: "-5" }, true],
    ["- - 5 = 5", {}, true],
    ["-'x' IS NULL", {}, true],
    ["+a = 5", { a: "5" }, true],
  ]);
});

Deno.test("evaluate() handles Java number edge cases", () => {
  check([
    ["a = -2147483648", { a: "-2147483648" }, true],
    ["a = 2147483648", { a: "2147483648" }, true],
    ["a > 2147483647", { a: "2147483648" }, "error"],
    ["a = 9223372036854775807L", { a: "9223372036854775807" }, true],
    ["a = -9223372036854775807", { a: "-9223372036854775807" }, true],
    ["a = 5L", { a: "5" }, true],
    ["a > 1.5", { a: "-0" }, false],
  ]);
});

Deno.test("evaluate() implements the 5.x CONTAINS, STARTSWITH and ENDSWITH tests", () => {
  check([
    ["a CONTAINS 'bc'", { a: "abcd" }, true],
    ["a CONTAINS 'x'", { a: "abcd" }, false],
    ["a CONTAINS ''", { a: "abcd" }, false],
    ["a CONTAINS 'x'", {}, false],
    ["a NOT CONTAINS 'x'", { a: "abcd" }, true],
    ["a STARTSWITH 'ab'", { a: "abcd" }, true],
    ["a NOT STARTSWITH 'ab'", { a: "abcd" }, false],
    ["a ENDSWITH 'cd'", { a: "abcd" }, true],
    ["a endswith 'cd' AND b = 1", { a: "abcd", b: "1" }, true],
  ]);
});

Deno.test("evaluate() reads keywords and identifiers as upstream: keywords any case, names exact", () => {
  check([
    ["a = 1 and b = 2", { a: "1", b: "2" }, true],
    ["A = 1", { a: "1" }, null],
    ["$x_1 = 'v'", { $x_1: "v" }, true],
    ["a=1--comment\n", { a: "1" }, true],
    ["a = /* c */ 1", { a: "1" }, true],
    ["a\t=\r\n1\f", { a: "1" }, true],
  ]);
});
