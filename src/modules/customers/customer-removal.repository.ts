import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import type { MovedRow } from './customer-removal.rules';
import { DeletionRecordEntity } from './deletion-record.entity';

export interface DeletionRecordRow extends DeletionRecordEntity {
  sortKey: string;
  steps: { stepNo: number; deciderKind: string; departmentId: string | null; decidedBy: string | null; decidedAt: string | null; comment: string | null }[];
}

/** The rows a merge moved, by kind, each with the customer it came from (tags: the tag's id). */
export interface MovedRows {
  contacts: MovedRow[];
  interactions: MovedRow[];
  opportunities: MovedRow[];
  complaints: MovedRow[];
  consents: MovedRow[];
  tags: MovedRow[];
  tierChanges: MovedRow[];
}

export interface RelatedCounts {
  contacts: number;
  interactions: number;
  opportunities: number;
  complaints: number;
  tags: number;
  consents: number;
  tierChanges: number;
}

/** Deletion and merge: the statements that touch every table holding a customer's records. */
@Injectable()
export class CustomerRemovalRepository {
  constructor(private readonly transactions: Transactions) {}

  private query<T>(sql: string, params: unknown[]): Promise<T> {
    return this.transactions.manager.query(sql, params);
  }

  /** The rows an UPDATE or DELETE … RETURNING gave (TypeORM answers those with [rows, rowCount]). */
  private async returning<T>(sql: string, params: unknown[]): Promise<T[]> {
    const [rows] = await this.query<[T[], number]>(sql, params);
    return rows;
  }

  /** Everything that hangs off these customers, counted (tags as distinct tags: a set). */
  async counts(customerIds: string[]): Promise<RelatedCounts> {
    const [row] = await this.query<RelatedCounts[]>(
      `SELECT (SELECT count(*) FROM contacts WHERE customer_id = ANY($1::uuid[]))::int AS contacts,
              (SELECT count(*) FROM interactions WHERE customer_id = ANY($1::uuid[]))::int AS interactions,
              (SELECT count(*) FROM opportunities WHERE customer_id = ANY($1::uuid[]))::int AS opportunities,
              (SELECT count(*) FROM complaints WHERE customer_id = ANY($1::uuid[]))::int AS complaints,
              (SELECT count(DISTINCT tag_id) FROM customer_tags WHERE customer_id = ANY($1::uuid[]))::int AS tags,
              (SELECT count(*) FROM customer_consents WHERE customer_id = ANY($1::uuid[]))::int AS consents,
              (SELECT count(*) FROM customer_tier_changes WHERE customer_id = ANY($1::uuid[]))::int AS "tierChanges"`,
      [customerIds],
    );
    return row;
  }

