import assert from "node:assert/strict";
import { compileSql92, FilterParseError, Sql92EvalError } from "../../src/filter/message_filter.ts";

/** mulberry32: a tiny deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCABULARY = [
  "a",
  "b",
  "c",
  "TAGS",
  "x_1",
  "$y",
  "NOT",
  "AND",
  "OR",
  "BETWEEN",
  "IN",
  "IS",
  "NULL",
  "TRUE",
  "FALSE",
  "CONTAINS",
  "STARTSWITH",
  "ENDSWITH",
  "=",
  "<>",
  "<",
  "<=",
  ">",
  ">=",
  "(",
  ")",
  ",",
  "+",
  "-",
  "0",
  "1",
  "42",
  "2147483648",
  "9223372036854775807",
  "1.5",
  ".5",
  "1e3",
  "0.0",
  "'x'",
  "'it''s'",
  "''",
  "'10'",
  "--c\n",
  "/* c */",
  "'",
  "!",
  ".",
  "\u00e9",
  "\t",
];

const SEEDS = [
  "a > 5",
  "a BETWEEN 1 AND 3 OR b IN ('x', 'y')",
  "NOT (TAGS = 'a') AND c IS NOT NULL",
  "a NOT BETWEEN -1.5 AND 2e3 AND b NOT IN ('it''s')",
  "(a = TRUE OR b <> 'q') AND NOT c",
  "a CONTAINS 'x' OR b NOT STARTSWITH 'y' OR c ENDSWITH 'z'",
  "a >= b AND b <= 9223372036854775807 AND -c < 3",
];

const VALUES = [
  "",
  "0",
  "1",
  "-1",
  "5",
  "10.5",
  "x",
  "true",
  "TRUE",
  "NaN",
  "1e400",
  " 7 ",
  "3000000000",
  "it's",
];

function randomProps(rand: () => number): Record<string, string> {
  const props: Record<string, string> = {};
  for (const name of ["a", "b", "c", "TAGS", "x_1", "$y"]) {
    if (rand() < 0.7) props[name] = VALUES[Math.floor(rand() * VALUES.length)]!;
  }
  return props;
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function mutate(rand: () => number, s: string): string {
  const i = Math.floor(rand() * (s.length + 1));
  switch (Math.floor(rand() * 4)) {
    case 0:
      return s.slice(0, i) + s.slice(i + 1);
    case 1:
      return s.slice(0, i) + pick(rand, VOCABULARY) + s.slice(i);
    case 2:
      return s.slice(0, i) + String.fromCharCode(Math.floor(rand() * 128)) + s.slice(i + 1);
    default: {
      const words = s.split(" ");
      const j = Math.floor(rand() * words.length);
      words.splice(j, 1, pick(rand, VOCABULARY));
      return words.join(" ");
    }
  }
}

type Raw = boolean | null | "error";

function raw(v: boolean | null | Sql92EvalError): Raw {
  return v instanceof Sql92EvalError ? "error" : v;
}

/** Compiles or rejects cleanly; when compiled, evaluation never throws and NOT inverts the result. */
function exercise(rand: () => number, expression: string): boolean {
  let compiled;
  try {
    compiled = compileSql92(expression);
  } catch (e) {
    if (!(e instanceof FilterParseError)) {
      throw new Error(`compileSql92(${JSON.stringify(expression)}) threw ${String(e)}`);
    }
    return false;
  }
  const negated = compileSql92(`NOT (${expression}\n)`);
  for (let k = 0; k < 4; k++) {
    const props = randomProps(rand);
    const r = raw(compiled.evaluateRaw(props));
    assert.equal(typeof compiled.evaluate(props), "boolean");
    const n = raw(negated.evaluateRaw(props));
    const expected = typeof r === "boolean" ? !r : r;
    assert.equal(n, expected, `NOT (${expression}) with ${JSON.stringify(props)}`);
  }
  return true;
}

Deno.test("compileSql92() survives 5,000 random token sequences: compile or FilterParseError, never a crash", () => {
  const rand = prng(20261122);
  let compiled = 0;
  for (let n = 0; n < 5000; n++) {
    const len = 1 + Math.floor(rand() * 10);
    const parts: string[] = [];
    for (let i = 0; i < len; i++) parts.push(pick(rand, VOCABULARY));
    if (exercise(rand, parts.join(" "))) compiled++;
  }
  assert.ok(compiled > 50, `some random sequences should compile (got ${compiled})`);
});

Deno.test("compileSql92() survives 5,000 mutations of valid selectors", () => {
  const rand = prng(7);
  let compiled = 0;
  for (let n = 0; n < 5000; n++) {
    let s = pick(rand, SEEDS);
    const rounds = 1 + Math.floor(rand() * 3);
    for (let r = 0; r < rounds; r++) s = mutate(rand, s);
    if (exercise(rand, s)) compiled++;
  }
  assert.ok(compiled > 200, `many mutations should still compile (got ${compiled})`);
});

Deno.test("every seed selector compiles and evaluates", () => {
  const rand = prng(1);
  for (const s of SEEDS) assert.equal(exercise(rand, s), true, s);
});
