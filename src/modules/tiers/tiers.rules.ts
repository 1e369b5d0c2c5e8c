import { DORMANT_TIER_CODE, type TierCriteria } from './tier.entity';

export interface TierInputs {
  annualRevenue: number | null;
  cooperationSince: string | null;
  potentialScore: number | null;
  /** Interactions in the last 90 days (activity). */
  interactions90d: number;
}

/** Whole years from `since` (YYYY-MM-DD) to `today`. */
export function cooperationYears(since: string, today: Date): number {
  const [y, m, d] = since.split('-').map(Number);
  let years = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) years -= 1;
  return Math.max(0, years);
}

/**
 * Why a customer meets a tier's criteria, as one line (`annualRevenue 12000000 ≥ 10000000; …`),
 * or undefined when it does not. A tier without criteria takes everyone it is tried on.
 */
export function explainTier(criteria: TierCriteria, inputs: TierInputs, today: Date): string | undefined {
  const reasons: string[] = [];
  const check = (label: string, value: number | null, minimum: number | null | undefined) => {
    if (minimum === null || minimum === undefined) return true;
    if (value === null || value < minimum) return false;
    reasons.push(`${label} ${value} ≥ ${minimum}`);
    return true;
  };
  const years = inputs.cooperationSince ? cooperationYears(inputs.cooperationSince, today) : null;
  const ok =
    check('annualRevenue', inputs.annualRevenue, criteria.minAnnualRevenue) &&
    check('cooperationYears', years, criteria.minCooperationYears) &&
    check('potentialScore', inputs.potentialScore, criteria.minPotentialScore) &&
    check('interactions90d', inputs.interactions90d, criteria.minInteractions90d);
  if (!ok) return undefined;
  return reasons.length > 0 ? reasons.join('; ') : 'no criteria: the default for customers that meet no higher tier';
}

/** Rules never give the dormant tier: the dormancy sweep does, when it archives a customer. */
export function isRuleTier(tier: { code: string }): boolean {
  return tier.code !== DORMANT_TIER_CODE;
}

/** The highest-ranked tier (the dormant one aside) whose criteria the customer meets. */
export function bestTier<T extends { code: string; rank: number; criteria: TierCriteria }>(tiers: T[], inputs: TierInputs, today: Date): T | undefined {
  return [...tiers]
    .filter(isRuleTier)
    .sort((a, b) => b.rank - a.rank)
    .find((tier) => explainTier(tier.criteria, inputs, today) !== undefined);
}

/** A tier set by hand is pinned until released, or until its expiry (exclusive) passes. */
export function isPinned(pin: { pinned: boolean; pinnedUntil: Date | null }, now: Date): boolean {
  return pin.pinned && (pin.pinnedUntil === null || pin.pinnedUntil.getTime() > now.getTime());
}
