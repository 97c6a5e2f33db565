/**
 * Evaluates a compiled SQL92 selector against a message's properties with upstream's three-valued logic
 * (store-and-semantics.md §11.2.4). Never throws: failures surface as {@link Sql92EvalError} values.
 *
 * The tree is turned into nested closures once per selector: each closure has one monomorphic job, which
 * keeps per-message evaluation far cheaper than switching over node shapes on every call.
 */

import type { Sql92Node, Sql92OrderingOp } from "./sql92_ast.ts";
import {
  compareJavaDoubles,
  compareJavaValues,
  isJavaNumber,
  type JavaValue,
  negateJavaNumber,
  parseJavaDouble,
  Sql92EvalError,
} from "./java_values.ts";

/** The outcome of one evaluation: a message matches only on exactly `true`. */
export type Sql92Result = JavaValue | Sql92EvalError;

/** Message properties as decoded from a stored record; every value is a string. */
export type MessageProperties = Readonly<Record<string, string>>;

/** A compiled evaluation function. */
export type Sql92Evaluator = (props: MessageProperties) => Sql92Result;

/**
 * Builds the evaluation function of a checked syntax tree.
 *
 * @example
 * ```ts
 * import { parseSql92 } from "./sql92_parser.ts";
 * buildEvaluator(parseSql92("a > 5"))({ a: "10" }); // true
 * ```
 */
export function buildEvaluator(node: Sql92Node): Sql92Evaluator {
  switch (node.kind) {
    case "constant": {
      const value = node.value;
      return () => value;
    }
    case "property": {
      const name = node.name;
      return (props) => {
        // Inherited members (`constructor`, `__proto__`) are never strings, so the type test hides them.
        const v = props[name];
        return typeof v === "string" ? v : null;
      };
    }
    case "negate": {
      const operand = buildEvaluator(node.operand);
      return (props) => {
        const v = operand(props);
        if (v instanceof Sql92EvalError) return v;
        return isJavaNumber(v) ? negateJavaNumber(v) : null;
      };
    }
    case "not": {
      const operand = buildEvaluator(node.operand);
      return (props) => {
        const v = operand(props);
        if (v === null || v instanceof Sql92EvalError) return v;
        return typeof v === "boolean" ? !v : notBoolean(v);
      };
    }
    case "booleanCast": {
      const operand = buildEvaluator(node.operand);
      return (props) => {
        const v = operand(props);
        if (v === null || v instanceof Sql92EvalError) return v;
        return v === true;
      };
    }
    case "and":
      return logic(node.operands.map(buildEvaluator), false);
    case "or":
      return logic(node.operands.map(buildEvaluator), true);
    case "equal":
      return equal(buildEvaluator(node.left), buildEvaluator(node.right));
    case "ordering":
      return ordering(node.op, buildEvaluator(node.left), buildEvaluator(node.right));
    case "in": {
      const operand = buildEvaluator(node.operand);
      const { values, negated } = node;
      return (props) => {
        const v = operand(props);
        if (v === null || v instanceof Sql92EvalError) return v;
        if (typeof v !== "string") return null;
        return values.has(v) !== negated;
      };
    }
    case "stringTest": {
      const operand = buildEvaluator(node.operand);
      const { literal, negated, op } = node;
      const test = op === "CONTAINS"
        ? (v: string) => v.includes(literal)
        : op === "STARTSWITH"
        ? (v: string) => v.startsWith(literal)
        : (v: string) => v.endsWith(literal);
      return (props) => {
        const v = operand(props);
        if (v instanceof Sql92EvalError) return v;
        // Null, non-strings and an empty literal are "false" for both forms (5.x).
        if (typeof v !== "string" || literal.length === 0) return false;
        return test(v) !== negated;
      };
    }
  }
}

function notBoolean(v: JavaValue): Sql92EvalError {
  return new Sql92EvalError(`Expected a boolean but got ${JSON.stringify(String(v))}`);
}

/**
 * AND (`decisive` false) / OR (`decisive` true) over a left-associative chain: stop at the first decisive
 * value or error, else null if any operand was null. Equals upstream's nested pairs, which short-circuit
 * the same way.
 */
function logic(operands: readonly Sql92Evaluator[], decisive: boolean): Sql92Evaluator {
  return (props) => {
    let sawNull = false;
    for (let i = 0; i < operands.length; i++) {
      const v = operands[i]!(props);
      if (v === decisive || v instanceof Sql92EvalError) return v;
      if (v === null) sawNull = true;
      else if (typeof v !== "boolean") return notBoolean(v);
    }
    return sawNull ? null : !decisive;
  };
}

function equal(left: Sql92Evaluator, right: Sql92Evaluator): Sql92Evaluator {
  return (props) => {
    const lv = left(props);
    if (lv instanceof Sql92EvalError) return lv;
    const rv = right(props);
    if (rv instanceof Sql92EvalError) return rv;
    if (lv === null || rv === null) {
      if (lv === rv) return true;
      return lv === null ? null : false;
    }
    if (typeof lv === "string" && lv === rv) return true;
    const cmp = compareJavaValues(lv, rv);
    return typeof cmp === "number" ? cmp === 0 : cmp;
  };
}

function ordering(op: Sql92OrderingOp, left: Sql92Evaluator, right: Sql92Evaluator): Sql92Evaluator {
  const accept = op === ">"
    ? (c: number) => c > 0
    : op === ">="
    ? (c: number) => c >= 0
    : op === "<"
    ? (c: number) => c < 0
    : (c: number) => c <= 0;
  return (props) => {
    const lv = left(props);
    if (lv === null || lv instanceof Sql92EvalError) return lv;
    const rv = right(props);
    if (rv === null || rv instanceof Sql92EvalError) return rv;
    let cmp: number | Sql92EvalError;
    if (typeof lv === "string" && typeof rv === "string") {
      // Two strings are ordered as numbers; upstream refuses to order text.
      const l = parseJavaDouble(lv);
      const r = parseJavaDouble(rv);
      if (l === null || r === null) {
        return new Sql92EvalError(`Cannot order strings ${JSON.stringify(lv)} and ${JSON.stringify(rv)}`);
      }
      cmp = compareJavaDoubles(l.value, r.value);
    } else {
      cmp = compareJavaValues(lv, rv);
    }
    return typeof cmp === "number" ? accept(cmp) : cmp;
  };
}
