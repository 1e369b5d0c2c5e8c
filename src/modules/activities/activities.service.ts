import { Injectable, OnModuleInit } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, forbidden, notFound } from '../../common/errors/domain-error';
import { iso } from '../../common/http/iso';
import { Cursors, Page, PageQueryDto } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { CustomerAccess } from '../access';
import { AttachmentsService } from '../attachments';
import { AuditService } from '../audit';
import { UsersRepository } from '../users';
import { ActivitiesRepository, ActivityFilter } from './activities.repository';
import { ActivityEntity } from './activity.entity';
import { activityOwnerProblem, bookingWarnings, mayRecordOutcome, seesActivity } from './activity.rules';
import { ActivityDto, ActivityOutcomeDto, ActivityPageDto, CreateActivityDto, CreatedActivityDto, ListActivitiesQueryDto } from './dto/activity.dto';

const invalid = (field: string, message: string) => new DomainError('VALIDATION_FAILED', message, { errors: [{ field, message }] });

function toDto(a: ActivityEntity, customerIds: string[]): ActivityDto {
  return {
    id: a.id,
    kind: a.kind,
    title: a.title,
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt.toISOString(),
    place: a.place,
    customerIds,
    ownerId: a.ownerId,
    departmentId: a.departmentId,
    plan: a.plan,
    happenedAt: iso(a.happenedAt),
    summary: a.summary,
    evaluation: a.evaluation,
    feedbackSummary: a.feedbackSummary,
    version: a.version,
    createdBy: a.createdBy,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** 活动记录: marketing events, promotions and visit plans for customers, and how they went. */
@Injectable()
export class ActivitiesService implements OnModuleInit {
  constructor(
    private readonly cursors: Cursors,
    private readonly activities: ActivitiesRepository,
    private readonly users: UsersRepository,
    private readonly access: CustomerAccess,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    // Files of an activity reach whoever sees the activity; adding one is for those who may record its outcome, or anyone who sees it and is not read-only.
    this.attachments.registerParent('activity', {
      require: async (caller, id, action) => {
        const { activity } = await this.requireVisible(caller, id);
        if (action === 'change' && caller.role === 'auditor') throw forbidden();
        return { departmentId: activity.departmentId };
      },
    });
  }

  create(caller: AuthUser, dto: CreateActivityDto): Promise<CreatedActivityDto> {
    return this.transactions.run(async () => {
      const startsAt = new Date(dto.startsAt);
      const endsAt = new Date(dto.endsAt);
      if (endsAt < startsAt) throw invalid('endsAt', 'endsAt must not be before startsAt');
      const ids = [...new Set(dto.customerIds)];
      const visible = await this.access.filter(caller, ids, 'read');
      const missing = ids.filter((id) => !visible.has(id));
      if (missing.length > 0) {
        throw new DomainError('NOT_FOUND', 'Customer was not found', { errors: [{ field: 'customerIds', message: `customerIds names customers you cannot see: ${missing.slice(0, 10).join(', ')}` }] });
      }
      const owner = dto.ownerId === undefined || dto.ownerId === caller.id ? { id: caller.id, active: true, departmentId: caller.departmentId } : await this.users.findById(dto.ownerId);
      const problem = activityOwnerProblem(caller, owner ?? undefined);
      if (problem) throw new DomainError('OWNER_INVALID', problem, { errors: [{ field: 'ownerId', message: problem }] });
      const activity = await this.activities.insert(
        {
          kind: dto.kind,
          title: dto.title,
          startsAt,
          endsAt,
          place: dto.place ?? null,
          ownerId: owner!.id,
          departmentId: owner!.departmentId,
          plan: dto.plan,
          happenedAt: null,
          summary: null,
          evaluation: null,
          feedbackSummary: null,
          createdBy: caller.id,
        },
        ids,
      );
      const dtoOut = toDto(activity, ids);
      await this.audit.record({ action: 'activity.create', entityType: 'activity', entityId: activity.id, after: { ...dtoOut, createdAt: undefined, updatedAt: undefined } });
      return { ...dtoOut, warnings: bookingWarnings(dto.kind, startsAt, new Date()) };
    });
  }

  async get(caller: AuthUser, id: string): Promise<ActivityDto> {
    const { activity, customerIds } = await this.requireVisible(caller, id);
    return toDto(activity, customerIds);
  }

  /** How it went: by the owner, the department's manager or an admin; recorded again, the record is replaced (the audit log keeps both). */
  recordOutcome(caller: AuthUser, id: string, dto: ActivityOutcomeDto): Promise<ActivityDto> {
    return this.transactions.run(async () => {
      const { activity, customerIds } = await this.requireVisible(caller, id);
      if (!mayRecordOutcome(caller, activity)) throw forbidden('Only the owner, the department\'s manager or an admin records how an activity went');
      const happenedAt = new Date(dto.happenedAt);
      if (happenedAt.getTime() > Date.now() + 5 * 60_000) throw invalid('happenedAt', 'happenedAt lies in the future');
      const updated = await this.activities.recordOutcome(id, { happenedAt, summary: dto.summary, evaluation: dto.evaluation, feedbackSummary: dto.feedbackSummary });
      const pick = (a: ActivityEntity) => ({ happenedAt: iso(a.happenedAt), summary: a.summary, evaluation: a.evaluation, feedbackSummary: a.feedbackSummary });
      await this.audit.record({ action: 'activity.outcome', entityType: 'activity', entityId: id, before: pick(activity), after: pick(updated) });
      return toDto(updated, customerIds);
    });
  }

  async list(caller: AuthUser, query: ListActivitiesQueryDto): Promise<Page<ActivityDto>> {
    return this.page(caller, query, { visibility: this.visibility(caller), kind: query.kind, from: query.from, to: query.to });
  }

  /** The activities of one customer: anyone who sees the customer sees them. */
  async listForCustomer(caller: AuthUser, customerId: string, page: PageQueryDto): Promise<Page<ActivityDto>> {
    await this.access.require(caller, customerId, 'read');
    return this.page(caller, page, { customerId });
  }

  /** The activity and its customers the caller sees, or 404. */
  private async requireVisible(caller: AuthUser, id: string): Promise<{ activity: ActivityEntity; customerIds: string[] }> {
    const activity = await this.activities.findById(id);
    if (!activity) throw notFound('Activity');
    const linked = (await this.activities.customerIds([id])).get(id)!;
    const visible = await this.access.filter(caller, linked, 'read');
    if (!seesActivity(caller, activity, visible.size)) throw notFound('Activity');
    return { activity, customerIds: linked.filter((c) => visible.has(c)) };
  }

  private visibility(caller: AuthUser): ActivityFilter['visibility'] {
    if (caller.role === 'admin' || caller.role === 'auditor') return undefined;
    return {
      scope: this.access.listScope(caller, 'c', ['active', 'dormant', 'archived']),
      me: caller.id,
      managedDepartment: caller.role === 'manager' ? caller.departmentId : null,
    };
  }

  private async page(caller: AuthUser, page: PageQueryDto, filter: Omit<ActivityFilter, 'limit' | 'before'>): Promise<Page<ActivityDto>> {
    const limit = page.limit ?? 20;
    const list = filter.customerId ? 'customer-activities' : 'activities';
    const cursor = this.cursors.decode(list, page.cursor, 2);
    const rows = await this.activities.list({ ...filter, before: cursor ? [String(cursor[0]), String(cursor[1])] : undefined, limit: limit + 1 });
    const linked = await this.activities.customerIds(rows.map((r) => r.activity.id));
    const visible = await this.access.filter(caller, [...new Set([...linked.values()].flat())], 'read');
    return this.cursors.page(list, rows, limit, (r) => toDto(r.activity, linked.get(r.activity.id)!.filter((c) => visible.has(c))), (r) => [r.sortKey, r.activity.id]);
  }
}
