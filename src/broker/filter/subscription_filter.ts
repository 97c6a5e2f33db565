/**
 * Turns a consumer subscription (TAG or SQL92) into the store's two-stage MessageFilter
 * (remoting-protocol.md §7.6, store-and-semantics.md §11): the consume-queue stage compares tag hashes, the
 * commitlog stage reads the record's properties and requires the exact tag, or evaluates the selector.
 * Selectors compile through the filter engine's cache; registered subscriptions keep their compiled filter.
 */
import { ResponseCode } from "../../remoting/response_code.ts";
import { buildConsumerFilter, type ConsumerFilter, FilterParseError } from "../../filter/message_filter.ts";
import type { SubscriptionData } from "../../protocol/bodies/heartbeat.ts";
import type { MessageFilter } from "../broker_context.ts";
import { MessageConst } from "../../message/message_const.ts";
import { recordProperties } from "./record_properties.ts";

/** A filter ready for the store, or the refusal to answer the pull with. */
export type FilterResolution = { filter: MessageFilter } | { code: number; remark: string };

/** The filter that lets every message through without reading it. */
export const MATCH_ALL: MessageFilter = { isMatchedByConsumeQueue: () => true };

/** True for the expression types upstream treats as TAG (null, empty, `TAG`). */
export function isTagType(type: string | null | undefined): boolean {
  return type === undefined || type === null || type === "" || type.toUpperCase() === "TAG";
}

/** The store view of a consumer filter; `*` subscriptions never read the commitlog. */
export function toMessageFilter(cf: ConsumerFilter): MessageFilter {
  if (cf.expressionType === "TAG" && (cf.subString === "*" || cf.subString === "")) return MATCH_ALL;
  return {
    isMatchedByConsumeQueue: (tagsCode) => cf.isMatchedByConsumeQueue(tagsCode),
    isMatchedByCommitLog: (rec) => cf.isMatchedByProperties(recordProperties(rec)),
  };
}

/** The refusal for a non-TAG subscription on a broker with `enablePropertyFilter=false` (§7.6). */
function notSupported(type: string): { code: number; remark: string } {
  return {
    code: ResponseCode.SYSTEM_ERROR,
    remark: `The broker does not support consumer to filter message by ${type}`,
  };
}

/** A successful compile keeps the engine's filter too, so retry filtering can evaluate properties it read. */
type Compiled = FilterResolution & { consumer?: ConsumerFilter };

function compile(
  expressionType: string | null | undefined,
  subString: string | null | undefined,
): Compiled {
  const tag = isTagType(expressionType);
  try {
    const consumer = buildConsumerFilter(tag ? "TAG" : expressionType!.toUpperCase(), subString);
    return { filter: toMessageFilter(consumer), consumer };
  } catch (e) {
    if (!(e instanceof FilterParseError)) throw e;
    return {
      code: ResponseCode.SUBSCRIPTION_PARSE_FAILED,
      remark: `Cannot parse the subscription expression of type ${expressionType}: ${e.message}`,
    };
  }
}

/**
 * Compiles a subscription sent with the request (pull subscription flag, CHECK_CLIENT_CONFIG). An invalid
 * selector answers SUBSCRIPTION_PARSE_FAILED with the parser's message, which names the offending token.
 */
export function resolveFilter(
  expressionType: string | null | undefined,
  subString: string | null | undefined,
  enablePropertyFilter: boolean,
): FilterResolution {
  if (!isTagType(expressionType) && !enablePropertyFilter) return notSupported(expressionType!);
  const r = compile(expressionType, subString);
  return "filter" in r ? { filter: r.filter } : r;
}

/**
 * Per registered SubscriptionData, its compiled filter (or why it has none). Heartbeats replace the object
 * when the subscription changes, so a WeakMap forgets stale entries by itself.
 */
export class RegisteredFilters {
  readonly #compiled = new WeakMap<SubscriptionData, Compiled>();

  constructor(private readonly enablePropertyFilter: () => boolean) {}

  /**
   * The filter of a subscription registered by heartbeat. A selector that did not compile has no filter
   * data: the pull answers FILTER_DATA_NOT_EXIST (store-and-semantics.md §11.2.5), with the parse error.
   */
  resolve(sub: SubscriptionData): FilterResolution {
    if (isTagType(sub.expressionType)) return this.#get(sub);
    if (!this.enablePropertyFilter()) return notSupported(sub.expressionType);
    const r = this.#get(sub);
    if ("filter" in r) return r;
    return {
      code: ResponseCode.FILTER_DATA_NOT_EXIST,
      remark: `The broker's consumer filter data does not exist for topic "${sub.topic}": ${r.remark}`,
    };
  }

  /**
   * Compiles a just-registered subscription so a bad selector is reported once, when it first arrives.
   * Returns the refusal its pulls will get, or null when it compiled (or was compiled before).
   */
  register(sub: SubscriptionData): { code: number; remark: string } | null {
    if (this.#compiled.has(sub) || (!isTagType(sub.expressionType) && !this.enablePropertyFilter())) {
      return null;
    }
    const r = this.#get(sub);
    return "filter" in r ? null : r;
  }

  /**
   * The filter for a group's retry topic with `filterSupportRetry` (§11.2.5): each retried message is judged
   * by the group's SQL92 subscription to the topic it came from (its RETRY_TOPIC property); TAG
   * subscriptions, unknown topics and selectors without filter data let it through, as upstream does.
   */
  retryFilter(subscriptionOf: (topic: string) => SubscriptionData | undefined): MessageFilter {
    return {
      isMatchedByConsumeQueue: () => true,
      isMatchedByCommitLog: (rec) => {
        const props = recordProperties(rec);
        const realTopic = props[MessageConst.RETRY_TOPIC];
        const sub = realTopic === undefined ? undefined : subscriptionOf(realTopic);
        if (!sub || isTagType(sub.expressionType) || !this.enablePropertyFilter()) return true;
        const consumer = this.#get(sub).consumer;
        return consumer === undefined || consumer.isMatchedByProperties(props);
      },
    };
  }

  #get(sub: SubscriptionData): Compiled {
    let r = this.#compiled.get(sub);
    if (r === undefined) {
      r = compile(sub.expressionType, sub.subString);
      this.#compiled.set(sub, r);
    }
    return r;
  }
}
