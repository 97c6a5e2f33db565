/**
 * Recursive-descent parser for SQL92 message selectors with the upstream compile-time checks
 * (store-and-semantics.md §11.2.2, §11.2.3).
 *
 * Deliberate differences from upstream, both stricter and both about malformed input only:
 * - Tokens after a complete selector are an error (upstream silently ignores them, so `a = 1 b` would mean
 *   `a = 1` there). A typo such as `a = 1 ANDD b = 2` should not quietly filter on half the expression.
 * - Nesting is limited to {@link MAX_SQL92_DEPTH} levels so hostile input cannot exhaust the stack.
 *
 * Kept as upstream on purpose: a floating point literal below `Double.MIN_VALUE` — which includes `0.0` — is
 * rejected, as is one above `Double.MAX_VALUE`. A Java broker refuses such selectors, so accepting them here
 * would make the same subscription valid on one broker and invalid on another. Write `0` instead of `0.0`.
 */

import { FilterParseError } from "./filter_error.ts";
import { compareJavaValues, JavaDouble, JavaInt, JavaLong, type JavaValue } from "./java_values.ts";
import { isBooleanNode, type Sql92Node, type Sql92OrderingOp, type Sql92StringTestOp } from "./sql92_ast.ts";
import { type Sql92Keyword, type Sql92Token, tokenizeSql92 } from "./sql92_lexer.ts";

/** Deepest nesting of the syntax tree accepted by {@link parseSql92}. */
export const MAX_SQL92_DEPTH = 200;

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const LONG_MAX = (1n << 63n) - 1n;

const ORDERING_OPS: ReadonlySet<string> = new Set([">", ">=", "<", "<="]);
const STRING_TESTS: ReadonlySet<string> = new Set(["CONTAINS", "STARTSWITH", "ENDSWITH"]);
const NEGATABLE: ReadonlySet<string> = new Set(["CONTAINS", "STARTSWITH", "ENDSWITH", "BETWEEN", "IN"]);

/**
 * Parses and checks a selector, returning its boolean syntax tree.
 *
 * @throws {FilterParseError} naming the position and offending token or value.
 * @example parseSql92("a BETWEEN 1 AND 3").kind // "and"
 */
export function parseSql92(expression: string): Sql92Node {
  return new Parser(expression).parseSelector();
}

class Parser {
  readonly #src: string;
  readonly #tokens: Sql92Token[];
  #i = 0;
  #nesting = 0;
  readonly #depth = new Map<Sql92Node, number>();

  constructor(src: string) {
    this.#src = src;
    this.#tokens = tokenizeSql92(src);
  }

  parseSelector(): Sql92Node {
    const node = this.#parseOr();
    const t = this.#peek();
    if (t.kind !== "eof") throw this.#unexpected(t);
    return this.#asBoolean(node);
  }

  #peek(ahead = 0): Sql92Token {
    const tokens = this.#tokens;
    // The last token is always eof, so clamping keeps every lookahead defined.
    return tokens[Math.min(this.#i + ahead, tokens.length - 1)]!;
  }

  #next(): Sql92Token {
    const t = this.#peek();
    if (this.#i < this.#tokens.length - 1) this.#i++;
    return t;
  }

  #isKeyword(t: Sql92Token, keyword: Sql92Keyword): boolean {
    return t.kind === "keyword" && t.keyword === keyword;
  }

