import { Injectable, OnModuleInit } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { PiiCipher } from '../../common/crypto/pii-cipher';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, Page, PageQueryDto } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { CustomerAccess } from '../access';
import { ApprovalDto, ApprovalEntity, ApprovalsService } from '../approvals';
import { type AuditEntry, AuditService } from '../audit';
import { ContactsRepository } from './contacts.repository';
import { CustomerRemovalRepository, type MovedRows } from './customer-removal.repository';
import { mergedConsent } from './customer-removal.rules';
import { contactSnapshot, customerSnapshot, toCustomerSummary } from './customer.mapper';
import { MERGEABLE_FIELDS, type MergeableField, mergeFields } from './customer.rules';
import { CustomerEntity } from './customer.entity';
import { CustomerChanges, CustomersRepository } from './customers.repository';
import { DeletionRecordDto, MergePreviewDto, MergePreviewRequestDto, MergeRequestDto } from './dto/removal.dto';
import { LIMITS } from '../../common/limits';

const invalid = (field: string, message: string) => new DomainError('VALIDATION_FAILED', message, { errors: [{ field, message }] });

/** Deletion (two approvals, 004 §2.4) and merging of duplicates (admin approval). */
@Injectable()
export class CustomerRemovalService implements OnModuleInit {
  constructor(
    private readonly cursors: Cursors,
    private readonly customers: CustomersRepository,
    private readonly contacts: ContactsRepository,
    private readonly removal: CustomerRemovalRepository,
    private readonly access: CustomerAccess,
    private readonly approvals: ApprovalsService,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly cipher: PiiCipher,
  ) {}

  onModuleInit(): void {
    this.approvals.register({ type: 'customer.delete', execute: (approval) => this.executeDeletion(approval) });
    this.approvals.register({ type: 'customer.merge', execute: (approval) => this.executeMerge(approval) });
  }

  /** A written request, decided by the owner's department manager and then an admin. */
  requestDeletion(caller: AuthUser, customerId: string, reason: string): Promise<ApprovalDto> {
    return this.transactions.run(async () => {
      // The row stays locked until commit: of two requests at once, the second sees the first.
      const row = await this.access.require(caller, customerId, 'change');
      await this.refusePending([customerId]);
      const approval = await this.approvals.request(caller, 'customer.delete', reason, { customerId }, [
        { kind: 'department_manager', departmentId: row.departmentId },
        { kind: 'admin' },
      ]);
      return this.approvals.get(caller, approval.id);
    });
  }

  async deletionRecords(page: PageQueryDto): Promise<Page<DeletionRecordDto>> {
    const limit = page.limit ?? 20;
    const cursor = this.cursors.decode('deletion-records', page.cursor, 2);
    const rows = await this.removal.listDeletionRecords(cursor ? [String(cursor[0]), String(cursor[1])] : undefined, limit + 1);
    return this.cursors.page('deletion-records', 
      rows,
      limit,
      ({ sortKey: _s, ...r }) => ({
        ...r,
        deletedAt: new Date(r.deletedAt).toISOString(),
        steps: r.steps.map((step) => ({ ...step, decidedAt: step.decidedAt ? new Date(step.decidedAt).toISOString() : null })),
      }),
      (r) => [r.sortKey, r.id],
    );
  }

  async previewMerge(caller: AuthUser, dto: MergePreviewRequestDto): Promise<MergePreviewDto> {
    const { survivor, merged } = await this.load(caller, dto);
    const { values, sources } = mergeFields(survivor, merged, this.choices(dto, [survivor, ...merged]));
    return {
      result: toCustomerSummary({ ...survivor, ...(values as Partial<CustomerEntity>) }),
      sources,
      moves: await this.removal.counts(dto.mergedIds),
    };
  }

  requestMerge(caller: AuthUser, dto: MergeRequestDto): Promise<ApprovalDto> {
    return this.transactions.run(async () => {
      const { survivor, merged } = await this.load(caller, dto);
      this.choices(dto, [survivor, ...merged]);
      requireMergedContactsWithinLimit((await this.removal.counts([survivor.id, ...merged.map((m) => m.id)])).contacts);
      await this.refusePending([survivor.id, ...merged.map((m) => m.id)]);
      const approval = await this.approvals.request(
        caller,
        'customer.merge',
        dto.reason,
        { survivorId: dto.survivorId, mergedIds: dto.mergedIds, fieldChoices: dto.fieldChoices ?? {} },
        [{ kind: 'admin' }],
      );
      return this.approvals.get(caller, approval.id);
    });
  }

