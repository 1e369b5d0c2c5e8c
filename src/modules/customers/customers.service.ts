import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuthUserLookup, isUserId } from '../../common/auth/auth-user-lookup';
import { type AuthUser, ROLES } from '../../common/auth/roles';
import { PiiCipher } from '../../common/crypto/pii-cipher';
import { uniqueViolation } from '../../common/errors/constraint-errors';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, invalidCursor, Page } from '../../common/pagination';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.provider';
import { SlidingWindow } from '../../common/rate/sliding-window';
import { Transactions } from '../../database/transactions';
import { CustomerAccess, isAuditedPiiRead, OWNER_ROLES, seesCommercialRecord, seesMaskedPii, tagIdsIn, viewHistoryEntry } from '../access';
import { AuditService } from '../audit';
import { IndustriesService } from '../industries';
import { UsersRepository } from '../users';
import { ContactCodec } from './contact-codec';
import { CustomerReactivation } from './customer-reactivation';
import { OwnerEdits } from './owner-edits';
import { DUE_ITEM_KINDS, dueItemKey, dueListBounds, NIL_UUID } from './due-list.rules';
import type { ContactView } from './contact.entity';
import { ContactsRepository } from './contacts.repository';
import { contactPii, contactSnapshot, customerSnapshot, toContactDto, toCustomerDto, toCustomerSummary, withoutCommercialRecord } from './customer.mapper';
import { CUSTOMER_NAME_MAX_LENGTH, expectedVersion, isReasonRequired, normalizeCustomerName } from './customer.rules';
import { CustomerEntity } from './customer.entity';
import { CustomerChanges, CustomerListSort, CustomersRepository, DuplicateProbe, ListedCustomer } from './customers.repository';
import { CustomerTagCatalog } from './customer-tag-catalog';
import { ContactInputDto } from './dto/contact.dto';
import {
  ConsentDto,
  CreateCustomerDto,
  CustomerDto,
  CustomerSummaryDto,
  CustomerTagDto,
  DuplicateCheckDto,
  DuplicateCheckResultDto,
  DueFollowUpDto,
  DueFollowUpsQueryDto,
  DuplicateDto,
  HistoryEntryDto,
  ListCustomersQueryDto,
  RecordConsentDto,
  UpdateCustomerDto,
} from './dto/customer.dto';

const DUPLICATE_CONSTRAINTS = new Set(['uq_customers_name_normalized', 'uq_customers_credit_code', 'uq_contacts_mobile', 'uq_contacts_email']);
const SIMILARITY_THRESHOLD = 0.5;
const SYSTEM_ACTOR = { id: null, role: 'system' };

export const duplicateError = (duplicates: DuplicateDto[]) =>
  new DomainError('CUSTOMER_DUPLICATE', 'A customer with the same name, credit code, mobile or e-mail already exists', { duplicates });

const invalid = (field: string, message: string) => new DomainError('VALIDATION_FAILED', message, { errors: [{ field, message }] });

@Injectable()
export class CustomersService {
  constructor(
    private readonly cursors: Cursors,
    private readonly customers: CustomersRepository,
    private readonly contacts: ContactsRepository,
    private readonly users: UsersRepository,
    private readonly access: CustomerAccess,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly codec: ContactCodec,
    private readonly cipher: PiiCipher,
    private readonly industries: IndustriesService,
    private readonly reactivation: CustomerReactivation,
    private readonly tokenUsers: AuthUserLookup,
    private readonly ownerEdits: OwnerEdits,
    private readonly tagCatalog: CustomerTagCatalog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.duplicateChecks = new SlidingWindow(config.duplicateCheckPerMinute, 60_000);
  }

  /** The duplicate check reads across every customer: a per-user budget keeps it from being a lookup service. */
  private readonly duplicateChecks: SlidingWindow;

