import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import type { ListScopeSql, LostOwnershipReason } from '../access';
import { TransferEntity, TransferItemEntity } from './transfer.entity';
import { SHOWN } from '../../common/limits';

export interface UnassignedRow {
  customerId: string;
  name: string;
  ownerId: string;
  ownerName: string;
  departmentId: string;
  ownerDeactivatedAt: Date | null;
  reason: LostOwnershipReason;
}

/** How many completed transfers (not successions) a customer may have in 90 days. */
export const TRANSFERS_PER_90_DAYS = 2;

@Injectable()
export class TransfersRepository {
  constructor(private readonly transactions: Transactions) {}

  private get transfers() {
    return this.transactions.manager.getRepository(TransferEntity);
  }

  private get items() {
    return this.transactions.manager.getRepository(TransferItemEntity);
  }

  insert(transfer: Pick<TransferEntity, 'approvalId' | 'kind' | 'toUserId' | 'requestedBy' | 'reason'>, items: Omit<TransferItemEntity, 'transferId' | 'movedAt'>[]): Promise<TransferEntity> {
    return this.transfers.save(this.transfers.create(transfer)).then(async (saved) => {
      await this.items.save(items.map((i) => this.items.create({ ...i, transferId: saved.id })));
      return saved;
    });
  }

  findById(id: string): Promise<TransferEntity | null> {
    return this.transfers.findOneBy({ id });
  }

  findByApproval(approvalId: string): Promise<TransferEntity | null> {
    return this.transfers.findOneBy({ approvalId });
  }

  itemsOf(transferIds: string[]): Promise<TransferItemEntity[]> {
    if (transferIds.length === 0) return Promise.resolve([]);
    return this.items.createQueryBuilder('i').where('i.transfer_id = ANY(:ids)', { ids: transferIds }).orderBy('i.customer_id').getMany();
  }

  /** Customers among `ids` that sit in a pending transfer. */
  async pending(ids: string[]): Promise<Set<string>> {
    const rows: { customer_id: string }[] = await this.transactions.manager.query(
      `SELECT customer_id FROM transfer_items WHERE outcome = 'pending' AND customer_id = ANY($1::uuid[])`,
      [ids],
    );
    return new Set(rows.map((r) => r.customer_id));
  }

  /** Customers among `ids` that reached the 90-day limit (WeCom's: two transfers). */
  async atLimit(ids: string[]): Promise<Set<string>> {
    const rows: { customer_id: string }[] = await this.transactions.manager.query(
      `SELECT i.customer_id FROM transfer_items i JOIN transfers t ON t.id = i.transfer_id
        WHERE i.outcome = 'moved' AND t.kind = 'transfer' AND i.moved_at > now() - interval '90 days' AND i.customer_id = ANY($1::uuid[])
        GROUP BY i.customer_id HAVING count(*) >= $2`,
      [ids, TRANSFERS_PER_90_DAYS],
    );
    return new Set(rows.map((r) => r.customer_id));
  }