  private async executeDeletion(approval: ApprovalEntity): Promise<Record<string, unknown>> {
    const customerId = approval.payload.customerId as string;
    const [locked] = await this.removal.lock([customerId]);
    if (!locked || locked.status === 'deleted' || locked.status === 'merged') throw new DomainError('CONFLICT', 'The customer was already deleted or merged');
    // The manager who approved answered for the customer's department then; if it has moved since, nobody answered for it now.
    const managerStep = (await this.approvals.steps(approval.id)).find((s) => s.deciderKind === 'department_manager');
    if (managerStep && managerStep.departmentId !== locked.departmentId) {
      throw new DomainError('CONFLICT', 'The customer moved to another department since the request; that department\'s manager has not approved its deletion');
    }
    const customer = (await this.customers.findById(customerId))!;
    const contacts = await this.contacts.findByCustomer(customerId);
    const snapshot = { customer: customerSnapshot(customer), contacts: contacts.map((c) => contactSnapshot(c, this.cipher)) };
    const record = await this.removal.insertDeletionRecord({
      customerId,
      approvalId: approval.id,
      snapshot,
      reason: approval.reason,
      requestedBy: approval.requesterId,
      approvedBy: await this.approvals.approvers(approval.id),
    });
    const removed = await this.removal.markDeleted(customerId);
    // Each removed contact's own history says where it went; the deletion's entry counts them.
    await this.audit.recordMany([
      {
        action: 'customer.delete',
        entityType: 'customer',
        entityId: customerId,
        before: snapshot.customer,
        after: { status: 'deleted', deletionRecordId: record.id, contactsRemoved: removed.length },
        reason: approval.reason,
      },
      ...removed.map((c) => ({
        action: 'contact.removed',
        entityType: 'contact',
        entityId: c.id,
        before: { status: c.status, isPrimary: c.isPrimary },
        after: { status: 'removed', isPrimary: false, customerId, deletionRecordId: record.id, approvalId: approval.id },
        reason: approval.reason,
      })),
    ]);
    return { deletionRecordId: record.id, contactsRemoved: removed.length };
  }

  /** Moves everything to the survivor; the counts before and after are checked, so nothing is lost silently. */
  private async executeMerge(approval: ApprovalEntity): Promise<Record<string, unknown>> {
    const survivorId = approval.payload.survivorId as string;
    const mergedIds = approval.payload.mergedIds as string[];
    const all = [survivorId, ...mergedIds];
    const locked = await this.removal.lock(all);
    if (locked.length !== all.length || locked.some((c) => c.status === 'deleted' || c.status === 'merged')) {
      throw new DomainError('CONFLICT', 'A customer of the merge was deleted or merged since the request');
    }
    const survivor = (await this.customers.findById(survivorId))!;
    const merged = await Promise.all(mergedIds.map(async (id) => (await this.customers.findById(id))!));
    const { values } = mergeFields(survivor, merged, (approval.payload.fieldChoices ?? {}) as Partial<Record<MergeableField, string>>);
    // Read under the locks above: a consent recorded on any of them meanwhile waited for this merge, or is seen here.
    const marketingConsent = mergedConsent([survivor, ...merged].map((c) => c.marketingConsent));
    const before = await this.removal.counts(all);
    requireMergedContactsWithinLimit(before.contacts);
    const moved = await this.removal.moveToSurvivor(survivorId, mergedIds);
    const updated = await this.customers.update(survivorId, survivor.version, { ...(values as CustomerChanges), marketingConsent });
    if (!updated) throw new DomainError('CONFLICT', 'The surviving customer changed meanwhile');
    await this.customers.refreshFollowUps([survivorId]);
    const after = await this.removal.counts([survivorId]);
    const lost = (Object.keys(before) as (keyof typeof before)[]).filter((k) => k !== 'tags' && before[k] !== after[k]);
    if (lost.length > 0) throw new Error(`merge would lose records: ${lost.join(', ')}`);
    const movedCounts = Object.fromEntries(Object.entries(moved).map(([kind, rows]) => [kind, rows.length]));
    await this.audit.recordMany([
      {
        action: 'customer.merge',
        entityType: 'customer',
        entityId: survivorId,
        before: customerSnapshot(survivor),
        after: { ...customerSnapshot(updated), mergedIds, moved: movedCounts },
        reason: approval.reason,
      },
      ...merged.map((m) => ({ action: 'customer.merged', entityType: 'customer', entityId: m.id, before: { status: m.status }, after: { status: 'merged', mergedInto: survivorId }, reason: approval.reason })),
      ...movedEntries(moved, survivorId, approval),
    ]);
    return { survivorId, mergedIds, moved: after, movedFromMerged: movedCounts, marketingConsent };
  }