  #isOp(t: Sql92Token, op: string): boolean {
    return t.kind === "op" && t.op === op;
  }

  #error(problem: string, position: number): FilterParseError {
    return new FilterParseError(problem, position, this.#src);
  }

  #unexpected(t: Sql92Token, expected?: string): FilterParseError {
    const found = t.kind === "eof"
      ? "Unexpected end of expression"
      : `Unexpected token ${JSON.stringify(t.text)}`;
    return this.#error(expected === undefined ? found : `${found}, expected ${expected}`, t.pos);
  }

  #text(node: Sql92Node): string {
    return JSON.stringify(this.#src.slice(node.start, node.end));
  }

  /** Registers a node's depth (one more than its deepest child) and enforces the nesting limit. */
  #made<N extends Sql92Node>(node: N, ...children: Sql92Node[]): N {
    let d = 0;
    for (const c of children) d = Math.max(d, this.#depth.get(c) ?? 1);
    if (d + 1 > MAX_SQL92_DEPTH) {
      throw this.#error(`Expression nests deeper than ${MAX_SQL92_DEPTH} levels`, node.start);
    }
    this.#depth.set(node, d + 1);
    return node;
  }

  /** Upstream `asBooleanExpression`: booleans pass, a bare property gets a boolean cast, the rest is refused. */
  #asBoolean(node: Sql92Node): Sql92Node {
    if (isBooleanNode(node)) return node;
    if (node.kind === "property") {
      return this.#made({ kind: "booleanCast", operand: node, start: node.start, end: node.end }, node);
    }
    throw this.#error(`Expression ${this.#text(node)} will not result in a boolean value`, node.start);
  }

  #parseOr(): Sql92Node {
    return this.#parseLogic("OR", () => this.#parseAnd());
  }

  #parseAnd(): Sql92Node {
    return this.#parseLogic("AND", () => this.#parseEquality());
  }

  /** A chain `x OP y OP z` becomes one n-ary node: same results as upstream's left-nested pairs, less depth. */
  #parseLogic(keyword: "AND" | "OR", operand: () => Sql92Node): Sql92Node {
    const first = operand();
    if (!this.#isKeyword(this.#peek(), keyword)) return first;
    const operands = [this.#asBoolean(first)];
    while (this.#isKeyword(this.#peek(), keyword)) {
      this.#next();
      operands.push(this.#asBoolean(operand()));
    }
    const kind = keyword === "AND" ? "and" : "or";
    const last = operands[operands.length - 1]!;
    return this.#made({ kind, operands, start: first.start, end: last.end }, ...operands);
  }

  #parseEquality(): Sql92Node {
    let left = this.#parseComparison();
    for (;;) {
      const t = this.#peek();
      if (this.#isOp(t, "=") || this.#isOp(t, "<>")) {
        this.#next();
        const right = this.#parseComparison();
        this.#checkEqualOperand(left, t);
        this.#checkEqualOperand(right, t);
        if (
          left.kind === "constant" && right.kind === "constant" && isBooleanNode(left) &&
          !isBooleanNode(right)
        ) {
          throw this.#error(
            `Boolean ${this.#text(left)} cannot be compared with ${this.#text(right)}`,
            t.pos,
          );
        }
        const eq = this.#made({ kind: "equal", left, right, start: left.start, end: right.end }, left, right);
        left = t.text === "=" ? eq : this.#not(eq);
      } else if (this.#isKeyword(t, "IS")) {
        this.#next();
        const negated = this.#isKeyword(this.#peek(), "NOT");
        if (negated) this.#next();
        const nullToken = this.#next();
        if (!this.#isKeyword(nullToken, "NULL")) {
          throw this.#unexpected(nullToken, negated ? "NULL" : "NULL or NOT NULL");
        }
        const nullNode: Sql92Node = {
          kind: "constant",
          value: null,
          start: nullToken.pos,
          end: nullToken.pos + 4,
        };
        const end = nullNode.end;
        const eq = this.#made({ kind: "equal", left, right: nullNode, start: left.start, end }, left);
        left = negated ? this.#not(eq) : eq;
      } else {
        return left;
      }
    }
  }

  #not(operand: Sql92Node): Sql92Node {
    return this.#made({ kind: "not", operand, start: operand.start, end: operand.end }, operand);
  }

  #checkEqualOperand(node: Sql92Node, op: Sql92Token): void {
    if (node.kind === "constant" && node.value === null) {
      throw this.#error(`NULL cannot be compared with "${op.text}" (use IS NULL or IS NOT NULL)`, node.start);
    }
  }

  /** Upstream `checkLessThanOperand`: constants must be numbers and boolean expressions are not ordered. */
  #checkOrderingOperand(node: Sql92Node, op: string): void {
    if (node.kind === "constant") {
      const v = node.value;
      if (v instanceof JavaInt || v instanceof JavaLong || v instanceof JavaDouble) return;
      throw this.#error(`Value ${this.#text(node)} cannot be compared with "${op}"`, node.start);
    }
    if (isBooleanNode(node)) {
      throw this.#error(`Boolean expression ${this.#text(node)} cannot be compared with "${op}"`, node.start);
    }
  }

  #ordering(op: Sql92OrderingOp, left: Sql92Node, right: Sql92Node): Sql92Node {
    this.#checkOrderingOperand(left, op);
    this.#checkOrderingOperand(right, op);
    return this.#made({ kind: "ordering", op, left, right, start: left.start, end: right.end }, left, right);
  }

  #parseComparison(): Sql92Node {
    let left = this.#parseUnary();
    for (;;) {
      const t = this.#peek();
      if (t.kind === "op" && ORDERING_OPS.has(t.op)) {
        this.#next();
        left = this.#ordering(t.op as Sql92OrderingOp, left, this.#parseUnary());
        continue;
      }
      if (t.kind !== "keyword") return left;
      let negated = false;
      let keyword = t.keyword;
      if (keyword === "NOT") {
        const after = this.#peek(1);
        if (after.kind !== "keyword" || !NEGATABLE.has(after.keyword)) return left;
        negated = true;
        keyword = after.keyword;
        this.#next();
      }
      if (STRING_TESTS.has(keyword)) {
        this.#next();
        left = this.#stringTest(keyword as Sql92StringTestOp, left, negated);
      } else if (keyword === "BETWEEN") {
        this.#next();
        left = this.#between(left, negated);
      } else if (keyword === "IN") {
        const inToken = this.#next();
        left = this.#in(left, negated, inToken);
      } else {
        return left;
      }
    }
  }

  #stringTest(op: Sql92StringTestOp, operand: Sql92Node, negated: boolean): Sql92Node {
    const lit = this.#next();
    if (lit.kind !== "string") throw this.#unexpected(lit, "a string literal");
    const end = lit.pos + lit.text.length;
    return this.#made(
      { kind: "stringTest", op, operand, literal: lit.value, negated, start: operand.start, end },
      operand,
    );
  }

  #between(value: Sql92Node, negated: boolean): Sql92Node {
    const low = this.#parseUnary();
    const and = this.#next();
    if (!this.#isKeyword(and, "AND")) throw this.#unexpected(and, "AND");
    const high = this.#parseUnary();
    if (negated) {
      const below = this.#ordering("<", value, low);
      const above = this.#ordering(">", value, high);
      return this.#made(
        { kind: "or", operands: [below, above], start: value.start, end: high.end },
        below,
        above,
      );
    }
    if (low.kind === "constant" && high.kind === "constant") {
      this.#checkBetweenBounds(low.value, high.value, low);
    }
    const atLeast = this.#ordering(">=", value, low);
    const atMost = this.#ordering("<=", value, high);
    return this.#made(
      { kind: "and", operands: [atLeast, atMost], start: value.start, end: high.end },
      atLeast,
      atMost,
    );
  }

  /** Upstream checks constant bounds of `BETWEEN` (not of `NOT BETWEEN`): non-null and low ≤ high. */
  #checkBetweenBounds(low: JavaValue, high: JavaValue, at: Sql92Node): void {
    if (low === null || high === null) throw this.#error("BETWEEN bounds cannot be NULL", at.start);
    const cmp = compareJavaValues(high, low);
    if (typeof cmp !== "number" || cmp < 0) {
      throw this.#error(
        `BETWEEN lower bound ${String(low)} must not exceed upper bound ${String(high)}`,
        at.start,
      );
    }
  }

  #in(operand: Sql92Node, negated: boolean, inToken: Sql92Token): Sql92Node {
    const open = this.#next();
    if (!this.#isOp(open, "(")) throw this.#unexpected(open, '"("');
    const values = new Set<string>();
    for (;;) {
      const lit = this.#next();
      if (lit.kind !== "string") throw this.#unexpected(lit, "a string literal");
      values.add(lit.value);
      const sep = this.#next();
      if (this.#isOp(sep, ")")) {
        if (operand.kind !== "property") {
          throw this.#error(`IN needs a property on its left, not ${this.#text(operand)}`, inToken.pos);
        }
        const end = sep.pos + 1;
        return this.#made({ kind: "in", operand, values, negated, start: operand.start, end }, operand);
      }
      if (!this.#isOp(sep, ",")) throw this.#unexpected(sep, '"," or ")"');
    }
  }

  /** Every recursion (parentheses, unary operators) passes through here, so this bounds the stack. */
  #parseUnary(): Sql92Node {
    const t = this.#peek();
    if (this.#nesting >= MAX_SQL92_DEPTH) {
      throw this.#error(`Expression nests deeper than ${MAX_SQL92_DEPTH} levels`, t.pos);
    }
    this.#nesting++;
    try {
      return this.#parseUnaryNested(t);
    } finally {
      this.#nesting--;
    }
  }

  #parseUnaryNested(t: Sql92Token): Sql92Node {
    if (this.#isOp(t, "+")) {
      this.#next();
      return this.#parseUnary();
    }
    if (this.#isOp(t, "-")) {
      this.#next();
      const operand = this.#parseUnary();
      return this.#made({ kind: "negate", operand, start: t.pos, end: operand.end }, operand);
    }
    if (this.#isKeyword(t, "NOT")) {
      this.#next();
      const operand = this.#asBoolean(this.#parseUnary());
      return this.#made({ kind: "not", operand, start: t.pos, end: operand.end }, operand);
    }
    return this.#parsePrimary();
  }

  #parsePrimary(): Sql92Node {
    const t = this.#next();
    const start = t.pos;
    const end = t.pos + t.text.length;
    switch (t.kind) {
      case "string":
        return { kind: "constant", value: t.value, start, end };
      case "decimal":
        return { kind: "constant", value: this.#decimal(t.text, start), start, end };
      case "float":
        return { kind: "constant", value: this.#float(t.text, start), start, end };
      case "id":
        return { kind: "property", name: t.text, start, end };
      case "keyword":
        if (t.keyword === "TRUE") return { kind: "constant", value: true, start, end };
        if (t.keyword === "FALSE") return { kind: "constant", value: false, start, end };
        if (t.keyword === "NULL") return { kind: "constant", value: null, start, end };
        throw this.#unexpected(t);
      case "op": {
        if (t.op !== "(") throw this.#unexpected(t);
        const inner = this.#parseOr();
        const close = this.#next();
        if (!this.#isOp(close, ")")) throw this.#unexpected(close, '")"');
        return inner;
      }
      default:
        throw this.#unexpected(t);
    }
  }

  #decimal(text: string, pos: number): JavaValue {
    const digits = /[lL]$/.test(text) ? text.slice(0, -1) : text;
    const v = BigInt(digits);
    if (v > LONG_MAX) throw this.#error(`Number ${JSON.stringify(text)} does not fit in a 64-bit long`, pos);
    return v >= INT_MIN && v <= INT_MAX ? new JavaInt(Number(v)) : new JavaLong(v);
  }

  #float(text: string, pos: number): JavaValue {
    const v = Number(text);
    if (v > Number.MAX_VALUE) {
      throw this.#error(`Number ${JSON.stringify(text)} is greater than the largest double`, pos);
    }
    if (v < Number.MIN_VALUE) {
      // Includes 0.0: upstream rejects it too (see the module comment).
      throw this.#error(
        `Number ${JSON.stringify(text)} is less than the smallest positive double 4.9E-324`,
        pos,
      );
    }
    return new JavaDouble(v);
  }
}