  /** "Who contacts, who records": the creator owns the customer unless a manager or admin assigns someone. */
  async create(caller: AuthUser, dto: CreateCustomerDto): Promise<CustomerDto> {
    const nameNormalized = this.normalizedName(dto.name);
    const contacts = this.prepareContacts(dto.contacts);
    const industry = await this.industries.requireListed(dto.industry);
    const probe: DuplicateProbe = {
      nameNormalized,
      creditCode: dto.creditCode,
      ...this.codec.lookupHashes(
        dto.contacts.flatMap((c) => (c.mobile ? [c.mobile] : [])),
        dto.contacts.flatMap((c) => (c.email ? [c.email] : [])),
      ),
    };
    const found = await this.customers.findDuplicates(probe);
    if (found.length > 0) throw duplicateError(found);
    const owner = await this.resolveOwner(caller, dto.ownerId ?? caller.id);
    const { contacts: _inputs, ownerId: _owner, annualRevenue, ...fields } = dto;
    return this.refuseDuplicates(probe, () =>
      this.transactions.run(async () => {
        const inserted = await this.customers.insert({
          ...fields,
          industry,
          annualRevenue: revenueColumn(annualRevenue),
          nameNormalized,
          ownerId: owner.id,
          departmentId: owner.departmentId,
          tierId: await this.customers.defaultTierId(),
          createdBy: caller.id,
        });
        await this.customers.refreshFollowUps([inserted.id]);
        const customer = (await this.customers.findById(inserted.id))!;
        const saved = await this.contacts.insertMany(contacts.map((c) => ({ ...c, customerId: customer.id })));
        await this.audit.recordMany([
          { action: 'customer.create', entityType: 'customer', entityId: customer.id, after: customerSnapshot(customer) },
          ...saved.map((c) => ({
            action: 'contact.create',
            entityType: 'contact',
            entityId: c.id,
            after: contactSnapshot(c, this.cipher),
            pii: { after: contactPii(c, this.cipher) },
          })),
        ]);
        return toCustomerDto(customer, saved.map((c) => toContactDto(c, this.cipher, false)), false);
      }),
    );
  }

  /**
   * Exact matches and similar names (warnings) among active customers: the archive, deleted and
   * merged records are nobody's business here (a create can still be refused for an archived
   * one, with the 409 naming it). Rate-limited per user.
   */
  async checkDuplicates(caller: AuthUser, dto: DuplicateCheckDto): Promise<DuplicateCheckResultDto> {
    const budget = this.duplicateChecks.take(caller.id);
    if (!budget.allowed) {
      throw new DomainError('RATE_LIMITED', `At most ${this.duplicateChecks.limit} duplicate checks per minute; retry in ${budget.retryAfterSeconds} s`, {
        headers: { 'Retry-After': String(budget.retryAfterSeconds) },
      });
    }
    const duplicates = await this.customers.findDuplicates({
      nameNormalized: normalizeCustomerName(dto.name),
      creditCode: dto.creditCode,
      ...this.codec.lookupHashes(dto.mobiles ?? [], dto.emails ?? []),
      activeOnly: true,
    });
    const exact = new Set(duplicates.map((d) => d.id));
    const similar = (await this.customers.similarNames(dto.name, SIMILARITY_THRESHOLD, 10, true)).filter((s) => !exact.has(s.id));
    return { duplicates, similar };
  }

  async list(caller: AuthUser, query: ListCustomersQueryDto): Promise<Page<CustomerSummaryDto>> {
    const limit = query.limit ?? 20;
    // A search without a sort ranks the exact and prefix matches first.
    const sort: CustomerListSort = query.sort ?? (query.q ? 'relevance' : 'name');
    const cursor = this.cursors.decode('customers', query.cursor, 3);
    if (cursor && cursor[0] !== sort) throw invalidCursor('cursor belongs to another sort order');
    const rows = await this.customers.list({
      scope: this.access.listScope(caller, 'c', [query.status ?? 'active']),
      q: query.q,
      stage: query.stage,
      source: query.source,
      industry: query.industry,
      ownerId: query.ownerId,
      departmentId: query.departmentId,
      importance: query.importance,
      updatedSince: query.updatedSince,
      marketableOnly: query.marketable === true,
      tagIds: query.tagIds,
      anyTagIds: query.anyTagIds,
      tierId: query.tierId,
      followUpDue: query.followUpDue,
      withTagIds: true,
      sort,
      after: cursor ? [String(cursor[1]), String(cursor[2])] : undefined,
      limit: limit + 1,
    });
    // The tags the list filters by must each be one the caller may see (else the page is thrown
    // away), and the page's customers show theirs: both from the tag catalog kept in memory, as recent
    // as the page's statement saw it (with no page, or no catalog version, from the database).
    // Checked after the list, so that a list by tag is two statements (caller, list), not four.
    const ids = [...new Set([...(query.tagIds ?? []), ...(query.anyTagIds ?? []), ...rows.slice(0, limit).flatMap((r) => r.tagIds)])];
    const version = rows[0]?.tagCatalogVersion;
    const visible = version === undefined ? await this.customers.visibleTags(ids, caller.id) : await this.tagCatalog.visible(ids, caller.id, version);
    const byId = new Map(visible.map((tag, rank) => [tag.id, { tag, rank }]));
    for (const field of ['tagIds', 'anyTagIds'] as const) {
      if ((query[field] ?? []).some((id) => !byId.has(id))) throw invalid(field, `${field} names a tag that does not exist`);
    }
    const tagsOf = (r: ListedCustomer) =>
      r.tagIds
        .flatMap((id) => byId.get(id) ?? [])
        .sort((a, b) => a.rank - b.rank)
        .map((entry) => entry.tag);
    const project = seesCommercialRecord(caller) ? <T>(dto: T) => dto : withoutCommercialRecord;
    return this.cursors.page('customers', rows, limit, (r) => project(toCustomerSummary(r.customer, tagsOf(r))), (r) => [sort, r.sortKey, r.customer.id]);
  }

