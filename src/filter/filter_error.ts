/**
 * The error thrown when a subscription expression cannot be compiled (store-and-semantics.md §11.2.3).
 */

/** Longest expression excerpt quoted in an error message; longer ones are cut so logs stay readable. */
const MAX_QUOTED = 120;

/** Quotes an expression for an error message, shortening very long ones. */
export function quoteExpression(expression: string): string {
  const shown = expression.length > MAX_QUOTED ? `${expression.slice(0, MAX_QUOTED)}…` : expression;
  return JSON.stringify(shown);
}

/**
 * A subscription expression is invalid: a lexical or grammar error, or one of the compile-time checks failed.
 * The broker treats it as "no filter data" (pulls answer FILTER_DATA_NOT_EXIST).
 *
 * @example
 * ```ts
 * import { compileSql92, FilterParseError } from "./message_filter.ts";
 * try {
 *   compileSql92("a > 1 AND AND b");
 * } catch (e) {
 *   if (e instanceof FilterParseError) console.log(e.position); // 10
 * }
 * ```
 */
export class FilterParseError extends Error {
  /** Zero-based character offset of the problem in `expression`, or -1 when it concerns the whole input. */
  readonly position: number;
  /** The expression as given. */
  readonly expression: string;

  constructor(problem: string, position: number, expression: string) {
    const where = position >= 0 ? ` at position ${position}` : "";
    super(`${problem}${where} in ${quoteExpression(expression)}`);
    this.name = "FilterParseError";
    this.position = position;
    this.expression = expression;
  }
}
