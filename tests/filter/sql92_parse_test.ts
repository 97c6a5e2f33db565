import assert from "node:assert/strict";
import { compileSql92, FilterParseError } from "../../src/filter/message_filter.ts";
import { MAX_SQL92_DEPTH } from "../../src/filter/sql92_parser.ts";
import { tokenizeSql92 } from "../../src/filter/sql92_lexer.ts";

function parseError(expression: string): FilterParseError {
  try {
    compileSql92(expression);
  } catch (e) {
    if (e instanceof FilterParseError) return e;
    throw e;
  }
  assert.fail(`expected ${JSON.stringify(expression)} to be rejected`);
}

Deno.test("compileSql92() names the unexpected token and its position", () => {
  const e = parseError("a > 1 AND AND b");
  assert.equal(e.message, 'Unexpected token "AND" at position 10 in "a > 1 AND AND b"');
  assert.equal(e.position, 10);
  assert.equal(e.expression, "a > 1 AND AND b");
});

Deno.test("compileSql92() reports the end of input when an expression stops early", () => {
  assert.equal(parseError("a >").message, 'Unexpected end of expression at position 3 in "a >"');
  assert.equal(parseError("").message, 'Unexpected end of expression at position 0 in ""');
  assert.equal(
    parseError("(a = 1").message,
    'Unexpected end of expression, expected ")" at position 6 in "(a = 1"',
  );
});

Deno.test("compileSql92() rejects tokens after a complete selector, unlike upstream", () => {
  assert.equal(parseError("a = 1 b").position, 6);
  assert.equal(parseError("a = 1)").position, 5);
  assert.equal(
    parseError("a = 1 ANDD b = 2").message,
    'Unexpected token "ANDD" at position 6 in "a = 1 ANDD b = 2"',
  );
});

Deno.test("compileSql92() rejects characters and unterminated literals the lexer cannot read", () => {
  assert.equal(parseError("a != 1").message, 'Unexpected character "!" at position 2 in "a != 1"');
  assert.equal(parseError("a.b = 1").position, 1);
  assert.equal(parseError("a = 'x").message, 'Unterminated string literal at position 4 in "a = \'x"');
  assert.equal(parseError("a = 1 /* x").message, 'Unterminated comment at position 6 in "a = 1 /* x"');
  assert.equal(parseError('a = "x"').position, 4);
  assert.equal(parseError("a = 0x10").position, 5);
});

Deno.test("compileSql92() requires a boolean selector and boolean operands of AND, OR and NOT", () => {
  assert.equal(
    parseError("5").message,
    'Expression "5" will not result in a boolean value at position 0 in "5"',
  );
  assert.equal(parseError("'x'").position, 0);
  assert.equal(parseError("a = 1 AND 5").position, 10);
  assert.equal(parseError("5 OR a = 1").position, 0);
  assert.equal(parseError("NOT 5").position, 4);
  assert.equal(parseError("-a").position, 0);
  for (const ok of ["a", "TRUE", "FALSE", "NULL", "a AND b", "NOT a", "(a)", "a = 1 AND (b)"]) {
    compileSql92(ok);
  }
});

Deno.test("compileSql92() rejects NULL in = and <> and a boolean literal compared with another constant", () => {
  assert.equal(
    parseError("a = NULL").message,
    'NULL cannot be compared with "=" (use IS NULL or IS NOT NULL) at position 4 in "a = NULL"',
  );
  assert.equal(parseError("NULL <> a").position, 0);
  assert.equal(
    parseError("TRUE = 1").message,
    'Boolean "TRUE" cannot be compared with "1" at position 5 in "TRUE = 1"',
  );
  assert.equal(parseError("FALSE = 'x'").position, 6);
  // Upstream only checks a boolean literal on the left, and only against constants.
  for (const ok of ["1 = TRUE", "'x' = FALSE", "TRUE = FALSE", "TRUE = a", "a = TRUE"]) compileSql92(ok);
});

Deno.test("compileSql92() allows only numeric constants and non-boolean expressions in orderings", () => {
  assert.equal(
    parseError("a > 'x'").message,
    `Value "'x'" cannot be compared with ">" at position 4 in "a > 'x'"`,
  );
  assert.equal(parseError("a < NULL").position, 4);
  assert.equal(parseError("TRUE >= a").position, 0);
  assert.equal(
    parseError("(a = 1) > 2").message,
    'Boolean expression "a = 1" cannot be compared with ">" at position 1 in "(a = 1) > 2"',
  );
  assert.equal(parseError("a IN ('x') > 1").position, 0);
  assert.equal(parseError("a <= b > 1").position, 0);
  for (
    const ok of ["a > 5", "a > b", "5 < a", "a > -'x'", "a >= 1.5", "a < (5)", "a > 9223372036854775807"]
  ) {
    compileSql92(ok);
  }
});

