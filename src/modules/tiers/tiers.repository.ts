import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import type { ListScopeSql } from '../access';
import { CustomerTierChangeEntity } from './tier-change.entity';
import { TierEntity } from './tier.entity';

export interface TierProposalRow {
  customerId: string;
  fromTierId: string | null;
  toTierId: string;
  annualRevenue: string | null;
  cooperationSince: string | null;
  potentialScore: number | null;
}

@Injectable()
export class TiersRepository {
  constructor(private readonly transactions: Transactions) {}

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
   * For every active customer in scope, the highest-ranked tier whose criteria it meets, where that
   * differs from its tier now: one statement, the tiers tried per customer by a lateral subquery.
   * With `lock`, the customers are locked until the transaction ends.
   */
  async proposals(scope: ListScopeSql, lock: boolean): Promise<TierProposalRow[]> {
    const qb = this.transactions.manager
      .createQueryBuilder()
      .select([
        'c.id AS "customerId"',
        'c.tier_id AS "fromTierId"',
        'best.id AS "toTierId"',
        'c.annual_revenue AS "annualRevenue"',
        `to_char(c.cooperation_since, 'YYYY-MM-DD') AS "cooperationSince"`,
        'c.potential_score AS "potentialScore"',
      ])
      .from('customers', 'c')
      .innerJoin(
        (sub) =>
          sub
            .select('t.id', 'id')
            .from('tiers', 't')
            .where(`(t.criteria->>'minAnnualRevenue' IS NULL OR c.annual_revenue >= (t.criteria->>'minAnnualRevenue')::numeric)`)
            .andWhere(
              `(t.criteria->>'minCooperationYears' IS NULL OR c.cooperation_since <= current_date - make_interval(years => (t.criteria->>'minCooperationYears')::int))`,
            )
            .andWhere(`(t.criteria->>'minPotentialScore' IS NULL OR c.potential_score >= (t.criteria->>'minPotentialScore')::int)`)
            .orderBy('t.rank', 'DESC')
            .limit(1),
        'best',
        'true',
      )
      .where(scope.where, scope.params)
      .andWhere('best.id IS DISTINCT FROM c.tier_id')
      .orderBy('c.id');
    // TypeORM has no LATERAL join; the subquery refers to c, so make it lateral by hand.
    let [sql, params] = qb.getQueryAndParameters();
    sql = sql.replace(/INNER JOIN \(/, 'INNER JOIN LATERAL (');
    if (lock) sql += ' FOR UPDATE OF c';
    return this.transactions.manager.query(sql, params);
  }

  /** Moves customers to new tiers in one statement. */
  async applyTiers(changes: { customerId: string; toTierId: string }[]): Promise<void> {
    await this.transactions.manager.query(
      `UPDATE customers c SET tier_id = p.tier_id, version = c.version + 1, updated_at = now()
         FROM unnest($1::uuid[], $2::uuid[]) AS p(customer_id, tier_id)
        WHERE c.id = p.customer_id`,
      [changes.map((c) => c.customerId), changes.map((c) => c.toTierId)],
    );
  }

  async recordChanges(changes: { customerId: string; fromTierId: string | null; toTierId: string }[], reason: string, changedBy: string | null): Promise<void> {
    await this.transactions.manager.query(
      `INSERT INTO customer_tier_changes (customer_id, from_tier_id, to_tier_id, reason, changed_by)
       SELECT p.customer_id, p.from_tier_id, p.to_tier_id, $4, $5::uuid FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS p(customer_id, from_tier_id, to_tier_id)`,
      [changes.map((c) => c.customerId), changes.map((c) => c.fromTierId), changes.map((c) => c.toTierId), reason, changedBy],
    );
  }

  history(customerId: string): Promise<CustomerTierChangeEntity[]> {
    return this.transactions.manager
      .getRepository(CustomerTierChangeEntity)
      .find({ where: { customerId }, order: { changedAt: 'DESC', id: 'DESC' } });
  }

  /** Customer ids in a tier (to recompute their follow-up dates when its cadence changes). */
  async customerIdsInTier(tierId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.transactions.manager.query(`SELECT id FROM customers WHERE tier_id = $1`, [tierId]);
    return rows.map((r) => r.id);
  }
}
