/**
 * Tag hash codes and tag subscription expressions (remoting-protocol.md §7.4, §7.6).
 */

/**
 * Java `String.hashCode()`: over UTF-16 code units, 32-bit signed wrap-around.
 *
 * @example javaStringHashCode("TagA") // 2598919
 */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The consume-queue tagsCode of a message's TAGS value: 0 when absent or empty. */
export function tagsHashCode(tags: string | undefined): number {
  return tags === undefined || tags.length === 0 ? 0 : javaStringHashCode(tags);
}

/** A parsed TAG subscription expression. */
export interface TagSubscription {
  /** Exact tag strings (trimmed, empty parts dropped). */
  tags: Set<string>;
  /** Java hash codes of `tags`. */
  codes: Set<number>;
  /** True for `*` or an empty expression: every message matches. */
  all: boolean;
}

/** The expression that matches every message. */
export const SUB_ALL = "*";

/**
 * Parses a TAG expression: `"*"` or `""` (or null) match all, otherwise `"A || B"`.
 *
 * @example parseSubscription("TagA || TagB").tags // Set {"TagA", "TagB"}
 */
export function parseSubscription(expr: string | null | undefined): TagSubscription {
  const trimmed = (expr ?? "").trim();
  if (trimmed === "" || trimmed === SUB_ALL) return { tags: new Set(), codes: new Set(), all: true };
  const tags = new Set<string>();
  const codes = new Set<number>();
  for (const part of trimmed.split("||")) {
    const tag = part.trim();
    if (tag.length === 0) continue;
    tags.add(tag);
    codes.add(javaStringHashCode(tag));
  }
  return { tags, codes, all: false };
}

/** Client-side filter: does a message with this TAGS value match? Untagged messages match only `*`. */
export function matchesTag(sub: TagSubscription, tags: string | undefined): boolean {
  if (sub.all) return true;
  return tags !== undefined && sub.tags.has(tags);
}
