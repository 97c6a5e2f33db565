/**
 * Consumer filters for the broker's pull path: TAG (hash at the consume-queue stage, exact tag at the
 * commitlog stage) and SQL92 (properties at the commitlog stage). See store-and-semantics.md §11 and
 * remoting-protocol.md §7.6.
 *
 * @example
 * ```ts
 * const f = buildConsumerFilter("SQL92", "TAGS = 'a' AND region = 'hz'");
 * f.isMatchedByConsumeQueue(123); // true: SQL92 decides on properties only
 * f.isMatchedByProperties({ TAGS: "a", region: "hz" }); // true
 * ```
 */

import { javaStringHashCode } from "../message/tags.ts";
import { FilterParseError } from "./filter_error.ts";
import { Sql92EvalError } from "./java_values.ts";
import { LruCache } from "./lru_cache.ts";
import type { Sql92Node } from "./sql92_ast.ts";
import { buildEvaluator, type MessageProperties, type Sql92Evaluator } from "./sql92_evaluator.ts";
import { parseSql92 } from "./sql92_parser.ts";

export { FilterParseError } from "./filter_error.ts";
export type { MessageProperties, Sql92Result } from "./sql92_evaluator.ts";
export { Sql92EvalError } from "./java_values.ts";

/** A compiled SQL92 selector. */
export interface Sql92Expression {
  /** The selector text as subscribed. */
  readonly expression: string;
  /** The checked syntax tree. */
  readonly root: Sql92Node;
  /** True only when the selector evaluates to exactly `true`; null, false and errors are "no match". */
  evaluate(props: MessageProperties): boolean;
  /** The raw three-valued result, or the evaluation error (for logging why a message did not match). */
  evaluateRaw(props: MessageProperties): boolean | null | Sql92EvalError;
}

class CompiledSql92 implements Sql92Expression {
  readonly #run: Sql92Evaluator;

  constructor(readonly expression: string, readonly root: Sql92Node) {
    this.#run = buildEvaluator(root);
  }

  evaluate(props: MessageProperties): boolean {
    return this.#run(props) === true;
  }

  evaluateRaw(props: MessageProperties): boolean | null | Sql92EvalError {
    const v = this.#run(props);
    if (v === null || typeof v === "boolean" || v instanceof Sql92EvalError) return v;
    // The root is always a boolean node, so this cannot happen; treat it as "no match" all the same.
    return null;
  }
}

/**
 * Compiles a SQL92 selector.
 *
 * @throws {FilterParseError} e.g. `Unexpected token "AND" at position 10 in "a > 1 AND AND b"`.
 * @example compileSql92("a BETWEEN 1 AND 3").evaluate({ a: "2" }) // true
 */
export function compileSql92(expression: string): Sql92Expression {
  return new CompiledSql92(expression, parseSql92(expression));
}

/** How many selectors {@link compileCached} remembers (upstream caches 100 parse results). */
export const SQL92_CACHE_SIZE = 100;

const cache = new LruCache<string, Sql92Expression | FilterParseError>(SQL92_CACHE_SIZE);

/**
 * {@link compileSql92} through an LRU cache that also remembers failures, since the broker recompiles the
 * same selectors on every heartbeat.
 *
 * @throws {FilterParseError} the cached or fresh compile error.
 */
export function compileCached(expression: string): Sql92Expression {
  const hit = cache.get(expression);
  if (hit instanceof FilterParseError) throw hit;
  if (hit !== undefined) return hit;
  try {
    const compiled = compileSql92(expression);
    cache.set(expression, compiled);
    return compiled;
  } catch (e) {
    if (e instanceof FilterParseError) cache.set(expression, e);
    throw e;
  }
}

/** Empties the {@link compileCached} cache (tests, config reloads). */
export function clearSql92Cache(): void {
  cache.clear();
}

/** The two expression types of 4.9.x. */
export type ExpressionType = "TAG" | "SQL92";