  /**
   * 沟通提醒: customers due for contact by `before`, and (issue 17) the owner's open review tasks
   * due by then, in one list, most overdue first; dormant ones for re-activation with `status=dormant`
   * (no review tasks: the archive is not reviewed).
   */
  async dueFollowUps(caller: AuthUser, query: DueFollowUpsQueryDto): Promise<Page<DueFollowUpDto>> {
    const limit = query.limit ?? 20;
    const cursor = this.cursors.decode('due-items', query.cursor, 4);
    const key = cursor && dueItemKey(cursor);
    if (cursor && !key) throw invalidCursor();
    const before = query.before ?? new Date().toISOString();
    const scope = query.scope ?? 'mine';
    const status = query.status ?? 'active';
    const rows = await this.customers.dueItems({
      // status=dormant: the archive's customers due for a re-activation attempt (managers and admins only).
      scope: this.access.listScope(caller, 'c', [status]),
      ownerId: scope === 'mine' ? caller.id : undefined,
      departmentId: scope === 'department' ? caller.departmentId : undefined,
      before,
      kinds: status === 'active' ? DUE_ITEM_KINDS : ['follow_up'],
      after: key && dueListBounds(key),
      limit: limit + 1,
    });
    const now = Date.now();
    return this.cursors.page(
      'due-items',
      rows,
      limit,
      (r) => ({
        kind: r.kind,
        roundId: r.roundId,
        customerId: r.customerId,
        name: r.name,
        ownerId: r.ownerId,
        ownerName: r.ownerName,
        unowned: !r.ownerHolds,
        departmentId: r.departmentId,
        tier: r.tierId ? { id: r.tierId, code: r.tierCode!, name: r.tierName! } : null,
        preferredChannel: r.preferredChannel,
        dueAt: r.dueAt.toISOString(),
        nextFollowUpAt: r.nextFollowUpAt?.toISOString() ?? null,
        lastInteractionAt: r.lastInteractionAt?.toISOString() ?? null,
        daysOverdue: Math.max(0, Math.floor((now - r.dueAt.getTime()) / 86_400_000)),
      }),
      (r) => [r.sortKey, r.kind, r.customerId, r.roundId ?? NIL_UUID],
    );
  }

  /** One customer with its contacts; an unmasked read by anyone but the owner is audited. */
  /** A plain read: no transaction (an audited read of personal data queues its record: AuditService.recordRead). */
  async get(caller: AuthUser, id: string): Promise<CustomerDto> {
    await this.access.require(caller, id, 'read');
    return this.present(caller, (await this.customers.findById(id))!);
  }

  /**
   * GET /customers/:id in one statement: the token's user (401 when unknown or deactivated, checked
   * on every request), the customer, its contacts and tags; then the access decision on that row.
   * No transaction: an audited read (pii.read) is one more INSERT, into the audit queue.
   */
  async getAsTokenSubject(subject: string, id: string): Promise<CustomerDto> {
    const read = isUserId(subject) ? await this.customers.readAsUser(subject, id) : undefined;
    const caller = this.tokenUsers.admit(read?.caller, ROLES);
    const { customer, contacts, tags } = read!; // admitted: the statement found the user
    this.access.decideRead(caller, customer);
    return this.presentWith(caller, customer!, contacts, tags);
  }

