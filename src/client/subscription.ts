/**
 * What a consumer subscribes with (upstream MessageSelector + SubscriptionData): a TAG expression
 * (`*`, `A || B`) or a SQL92 selector over message properties (store-and-semantics.md §11.2), the
 * SubscriptionData heartbeats and pulls carry, the client-side re-check of pulled messages, and the
 * CHECK_CLIENT_CONFIG (46) probe a consumer with a non-TAG subscription runs at start.
 */

import { compileCached, FilterParseError } from "../filter/message_filter.ts";
import { matchesTag, parseSubscription } from "../message/tags.ts";
import type { SubscriptionData } from "../protocol/bodies/heartbeat.ts";
import { MQClientError } from "./errors.ts";
import type { MQClientInstance } from "./mq_client_instance.ts";

/** Filter languages (SubscriptionData.expressionType). */
export type ExpressionType = "TAG" | "SQL92";

/** A subscription expression and its language. */
export interface MessageSelector {
  type: ExpressionType;
  expression: string;
}

/**
 * Builders of selectors, named as upstream's MessageSelector.
 *
 * @example
 * ```ts
 * const sub = buildSubscription("Orders", MessageSelector.bySql("amount > 100 AND region = 'hz'"));
 * sub.matches({ amount: "250", region: "hz" }); // true
 * ```
 */
export const MessageSelector = {
  /** A TAG expression: `*` or `TagA || TagB`. */
  byTag(expression: string): MessageSelector {
    return { type: "TAG", expression };
  },
  /** A SQL92 selector over user properties (and TAGS); needs `enablePropertyFilter` on the broker. */
  bySql(expression: string): MessageSelector {
    return { type: "SQL92", expression };
  },
} as const;

/** A subscription as consumers keep it: the wire form and the client-side re-check. */
export interface Subscription {
  data: SubscriptionData;
  /** Whether a pulled message (its properties) belongs to this subscription. */
  matches(properties: Readonly<Record<string, string>>): boolean;
}

/** Normalises the `subscribe(topic, expr | selector)` argument. */
export function toSelector(expr: string | MessageSelector | undefined): MessageSelector {
  if (expr === undefined) return { type: "TAG", expression: "*" };
  if (typeof expr === "string") return { type: "TAG", expression: expr };
  return expr;
}

/** Builds the SubscriptionData a heartbeat and a pull carry. */
export function buildSubscriptionData(
  topic: string,
  expr: string,
  type: ExpressionType = "TAG",
): SubscriptionData {
  if (type === "SQL92") {
    // The broker compiles and evaluates SQL; tag sets stay empty so nothing filters by tag.
    return {
      classFilterMode: false,
      topic,
      subString: expr.trim(),
      tagsSet: [],
      codeSet: [],
      subVersion: Date.now(),
      expressionType: "SQL92",
    };
  }
  const f = parseSubscription(expr);
  return {
    classFilterMode: false,
    topic,
    subString: f.all ? "*" : expr.trim(),
    tagsSet: [...f.tags],
    codeSet: [...f.codes],
    subVersion: Date.now(),
    expressionType: "TAG",
  };
}

/**
 * Builds a subscription. A SQL92 selector is compiled here so that a typo fails `subscribe()` instead
 * of every pull.
 *
 * @throws {MQClientError} for an empty or invalid SQL92 selector.
 */
export function buildSubscription(topic: string, expr?: string | MessageSelector): Subscription {
  const selector = toSelector(expr);
  if (selector.type === "SQL92") {
    if (selector.expression.trim() === "") {
      throw new MQClientError(`The SQL92 selector of topic "${topic}" is empty`);
    }
    let compiled;
    try {
      compiled = compileCached(selector.expression);
    } catch (e) {
      const why = e instanceof FilterParseError ? e.message : String(e);
      throw new MQClientError(`Invalid SQL92 selector "${selector.expression}" for topic "${topic}": ${why}`);
    }
    return {
      data: buildSubscriptionData(topic, selector.expression, "SQL92"),
      // The broker already evaluated it; re-checking guards against brokers that ignore SQL92.
      matches: (props) => compiled.evaluate(props),
    };
  }
  if (selector.type !== "TAG") {
    throw new MQClientError(`Unsupported expression type "${String(selector.type)}" for topic "${topic}"`);
  }
  const tags = parseSubscription(selector.expression);
  return {
    data: buildSubscriptionData(topic, selector.expression, "TAG"),
    // The broker filters by hash code; the exact-string re-check drops hash collisions.
    matches: (props) => matchesTag(tags, props["TAGS"]),
  };
}

/**
 * Upstream checkClientInBroker: for every non-TAG subscription, asks a broker serving its topic with
 * CHECK_CLIENT_CONFIG whether it can filter that way; a refusal fails the consumer's start.
 *
 * @throws {MQClientError} naming the topic, the expression and the broker's answer.
 */
export async function checkClientInBroker(
  instance: MQClientInstance,
  group: string,
  subs: Iterable<Subscription>,
): Promise<void> {
  for (const s of subs) {
    if (s.data.expressionType === "TAG") continue;
    const addr = instance.findBrokerAddrByTopic(s.data.topic);
    if (!addr) continue; // No route yet: the first pull will report the same refusal.
    try {
      await instance.api.checkClientConfig(addr, {
        clientId: instance.clientId,
        group,
        subscriptionData: s.data,
      }, instance.config.requestTimeoutMs);
    } catch (e) {
      throw new MQClientError(
        `Broker "${addr}" refused the ${s.data.expressionType} subscription "${s.data.subString}" of topic ` +
          `"${s.data.topic}" (does it have enablePropertyFilter=true?): ${
            e instanceof Error ? e.message : e
          }`,
      );
    }
  }
}