/** A consumer's filter as the pull path applies it. */
export interface ConsumerFilter {
  readonly expressionType: ExpressionType;
  /** The subscription string it was built from (`*` for "all" TAG subscriptions). */
  readonly subString: string;
  /** Consume-queue stage: decided from the entry's tagsCode alone (SQL92 always passes here). */
  isMatchedByConsumeQueue(tagsCode: number | bigint): boolean;
  /** Commitlog stage: decided from the decoded message properties. */
  isMatchedByProperties(props: MessageProperties): boolean;
}

/** A TAG consumer filter, exposing the parsed tag and hash sets. */
export interface TagFilter extends ConsumerFilter {
  readonly expressionType: "TAG";
  /** True for `*` or an empty subscription. */
  readonly all: boolean;
  readonly tagsSet: ReadonlySet<string>;
  readonly codeSet: ReadonlySet<number>;
}

/**
 * Builds a TAG filter from a subscription string: null, empty or `*` match everything, otherwise `A || B`
 * (parts trimmed, empty parts dropped). The consume-queue stage compares Java hash codes as upstream; the
 * properties stage then requires the exact `TAGS` string (the recommended refinement of remoting-protocol.md
 * §7.6 that removes hash collisions), so untagged messages only match "all".
 *
 * @example buildTagFilter("TagA || TagB").isMatchedByConsumeQueue(2598919) // true
 */
export function buildTagFilter(subString: string | null | undefined): TagFilter {
  const trimmed = (subString ?? "").trim();
  const all = trimmed === "" || trimmed === "*";
  const tagsSet = new Set<string>();
  const codeSet = new Set<number>();
  if (!all) {
    for (const part of trimmed.split("||")) {
      const tag = part.trim();
      if (tag.length === 0) continue;
      tagsSet.add(tag);
      codeSet.add(javaStringHashCode(tag));
    }
  }
  return {
    expressionType: "TAG",
    subString: all ? "*" : trimmed,
    all,
    tagsSet,
    codeSet,
    isMatchedByConsumeQueue(tagsCode: number | bigint): boolean {
      if (all) return true;
      // The consume queue stores tagsCode as a long; upstream compares its int truncation.
      const code = typeof tagsCode === "bigint" ? Number(BigInt.asIntN(32, tagsCode)) : tagsCode | 0;
      return codeSet.has(code);
    },
    isMatchedByProperties(props: MessageProperties): boolean {
      if (all) return true;
      const tags = props["TAGS"];
      return typeof tags === "string" && tagsSet.has(tags);
    },
  };
}

/** A SQL92 consumer filter. */
export interface Sql92Filter extends ConsumerFilter {
  readonly expressionType: "SQL92";
  readonly compiled: Sql92Expression;
}

/**
 * Builds a SQL92 filter (compiled through the cache).
 *
 * @throws {FilterParseError} when the selector is invalid.
 */
export function buildSql92Filter(expression: string): Sql92Filter {
  const compiled = compileCached(expression);
  return {
    expressionType: "SQL92",
    subString: expression,
    compiled,
    isMatchedByConsumeQueue: () => true,
    isMatchedByProperties: (props) => compiled.evaluate(props),
  };
}

/**
 * Builds the filter for a subscription as it arrives on the wire: `expressionType` null, empty or `TAG` means
 * TAG (Go sends `""`), `SQL92` means a selector.
 *
 * @throws {FilterParseError} for an invalid selector or an unknown expression type.
 */
export function buildConsumerFilter(
  expressionType: string | null | undefined,
  subString: string | null | undefined,
): ConsumerFilter {
  if (
    expressionType === null || expressionType === undefined || expressionType === "" ||
    expressionType === "TAG"
  ) {
    return buildTagFilter(subString);
  }
  if (expressionType === "SQL92") return buildSql92Filter(subString ?? "");
  throw new FilterParseError(
    `Unsupported expression type ${JSON.stringify(expressionType)}`,
    -1,
    subString ?? "",
  );
}
