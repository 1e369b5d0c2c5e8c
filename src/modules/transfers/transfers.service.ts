import { Injectable, OnModuleInit } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, forbidden, notFound } from '../../common/errors/domain-error';
import { Cursors, Page, PageQueryDto } from '../../common/pagination';
import { iso } from '../../common/http/iso';
import { Transactions } from '../../database/transactions';
import { CustomerAccess, lostOwnership, OWNER_ROLES } from '../access';
import { ApprovalEntity, ApprovalsService, type StepSpec } from '../approvals';
import { AuditService } from '../audit';
import { UserEntity, UsersRepository } from '../users';
import { RequestTransferDto, SuccessionDto, TransferDto, UnassignedCustomerDto } from './dto/transfer.dto';
import { TransferEntity, TransferItemEntity } from './transfer.entity';
import { TransfersRepository } from './transfers.repository';

const SUCCESSION_REASON = '离职继承: the previous owner was ';

type Refusal = 'NOT_FOUND' | 'SAME_OWNER' | 'TRANSFER_PENDING' | 'TRANSFER_LIMIT';

function toDto(t: TransferEntity, items: TransferItemEntity[]): TransferDto {
  return {
    id: t.id,
    approvalId: t.approvalId,
    kind: t.kind,
    status: t.status,
    toUserId: t.toUserId,
    requestedBy: t.requestedBy,
    reason: t.reason,
    items: items.filter((i) => i.transferId === t.id).map((i) => ({ customerId: i.customerId, fromOwnerId: i.fromOwnerId, outcome: i.outcome, reason: i.reason })),
    createdAt: t.createdAt.toISOString(),
    completedAt: t.completedAt?.toISOString() ?? null,
  };
}

