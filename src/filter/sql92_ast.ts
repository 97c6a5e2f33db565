/**
 * The typed syntax tree of a compiled SQL92 selector. Every node records the source span it came from so
 * compile-time errors can quote the offending text.
 */

import type { JavaValue } from "./java_values.ts";

/** Source span: `start` inclusive, `end` exclusive, zero-based. */
export interface Sql92Span {
  start: number;
  end: number;
}

/** Ordering operators. */
export type Sql92OrderingOp = ">" | ">=" | "<" | "<=";

/** 5.x string tests. */
export type Sql92StringTestOp = "CONTAINS" | "STARTSWITH" | "ENDSWITH";

/** A node of the selector tree. `<>`, `IS NOT NULL` and the `NOT` forms are expressed with `not`. */
export type Sql92Node =
  | Sql92Span & { kind: "constant"; value: JavaValue }
  | Sql92Span & { kind: "property"; name: string }
  | Sql92Span & { kind: "negate"; operand: Sql92Node }
  | Sql92Span & { kind: "not"; operand: Sql92Node }
  | Sql92Span & { kind: "booleanCast"; operand: Sql92Node }
  | Sql92Span & { kind: "and" | "or"; operands: Sql92Node[] }
  | Sql92Span & { kind: "equal"; left: Sql92Node; right: Sql92Node }
  | Sql92Span & { kind: "ordering"; op: Sql92OrderingOp; left: Sql92Node; right: Sql92Node }
  | Sql92Span & { kind: "in"; operand: Sql92Node; values: ReadonlySet<string>; negated: boolean }
  | Sql92Span & {
    kind: "stringTest";
    op: Sql92StringTestOp;
    operand: Sql92Node;
    literal: string;
    negated: boolean;
  };

/**
 * Whether upstream types the node as a `BooleanExpression`: comparisons, logic, `TRUE`/`FALSE` and — because
 * upstream models it as a boolean constant — the `NULL` literal.
 */
export function isBooleanNode(node: Sql92Node): boolean {
  switch (node.kind) {
    case "constant":
      return node.value === null || typeof node.value === "boolean";
    case "property":
    case "negate":
      return false;
    default:
      return true;
  }
}
