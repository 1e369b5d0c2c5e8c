import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import type { ListScopeSql } from '../access';
import { CustomerTierChangeEntity } from './tier-change.entity';
import { TierEntity } from './tier.entity';
import { pinnedSql, ruleTierJoinsSql } from './tier-criteria.sql';
import { SHOWN } from '../../common/limits';

export interface TierProposalRow {
  customerId: string;
  fromTierId: string | null;
  /** The tier the rules give; null when no tier's criteria are met (the customer keeps its tier). */
  toTierId: string | null;
  annualRevenue: string | null;
  cooperationSince: string | null;
  potentialScore: number | null;
  interactions90d: number;
  /** Set by hand and not released nor expired: evaluation keeps it. */
  pinned: boolean;
  pinnedUntil: Date | null;
}

export interface TierMove {
  customerId: string;
  fromTierId: string | null;
  toTierId: string;
  pinned: boolean;
  pinnedUntil: Date | null;
}

@Injectable()
export class TiersRepository {
  constructor(private readonly transactions: Transactions) {}

  /** How many there are (the limit of how many there may be). */
  async count(): Promise<number> {
    const [{ n }]: { n: number }[] = await this.transactions.manager.query('SELECT count(*)::int AS n FROM tiers');
    return n;
  }

  private get repo() {
    return this.transactions.manager.getRepository(TierEntity);
  }

  findAll(): Promise<TierEntity[]> {
    return this.repo.find({ order: { rank: 'DESC' } });
  }

  findById(id: string): Promise<TierEntity | null> {
    return this.repo.findOneBy({ id });
  }

  insert(tier: Omit<TierEntity, 'id' | 'version' | 'createdAt' | 'updatedAt'>): Promise<TierEntity> {
    return this.repo.save(this.repo.create(tier));
  }

  async update(id: string, version: number, changes: Partial<TierEntity>): Promise<TierEntity | null> {
    return (await updateVersioned(this.repo, id, version, changes)) ? this.findById(id) : null;
  }

  /**
   * For every customer in scope, the highest-ranked tier whose criteria it meets (activity counted
   * set-based, the dormant tier never), where that differs from its tier now, plus every customer
   * whose tier is pinned (evaluation keeps those; the caller lists them apart). One statement.
   * With `lock`, the customers are locked until the transaction ends.
   */
  async proposals(scope: ListScopeSql, lock: boolean): Promise<TierProposalRow[]> {
    const sql = `SELECT c.id AS "customerId", c.tier_id AS "fromTierId", best.id AS "toTierId",
                        c.annual_revenue AS "annualRevenue", to_char(c.cooperation_since, 'YYYY-MM-DD') AS "cooperationSince",
                        c.potential_score AS "potentialScore", coalesce(act.n, 0) AS "interactions90d",
                        ${pinnedSql('c')} AS "pinned", c.tier_pinned_until AS "pinnedUntil"
                   FROM customers c
                   ${ruleTierJoinsSql('c')}
                  WHERE ${scope.where}
                    AND (${pinnedSql('c')} OR (best.id IS NOT NULL AND best.id IS DISTINCT FROM c.tier_id))
                  ORDER BY c.id${lock ? ' FOR UPDATE OF c' : ''}`;
    const [query, params] = this.transactions.manager.connection.driver.escapeQueryWithParameters(sql, scope.params);
    return this.transactions.manager.query(query, params);
  }

  /** Moves customers to tiers (or pins or releases their tier) in one statement. */
  async applyTiers(changes: TierMove[]): Promise<void> {
    await this.transactions.manager.query(
      `UPDATE customers c SET tier_id = p.tier_id, tier_pinned = p.pinned, tier_pinned_until = p.pinned_until,
              version = c.version + 1, updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[], $3::boolean[], $4::timestamptz[]) AS p(customer_id, tier_id, pinned, pinned_until)
        WHERE c.id = p.customer_id`,
      [changes.map((c) => c.customerId), changes.map((c) => c.toTierId), changes.map((c) => c.pinned), changes.map((c) => c.pinnedUntil)],
    );
  }

  /** Tier history rows, one per change (a pin or a release of the same tier is a row too). */
  async recordChanges(changes: TierMove[], reason: string, changedBy: string | null): Promise<void> {
    await this.transactions.manager.query(
      `INSERT INTO customer_tier_changes (customer_id, from_tier_id, to_tier_id, pinned, pinned_until, reason, changed_by)
       SELECT p.customer_id, p.from_tier_id, p.to_tier_id, p.pinned, p.pinned_until, $6, $7::uuid
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::boolean[], $5::timestamptz[]) AS p(customer_id, from_tier_id, to_tier_id, pinned, pinned_until)`,
      [
        changes.map((c) => c.customerId),
        changes.map((c) => c.fromTierId),
        changes.map((c) => c.toTierId),
        changes.map((c) => c.pinned),
        changes.map((c) => c.pinnedUntil),
        reason,
        changedBy,
      ],
    );
  }

  history(customerId: string): Promise<CustomerTierChangeEntity[]> {
    return this.transactions.manager
      .getRepository(CustomerTierChangeEntity)
      .find({ where: { customerId }, order: { changedAt: 'DESC', id: 'DESC' }, take: SHOWN.tierChanges });
  }

  /** Customer ids in a tier (to recompute their follow-up dates when its cadence changes). */
  async customerIdsInTier(tierId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.transactions.manager.query(`SELECT id FROM customers WHERE tier_id = $1`, [tierId]);
    return rows.map((r) => r.id);
  }
}
