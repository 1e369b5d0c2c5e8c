import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import type { ListScopeSql } from '../access';
import { SUMMARY_OWNERS_MAX } from './dto/data-quality.dto';
import { DUPLICATE_NAME_SIMILARITY, QualityRule } from './data-quality.rules';

export interface SubjectRow {
  id: string;
  status: string;
  departmentId: string;
  ownerId: string;
  name: string;
  industry: string | null;
  kind: string | null;
  stage: string;
  tierCode: string | null;
  cadenceDays: number | null;
  annualRevenue: string | null;
  creditCode: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastInteractionAt: Date | null;
  reviewedAt: Date | null;
}

export interface ContactRow {
  id: string;
  customerId: string;
  status: string;
  isPrimary: boolean;
  mobileEnc: string | null;
}

export interface QualityRow {
  customerId: string;
  departmentId: string;
  ownerId: string;
  failing: QualityRule[];
  incomplete: boolean;
  duplicateIds: string[];
  recheckAt: Date | null;
}

export interface FailingRow {
  customerId: string;
  name: string;
  ownerId: string;
  ownerName: string;
  departmentId: string;
  failing: QualityRule[];
  duplicateIds: string[];
  checkedAt: Date;
}

/** Whose results a caller reads, on the result table's own columns (null: no narrowing). */
export interface PeopleScope {
  departmentId: string | null;
  ownerId: string | null;
}

export interface QualityListFilter {
  scope: ListScopeSql;
  people: PeopleScope;
  departmentId?: string;
  ownerId?: string;
  rule?: QualityRule;
  afterId?: string;
  limit: number;
}

/** All SQL of the data-quality report and of the job that keeps it. */
@Injectable()
export class DataQualityRepository {
  constructor(private readonly transactions: Transactions) {}

  private query<T>(sql: string, params: unknown[] = []): Promise<T> {
    return this.transactions.manager.query(sql, params);
  }

  /** The database's clock, which is what updated_at and created_at were stamped with. */
  async now(): Promise<Date> {
    const rows: { now: Date }[] = await this.query(`SELECT statement_timestamp() AS now`);
    return rows[0].now;
  }

  async ownerDepartment(userId: string): Promise<string | null> {
    const rows: { departmentId: string }[] = await this.query(`SELECT department_id AS "departmentId" FROM users WHERE id = $1`, [userId]);
    return rows[0]?.departmentId ?? null;
  }

  async watermark(name: string): Promise<Date | null> {
    const rows: { at: Date }[] = await this.query(`SELECT computed_from AS at FROM data_quality_watermarks WHERE name = $1`, [name]);
    return rows[0]?.at ?? null;
  }

  async setWatermark(name: string, at: Date): Promise<void> {
    await this.query(
      `INSERT INTO data_quality_watermarks (name, computed_from) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET computed_from = excluded.computed_from`,
      [name, at],
    );
  }

  /**
   * The next `limit` customer ids after `afterId` whose result may have changed since `since`: the
   * record, a contact or an interaction changed, or a timeliness deadline passed; every customer
   * with a result or an active status when `since` is null (a full pass).
   */
  async changedIds(since: Date | null, afterId: string, limit: number): Promise<string[]> {
    const rows: { id: string }[] =
      since === null
        ? await this.query(
            `SELECT id FROM (SELECT id FROM customers WHERE status = 'active' AND id > $1 UNION SELECT customer_id FROM customer_quality WHERE customer_id > $1) x
              ORDER BY id LIMIT $2`,
            [afterId, limit],
          )
        : await this.query(
            // status IN (…all…) lets the (status, updated_at) index serve the range.
            `SELECT id FROM (
               SELECT id FROM customers WHERE status IN ('active', 'dormant', 'archived', 'deleted', 'merged') AND updated_at >= $1 AND id > $2
               UNION SELECT customer_id FROM contacts WHERE updated_at >= $1 AND customer_id > $2
               UNION SELECT customer_id FROM interactions WHERE created_at >= $1 AND customer_id > $2
               UNION SELECT customer_id FROM customer_quality WHERE recheck_at <= statement_timestamp() AND customer_id > $2
             ) x ORDER BY id LIMIT $3`,
            [since, afterId, limit],
          );
    return rows.map((r) => r.id);
  }

