import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import type { ListScopeSql } from '../access';
import { CustomerEntity } from '../customers/customer.entity';
import { ExportEntity, ExportItemEntity } from './export.entity';

export type NewExport = Pick<
  ExportEntity,
  'approvalId' | 'requesterId' | 'requesterRole' | 'requesterDepartmentId' | 'filter' | 'format' | 'reason' | 'recipient'
>;

/** Which of an export's customers a download streams: still there, and still in the requester's view. */
export interface StreamableFilter {
  scope: ListScopeSql;
  marketableOnly: boolean;
}

@Injectable()
export class ExportsRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(ExportEntity);
  }

  insert(record: NewExport): Promise<ExportEntity> {
    return this.repo.save(this.repo.create(record));
  }

  findById(id: string): Promise<ExportEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByApproval(approvalId: string): Promise<ExportEntity | null> {
    return this.repo.findOneBy({ approvalId });
  }

  async setStatus(id: string, status: ExportEntity['status']): Promise<void> {
    await this.repo.update({ id }, { status, approvedAt: status === 'approved' ? new Date() : null });
  }

  async countDownload(id: string): Promise<void> {
    await this.repo.increment({ id }, 'downloadCount', 1);
  }

  /** One statement for a whole batch of ids. */
  async addItems(exportId: string, customerIds: string[]): Promise<void> {
    if (customerIds.length === 0) return;
    await this.transactions.manager.query(
      `INSERT INTO export_items (export_id, customer_id) SELECT $1, id FROM unnest($2::uuid[]) AS id ON CONFLICT DO NOTHING`,
      [exportId, customerIds],
    );
  }

  /**
   * Stores the count and the digest of the items: sha256 (hex) of the ids as text, sorted
   * byte-wise (COLLATE "C", as a plain string sort does), joined by "\n".
   */
  async seal(exportId: string): Promise<{ rowCount: number; idsDigest: string }> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [[row]]: [{ rowCount: number; idsDigest: string }[], number] = await this.transactions.manager.query(
      `WITH items AS (
         SELECT count(*)::int AS n,
                encode(sha256(convert_to(coalesce(string_agg(customer_id::text, E'\\n' ORDER BY customer_id::text COLLATE "C"), ''), 'UTF8')), 'hex') AS digest
           FROM export_items WHERE export_id = $1
       )
       UPDATE exports SET row_count = items.n, ids_digest = items.digest FROM items WHERE exports.id = $1
       RETURNING exports.row_count AS "rowCount", exports.ids_digest AS "idsDigest"`,
      [exportId],
    );
    return row;
  }

  /** A page of the export's customer ids, in id order, after `after`. */
  async itemIds(exportId: string, after: string | undefined, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.transactions.manager.query(
      `SELECT customer_id AS id FROM export_items WHERE export_id = $1 AND ($2::uuid IS NULL OR customer_id > $2::uuid) ORDER BY customer_id LIMIT $3`,
      [exportId, after ?? null, limit],
    );
    return rows.map((r) => r.id);
  }

  private streamable(exportId: string, filter: StreamableFilter) {
    const qb = this.transactions.manager
      .getRepository(CustomerEntity)
      .createQueryBuilder('c')
      .innerJoin(ExportItemEntity, 'ei', 'ei.customer_id = c.id AND ei.export_id = :exportId', { exportId })
      .where(filter.scope.where, filter.scope.params);
    if (filter.marketableOnly) qb.andWhere(`c.marketing_consent = 'granted'`);
    return qb;
  }

  /** A page of the export's customers as they are now, in id order (the primary key of export_items leads the way). */
  streamablePage(exportId: string, filter: StreamableFilter, after: string | undefined, limit: number): Promise<CustomerEntity[]> {
    const qb = this.streamable(exportId, filter);
    if (after) qb.andWhere('c.id > :after', { after });
    return qb.orderBy('c.id', 'ASC').limit(limit).getMany();
  }

  countStreamable(exportId: string, filter: StreamableFilter): Promise<number> {
    return this.streamable(exportId, filter).getCount();
  }
}