  /**
   * PATCH /customers/:id. An edit by the customer's own owner is also what the modules that
   * registered with OwnerEdits take it for (an open review task counts it as the review), unless
   * `asReview` says the caller's review already records it (POST /customers/:id/review with changes).
   */
  async update(caller: AuthUser, id: string, dto: UpdateCustomerDto, ifMatch: string | undefined, options: { asReview?: boolean } = {}): Promise<CustomerDto> {
    const version = expectedVersion(ifMatch, dto.version);
    if (version === undefined) throw new DomainError('PRECONDITION_REQUIRED', 'Send the version you read, as If-Match or version');
    if (version === 'conflicting') throw invalid('version', 'If-Match is malformed or disagrees with version');
    const { version: _v, reason, ownerId, annualRevenue, ...fields } = dto;
    const changes: CustomerChanges = { ...fields };
    if (annualRevenue !== undefined) changes.annualRevenue = revenueColumn(annualRevenue);
    if (dto.name !== undefined) changes.nameNormalized = this.normalizedName(dto.name);
    const probe: DuplicateProbe = { nameNormalized: changes.nameNormalized ?? '', creditCode: dto.creditCode, mobileHashes: [], emailHashes: [], excludeId: id };
    return this.refuseDuplicates(probe, () =>
      this.transactions.run(async () => {
        await this.access.require(caller, id, 'change');
        const current = (await this.customers.findById(id))!;
        if (current.version !== version) throw this.versionConflict(current.version);
        // Checked only when it changes: a customer filed before the list (or under a name since removed) keeps it through unrelated edits.
        if (dto.industry !== undefined && dto.industry !== current.industry) changes.industry = await this.industries.requireListed(dto.industry);
        if (ownerId !== undefined && ownerId !== current.ownerId) {
          // 客户移交: ownership changes after creation only through a transfer or a succession.
          throw new DomainError('OWNER_CHANGE_NEEDS_TRANSFER', 'The owner changes only through a transfer: POST /api/v1/transfers (or a succession)', {
            errors: [{ field: 'ownerId', message: 'ownerId cannot be changed here; request a transfer with POST /api/v1/transfers' }],
            transferRoute: '/api/v1/transfers',
          });
        }
        if (isReasonRequired(current, { ...current, ...changes } as CustomerEntity) && !reason) {
          throw new DomainError('REASON_REQUIRED', 'Changing a strategic or importance-5 customer, or its owner, needs a reason', {
            errors: [{ field: 'reason', message: 'reason is required for this change' }],
          });
        }
        if (changes.nameNormalized !== undefined || dto.creditCode !== undefined) {
          const found = await this.customers.findDuplicates(probe);
          if (found.length > 0) throw duplicateError(found);
        }
        const updated = await this.customers.update(id, version, changes);
        if (!updated) throw this.versionConflict(current.version + 1);
        await this.audit.record({
          action: 'customer.update',
          entityType: 'customer',
          entityId: id,
          before: customerSnapshot(current),
          after: customerSnapshot(updated),
          reason,
        });
        // The owner's own edit only: a manager's or admin's edit, a transfer or a job is not the owner looking at the record.
        if (current.ownerId === caller.id && !options.asReview) await this.ownerEdits.edited(caller, id);
        return this.present(caller, updated);
      }),
    );
  }

  async history(caller: AuthUser, id: string, page: { limit?: number; cursor?: string }): Promise<Page<HistoryEntryDto>> {
    await this.access.require(caller, id, 'read');
    const contactIds = (await this.contacts.findByCustomer(id)).map((c) => c.id);
    // Customers merged into this one: their history is its history.
    const mergedIds = await this.customers.mergedInto(id);
    // Corrections of its interaction records (DOMAIN: corrections are new versions, and visible); not
    // their creation, which the interaction list already shows, one record per contact.
    const correctedInteractionIds = await this.customers.correctedInteractionIds(id);
    const history = await this.audit.history(
      [
        { entityType: 'customer', entityIds: [id, ...mergedIds] },
        { entityType: 'contact', entityIds: contactIds },
        { entityType: 'interaction', entityIds: correctedInteractionIds, actions: ['interaction.correct'] },
      ],
      page,
    );
    const tagIds = [...new Set(history.items.flatMap(tagIdsIn))];
    const options = {
      hideCommercial: !seesCommercialRecord(caller),
      hiddenTagIds: new Set(tagIds.length > 0 ? await this.customers.othersPersonalTagIds(tagIds, caller.id) : []),
    };
    return { ...history, items: history.items.map((entry) => viewHistoryEntry(entry, options)) };
  }