/** 客户移交与继承: in-service handover through approval, and succession after a departure. */
@Injectable()
export class TransfersService implements OnModuleInit {
  constructor(
    private readonly cursors: Cursors,
    private readonly transfers: TransfersRepository,
    private readonly users: UsersRepository,
    private readonly access: CustomerAccess,
    private readonly approvals: ApprovalsService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  onModuleInit(): void {
    for (const type of ['customer.transfer', 'customer.succession']) {
      this.approvals.register({
        type,
        execute: (approval) => this.execute(approval),
        onClosed: (approval, outcome, reason) => this.close(approval, outcome, reason),
      });
    }
  }

  /**
   * By the owner or their manager: customers that cannot go are refused one by one with a reason;
   * the rest wait for the managers of the source departments (and the target's, if different).
   */
  request(caller: AuthUser, dto: RequestTransferDto): Promise<TransferDto> {
    return this.transactions.run(async () => {
      const target = await this.target(dto.toUserId, 'toUserId');
      const { going, refused } = await this.sort(caller, [...new Set(dto.customerIds)], target, true);
      if (going.length === 0) {
        throw new DomainError('TRANSFER_REFUSED', 'None of the customers can be transferred', {
          items: refused.map((r) => ({ customerId: r.customerId, reason: r.reason })),
        });
      }
      const departments = [...new Set([...going.map((g) => g.departmentId), target.departmentId])];
      const steps: StepSpec[] = departments.map((departmentId) => ({ kind: 'department_manager', departmentId }));
      // What the approvers answer for, kept so that the execution can check it still holds.
      const payload = {
        toUserId: target.id,
        customerIds: going.map((g) => g.customerId),
        targetDepartmentId: target.departmentId,
        customerDepartments: Object.fromEntries(going.map((g) => [g.customerId, g.departmentId])),
      };
      const approval = await this.approvals.request(caller, 'customer.transfer', dto.reason, payload, steps);
      const transfer = await this.transfers.insert({ approvalId: approval.id, kind: 'transfer', toUserId: target.id, requestedBy: caller.id, reason: dto.reason }, [
        ...going.map((g) => ({ customerId: g.customerId, fromOwnerId: g.ownerId, outcome: 'pending' as const, reason: null })),
        ...refused.filter((r) => r.ownerId).map((r) => ({ customerId: r.customerId, fromOwnerId: r.ownerId!, outcome: 'refused' as const, reason: r.reason })),
      ]);
      const answer = await this.dto(transfer);
      // Customers the caller cannot see are not recorded, but the answer still accounts for them.
      answer.items.push(...refused.filter((r) => !r.ownerId).map((r) => ({ customerId: r.customerId, fromOwnerId: null, outcome: 'refused', reason: r.reason })));
      return answer;
    });
  }

  /**
   * 离职继承, by the manager of the customers' department (or an admin), for a user who no longer
   * holds them (deactivated, moved, or in a role that cannot own customers): executes at once, the
   * manager being the approver.
   */
  succession(caller: AuthUser, dto: SuccessionDto): Promise<TransferDto> {
    return this.transactions.run(async () => {
      const from = await this.users.findById(dto.fromUserId);
      if (!from) throw notFound('User');
      const target = await this.target(dto.toUserId, 'toUserId');
      const { going, refused } = await this.sort(caller, [...new Set(dto.customerIds)], target, false);
      const theirs = going.filter((g) => g.ownerId === from.id);
      // A manager knows a user of another department only through customers of theirs in the manager's own.
      if (caller.role === 'manager' && from.departmentId !== caller.departmentId && theirs.length === 0) throw notFound('User');
      const lost = theirs.map((g) => lostOwnership(from, g));
      if (theirs.length > 0 && lost.every((reason) => reason === undefined)) {
        throw new DomainError('TARGET_INVALID', 'Succession is for a user who no longer holds the customers (deactivated, moved or role changed); use a transfer', {
          errors: [{ field: 'fromUserId', message: 'fromUserId must name a user who was deactivated, moved or changed role' }],
        });
      }
      const notTheirs = going.filter((g) => g.ownerId !== from.id || lostOwnership(from, g) === undefined);
      if (going.length === 0 || notTheirs.length > 0) {
        throw new DomainError('TRANSFER_REFUSED', 'Every customer must be one the user no longer holds, and free to move', {
          items: [...refused, ...notTheirs.map((g) => ({ ...g, reason: g.ownerId !== from.id ? 'NOT_THEIRS' : 'OWNER_HOLDS' }))].map((r) => ({ customerId: r.customerId, reason: r.reason })),
        });
      }
      const reason = dto.reason ?? `${SUCCESSION_REASON}${lost[0]}`;
      const approval = await this.approvals.request(caller, 'customer.succession', reason, { fromUserId: from.id, toUserId: target.id, customerIds: going.map((g) => g.customerId) }, []);
      const transfer = await this.transfers.insert(
        { approvalId: approval.id, kind: 'succession', toUserId: target.id, requestedBy: caller.id, reason },
        going.map((g) => ({ customerId: g.customerId, fromOwnerId: g.ownerId, outcome: 'pending' as const, reason: null })),
      );
      await this.approvals.executeNow(caller, approval.id);
      return this.dto((await this.transfers.findById(transfer.id))!);
    });
  }

  async list(caller: AuthUser, page: PageQueryDto): Promise<Page<TransferDto>> {
    const limit = page.limit ?? 20;
    const cursor = this.cursors.decode('transfers', page.cursor, 2);
    const scope = caller.role === 'admin' || caller.role === 'auditor' ? null : this.access.listScope(caller, 'c', ['active', 'dormant', 'archived']);
    const rows = await this.transfers.list(scope, caller.id, cursor ? [String(cursor[0]), String(cursor[1])] : undefined, limit + 1);
    const items = await this.transfers.itemsOf(rows.map((r) => r.transfer.id));
    return this.cursors.page('transfers', rows, limit, (r) => toDto(r.transfer, items), (r) => [r.sortKey, r.transfer.id]);
  }

  async get(caller: AuthUser, id: string): Promise<TransferDto> {
    const transfer = await this.transfers.findById(id);
    if (!transfer) throw notFound('Transfer');
    const items = await this.transfers.itemsOf([id]);
    const visible =
      caller.role === 'admin' || caller.role === 'auditor' || transfer.requestedBy === caller.id || (await this.access.filter(caller, items.map((i) => i.customerId), 'read')).size > 0;
    if (!visible) throw notFound('Transfer');
    return toDto(transfer, items);
  }

  async unassigned(caller: AuthUser): Promise<UnassignedCustomerDto[]> {
    if (caller.role !== 'admin' && caller.role !== 'manager') throw forbidden();
    const rows = await this.transfers.unassigned(caller.role === 'admin' ? null : caller.departmentId);
    return rows.map((r) => ({ ...r, ownerDeactivatedAt: iso(r.ownerDeactivatedAt) }));
  }

  /** On the final approval: every customer still owned as requested moves, or nothing does. */
  private async execute(approval: ApprovalEntity): Promise<Record<string, unknown>> {
    const transfer = (await this.transfers.findByApproval(approval.id))!;
    const items = (await this.transfers.itemsOf([transfer.id])).filter((i) => i.outcome === 'pending');
    const target = await this.users.findById(transfer.toUserId);
    if (!target?.active) throw new DomainError('TARGET_INVALID', 'The target user was deactivated since the request');
    if (!OWNER_ROLES.includes(target.role)) throw new DomainError('TARGET_INVALID', `The target user's role changed to ${target.role} since the request and cannot own customers`);
    const current = new Map((await this.transfers.lockCustomers(items.map((i) => i.customerId))).map((c) => [c.id, c]));
    const changed = items.filter((i) => current.get(i.customerId)?.ownerId !== i.fromOwnerId || ['deleted', 'merged'].includes(current.get(i.customerId)?.status ?? 'deleted'));
    if (changed.length > 0) {
      throw new DomainError('CONFLICT', `Customers changed owner or were removed since the request: ${changed.map((i) => i.customerId).join(', ')}`);
    }
    if (approval.type === 'customer.transfer') await this.recheckDepartments(approval, target, items.map((i) => current.get(i.customerId)!));
    const opportunities = await this.transfers.moveOpportunities(items.map((i) => i.customerId), target.id, target.departmentId);
    const reassigned = await this.transfers.moveCustomers(items.map((i) => i.customerId), target.id, target.departmentId);
    const reviewTasks = await this.transfers.moveOpenReviewTasks(items.map((i) => i.customerId), target.id, target.departmentId);
    await this.transfers.setOutcome(transfer.id, 'pending', 'moved', null);
    await this.transfers.setStatus(transfer.id, 'completed');
    // Each complaint that followed the owner says so in its own history; each customer's entry counts them.
    await this.audit.recordMany([
      ...items.map((i) => ({
        action: transfer.kind === 'transfer' ? 'customer.transfer' : 'customer.succession',
        entityType: 'customer',
        entityId: i.customerId,
        before: { ownerId: i.fromOwnerId },
        after: {
          ownerId: target.id,
          departmentId: target.departmentId,
          transferId: transfer.id,
          complaintsReassigned: reassigned.filter((k) => k.customerId === i.customerId).length,
          opportunitiesMoved: opportunities.filter((o) => o.customerId === i.customerId).length,
          reviewTasksMoved: reviewTasks.filter((id) => id === i.customerId).length,
        },
        reason: transfer.reason,
      })),
      ...reassigned.map((k) => ({
        action: 'complaint.transfer_reassigned',
        entityType: 'complaint',
        entityId: k.id,
        before: { assigneeId: k.fromAssigneeId },
        after: { assigneeId: target.id, customerId: k.customerId, transferId: transfer.id },
        reason: transfer.reason,
      })),
      ...opportunities.map((o) => ({
        action: 'opportunity.transfer_moved',
        entityType: 'opportunity',
        entityId: o.id,
        before: { ownerId: o.fromOwnerId },
        after: { ownerId: target.id, departmentId: target.departmentId, customerId: o.customerId, transferId: transfer.id },
        reason: transfer.reason,
      })),
    ]);
    return { transferId: transfer.id, moved: items.length, complaintsReassigned: reassigned.length, opportunitiesMoved: opportunities.length };
  }

  /**
   * The managers approved moving these customers out of their departments into the target's: if
   * the target or a customer has changed department since, nobody approved what would happen now.
   */
  private async recheckDepartments(approval: ApprovalEntity, target: UserEntity, customers: { id: string; departmentId: string }[]): Promise<void> {
    const payload = approval.payload as { targetDepartmentId?: string; customerDepartments?: Record<string, string> };
    // Requests made before the payload named the departments: the departments whose managers decided.
    const approved = new Set((await this.approvals.steps(approval.id)).map((s) => s.departmentId));
    const targetApproved = payload.targetDepartmentId ? target.departmentId === payload.targetDepartmentId : approved.has(target.departmentId);
    if (!targetApproved) {
      throw new DomainError('TARGET_INVALID', 'The target user moved to another department since the request; its manager has not approved this transfer');
    }
    const moved = customers.filter((c) => (payload.customerDepartments ? payload.customerDepartments[c.id] !== c.departmentId : !approved.has(c.departmentId)));
    if (moved.length > 0) {
      throw new DomainError('CONFLICT', `Customers moved to another department since the request, whose manager has not approved: ${moved.map((c) => c.id).join(', ')}`);
    }
  }

  private async close(approval: ApprovalEntity, outcome: 'rejected' | 'cancelled' | 'failed', reason: string | null): Promise<void> {
    const transfer = await this.transfers.findByApproval(approval.id);
    if (!transfer) return;
    await this.transfers.setOutcome(transfer.id, 'pending', outcome === 'failed' ? 'failed' : 'cancelled', outcome === 'failed' ? (reason ?? 'failed').slice(0, 40) : null);
    await this.transfers.setStatus(transfer.id, outcome);
  }

  private async target(userId: string, field: string): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user || !user.active || !OWNER_ROLES.includes(user.role)) {
      throw new DomainError('TARGET_INVALID', `${field} must name an active sales user, manager or admin`, { errors: [{ field, message: `${field} must name an active sales user, manager or admin` }] });
    }
    return user;
  }

  /** Which customers can go, and why the others cannot. */
  private async sort(caller: AuthUser, ids: string[], target: UserEntity, applyLimit: boolean) {
    const visible = await this.access.filter(caller, ids, 'change');
    const pending = await this.transfers.pending(ids);
    const limited = applyLimit ? await this.transfers.atLimit(ids) : new Set<string>();
    const going: { customerId: string; ownerId: string; departmentId: string }[] = [];
    const refused: { customerId: string; ownerId: string | null; reason: Refusal }[] = [];
    for (const customerId of ids) {
      const row = visible.get(customerId);
      const reason: Refusal | undefined = !row
        ? 'NOT_FOUND'
        : row.ownerId === target.id
          ? 'SAME_OWNER'
          : pending.has(customerId)
            ? 'TRANSFER_PENDING'
            : limited.has(customerId)
              ? 'TRANSFER_LIMIT'
              : undefined;
      if (reason) refused.push({ customerId, ownerId: row?.ownerId ?? null, reason });
      else going.push({ customerId, ownerId: row!.ownerId, departmentId: row!.departmentId });
    }
    return { going, refused };
  }

  private async dto(transfer: TransferEntity): Promise<TransferDto> {
    return toDto(transfer, await this.transfers.itemsOf([transfer.id]));
  }
}
