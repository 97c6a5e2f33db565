import assert from "node:assert/strict";
import {
  compareJavaDoubles,
  compareJavaValues,
  JavaDouble,
  JavaInt,
  JavaLong,
  negateJavaNumber,
  parseJavaDouble,
  parseJavaInt,
  parseJavaLong,
  Sql92EvalError,
} from "../../src/filter/java_values.ts";

Deno.test("parseJavaInt() accepts what Integer.valueOf accepts and nothing else", () => {
  const ok: Array<[string, number]> = [["5", 5], ["+5", 5], ["-0", 0], ["0005", 5], [
    "2147483647",
    2147483647,
  ], [
    "-2147483648",
    -2147483648,
  ]];
  for (const [s, v] of ok) assert.equal(parseJavaInt(s)?.value, v, s);
  for (
    const s of [
      "",
      "+",
      "-",
      " 5",
      "5 ",
      "2147483648",
      "-2147483649",
      "1.0",
      "1e3",
      "0x1",
      "99999999999999999999",
    ]
  ) {
    assert.equal(parseJavaInt(s), null, s);
  }
});

Deno.test("parseJavaLong() keeps all 64 bits exact", () => {
  assert.equal(parseJavaLong("9223372036854775807")?.value, 9223372036854775807n);
  assert.equal(parseJavaLong("-9223372036854775808")?.value, -9223372036854775808n);
  assert.equal(parseJavaLong("9223372036854775808"), null);
  assert.equal(parseJavaLong("1L"), null);
});

Deno.test("parseJavaDouble() follows Double.valueOf for decimal text", () => {
  const ok: Array<[string, number]> = [
    ["1", 1],
    ["1.", 1],
    [".5", 0.5],
    ["-1e3", -1000],
    ["1E+3", 1000],
    [" 2 ", 2],
    ["\t2\n", 2],
    ["2f", 2],
    ["2.5D", 2.5],
    ["-Infinity", -Infinity],
    ["1e400", Infinity],
  ];
  for (const [s, v] of ok) assert.equal(parseJavaDouble(s)?.value, v, s);
  assert.ok(Number.isNaN(parseJavaDouble("+NaN")?.value));
  for (const s of ["", " ", ".", "e3", "1e", "1e+", "2ff", "NaNd", "0x10", "1_000", "Inf", "1,5", "\u0661"]) {
    assert.equal(parseJavaDouble(s), null, s);
  }
});

Deno.test("compareJavaDoubles() orders NaN last and -0.0 before 0.0 like Double.compare", () => {
  assert.equal(compareJavaDoubles(NaN, NaN), 0);
  assert.equal(compareJavaDoubles(NaN, Infinity), 1);
  assert.equal(compareJavaDoubles(1, NaN), -1);
  assert.equal(compareJavaDoubles(-0, 0), -1);
  assert.equal(compareJavaDoubles(0, -0), 1);
  assert.equal(compareJavaDoubles(2, 1), 1);
});

Deno.test("compareJavaValues() widens numbers, parses strings into the other side's type, else -1", () => {
  assert.equal(compareJavaValues(new JavaInt(1), new JavaLong(1n)), 0);
  assert.equal(compareJavaValues(new JavaLong(3n), new JavaDouble(2.5)), 1);
  assert.equal(compareJavaValues("10", new JavaInt(5)), 1);
  assert.equal(compareJavaValues(new JavaDouble(1.5), "1.5"), 0);
  assert.equal(compareJavaValues("True", true), 0);
  assert.equal(compareJavaValues(new JavaInt(1), true), -1);
  assert.equal(compareJavaValues(true, new JavaInt(1)), -1);
  assert.ok(compareJavaValues(true, "true") instanceof Sql92EvalError);
  assert.ok(compareJavaValues("1.5", new JavaInt(1)) instanceof Sql92EvalError);
  assert.equal(compareJavaValues("b", "a"), 1);
});

Deno.test("negateJavaNumber() wraps int and long like Java", () => {
  assert.equal(negateJavaNumber(new JavaInt(-2147483648)).value, -2147483648);
  assert.equal(negateJavaNumber(new JavaLong(-(1n << 63n))).value, -(1n << 63n));
  assert.equal(negateJavaNumber(new JavaDouble(1.5)).value, -1.5);
});