  /**
   * Brings a customer back from the archive: it leaves the dormant tier for the tier the rules give
   * (the default tier when none matches), recorded in its tier history.
   */
  async reactivate(caller: AuthUser, id: string, reason: string): Promise<CustomerDto> {
    return this.transactions.run(async () => {
      await this.access.require(caller, id, 'change');
      return this.present(caller, await this.reactivation.reactivate(id, reason, caller.id));
    });
  }

  /**
   * 休眠: archives every customer with no interaction for DORMANCY_DAYS, nothing planned and no
   * complaint open or resolved in the last 30 days, in one statement; each moves to the dormant tier
   * (tier history says why) and each change is audited. Run daily by the scheduler and on demand by an admin.
   */
  async sweepDormancy(): Promise<{ changed: number }> {
    const days = this.config.dormancyDays;
    const reason = `no interaction for over ${days} days and no follow-up planned`;
    return this.transactions.run(async () => {
      const changed = await this.customers.archiveDormant(days, `archived as dormant: ${reason}`);
      await this.customers.refreshFollowUps(changed.map((c) => c.id));
      await this.audit.recordMany(
        changed.map((c) => ({
          action: 'customer.dormant',
          entityType: 'customer',
          entityId: c.id,
          before: { status: 'active', tierId: c.fromTierId },
          after: { status: 'dormant', tierId: c.toTierId, version: c.version },
          reason,
          actor: SYSTEM_ACTOR,
        })),
      );
      return { changed: changed.length };
    });
  }

  async recordConsent(caller: AuthUser, id: string, dto: RecordConsentDto): Promise<ConsentDto> {
    return this.transactions.run(async () => {
      await this.access.require(caller, id, 'change');
      const current = (await this.customers.findById(id))!;
      const consent = await this.customers.insertConsent({ customerId: id, ...dto, recordedBy: caller.id });
      const updated = await this.customers.update(id, current.version, { marketingConsent: dto.status });
      if (!updated) throw this.versionConflict(current.version + 1);
      await this.audit.record({
        action: 'customer.consent',
        entityType: 'customer',
        entityId: id,
        before: { marketingConsent: current.marketingConsent, version: current.version },
        after: { marketingConsent: dto.status, channel: dto.channel, evidence: dto.evidence, version: updated.version },
      });
      return toConsent(consent);
    });
  }

  async listConsents(caller: AuthUser, id: string): Promise<ConsentDto[]> {
    await this.access.require(caller, id, 'read');
    return (await this.customers.listConsents(id)).map(toConsent);
  }

  // —— shared steps ——

  findDuplicates(probe: DuplicateProbe): Promise<DuplicateDto[]> {
    return this.customers.findDuplicates(probe);
  }

  /** The customer as this caller may see it: contacts masked by role, the unmasked read audited. */
  private async present(caller: AuthUser, customer: CustomerEntity): Promise<CustomerDto> {
    const contacts = await this.contacts.findByCustomer(customer.id);
    const tags = (await this.customers.tagsOf([customer.id], caller.id)).get(customer.id) ?? [];
    return this.presentWith(caller, customer, contacts, tags);
  }

  private async presentWith(caller: AuthUser, customer: CustomerEntity, contacts: ContactView[], tags: CustomerTagDto[]): Promise<CustomerDto> {
    await this.auditPiiRead(caller, customer, contacts);
    const masked = seesMaskedPii(caller);
    const dto = toCustomerDto(customer, contacts.map((c) => toContactDto(c, this.cipher, masked)), masked, tags);
    return seesCommercialRecord(caller) ? dto : withoutCommercialRecord(dto);
  }

  /** Audits an unmasked read of personal data by someone other than the owner. */
  async auditPiiRead(caller: AuthUser, row: { id: string; ownerId: string }, contacts: ContactView[]): Promise<void> {
    const hasPii = contacts.some((c) => c.mobileEnc || c.emailEnc || c.wechatEnc);
    if (!hasPii || !isAuditedPiiRead(caller, row)) return;
    await this.audit.recordRead({
      action: 'pii.read',
      entityType: 'customer',
      entityId: row.id,
      after: { contactIds: contacts.map((c) => c.id), fields: ['mobile', 'email', 'wechatId'] },
    });
  }