Deno.test("compileSql92() checks constant BETWEEN bounds: not NULL, numeric, low ≤ high", () => {
  assert.equal(
    parseError("a BETWEEN 3 AND 1").message,
    'BETWEEN lower bound 3 must not exceed upper bound 1 at position 10 in "a BETWEEN 3 AND 1"',
  );
  assert.equal(parseError("a BETWEEN NULL AND 1").message.startsWith("BETWEEN bounds cannot be NULL"), true);
  assert.equal(parseError("a BETWEEN 'x' AND 'y'").position, 10);
  assert.equal(parseError("a BETWEEN 1 AND 'x'").position, 10);
  assert.equal(parseError("a BETWEEN 1 OR 2").position, 12);
  assert.equal(parseError("a NOT BETWEEN NULL AND 1").position, 14);
  // Upstream does not order-check NOT BETWEEN, nor bounds that are not plain literals (-5 is a negation).
  for (
    const ok of ["a NOT BETWEEN 3 AND 1", "a BETWEEN 5 AND -5", "a BETWEEN 1 AND 1", "a BETWEEN 1 AND 2.5"]
  ) {
    compileSql92(ok);
  }
});

Deno.test("compileSql92() requires a property left of IN and string literals inside it", () => {
  assert.equal(
    parseError("'a' IN ('a')").message,
    `IN needs a property on its left, not "'a'" at position 4 in "'a' IN ('a')"`,
  );
  assert.equal(
    parseError("a IN (1)").message,
    'Unexpected token "1", expected a string literal at position 6 in "a IN (1)"',
  );
  assert.equal(parseError("a IN ()").position, 6);
  assert.equal(parseError("a IN ('x' 'y')").position, 10);
  assert.equal(parseError("a IN 'x'").position, 5);
  assert.equal(parseError("a NOT IN (b)").position, 10);
  for (const ok of ["(a) IN ('x')", "+a IN ('x')", "a IN ('x',   'y','z')"]) compileSql92(ok);
});

Deno.test("compileSql92() checks IS [NOT] NULL and the 5.x string tests' literal", () => {
  assert.equal(
    parseError("a IS 1").message,
    'Unexpected token "1", expected NULL or NOT NULL at position 5 in "a IS 1"',
  );
  assert.equal(parseError("a IS NOT 1").position, 9);
  assert.equal(parseError("a CONTAINS b").position, 11);
  assert.equal(parseError("a NOT STARTSWITH 1").position, 17);
});

Deno.test("compileSql92() mirrors upstream's number literal limits, including rejecting 0.0", () => {
  assert.equal(
    parseError("a = 0.0").message,
    'Number "0.0" is less than the smallest positive double 4.9E-324 at position 4 in "a = 0.0"',
  );
  assert.equal(parseError("a > 1e-400").position, 4);
  assert.equal(
    parseError("a > 1e400").message.startsWith('Number "1e400" is greater than the largest double'),
    true,
  );
  assert.equal(
    parseError("a > 9223372036854775808").message.startsWith('Number "9223372036854775808" does not fit'),
    true,
  );
  for (
    const ok of [
      "a = 0",
      "a > 4.9e-324",
      "a > 5.",
      "a > .5E1",
      "a > 5E+2",
      "a = 123L",
      "a > -9223372036854775807",
    ]
  ) {
    compileSql92(ok);
  }
});

Deno.test("compileSql92() bounds nesting so hostile input cannot exhaust the stack", () => {
  const deep = "(".repeat(100_000) + "a" + ")".repeat(100_000);
  assert.match(parseError(deep).message, new RegExp(`nests deeper than ${MAX_SQL92_DEPTH} levels`));
  assert.match(parseError("NOT ".repeat(100_000) + "a").message, /nests deeper/);
  assert.match(parseError(Array(5000).fill("a").join(" = ")).message, /nests deeper/);
  // Long AND/OR chains are flat and fine.
  compileSql92(Array(20_000).fill("a = 1").join(" OR "));
  compileSql92("(".repeat(50) + "a = 1" + ")".repeat(50));
});

Deno.test("tokenizeSql92() follows longest-match rules for numbers, keywords and comments", () => {
  const texts = (s: string) => tokenizeSql92(s).map((t) => `${t.kind}:${t.text}`);
  assert.deepEqual(texts("007"), ["decimal:0", "decimal:0", "decimal:7", "eof:"]);
  assert.deepEqual(texts("5E x"), ["decimal:5", "id:E", "id:x", "eof:"]);
  assert.deepEqual(texts("5.e3 .5 12l 0L"), [
    "float:5.e3",
    "float:.5",
    "decimal:12l",
    "decimal:0",
    "id:L",
    "eof:",
  ]);
  assert.deepEqual(texts("NOTE not Between"), ["id:NOTE", "keyword:not", "keyword:Between", "eof:"]);
  assert.deepEqual(texts("a --x\n<> -- y"), ["id:a", "op:<>", "eof:"]);
  assert.deepEqual(texts("'it''s'").slice(0, 1), ["string:'it''s'"]);
  const str = tokenizeSql92("'it''s'")[0];
  assert.equal(str?.kind === "string" ? str.value : undefined, "it's");
});
