/** Pure rules of interaction records (联系记录, seed 004 §3.1). */

/** Fewest characters (Unicode code points, after trimming) a summary may have: five CJK characters are a sentence. */
export const SUMMARY_MIN_CHARS = 5;
/** How far ahead of the server's clock occurredAt may lie: clocks of phones and laptops drift. */
export const OCCURRED_AT_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Why a summary says nothing (seed 004 §3.1, "avoid vague descriptions"), or undefined when it has
 * substance: at least SUMMARY_MIN_CHARS characters after trimming, some letter or digit in any
 * script, and more than one distinct letter or digit ("。。。。。", "-----", "aaaaa", "好好好好好" are refused).
 */
export function summaryProblem(text: string): string | undefined {
  const chars = Array.from(text.trim());
  if (chars.length < SUMMARY_MIN_CHARS) return `must say what happened in at least ${SUMMARY_MIN_CHARS} characters`;
  const substantive = chars.filter((c) => /[\p{L}\p{N}]/u.test(c));
  if (substantive.length === 0) return 'must say what happened, not only punctuation or symbols';
  if (new Set(substantive.map((c) => c.toLowerCase())).size < 2) return 'must say what happened, not one character repeated';
  return undefined;
}

/** The earliest occurredAt a customer's record may carry: a year before the customer was created (contacts before the record existed). */
export function earliestOccurredAt(customerCreatedAt: Date): Date {
  const earliest = new Date(customerCreatedAt);
  earliest.setUTCFullYear(earliest.getUTCFullYear() - 1);
  return earliest;
}

/**
 * Why an occurredAt cannot be true, or undefined: more than OCCURRED_AT_CLOCK_SKEW_MS ahead of `now`
 * (a future date would pin the customer's last interaction and keep it from going dormant), or
 * before earliestOccurredAt of the customer.
 */
export function occurredAtProblem(occurredAt: Date, now: Date, customerCreatedAt: Date): string | undefined {
  if (occurredAt.getTime() > now.getTime() + OCCURRED_AT_CLOCK_SKEW_MS) return 'occurredAt lies in the future (more than 5 minutes ahead of the server clock)';
  if (occurredAt.getTime() < earliestOccurredAt(customerCreatedAt).getTime()) {
    return `occurredAt lies more than a year before the customer was created (${customerCreatedAt.toISOString()})`;
  }
  return undefined;
}