  subjects(ids: string[]): Promise<SubjectRow[]> {
    return this.query(
      `SELECT c.id, c.status, c.department_id AS "departmentId", c.owner_id AS "ownerId", c.name, c.industry, c.kind, c.stage, t.code AS "tierCode", t.contact_cadence_days AS "cadenceDays",
              c.annual_revenue::text AS "annualRevenue", c.credit_code AS "creditCode", c.created_at AS "createdAt", c.updated_at AS "updatedAt",
              c.last_interaction_at AS "lastInteractionAt", c.reviewed_at AS "reviewedAt"
         FROM customers c LEFT JOIN tiers t ON t.id = c.tier_id
        WHERE c.id = ANY($1::uuid[])`,
      [ids],
    );
  }

  contacts(ids: string[]): Promise<ContactRow[]> {
    return this.query(
      `SELECT id, customer_id AS "customerId", status, is_primary AS "isPrimary", mobile_enc AS "mobileEnc"
         FROM contacts WHERE customer_id = ANY($1::uuid[]) AND status <> 'removed'`,
      [ids],
    );
  }

  /**
   * Suspected duplicates of each of `ids` among active customers: a normalised name at least
   * DUPLICATE_NAME_SIMILARITY similar in the same region, or the same landline.
   */
  async duplicates(ids: string[]): Promise<Map<string, string[]>> {
    // `%` then uses the trigram index with the rule's own threshold.
    await this.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(DUPLICATE_NAME_SIMILARITY)]);
    const rows: { id: string; duplicateIds: string[] }[] = await this.query(
      `SELECT x.id, array_agg(DISTINCT m.id ORDER BY m.id) AS "duplicateIds"
         FROM customers x
         JOIN LATERAL (
           SELECT y.id FROM customers y
            WHERE x.region IS NOT NULL AND y.name_normalized % x.name_normalized AND y.region = x.region
              AND similarity(y.name_normalized, x.name_normalized) >= $2 AND y.status = 'active' AND y.id <> x.id
           UNION
           SELECT y.id FROM customers y WHERE x.landline IS NOT NULL AND y.landline = x.landline AND y.status = 'active' AND y.id <> x.id
         ) m ON true
        WHERE x.id = ANY($1::uuid[]) AND x.status = 'active'
        GROUP BY x.id`,
      [ids, DUPLICATE_NAME_SIMILARITY],
    );
    return new Map(rows.map((r) => [r.id, r.duplicateIds]));
  }

  /** The duplicates each of `ids` was last found with: pairs that may have come apart. */
  async previousDuplicates(ids: string[]): Promise<string[]> {
    const rows: { id: string }[] = await this.query(`SELECT DISTINCT unnest(duplicate_ids) AS id FROM customer_quality WHERE customer_id = ANY($1::uuid[])`, [ids]);
    return rows.map((r) => r.id);
  }

  async save(results: QualityRow[], now: Date): Promise<void> {
    if (results.length === 0) return;
    await this.query(
      `INSERT INTO customer_quality (customer_id, department_id, owner_id, failing, incomplete, duplicate_ids, recheck_at, checked_at)
       SELECT r."customerId", r."departmentId", r."ownerId", r.failing, r.incomplete, r."duplicateIds", r."recheckAt", $2
         FROM jsonb_to_recordset($1::jsonb)
           AS r("customerId" uuid, "departmentId" uuid, "ownerId" uuid, failing varchar(40)[], incomplete boolean, "duplicateIds" uuid[], "recheckAt" timestamptz)
       ON CONFLICT (customer_id) DO UPDATE
          SET department_id = excluded.department_id, owner_id = excluded.owner_id, failing = excluded.failing, incomplete = excluded.incomplete, duplicate_ids = excluded.duplicate_ids,
              recheck_at = excluded.recheck_at, checked_at = excluded.checked_at`,
      [JSON.stringify(results), now],
    );
  }

  /** Customers that left the active list (archived, deleted, merged) have no result. */
  async forget(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.query(`DELETE FROM customer_quality WHERE customer_id = ANY($1::uuid[])`, [ids]);
  }

  /** Failing customers in scope, by id (keyset). */
  list(filter: QualityListFilter): Promise<FailingRow[]> {
    const qb = this.transactions.manager
      .createQueryBuilder()
      .from('customer_quality', 'q')
      .innerJoin('customers', 'c', 'c.id = q.customer_id')
      .innerJoin('users', 'u', 'u.id = c.owner_id')
      .select([
        'q.customer_id AS "customerId"',
        'c.name AS "name"',
        'c.owner_id AS "ownerId"',
        'u.display_name AS "ownerName"',
        'c.department_id AS "departmentId"',
        'q.failing AS "failing"',
        'q.duplicate_ids AS "duplicateIds"',
        'q.checked_at AS "checkedAt"',
      ])
      .where(filter.scope.where, filter.scope.params)
      .andWhere(`q.failing <> '{}'`);
    // The stored department and owner repeat the scope on the result table, so its indexes drive the walk.
    const departmentId = filter.departmentId ?? filter.people.departmentId;
    const ownerId = filter.ownerId ?? filter.people.ownerId;
    if (filter.departmentId) qb.andWhere('c.department_id = :departmentId', { departmentId: filter.departmentId });
    if (filter.ownerId) qb.andWhere('c.owner_id = :ownerId', { ownerId: filter.ownerId });
    if (departmentId) qb.andWhere('q.department_id = :qDepartmentId', { qDepartmentId: departmentId });
    if (ownerId) qb.andWhere('q.owner_id = :qOwnerId', { qOwnerId: ownerId });
    if (filter.rule) qb.andWhere('CAST(:rule AS varchar) = ANY(q.failing)', { rule: filter.rule });
    if (filter.afterId) qb.andWhere('q.customer_id > CAST(:afterId AS uuid)', { afterId: filter.afterId });
    return qb.orderBy('q.customer_id', 'ASC').limit(filter.limit).getRawMany<FailingRow>();
  }

  /**
   * Per rule, per owner and per department, from the per-(department, owner) counts that triggers
   * keep beside the results (quality_summary, quality_rule_summary): a department is one index
   * range of a few hundred rows, whatever its number of customers.
   */
  async summary(people: PeopleScope): Promise<{
    rules: { rule: string; customers: number }[];
    owners: { ownerId: string; ownerName: string; departmentId: string; customers: number; failing: number; complete: number }[];
    departments: { departmentId: string; departmentName: string; customers: number; failing: number; complete: number }[];
  }> {
    const where = `($1::uuid IS NULL OR s.department_id = $1::uuid) AND ($2::uuid IS NULL OR s.owner_id = $2::uuid)`;
    const params = [people.departmentId, people.ownerId];
    const owners: { ownerId: string; ownerName: string; departmentId: string; customers: number; failing: number; complete: number }[] = await this.query(
      `SELECT s.owner_id AS "ownerId", s.department_id AS "departmentId", s.customers, s.failing, s.complete, u.display_name AS "ownerName"
         FROM quality_summary s JOIN users u ON u.id = s.owner_id
        WHERE ${where}
        ORDER BY u.display_name, s.owner_id LIMIT ${SUMMARY_OWNERS_MAX}`,
      params,
    );
    const rules: { rule: string; customers: number }[] = await this.query(
      `SELECT s.rule, sum(s.customers)::int AS customers FROM quality_rule_summary s WHERE ${where} GROUP BY s.rule`,
      params,
    );
    // Departments from the counts themselves, not from the owners listed (that list is capped).
    const departments: { departmentId: string; departmentName: string; customers: number; failing: number; complete: number }[] = await this.query(
      `SELECT x.*, d.name AS "departmentName"
         FROM (SELECT s.department_id AS "departmentId", sum(s.customers)::int AS customers, sum(s.failing)::int AS failing, sum(s.complete)::int AS complete
                 FROM quality_summary s WHERE ${where} GROUP BY s.department_id) x
         JOIN departments d ON d.id = x."departmentId"`,
      params,
    );
    return { rules, owners, departments: departments.sort((a, b) => a.departmentName.localeCompare(b.departmentName)) };
  }
}
