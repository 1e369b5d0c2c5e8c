import { isValidCreditCode, normalizeCustomerName, normalizeMobile } from '../customers/customer.rules';

export { normalizeLandline } from '../customers/customer.rules';

/**
 * The data-quality standard of seed 004 §4.1 (complete, accurate, consistent, timely) plus
 * 避免重复建档, as rule codes. Each code is one thing a manager can ask an owner to fix.
 */
export const QUALITY_RULES = [
  // completeness (完整): the minimum record of 001 §1(二)
  'missing_name',
  'missing_industry',
  'missing_kind',
  'missing_mobile_contact',
  // accuracy (准确)
  'invalid_mobile',
  'invalid_credit_code',
  // consistency (一致)
  'stage_tier_mismatch',
  'strategic_without_revenue',
  'primary_contact_left',
  // timeliness (及时)
  'contact_overdue',
  'review_overdue',
  // 避免重复建档
  'suspected_duplicate',
] as const;
export type QualityRule = (typeof QUALITY_RULES)[number];

/** The rules whose failure makes a record incomplete: the completeness percentage counts records failing none. */
export const COMPLETENESS_RULES: readonly QualityRule[] = ['missing_name', 'missing_industry', 'missing_kind', 'missing_mobile_contact'];

/** Similarity (pg_trgm) of normalised names at or above which two customers of one region are suspected duplicates. */
export const DUPLICATE_NAME_SIMILARITY = 0.8;

/** 004 §2.2: records are reviewed quarterly (strategic and core) or half-yearly (everyone else). */
export function reviewPeriodDays(tierCode: string | null): number {
  return tierCode === 'strategic' || tierCode === 'core' ? 90 : 180;
}

/** What the rules look at, for one customer. Mobiles are the decrypted values (null when there is none). */
export interface QualitySubject {
  name: string;
  industry: string | null;
  kind: string | null;
  stage: string;
  tierCode: string | null;
  /** The tier's contact cadence; null without a tier (then contact timeliness is not judged). */
  cadenceDays: number | null;
  annualRevenue: string | null;
  creditCode: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastInteractionAt: Date | null;
  reviewedAt: Date | null;
  contacts: { status: string; isPrimary: boolean; mobile: string | null; mobileUnreadable: boolean }[];
  /** Other customers found by the duplicate query (similar name in the same region, or the same landline). */
  duplicateIds: string[];
}

export interface QualityResult {
  failing: QualityRule[];
  /** The next moment a timeliness rule that passes now will fail: the result must be computed again then. */
  recheckAt: Date | null;
}

const DAY_MS = 86_400_000;
const blank = (value: string | null | undefined) => value === null || value === undefined || value.trim() === '';

/**
 * Which stage fits which tier: a strategic relationship (战略) is served as a strategic or core
 * customer, and a mere lead (潜在) is not one of them.
 */
export function stageFitsTier(stage: string, tierCode: string | null): boolean {
  if (tierCode === null) return true;
  const high = tierCode === 'strategic' || tierCode === 'core';
  if (stage === 'strategic') return high;
  if (stage === 'potential') return !high;
  return true;
}

/** The rules one customer fails at `now`, in QUALITY_RULES order. */
export function evaluateQuality(s: QualitySubject, now: Date): QualityResult {
  const failing = new Set<QualityRule>();
  const active = s.contacts.filter((c) => c.status === 'active');
  if (blank(s.name)) failing.add('missing_name');
  if (blank(s.industry)) failing.add('missing_industry');
  if (blank(s.kind)) failing.add('missing_kind');
  if (!active.some((c) => c.mobile !== null || c.mobileUnreadable)) failing.add('missing_mobile_contact');
  if (active.some((c) => c.mobileUnreadable || (c.mobile !== null && normalizeMobile(c.mobile) === undefined))) failing.add('invalid_mobile');
  if (s.creditCode !== null && !isValidCreditCode(s.creditCode)) failing.add('invalid_credit_code');
  if (!stageFitsTier(s.stage, s.tierCode)) failing.add('stage_tier_mismatch');
  if (s.tierCode === 'strategic' && s.annualRevenue === null) failing.add('strategic_without_revenue');
  if (s.contacts.some((c) => c.isPrimary && c.status === 'left')) failing.add('primary_contact_left');

  const deadlines: number[] = [];
  if (s.cadenceDays !== null) {
    // 001 §1: a record is kept current by contact or by an update, whichever came last.
    const lastSign = Math.max(s.updatedAt.getTime(), s.lastInteractionAt?.getTime() ?? 0, s.createdAt.getTime());
    const due = lastSign + s.cadenceDays * DAY_MS;
    if (due <= now.getTime()) failing.add('contact_overdue');
    else deadlines.push(due);
  }
  const reviewDue = (s.reviewedAt ?? s.createdAt).getTime() + reviewPeriodDays(s.tierCode) * DAY_MS;
  if (reviewDue <= now.getTime()) failing.add('review_overdue');
  else deadlines.push(reviewDue);

  if (s.duplicateIds.length > 0) failing.add('suspected_duplicate');
  return {
    failing: QUALITY_RULES.filter((rule) => failing.has(rule)),
    recheckAt: deadlines.length > 0 ? new Date(Math.min(...deadlines)) : null,
  };
}

/** The name key the duplicate rule compares by trigram similarity: the one the exact duplicate check uses. */
export const qualityNameKey = normalizeCustomerName;

/** Share as a percentage with one decimal, or null when nothing was counted. */
export function percentage(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part * 1000) / whole) / 10;
}
