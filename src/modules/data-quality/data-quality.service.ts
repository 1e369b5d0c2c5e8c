import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { PiiCipher } from '../../common/crypto/pii-cipher';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, invalidCursor } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { CustomerAccess, supervisionFilterOutOfReach, supervisionPeople as peopleScope } from '../access';
import { contactPiiPlace } from '../customers/contact-codec';
import { COMPLETENESS_RULES, evaluateQuality, percentage, QUALITY_RULES, QualityRule } from './data-quality.rules';
import { DataQualityRepository, QualityRow, SubjectRow } from './data-quality.repository';
import {
  DataQualitySummaryDto,
  DataQualitySummaryQueryDto,
  DUPLICATES_SHOWN,
  FailingCustomerPageDto,
  ListDataQualityQueryDto,
  RecomputeResultDto,
} from './dto/data-quality.dto';

/** Customers looked at per transaction of the job. */
const BATCH = 500;
/**
 * How far before the last run's start the next one looks again: a transaction stamps updated_at
 * with its start and may commit later (statement and idle-in-transaction timeouts bound that).
 */
const OVERLAP_MS = 2 * 60_000;
/** A full pass at least this often: catches what no timestamp shows (a tier's cadence edited). */
const FULL_PASS_MS = 24 * 3_600_000;
const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Data quality (issue 17). Results are kept by a job, not in each write's transaction: the rules
 * read contacts (decrypting mobiles), tiers and other customers (duplicates), and timeliness
 * changes with the clock alone, so a per-write hook would slow every write and still need a job.
 * The job runs every minute, once across instances, and looks only at customers changed since its
 * last run or whose timeliness deadline passed, so results are at most about a minute or two stale.
 */
@Injectable()
export class DataQualityService {
  constructor(
    private readonly repository: DataQualityRepository,
    private readonly access: CustomerAccess,
    private readonly transactions: Transactions,
    private readonly cursors: Cursors,
    private readonly cipher: PiiCipher,
  ) {}

  async list(caller: AuthUser, query: ListDataQualityQueryDto): Promise<FailingCustomerPageDto> {
    const limit = query.limit ?? 20;
    const cursor = this.cursors.decode('data-quality', query.cursor, 1);
    if (cursor && typeof cursor[0] !== 'string') throw invalidCursor();
    return this.transactions.run(async () => {
      await this.requireReach(caller, query.departmentId, query.ownerId);
      const rows = await this.repository.list({
        scope: this.access.listScope(caller, 'c', ['active']),
        people: peopleScope(caller),
        departmentId: query.departmentId,
        ownerId: query.ownerId,
        rule: query.rule,
        afterId: cursor?.[0] as string | undefined,
        limit: limit + 1,
      });
      return this.cursors.page(
        'data-quality',
        rows,
        limit,
        (r) => ({ ...r, duplicateIds: r.duplicateIds.slice(0, DUPLICATES_SHOWN), checkedAt: new Date(r.checkedAt).toISOString() }),
        (r) => [r.customerId],
      );
    });
  }

  async summary(caller: AuthUser, query: DataQualitySummaryQueryDto): Promise<DataQualitySummaryDto> {
    return this.transactions.run(async () => {
      await this.requireReach(caller, query.departmentId, undefined);
      const people = peopleScope(caller);
      const s = await this.repository.summary({ departmentId: query.departmentId ?? people.departmentId, ownerId: people.ownerId });
      const counts = new Map(s.rules.map((r) => [r.rule, r.customers]));
      return {
        rules: QUALITY_RULES.map((rule) => ({ rule, customers: counts.get(rule) ?? 0 })),
        owners: s.owners.map(({ complete, ...o }) => ({ ...o, completeness: percentage(complete, o.customers) })),
        departments: s.departments.map(({ complete, ...d }) => ({ ...d, completeness: percentage(complete, d.customers) })),
      };
    });
  }

