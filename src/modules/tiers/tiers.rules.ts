import type { TierCriteria } from './tier.entity';

export interface TierInputs {
  annualRevenue: number | null;
  cooperationSince: string | null;
  potentialScore: number | null;
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
    check('potentialScore', inputs.potentialScore, criteria.minPotentialScore);
  if (!ok) return undefined;
  return reasons.length > 0 ? reasons.join('; ') : 'no criteria: the default for customers that meet no higher tier';
}

/** The highest-ranked tier whose criteria the customer meets. */
export function bestTier<T extends { rank: number; criteria: TierCriteria }>(tiers: T[], inputs: TierInputs, today: Date): T | undefined {
  return [...tiers].sort((a, b) => b.rank - a.rank).find((tier) => explainTier(tier.criteria, inputs, today) !== undefined);
}