  /** Locks the customers and returns their status and department, in id order (no deadlock between two merges). */
  async lock(customerIds: string[]): Promise<{ id: string; status: string; departmentId: string }[]> {
    return this.query(`SELECT id, status, department_id AS "departmentId" FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [customerIds]);
  }

  /** Soft delete: the record stays, out of every list and duplicate index; its contacts release their mobiles and e-mails. */
  async markDeleted(customerId: string): Promise<{ id: string; status: string; isPrimary: boolean }[]> {
    const removed = await this.returning<{ id: string; status: string; isPrimary: boolean }>(
      `WITH old AS (SELECT id, status, is_primary FROM contacts WHERE customer_id = $1 AND status <> 'removed' FOR UPDATE)
       UPDATE contacts c SET status = 'removed', is_primary = false, version = c.version + 1, updated_at = now()
         FROM old WHERE c.id = old.id
       RETURNING c.id, old.status, old.is_primary AS "isPrimary"`,
      [customerId],
    );
    await this.query(`UPDATE customers SET status = 'deleted', removed_at = now(), version = version + 1, updated_at = now() WHERE id = $1`, [customerId]);
    return removed;
  }

  async insertDeletionRecord(record: Omit<DeletionRecordEntity, 'id' | 'deletedAt'>): Promise<DeletionRecordEntity> {
    const repo = this.transactions.manager.getRepository(DeletionRecordEntity);
    return repo.save(repo.create(record));
  }

  /** Newest first, each with every step of its approval and who decided it, in one statement. */
  listDeletionRecords(before: [string, string] | undefined, limit: number): Promise<DeletionRecordRow[]> {
    return this.query(
      `SELECT r.id, r.customer_id AS "customerId", r.approval_id AS "approvalId", r.snapshot, r.reason, r.requested_by AS "requestedBy",
              r.approved_by AS "approvedBy", r.deleted_at AS "deletedAt", r.deleted_at::text AS "sortKey", coalesce(s.steps, '[]'::json) AS steps
         FROM deletion_records r
         LEFT JOIN LATERAL (
           SELECT json_agg(json_build_object('stepNo', st.step_no, 'deciderKind', st.decider_kind, 'departmentId', st.department_id,
                                             'decidedBy', st.decided_by, 'decidedAt', st.decided_at, 'comment', st.comment) ORDER BY st.step_no) AS steps
             FROM approval_steps st WHERE st.approval_id = r.approval_id
         ) s ON true
        WHERE $1::timestamptz IS NULL OR (r.deleted_at, r.id) < ($1::timestamptz, $2::uuid)
        ORDER BY r.deleted_at DESC, r.id DESC LIMIT $3`,
      [before?.[0] ?? null, before?.[1] ?? null, limit],
    );
  }

  /** The oldest pending deletion or merge naming any of these customers (deleted, survivor or merged), if any. */
  async pendingRemoval(customerIds: string[]): Promise<string | undefined> {
    const rows = await this.query<{ id: string }[]>(
      `SELECT id FROM approvals
        WHERE status = 'pending' AND type IN ('customer.delete', 'customer.merge')
          AND (payload->>'customerId' = ANY($1::text[]) OR payload->>'survivorId' = ANY($1::text[]) OR payload->'mergedIds' ?| $1::text[])
        ORDER BY created_at, id LIMIT 1`,
      [customerIds],
    );
    return rows[0]?.id;
  }

  /**
   * Moves every record of the merged customers to the survivor: contacts (the survivor keeps its
   * primary), interactions, opportunities, complaints, tags (a set), consents, tier changes; one statement per
   * kind, each returning the rows it moved and where they came from (for their audit entries).
   * Then the merged customers point at the survivor and leave the duplicate indexes.
   */
  async moveToSurvivor(survivorId: string, mergedIds: string[]): Promise<MovedRows> {
    const params = [survivorId, mergedIds];
    const move = (table: string, set: string) =>
      this.returning<MovedRow>(
        `WITH old AS (SELECT id, customer_id FROM ${table} WHERE customer_id = ANY($2::uuid[]) FOR UPDATE)
         UPDATE ${table} t SET customer_id = $1${set} FROM old WHERE t.id = old.id
         RETURNING t.id::text AS id, old.customer_id::text AS "fromCustomerId"`,
        params,
      );
    const contacts = await move('contacts', ', is_primary = false, version = t.version + 1, updated_at = now()');
    const interactions = await move('interactions', '');
    // Opportunities take the survivor's department; those their customer's owner held go to the survivor's owner.
    const opportunities = await this.returning<MovedRow>(
      `WITH old AS (
         SELECT o.id, o.customer_id, o.owner_id = m.owner_id OR o.department_id <> s.department_id AS follows, s.owner_id AS survivor_owner, s.department_id AS survivor_department
           FROM opportunities o JOIN customers m ON m.id = o.customer_id JOIN customers s ON s.id = $1
          WHERE o.customer_id = ANY($2::uuid[]) FOR UPDATE OF o)
       UPDATE opportunities t SET customer_id = $1, department_id = old.survivor_department,
              owner_id = CASE WHEN old.follows THEN old.survivor_owner ELSE t.owner_id END, version = t.version + 1, updated_at = now()
         FROM old WHERE t.id = old.id
       RETURNING t.id::text AS id, old.customer_id::text AS "fromCustomerId"`,
      params,
    );
    const complaints = await move('complaints', ', version = t.version + 1, updated_at = now()');
    const consents = await move('customer_consents', '');
    const tierChanges = await move('customer_tier_changes', '');
    await this.query(
      `INSERT INTO customer_tags (customer_id, tag_id, added_by, added_at)
       SELECT $1, tag_id, added_by, min(added_at) FROM customer_tags WHERE customer_id = ANY($2::uuid[]) GROUP BY tag_id, added_by
       ON CONFLICT (customer_id, tag_id) DO NOTHING`,
      params,
    );
    // Activities for a merged customer are for the survivor (a set, as tags are).
    await this.query(
      `INSERT INTO activity_customers (activity_id, customer_id)
       SELECT DISTINCT activity_id, $1::uuid FROM activity_customers WHERE customer_id = ANY($2::uuid[])
       ON CONFLICT (activity_id, customer_id) DO NOTHING`,
      params,
    );
    await this.query(`DELETE FROM activity_customers WHERE customer_id = ANY($1::uuid[])`, [mergedIds]);
    const tags = await this.returning<MovedRow>(
      `DELETE FROM customer_tags WHERE customer_id = ANY($1::uuid[]) RETURNING tag_id::text AS id, customer_id::text AS "fromCustomerId"`,
      [mergedIds],
    );
    await this.query(
      `UPDATE customers s SET
         last_interaction_at = (SELECT max(i.occurred_at) FROM interactions i WHERE i.customer_id = s.id),
         next_action_due_at = (SELECT i.next_action_due_at FROM interactions i WHERE i.customer_id = s.id ORDER BY i.occurred_at DESC, i.id DESC LIMIT 1)
       WHERE s.id = $1`,
      [survivorId],
    );
    await this.query(
      `UPDATE customers SET status = 'merged', merged_into_id = $1, removed_at = now(), version = version + 1, updated_at = now() WHERE id = ANY($2::uuid[])`,
      params,
    );
    return { contacts, interactions, opportunities, complaints, consents, tags, tierChanges };
  }
}
