import { Injectable, OnModuleInit } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, invalidCursor } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { CustomerAccess } from '../access';
import { AuditService } from '../audit';
import { CustomersService, expectedVersion, OwnerEdits } from '../customers';
import { nextRunAfter, progressView, roundDepartment, scopeProblem } from './review.rules';
import { ReviewsRepository, RoundRow } from './reviews.repository';
import {
  ConfirmReviewDto,
  CreateReviewRoundDto,
  DueReviewTaskPageDto,
  DueReviewTasksQueryDto,
  PROGRESS_OWNERS_MAX,
  PutReviewScheduleDto,
  ReviewConfirmationDto,
  ReviewProgressDto,
  ReviewRoundDto,
  ReviewScheduleDto,
} from './dto/review.dto';

const SYSTEM_ACTOR = { id: null, role: 'system' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const invalid = (field: string, message: string) => new DomainError('VALIDATION_FAILED', message, { errors: [{ field, message }] });
const roundNotFound = () => new DomainError('NOT_FOUND', 'Review round was not found');
const departmentNotFound = () => new DomainError('NOT_FOUND', 'Department was not found', { errors: [{ field: 'departmentId', message: 'departmentId does not name a department you can see' }] });
/** Scheduled rounds taken per run of the job. */
const SCHEDULES_PER_RUN = 50;

const toRoundDto = (r: RoundRow, tasks: number): ReviewRoundDto => ({
  id: r.id,
  departmentId: r.departmentId,
  scope: r.scope,
  tierId: r.tierId,
  tagId: r.tagId,
  dueAt: new Date(r.dueAt).toISOString(),
  createdAt: new Date(r.createdAt).toISOString(),
  tasks,
});

/** Periodic reviews (定期复核, issue 17): rounds of tasks, owners' confirmations, progress, schedules. */
@Injectable()
export class ReviewsService implements OnModuleInit {
  constructor(
    private readonly repository: ReviewsRepository,
    private readonly access: CustomerAccess,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly cursors: Cursors,
    private readonly customers: CustomersService,
    private readonly ownerEdits: OwnerEdits,
  ) {}

  onModuleInit(): void {
    this.ownerEdits.register((owner, customerId) => this.countEditAsReview(owner, customerId));
  }

  async createRound(caller: AuthUser, dto: CreateReviewRoundDto): Promise<ReviewRoundDto> {
    const problem = scopeProblem(dto.scope, dto.tierId, dto.tagId);
    if (problem) throw invalid(problem.field, problem.message);
    const department = roundDepartment(caller, dto.departmentId);
    if (department === 'not_found') throw departmentNotFound();
    return this.transactions.run(async () => {
      if (new Date(dto.dueAt).getTime() <= (await this.repository.now()).getTime()) throw invalid('dueAt', 'dueAt must be in the future');
      if (department.departmentId && !(await this.repository.departmentExists(department.departmentId))) throw departmentNotFound();
      if (dto.tierId && !(await this.repository.tierExists(dto.tierId))) throw new DomainError('REFERENCE_NOT_FOUND', 'tierId does not name a tier', { errors: [{ field: 'tierId', message: 'tierId does not name a tier' }] });
      if (dto.tagId && !(await this.repository.companyTagExists(dto.tagId))) {
        throw new DomainError('REFERENCE_NOT_FOUND', 'tagId does not name a company tag', { errors: [{ field: 'tagId', message: 'tagId does not name a company tag' }] });
      }
      return this.openRound({ departmentId: department.departmentId, scope: dto.scope, tierId: dto.tierId ?? null, tagId: dto.tagId ?? null, dueAt: new Date(dto.dueAt), createdBy: caller.id });
    });
  }

  private async openRound(round: Parameters<ReviewsRepository['insertRound']>[0], actor?: { id: null; role: string }): Promise<ReviewRoundDto> {
    const row = await this.repository.insertRound(round);
    const tasks = await this.repository.createTasks(row);
    const dto = toRoundDto(row, tasks);
    await this.audit.record({ action: 'review_round.create', entityType: 'review_round', entityId: row.id, after: dto, ...(actor ? { actor } : {}) });
    return dto;
  }

  async progress(caller: AuthUser, id: string): Promise<ReviewProgressDto> {
    return this.transactions.run(async () => {
      const round = UUID.test(id) ? await this.repository.findRound(id) : null;
      if (!round) throw roundNotFound();
      const view = progressView(caller, round, caller.role === 'sales' && (await this.repository.hasTasks(id, caller.id)));
      if (view === 'not_found') throw roundNotFound();
      const owners = await this.repository.progress(id, view, PROGRESS_OWNERS_MAX);
      const sum = (k: 'done' | 'overdue' | 'open') => owners.reduce((total, o) => total + o[k], 0);
      return { ...toRoundDto(round, await this.repository.taskCount(id)), done: sum('done'), overdue: sum('overdue'), open: sum('open'), owners };
    });
  }

  /**
   * The owner confirms the record is current, or edits it (`changes`: PATCH /customers/:id's fields,
   * validation, version rule and audit entry, through its own use case): reviewedAt is stamped and
   * the customer's open review tasks are done, in the same transaction as the edit.
   */
  async confirm(caller: AuthUser, customerId: string, dto: ConfirmReviewDto, ifMatch: string | undefined): Promise<ReviewConfirmationDto> {
    return this.transactions.run(async () => {
      const customer = await this.access.require(caller, customerId, 'change');
      if (customer.ownerId !== caller.id) throw new DomainError('FORBIDDEN', 'Only the customer\'s owner confirms its review');
      if (customer.status !== 'active') throw new DomainError('CUSTOMER_ARCHIVED', 'An archived customer is not reviewed; reactivate it first');
      if (dto.changes) await this.customers.update(caller, customerId, dto.changes, ifMatch, { asReview: true });
      else if (ifMatch !== undefined) await this.requireVersion(customerId, ifMatch);
      // With changes the edit is the change of the record (one new version); a bare confirmation is one itself.
      const done = await this.repository.stampReview(customerId, caller.id, { bumpVersion: !dto.changes });
      await this.recordReview(customerId, done, dto.changes ? 'review_with_changes' : 'confirmation');
      return { customerId, reviewedAt: new Date(done.reviewedAt).toISOString(), version: done.version, tasksDone: done.tasksDone };
    });
  }

  /** A bare confirmation needs no version, but one sent as If-Match is held to as PATCH holds it (400 malformed, 412 stale). */
  private async requireVersion(customerId: string, ifMatch: string): Promise<void> {
    const version = expectedVersion(ifMatch, undefined);
    if (version === undefined || version === 'conflicting') throw invalid('If-Match', 'If-Match is malformed');
    const current = await this.repository.versionOf(customerId);
    if (current !== version) throw new DomainError('VERSION_CONFLICT', `The customer was changed meanwhile; the current version is ${current}`, { currentVersion: current });
  }

  /**
   * An edit of the customer by its owner (PATCH, inside its transaction) while the owner has an
   * open review task for it counts as the review: the owner's open tasks are done and reviewedAt
   * is stamped (the edit's version stands), audited. Anyone else's edit, and system changes, do not come here.
   */
  private async countEditAsReview(owner: AuthUser, customerId: string): Promise<void> {
    if (!(await this.repository.hasOpenTask(customerId, owner.id))) return;
    const done = await this.repository.stampReview(customerId, owner.id, { bumpVersion: false, ownerId: owner.id });
    await this.recordReview(customerId, done, 'edit');
  }

  private recordReview(customerId: string, done: Awaited<ReturnType<ReviewsRepository['stampReview']>>, by: 'confirmation' | 'review_with_changes' | 'edit'): Promise<unknown> {
    return this.audit.record({
      action: 'customer.review',
      entityType: 'customer',
      entityId: customerId,
      before: { reviewedAt: done.previous ? new Date(done.previous).toISOString() : null },
      after: { reviewedAt: new Date(done.reviewedAt).toISOString(), version: done.version, tasksDone: done.tasksDone, by },
    });
  }

  async dueTasks(caller: AuthUser, query: DueReviewTasksQueryDto): Promise<DueReviewTaskPageDto> {
    const limit = query.limit ?? 20;
    const scope = query.scope ?? 'mine';
    const list = `review-tasks:${scope}`;
    const cursor = this.cursors.decode(list, query.cursor, 3);
    if (cursor && !cursor.every((v) => typeof v === 'string')) throw invalidCursor();
    const department = scope === 'department' && (caller.role === 'manager' || caller.role === 'admin');
    return this.transactions.run(async () => {
      const rows = await this.repository.dueTasks({
        ownerId: department ? null : caller.id,
        departmentId: department ? caller.departmentId : null,
        after: cursor as [string, string, string] | undefined,
        limit: limit + 1,
      });
      return this.cursors.page(
        list,
        rows,
        limit,
        ({ sortKey: _key, ...r }) => ({ ...r, dueAt: new Date(r.dueAt).toISOString() }),
        (r) => [r.sortKey, r.roundId, r.customerId],
      );
    });
  }

  async setSchedule(caller: AuthUser, departmentId: string, dto: PutReviewScheduleDto): Promise<ReviewScheduleDto> {
    if (caller.role !== 'admin' && departmentId !== caller.departmentId) throw departmentNotFound();
    return this.transactions.run(async () => {
      if (!(await this.repository.departmentExists(departmentId))) throw departmentNotFound();
      const before = await this.repository.findSchedule(departmentId);
      const saved = await this.repository.saveSchedule({
        departmentId,
        cadence: dto.cadence,
        dueDays: dto.dueDays,
        nextRunAt: dto.firstRunAt ? new Date(dto.firstRunAt) : await this.repository.now(),
      });
      const dto_ = { ...saved, nextRunAt: new Date(saved.nextRunAt).toISOString() };
      await this.audit.record({ action: 'review_schedule.update', entityType: 'department', entityId: departmentId, before: before ? { ...before, nextRunAt: new Date(before.nextRunAt).toISOString() } : null, after: dto_ });
      return dto_;
    });
  }

  /**
   * The job: a round for every schedule whose time has come, and its next time. Schedules are
   * locked with SKIP LOCKED and the job itself is claimed once across instances, so a period
   * gets one round however many instances run.
   */
  async runSchedules(): Promise<{ rounds: number }> {
    return this.transactions.run(async () => {
      const due = await this.repository.dueSchedules(SCHEDULES_PER_RUN);
      const now = await this.repository.now();
      for (const s of due) {
        await this.openRound({ departmentId: s.departmentId, scope: 'all', tierId: null, tagId: null, dueAt: new Date(now.getTime() + s.dueDays * 86_400_000), createdBy: null }, SYSTEM_ACTOR);
        let next = nextRunAfter(s.cadence, new Date(s.nextRunAt));
        // A schedule left behind (the service was down) catches up with one round, not one per missed period.
        while (next.getTime() <= now.getTime()) next = nextRunAfter(s.cadence, next);
        await this.repository.saveSchedule({ ...s, nextRunAt: next });
      }
      return { rounds: due.length };
    });
  }
}
