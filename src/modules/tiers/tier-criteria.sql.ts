/**
 * Tier rules as SQL (tiers.rules.ts `bestTier` and `isPinned`, set-based), shared by tier
 * evaluation and by reactivation (customers module), so both give the same tier.
 */

/** Interactions per customer in the last 90 days (not counting any dated ahead of now): one grouped range scan. */
export const ACTIVITY_90D_SQL = `SELECT i.customer_id, count(*)::int AS n FROM interactions i
  WHERE i.occurred_at > now() - interval '90 days' AND i.occurred_at <= now() GROUP BY i.customer_id`;

/**
 * Whether customer `c` (with its activity row `act`, possibly missing) meets the criteria of tier `t`;
 * the dormant tier is never a rule's answer.
 */
export function criteriaMetSql(t: string, c: string, act: string): string {
  return [
    `${t}.code <> 'dormant'`,
    `(${t}.criteria->>'minAnnualRevenue' IS NULL OR ${c}.annual_revenue >= (${t}.criteria->>'minAnnualRevenue')::numeric)`,
    `(${t}.criteria->>'minCooperationYears' IS NULL OR ${c}.cooperation_since <= current_date - make_interval(years => (${t}.criteria->>'minCooperationYears')::int))`,
    `(${t}.criteria->>'minPotentialScore' IS NULL OR ${c}.potential_score >= (${t}.criteria->>'minPotentialScore')::int)`,
    `(${t}.criteria->>'minInteractions90d' IS NULL OR coalesce(${act}.n, 0) >= (${t}.criteria->>'minInteractions90d')::int)`,
  ].join(' AND ');
}

/** Whether customer `c`'s tier is pinned now (set by hand, not released, not expired). */
export const pinnedSql = (c: string) => `(${c}.tier_pinned AND (${c}.tier_pinned_until IS NULL OR ${c}.tier_pinned_until > now()))`;

/**
 * The FROM-clause tail that gives customer `c` its activity (`act.n`) and the tier the rules give
 * (`best.id`, null when none matches).
 */
export const ruleTierJoinsSql = (c: string) => `LEFT JOIN (${ACTIVITY_90D_SQL}) act ON act.customer_id = ${c}.id
  LEFT JOIN LATERAL (SELECT t.id FROM tiers t WHERE ${criteriaMetSql('t', c, 'act')} ORDER BY t.rank DESC LIMIT 1) best ON true`;
