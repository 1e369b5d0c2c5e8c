import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, forbidden, notFound } from '../../common/errors/domain-error';
import { decodeCursor, Page, toPage } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { CustomerAccess } from '../access';
import { type AuditEntry, AuditService } from '../audit';
import { CalendarService } from '../calendar';
import { UsersRepository } from '../users';
import { ComplaintEntity, ComplaintEventEntity } from './complaint.entity';
import { ComplaintAction, nextStatus } from './complaint.rules';
import { ComplaintChanges, ComplaintsRepository } from './complaints.repository';
import {
  ComplaintDetailDto,
  ComplaintDto,
  ComplaintMetricsDto,
  CreateComplaintDto,
  ListComplaintsQueryDto,
  MetricsQueryDto,
  SlaPolicyDto,
  SweepResultDto,
} from './dto/complaint.dto';
import { iso } from '../../common/http/iso';

const ALL_STATUSES = ['active', 'dormant', 'archived'] as const;
const SYSTEM_ACTOR = { id: null, role: 'system' };
const HANDLERS = new Set(['admin', 'manager', 'service']);
const ASSIGNABLE_ROLES = new Set(['admin', 'manager', 'service', 'sales']);
const HOUR = 3_600_000;

export function toComplaintDto(k: ComplaintEntity): ComplaintDto {
  return {
    id: k.id,
    customerId: k.customerId,
    channel: k.channel,
    category: k.category,
    severity: k.severity,
    title: k.title,
    description: k.description,
    customerDemand: k.customerDemand,
    customerMood: k.customerMood,
    status: k.status,
    receivedAt: k.receivedAt.toISOString(),
    dueAt: k.dueAt.toISOString(),
    breached: k.breached,
    assigneeId: k.assigneeId,
    escalatedAt: iso(k.escalatedAt),
    escalatedToId: k.escalatedToId,
    resolvedAt: iso(k.resolvedAt),
    resolution: k.resolution,
    followUpDueAt: iso(k.followUpDueAt),
    followUpOverdue: k.followUpOverdue,
    verifiedAt: iso(k.verifiedAt),
    satisfaction: k.satisfaction,
    satisfactionComment: k.satisfactionComment,
    closedAt: iso(k.closedAt),
    version: k.version,
    createdAt: k.createdAt.toISOString(),
    updatedAt: k.updatedAt.toISOString(),
  };
}

const snapshot = (k: ComplaintEntity) => {
  const { createdAt: _c, updatedAt: _u, ...rest } = toComplaintDto(k);
  return rest;
};

type Event = Omit<ComplaintEventEntity, 'id' | 'occurredAt' | 'complaint'>;

export interface ActionInput {
  assigneeId?: string;
  resolution?: string;
  satisfaction?: number;
  comment?: string;
  reason?: string;
}