  /** Current owner, department and status, locked until the transaction ends. */
  async lockCustomers(ids: string[]): Promise<{ id: string; ownerId: string; departmentId: string; status: string }[]> {
    return this.transactions.manager.query(
      `SELECT id, owner_id AS "ownerId", department_id AS "departmentId", status FROM customers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
  }

  /**
   * Owner and department change for all of them in one statement; open complaints assigned to the
   * old owner follow, and are returned (with their customer and former assignee) for their audit entries.
   */
  async moveCustomers(ids: string[], toUserId: string, toDepartmentId: string): Promise<{ id: string; customerId: string; fromAssigneeId: string }[]> {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [reassigned]: [{ id: string; customerId: string; fromAssigneeId: string }[], number] = await this.transactions.manager.query(
      `UPDATE complaints k SET assignee_id = $2, version = k.version + 1, updated_at = now()
         FROM customers c
        WHERE k.customer_id = c.id AND c.id = ANY($1::uuid[]) AND k.assignee_id = c.owner_id
          AND k.status IN ('received', 'assigned', 'in_progress')
       RETURNING k.id, k.customer_id AS "customerId", c.owner_id AS "fromAssigneeId"`,
      [ids, toUserId],
    );
    await this.transactions.manager.query(
      `UPDATE customers SET owner_id = $2, department_id = $3, version = version + 1, updated_at = now() WHERE id = ANY($1::uuid[])`,
      [ids, toUserId, toDepartmentId],
    );
    return reassigned;
  }

  /**
   * Opportunities go with their customer (issue 16): those the old owner held, and every one whose
   * owner is not in the customer's new department, move to the new owner and department. Run before
   * moveCustomers (it compares with the customer's owner then); returns the moved ones for their audit entries.
   */
  async moveOpportunities(ids: string[], toUserId: string, toDepartmentId: string): Promise<{ id: string; customerId: string; fromOwnerId: string }[]> {
    const [moved]: [{ id: string; customerId: string; fromOwnerId: string }[], number] = await this.transactions.manager.query(
      `WITH old AS (
         SELECT o.id, o.owner_id FROM opportunities o JOIN customers c ON c.id = o.customer_id
          WHERE c.id = ANY($1::uuid[]) AND (o.owner_id = c.owner_id OR o.department_id <> $3::uuid)
            AND o.owner_id <> $2::uuid
          FOR UPDATE OF o)
       UPDATE opportunities o SET owner_id = $2, department_id = $3, version = o.version + 1, updated_at = now()
         FROM old WHERE o.id = old.id
       RETURNING o.id, o.customer_id AS "customerId", old.owner_id AS "fromOwnerId"`,
      [ids, toUserId, toDepartmentId],
    );
    // An opportunity already held by the new owner still takes the customer's new department.
    await this.transactions.manager.query(
      `UPDATE opportunities SET department_id = $2, version = version + 1, updated_at = now() WHERE customer_id = ANY($1::uuid[]) AND department_id <> $2::uuid`,
      [ids, toDepartmentId],
    );
    return moved;
  }

  /**
   * Open review tasks go with their customer (issue 17): the review is asked of whoever owns the
   * customer, and only the owner can confirm it, so an open task left with the former owner could
   * never be done. Done tasks stay with who did them. Returns the moved tasks' customers.
   */
  async moveOpenReviewTasks(ids: string[], toUserId: string, toDepartmentId: string): Promise<string[]> {
    const [moved]: [{ customerId: string }[], number] = await this.transactions.manager.query(
      `UPDATE review_tasks SET owner_id = $2, department_id = $3
        WHERE customer_id = ANY($1::uuid[]) AND done_at IS NULL AND (owner_id <> $2::uuid OR department_id <> $3::uuid)
       RETURNING customer_id AS "customerId"`,
      [ids, toUserId, toDepartmentId],
    );
    return moved.map((m) => m.customerId);
  }

  async setOutcome(transferId: string, fromOutcome: string, outcome: string, reason: string | null): Promise<void> {
    await this.transactions.manager.query(
      `UPDATE transfer_items SET outcome = $3::text, reason = coalesce($4::text, reason), moved_at = CASE WHEN $3::text = 'moved' THEN now() ELSE moved_at END
        WHERE transfer_id = $1 AND outcome = $2`,
      [transferId, fromOutcome, outcome, reason],
    );
  }

  async setStatus(id: string, status: TransferEntity['status']): Promise<void> {
    await this.transfers.update({ id }, { status, completedAt: status === 'completed' ? new Date() : null });
  }

  async list(scope: ListScopeSql | null, requestedBy: string | null, before: [string, string] | undefined, limit: number): Promise<{ transfer: TransferEntity; sortKey: string }[]> {
    const qb = this.transfers.createQueryBuilder('t');
    if (scope) {
      // Visible when any of its customers is, or the caller asked for it.
      qb.where(
        `(t.requested_by = :requestedBy OR EXISTS (SELECT 1 FROM transfer_items i JOIN customers c ON c.id = i.customer_id WHERE i.transfer_id = t.id AND ${scope.where}))`,
        { ...scope.params, requestedBy },
      );
    }
    if (before) qb.andWhere('(t.created_at, t.id) < (CAST(:beforeAt AS timestamptz), CAST(:beforeId AS uuid))', { beforeAt: before[0], beforeId: before[1] });
    qb.addSelect('t.created_at::text', 'sort_key').orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC').limit(limit);
    const { entities, raw } = await qb.getRawAndEntities<{ sort_key: string }>();
    return entities.map((transfer, i) => ({ transfer, sortKey: raw[i].sort_key }));
  }

  /**
   * Customers whose owner no longer holds them (离职继承: deactivated, moved to another department,
   * or now in a role that cannot own customers), awaiting a successor. The reason is access.rules'
   * lostOwnership, in SQL.
   */
  async unassigned(departmentId: string | null): Promise<UnassignedRow[]> {
    return this.transactions.manager.query(
      `SELECT c.id AS "customerId", c.name, c.owner_id AS "ownerId", u.display_name AS "ownerName", c.department_id AS "departmentId",
              u.deactivated_at AS "ownerDeactivatedAt",
              CASE WHEN NOT u.active THEN 'deactivated' WHEN u.department_id <> c.department_id THEN 'moved' ELSE 'role changed' END AS reason
         FROM customers c JOIN users u ON u.id = c.owner_id
        WHERE (NOT u.active OR u.department_id <> c.department_id OR u.role NOT IN ('sales', 'manager', 'admin'))
          AND c.status NOT IN ('deleted', 'merged') AND ($1::uuid IS NULL OR c.department_id = $1::uuid)
        ORDER BY u.display_name, c.name, c.id
        LIMIT ${SHOWN.unassigned}`,
      [departmentId],
    );
  }
}