  private async load(caller: AuthUser, dto: MergePreviewRequestDto): Promise<{ survivor: CustomerEntity; merged: CustomerEntity[] }> {
    const ids = [...new Set(dto.mergedIds)];
    if (ids.includes(dto.survivorId)) throw invalid('mergedIds', 'mergedIds must not contain the survivor');
    // In a transaction each check locks its row: in id order, so two merges naming the same customers cannot deadlock.
    for (const id of [dto.survivorId, ...ids].sort()) await this.access.require(caller, id, 'change', id === dto.survivorId ? 'survivorId' : 'mergedIds');
    const survivor = (await this.customers.findById(dto.survivorId))!;
    const merged = await Promise.all(ids.map(async (id) => (await this.customers.findById(id))!));
    return { survivor, merged };
  }

  /** A customer already in a pending deletion or merge waits for that decision (as transfers do). */
  private async refusePending(customerIds: string[]): Promise<void> {
    const approvalId = await this.removal.pendingRemoval(customerIds);
    if (approvalId) {
      throw new DomainError('REQUEST_PENDING', `A pending deletion or merge already names this customer: approval ${approvalId}`, { approvalId });
    }
  }

  private choices(dto: MergePreviewRequestDto, customers: CustomerEntity[]): Partial<Record<MergeableField, string>> {
    const choices = dto.fieldChoices ?? {};
    for (const [field, customerId] of Object.entries(choices)) {
      if (!(MERGEABLE_FIELDS as readonly string[]).includes(field)) throw invalid('fieldChoices', `fieldChoices.${field} is not a field a merge can choose`);
      if (!customers.some((c) => c.id === customerId)) throw invalid('fieldChoices', `fieldChoices.${field} must name one of the customers being merged`);
    }
    return choices as Partial<Record<MergeableField, string>>;
  }
}

/** The audit entity each kind of moved row is recorded on (its own id; a tag assignment under the tag's). */
const MOVED_ENTITY: Record<keyof MovedRows, string> = {
  contacts: 'contact',
  interactions: 'interaction',
  opportunities: 'opportunity',
  complaints: 'complaint',
  consents: 'consent',
  tags: 'tag',
  tierChanges: 'tier_change',
};

/** One entry per moved row, on the row's own entity, so its history answers "how did I get here". */
function movedEntries(moved: MovedRows, survivorId: string, approval: ApprovalEntity): AuditEntry[] {
  return (Object.keys(MOVED_ENTITY) as (keyof MovedRows)[]).flatMap((kind) =>
    moved[kind].map((row) => ({
      action: `${MOVED_ENTITY[kind]}.merge_moved`,
      entityType: MOVED_ENTITY[kind],
      entityId: row.id,
      before: { customerId: row.fromCustomerId },
      after: { customerId: survivorId, mergeApprovalId: approval.id },
      reason: approval.reason,
    })),
  );
}

/** A merge puts every contact on the survivor: it must not take it past the contacts limit. */
function requireMergedContactsWithinLimit(contacts: number): void {
  if (contacts > LIMITS.contactsPerCustomer) {
    throw new DomainError('LIMIT_REACHED', `The merged customer would have ${contacts} contacts; at most ${LIMITS.contactsPerCustomer} are kept per customer`);
  }
}