@Injectable()
export class ComplaintsService {
  constructor(
    private readonly complaints: ComplaintsRepository,
    private readonly calendar: CalendarService,
    private readonly access: CustomerAccess,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  /** The deadline is fixed now, in working days of the business calendar; a major complaint goes to the manager at once. */
  create(caller: AuthUser, dto: CreateComplaintDto): Promise<ComplaintDto> {
    return this.transactions.run(async () => {
      await this.access.require(caller, dto.customerId, 'interact', 'customerId');
      const policy = await this.complaints.policy(dto.severity);
      const receivedAt = new Date(dto.receivedAt);
      const dueAt = await this.calendar.addWorkingDays(receivedAt, policy.resolveWorkingDays);
      const escalatedToId = policy.escalateImmediately ? await this.complaints.managerOfCustomer(dto.customerId) : null;
      const complaint = await this.complaints.insert({
        ...dto,
        customerDemand: dto.customerDemand ?? null,
        receivedAt,
        dueAt,
        followUpHours: policy.followUpHours,
        status: 'received',
        escalatedAt: policy.escalateImmediately ? new Date() : null,
        escalatedToId,
        createdBy: caller.id,
      });
      const events: Event[] = [{ complaintId: complaint.id, actorId: caller.id, event: 'received', fromStatus: null, toStatus: 'received', detail: { dueAt: dueAt.toISOString() } }];
      if (policy.escalateImmediately) {
        events.push({ complaintId: complaint.id, actorId: null, event: 'escalated', fromStatus: 'received', toStatus: 'received', detail: { to: escalatedToId, reason: `${dto.severity} complaint: to the manager at once` } });
      }
      await this.complaints.addEvents(events);
      await this.audit.record({ action: 'complaint.create', entityType: 'complaint', entityId: complaint.id, after: snapshot(complaint) });
      return toComplaintDto(complaint);
    });
  }

  async list(caller: AuthUser, query: ListComplaintsQueryDto): Promise<Page<ComplaintDto>> {
    const limit = query.limit ?? 20;
    const cursor = decodeCursor(query.cursor, 2);
    const rows = await this.complaints.list({
      scope: this.access.listScope(caller, 'c', ALL_STATUSES),
      status: query.status,
      severity: query.severity,
      category: query.category,
      assigneeId: query.assigneeId,
      customerId: query.customerId,
      overdue: query.overdue,
      from: query.from,
      to: query.to,
      before: cursor ? [String(cursor[0]), String(cursor[1])] : undefined,
      limit: limit + 1,
    });
    return toPage(rows, limit, (r) => toComplaintDto(r.complaint), (r) => [r.sortKey, r.complaint.id]);
  }

  async get(caller: AuthUser, id: string): Promise<ComplaintDetailDto> {
    const complaint = await this.visible(caller, id);
    const timeline = await this.complaints.timeline(id);
    return {
      ...toComplaintDto(complaint),
      timeline: timeline.map((e) => ({
        occurredAt: new Date(e.occurredAt).toISOString(),
        actorId: e.actorId,
        actorName: e.actorName,
        event: e.event,
        fromStatus: e.fromStatus,
        toStatus: e.toStatus,
        detail: e.detail,
      })),
    };
  }

  /** One step of the flow; a step the flow does not allow is 409 INVALID_TRANSITION and changes nothing. */
  act(caller: AuthUser, id: string, action: ComplaintAction, input: ActionInput): Promise<ComplaintDetailDto> {
    return this.transactions
      .run(async () => {
        const current = await this.visible(caller, id);
        this.assertMayAct(caller, current, action);
        const to = nextStatus(current.status, action);
        if (!to) {
          throw new DomainError('INVALID_TRANSITION', `A ${current.status} complaint cannot be ${action === 'escalate' ? 'escalated' : `${action}ed`}`, {
            status: current.status,
            action,
          });
        }
        const { changes, detail } = await this.stepChanges(current, action, input);
        const updated = await this.complaints.update(id, { ...changes, status: to });
        await this.complaints.addEvents([{ complaintId: id, actorId: caller.id, event: EVENT_OF[action], fromStatus: current.status, toStatus: to, detail }]);
        await this.audit.record({
          action: `complaint.${action}`,
          entityType: 'complaint',
          entityId: id,
          before: snapshot(current),
          after: snapshot(updated),
          reason: input.reason ?? null,
        });
      })
      .then(() => this.get(caller, id));
  }

  /**
   * Every minute, once across instances: open complaints past their deadline are marked breached
   * and escalated to their department's manager; resolved ones whose follow-up is late are flagged.
   */
  sweep(): Promise<SweepResultDto> {
    return this.transactions.run(async () => {
      const breached = await this.complaints.breachOverdue();
      const followUps = await this.complaints.flagOverdueFollowUps();
      await this.complaints.addEvents([
        ...breached.map((k) => ({ complaintId: k.id, actorId: null, event: 'breached', fromStatus: k.status, toStatus: k.status, detail: { escalatedTo: k.escalatedToId } })),
        ...followUps.map((k) => ({ complaintId: k.id, actorId: null, event: 'follow_up_overdue', fromStatus: k.status, toStatus: k.status, detail: {} })),
      ]);
      const entries: AuditEntry[] = [
        ...breached.map((k) => ({ action: 'complaint.breach', entityType: 'complaint', entityId: k.id, before: { breached: false }, after: { breached: true, escalatedToId: k.escalatedToId }, reason: 'deadline passed', actor: SYSTEM_ACTOR })),
        ...followUps.map((k) => ({ action: 'complaint.follow_up_overdue', entityType: 'complaint', entityId: k.id, before: { followUpOverdue: false }, after: { followUpOverdue: true }, reason: 'no follow-up within the window', actor: SYSTEM_ACTOR })),
      ];
      await this.audit.recordMany(entries);
      return { breached: breached.map((k) => k.id), followUpOverdue: followUps.map((k) => k.id) };
    });
  }

  async policy(): Promise<SlaPolicyDto> {
    const rows = await this.complaints.policies();
    return { severities: rows.map(({ updatedAt: _u, ...row }) => row) };
  }

  /** Open complaints keep the deadlines computed when they were received. */
  setPolicy(dto: SlaPolicyDto): Promise<SlaPolicyDto> {
    const severities = new Set(dto.severities.map((s) => s.severity));
    if (severities.size !== 3) {
      throw new DomainError('VALIDATION_FAILED', 'give each severity exactly once', { errors: [{ field: 'severities', message: 'give general, serious and major exactly once' }] });
    }
    return this.transactions.run(async () => {
      const before = await this.policy();
      await this.complaints.savePolicies(dto.severities);
      const after = await this.policy();
      await this.audit.record({ action: 'complaint_sla.update', entityType: 'complaint_sla_policy', entityId: 'default', before, after });
      return after;
    });
  }

  async metrics(caller: AuthUser, query: MetricsQueryDto): Promise<ComplaintMetricsDto> {
    const row = await this.complaints.metrics(this.access.listScope(caller, 'c', ALL_STATUSES), query.from, query.to, query.departmentId);
    const ratio = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 1000);
    const round = (value: number | null, digits: number) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);
    return {
      total: row.total,
      byCategory: row.byCategory ?? {},
      bySeverity: row.bySeverity ?? {},
      onTimeRate: ratio(row.resolvedOnTime, row.resolved),
      meanResolveWorkingHours: round(row.meanResolveWorkingMinutes === null ? null : row.meanResolveWorkingMinutes / 60, 2),
      followUpOnTimeRate: ratio(row.followUpsOnTime, row.verified),
      meanSatisfaction: round(row.meanSatisfaction, 2),
    };
  }

  /** The complaint, if its customer is visible to the caller; 404 otherwise. */
  private async visible(caller: AuthUser, id: string): Promise<ComplaintEntity> {
    const complaint = await this.complaints.findById(id);
    if (!complaint) throw notFound('Complaint');
    await this.access.requireThrough(caller, complaint.customerId, 'read', 'Complaint');
    return complaint;
  }

  /** Service staff, managers and admins handle complaints; the assignee works on their own; anyone who sees it may escalate. */
  private assertMayAct(caller: AuthUser, complaint: ComplaintEntity, action: ComplaintAction): void {
    if (caller.role === 'auditor' || caller.role === 'marketing') throw forbidden();
    const handler = HANDLERS.has(caller.role);
    const assignee = complaint.assigneeId === caller.id;
    const allowed = action === 'escalate' || handler || ((action === 'start' || action === 'resolve') && assignee);
    if (!allowed) throw forbidden('Only service staff, managers, admins or the assignee may do this');
  }

  private async stepChanges(current: ComplaintEntity, action: ComplaintAction, input: ActionInput): Promise<{ changes: ComplaintChanges; detail: Record<string, unknown> }> {
    const now = new Date();
    switch (action) {
      case 'assign': {
        const assignee = input.assigneeId ? await this.users.findById(input.assigneeId) : null;
        if (!assignee || !assignee.active || !ASSIGNABLE_ROLES.has(assignee.role)) {
          throw new DomainError('UNPROCESSABLE', 'assigneeId must name an active user who handles complaints', {
            errors: [{ field: 'assigneeId', message: 'assigneeId must name an active service, sales, manager or admin user' }],
          });
        }
        return { changes: { assigneeId: assignee.id }, detail: { assigneeId: assignee.id, previousAssigneeId: current.assigneeId } };
      }
      case 'start':
        return { changes: {}, detail: {} };
      case 'resolve': {
        const minutes = await this.calendar.workingMinutesBetween(current.receivedAt, now);
        return {
          changes: { resolvedAt: now, resolution: input.resolution!, resolutionWorkingMinutes: Math.round(minutes), followUpDueAt: new Date(now.getTime() + current.followUpHours * HOUR), followUpOverdue: false },
          detail: { resolution: input.resolution, onTime: now <= current.dueAt },
        };
      }
      case 'verify':
        return { changes: { verifiedAt: now, satisfaction: input.satisfaction!, satisfactionComment: input.comment ?? null }, detail: { satisfaction: input.satisfaction } };
      case 'close':
        return { changes: { closedAt: now }, detail: {} };
      case 'reopen':
        return {
          changes: { resolvedAt: null, followUpDueAt: null, followUpOverdue: false, verifiedAt: null, satisfaction: null, satisfactionComment: null, closedAt: null },
          detail: { reason: input.reason },
        };
      case 'escalate': {
        const to = await this.complaints.managerOfCustomer(current.customerId);
        return { changes: { escalatedAt: now, escalatedToId: to }, detail: { reason: input.reason, to } };
      }
    }
  }
}

const EVENT_OF: Record<ComplaintAction, string> = {
  assign: 'assigned',
  start: 'started',
  resolve: 'resolved',
  verify: 'verified',
  close: 'closed',
  reopen: 'reopened',
  escalate: 'escalated',
};