  /**
   * Runs `work`; a unique violation on the duplicate indexes (a concurrent create of the same
   * customer) becomes the same 409 the pre-check gives, with the matches looked up afresh. Inside a
   * caller's transaction (a review with changes) `work` runs behind a savepoint: the violation
   * aborts only its part, so the matches can still be read, and the caller's transaction rolls
   * back on the 409 as on any error.
   */
  async refuseDuplicates<T>(probe: DuplicateProbe, work: () => Promise<T>): Promise<T> {
    try {
      return await (this.transactions.active ? this.transactions.savepoint(work) : work());
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint === undefined || !DUPLICATE_CONSTRAINTS.has(constraint)) throw error;
      throw duplicateError(await this.customers.findDuplicates(probe));
    }
  }

  /** The owner a caller may assign: themselves, or (managers within their department, admins anywhere) an active user who may own customers. */
  async resolveOwner(caller: AuthUser, ownerId: string): Promise<{ id: string; departmentId: string }> {
    if (ownerId === caller.id) return { id: caller.id, departmentId: caller.departmentId };
    if (caller.role !== 'manager' && caller.role !== 'admin') {
      throw new DomainError('FORBIDDEN', 'Only managers and admins assign customers to someone else');
    }
    const owner = await this.users.findById(ownerId);
    const problem = !owner
      ? 'ownerId does not name a user'
      : !owner.active
        ? 'ownerId names a deactivated user'
        : !OWNER_ROLES.includes(owner.role)
          ? 'the owner must be a sales user, a manager or an admin'
          : caller.role === 'manager' && owner.departmentId !== caller.departmentId
            ? 'a manager assigns owners within their own department'
            : undefined;
    if (problem || !owner) throw new DomainError('OWNER_INVALID', problem ?? 'invalid owner', { errors: [{ field: 'ownerId', message: problem ?? '' }] });
    return { id: owner.id, departmentId: owner.departmentId };
  }

  private normalizedName(name: string): string {
    const normalized = normalizeCustomerName(name);
    if (normalized.length === 0) throw invalid('name', 'name must contain letters or digits');
    // The key is stored (varchar 200) and NFKC can lengthen a name (㍿ becomes 株式会社): check the stored form.
    if (normalized.length > CUSTOMER_NAME_MAX_LENGTH) {
      throw invalid('name', `name must stay within ${CUSTOMER_NAME_MAX_LENGTH} characters once normalised (full-width forms and ligatures such as ㍿ expand)`);
    }
    return normalized;
  }

  /** Encrypts the new customer's contacts; exactly one is primary, at least one has a mobile. */
  private prepareContacts(inputs: ContactInputDto[]) {
    if (!inputs.some((c) => c.mobile)) throw invalid('contacts', 'at least one contact needs a mobile number');
    const primaries = inputs.filter((c) => c.isPrimary).length;
    if (primaries > 1) throw invalid('contacts', 'only one contact can be primary');
    const encoded = inputs.map((input, index) => {
      const id = randomUUID(); // before the insert: the personal data is bound to the row's id
      return {
        id,
        name: input.name,
        position: input.position ?? null,
        ...this.codec.encode(input, id),
        isPrimary: primaries === 0 ? index === 0 : input.isPrimary === true,
      };
    });
    for (const field of ['mobileHash', 'emailHash'] as const) {
      const values = encoded.flatMap((c) => (c[field] ? [c[field]!.toString('hex')] : []));
      if (new Set(values).size !== values.length) throw invalid('contacts', `two contacts share the same ${field === 'mobileHash' ? 'mobile' : 'e-mail'}`);
    }
    return encoded;
  }

  private versionConflict(current: number): DomainError {
    return new DomainError('VERSION_CONFLICT', `The customer was changed meanwhile; the current version is ${current}`, { currentVersion: current });
  }
}

function revenueColumn(revenue: number | undefined): string | undefined {
  return revenue === undefined ? undefined : revenue.toFixed(2);
}

function toConsent(c: { id: string; status: 'granted' | 'withdrawn'; channel: string; evidence: string; recordedBy: string; recordedAt: Date }): ConsentDto {
  return { id: c.id, status: c.status, channel: c.channel, evidence: c.evidence, recordedBy: c.recordedBy, recordedAt: c.recordedAt.toISOString() };
}
