import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { DeletionRecordEntity } from './deletion-record.entity';

export interface RelatedCounts {
  contacts: number;
  interactions: number;
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

  /** Everything that hangs off these customers, counted (tags as distinct tags: a set). */
  async counts(customerIds: string[]): Promise<RelatedCounts> {
    const [row] = await this.query<RelatedCounts[]>(
      `SELECT (SELECT count(*) FROM contacts WHERE customer_id = ANY($1::uuid[]))::int AS contacts,
              (SELECT count(*) FROM interactions WHERE customer_id = ANY($1::uuid[]))::int AS interactions,
              (SELECT count(*) FROM complaints WHERE customer_id = ANY($1::uuid[]))::int AS complaints,
              (SELECT count(DISTINCT tag_id) FROM customer_tags WHERE customer_id = ANY($1::uuid[]))::int AS tags,
              (SELECT count(*) FROM customer_consents WHERE customer_id = ANY($1::uuid[]))::int AS consents,
              (SELECT count(*) FROM customer_tier_changes WHERE customer_id = ANY($1::uuid[]))::int AS "tierChanges"`,
      [customerIds],
    );
    return row;
  }

  /** Locks the customers and returns their status, in id order (no deadlock between two merges). */
  async lock(customerIds: string[]): Promise<{ id: string; status: string }[]> {
    return this.query(`SELECT id, status FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [customerIds]);
  }

  /** Soft delete: the record stays, out of every list and duplicate index; its contacts release their mobiles and e-mails. */
  async markDeleted(customerId: string): Promise<void> {
    await this.query(`UPDATE contacts SET status = 'removed', is_primary = false, version = version + 1, updated_at = now() WHERE customer_id = $1 AND status <> 'removed'`, [customerId]);
    await this.query(`UPDATE customers SET status = 'deleted', removed_at = now(), version = version + 1, updated_at = now() WHERE id = $1`, [customerId]);
  }

  async insertDeletionRecord(record: Omit<DeletionRecordEntity, 'id' | 'deletedAt'>): Promise<DeletionRecordEntity> {
    const repo = this.transactions.manager.getRepository(DeletionRecordEntity);
    return repo.save(repo.create(record));
  }

  listDeletionRecords(before: [string, string] | undefined, limit: number): Promise<(DeletionRecordEntity & { sortKey: string })[]> {
    return this.query(
      `SELECT id, customer_id AS "customerId", approval_id AS "approvalId", snapshot, reason, requested_by AS "requestedBy",
              approved_by AS "approvedBy", deleted_at AS "deletedAt", deleted_at::text AS "sortKey"
         FROM deletion_records
        WHERE $1::timestamptz IS NULL OR (deleted_at, id) < ($1::timestamptz, $2::uuid)
        ORDER BY deleted_at DESC, id DESC LIMIT $3`,
      [before?.[0] ?? null, before?.[1] ?? null, limit],
    );
  }

  /**
   * Moves every record of the merged customers to the survivor: contacts (the survivor keeps its
   * primary), interactions, complaints, tags (a set), consents, tier changes. Then the merged
   * customers point at the survivor and leave the duplicate indexes.
   */
  async moveToSurvivor(survivorId: string, mergedIds: string[]): Promise<void> {
    const params = [survivorId, mergedIds];
    await this.query(`UPDATE contacts SET customer_id = $1, is_primary = false, version = version + 1, updated_at = now() WHERE customer_id = ANY($2::uuid[])`, params);
    await this.query(`UPDATE interactions SET customer_id = $1 WHERE customer_id = ANY($2::uuid[])`, params);
    await this.query(`UPDATE complaints SET customer_id = $1, version = version + 1, updated_at = now() WHERE customer_id = ANY($2::uuid[])`, params);
    await this.query(`UPDATE customer_consents SET customer_id = $1 WHERE customer_id = ANY($2::uuid[])`, params);
    await this.query(`UPDATE customer_tier_changes SET customer_id = $1 WHERE customer_id = ANY($2::uuid[])`, params);
    await this.query(
      `INSERT INTO customer_tags (customer_id, tag_id, added_by, added_at)
       SELECT $1, tag_id, added_by, min(added_at) FROM customer_tags WHERE customer_id = ANY($2::uuid[]) GROUP BY tag_id, added_by
       ON CONFLICT (customer_id, tag_id) DO NOTHING`,
      params,
    );
    await this.query(`DELETE FROM customer_tags WHERE customer_id = ANY($1::uuid[])`, [mergedIds]);
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
  }
}
