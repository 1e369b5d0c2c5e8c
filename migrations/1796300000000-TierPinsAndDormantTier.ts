import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tiers set by hand are pinned (kept by rule evaluation until released or until their expiry), and
 * every tier history row says whether it left the tier pinned. Existing data is made true to the
 * new rules: a customer whose latest tier change was by hand (not "rule evaluation") and still holds
 * that tier is pinned; customers already archived as dormant move to the dormant tier (a history row
 * says why) and their follow-up date follows its re-activation cadence.
 */
export class TierPinsAndDormantTier1796300000000 implements MigrationInterface {
  name = 'TierPinsAndDormantTier1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "customer_tier_changes" ADD "pinned" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "customer_tier_changes" ADD "pinned_until" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "customers" ADD "tier_pinned" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "customers" ADD "tier_pinned_until" TIMESTAMP WITH TIME ZONE`);
    await q.query(`
      WITH latest AS (
        SELECT DISTINCT ON (h.customer_id) h.id, h.customer_id, h.to_tier_id, h.reason
          FROM customer_tier_changes h ORDER BY h.customer_id, h.changed_at DESC, h.id DESC
      ), by_hand AS (
        UPDATE customers c SET tier_pinned = true
          FROM latest l
         WHERE l.customer_id = c.id AND l.to_tier_id = c.tier_id AND l.reason <> 'rule evaluation' AND c.status = 'active'
        RETURNING l.id
      )
      UPDATE customer_tier_changes h SET pinned = true FROM by_hand b WHERE h.id = b.id`);
    await q.query(`
      WITH stale AS (
        SELECT c.id, c.tier_id FROM customers c
         WHERE c.status = 'dormant' AND c.tier_id IS DISTINCT FROM (SELECT t.id FROM tiers t WHERE t.code = 'dormant')
      ), moved AS (
        UPDATE customers c SET tier_id = (SELECT t.id FROM tiers t WHERE t.code = 'dormant'), tier_pinned = false, tier_pinned_until = NULL
          FROM stale WHERE c.id = stale.id AND EXISTS (SELECT 1 FROM tiers t WHERE t.code = 'dormant')
        RETURNING c.id, stale.tier_id AS from_tier_id, c.tier_id AS to_tier_id
      )
      INSERT INTO customer_tier_changes (customer_id, from_tier_id, to_tier_id, pinned, reason, changed_by)
      SELECT id, from_tier_id, to_tier_id, false, 'archived as dormant earlier; moved to the dormant tier when the tier began to follow dormancy', NULL FROM moved`);
    await q.query(`
      UPDATE customers c
         SET next_follow_up_at = least(
               greatest(coalesce(c.last_interaction_at, c.created_at), c.archived_at) + make_interval(days => t.contact_cadence_days),
               CASE WHEN c.archived_at IS NULL OR c.next_action_due_at > c.archived_at THEN c.next_action_due_at END)
        FROM tiers t
       WHERE t.id = c.tier_id AND c.status = 'dormant'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "customers" DROP COLUMN "tier_pinned_until"`);
    await q.query(`ALTER TABLE "customers" DROP COLUMN "tier_pinned"`);
    await q.query(`ALTER TABLE "customer_tier_changes" DROP COLUMN "pinned_until"`);
    await q.query(`ALTER TABLE "customer_tier_changes" DROP COLUMN "pinned"`);
  }
}