  /** The job's run (and an admin's on demand): customers changed since the last run, or all of them. */
  async recompute(full = false): Promise<RecomputeResultDto> {
    const { startedAt, since } = await this.transactions.run(async () => {
      const startedAt = await this.repository.now();
      const lastFull = await this.repository.watermark('full');
      const last = await this.repository.watermark('incremental');
      const fullPass = full || lastFull === null || last === null || startedAt.getTime() - lastFull.getTime() > FULL_PASS_MS;
      return { startedAt, since: fullPass ? null : new Date(last!.getTime() - OVERLAP_MS) };
    });
    let after = FIRST_ID;
    let checked = 0;
    for (;;) {
      const ids = await this.transactions.run(() => this.repository.changedIds(since, after, BATCH));
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      checked += await this.transactions.run(() => this.evaluate(ids));
    }
    await this.transactions.run(async () => {
      await this.repository.setWatermark('incremental', startedAt);
      if (since === null) await this.repository.setWatermark('full', startedAt);
    });
    return { full: since === null, checked };
  }

  /**
   * Evaluates `ids`, and with them the customers they were or now are suspected duplicates of
   * (a pair is flagged on both sides, and comes apart on both sides).
   */
  private async evaluate(ids: string[]): Promise<number> {
    const now = await this.repository.now();
    const duplicates = await this.repository.duplicates(ids);
    const given = new Set(ids);
    const partners = [...new Set([...[...duplicates.values()].flat(), ...(await this.repository.previousDuplicates(ids))])].filter((id) => !given.has(id));
    if (partners.length > 0) for (const [id, found] of await this.repository.duplicates(partners)) duplicates.set(id, found);
    const all = [...ids, ...partners];
    const subjects = await this.repository.subjects(all);
    const contacts = await this.repository.contacts(all);
    const results: QualityRow[] = [];
    const active = new Set<string>();
    for (const s of subjects) {
      if (s.status !== 'active') continue;
      active.add(s.id);
      const mine = contacts.filter((c) => c.customerId === s.id).map((c) => ({ status: c.status, isPrimary: c.isPrimary, ...this.mobileOf(c.id, c.mobileEnc) }));
      const result = evaluateQuality(this.subject(s, mine, duplicates.get(s.id) ?? []), now);
      results.push({
        customerId: s.id,
        departmentId: s.departmentId,
        ownerId: s.ownerId,
        failing: result.failing,
        incomplete: result.failing.some((rule: QualityRule) => COMPLETENESS_RULES.includes(rule)),
        duplicateIds: duplicates.get(s.id) ?? [],
        recheckAt: result.recheckAt,
      });
    }
    await this.repository.save(results, now);
    await this.repository.forget(all.filter((id) => !active.has(id)));
    return all.length;
  }

  private subject({ departmentId: _d, ownerId: _o, ...s }: SubjectRow, contacts: { status: string; isPrimary: boolean; mobile: string | null; mobileUnreadable: boolean }[], duplicateIds: string[]) {
    return { ...s, cadenceDays: s.cadenceDays === null ? null : Number(s.cadenceDays), contacts, duplicateIds };
  }

  private mobileOf(contactId: string, encrypted: string | null): { mobile: string | null; mobileUnreadable: boolean } {
    if (encrypted === null) return { mobile: null, mobileUnreadable: false };
    try {
      return { mobile: this.cipher.decrypt(encrypted, contactPiiPlace(contactId, 'mobile')), mobileUnreadable: false };
    } catch {
      return { mobile: null, mobileUnreadable: true };
    }
  }

  private async requireReach(caller: AuthUser, departmentId: string | undefined, ownerId: string | undefined): Promise<void> {
    const ownerDepartmentId = ownerId === undefined ? undefined : await this.repository.ownerDepartment(ownerId);
    const out = supervisionFilterOutOfReach(caller, { departmentId, ownerId, ownerDepartmentId });
    if (out === 'department') throw new DomainError('NOT_FOUND', 'Department was not found', { errors: [{ field: 'departmentId', message: 'departmentId does not name a department you can see' }] });
    if (out === 'owner') throw new DomainError('NOT_FOUND', 'User was not found', { errors: [{ field: 'ownerId', message: 'ownerId does not name someone whose customers you can see' }] });
  }
}
