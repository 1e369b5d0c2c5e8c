import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, forbidden, notFound } from '../../common/errors/domain-error';
import { Cursors, Page } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { CustomerAccess } from '../access';
import { type AuditEntry, AuditService } from '../audit';
import { CalendarService, withinMaxSpan } from '../calendar';
import { CustomerReactivation, CustomersRepository } from '../customers';
import { UsersRepository } from '../users';
import { ComplaintEntity, ComplaintEventEntity } from './complaint.entity';
import { ComplaintAction, CUSTOMER_NOTIFIED, ledByDepartmentManager, nextStatus, notifiedSinceLastStatusChange, receivedAtProblem } from './complaint.rules';
import { ComplaintChanges, ComplaintsRepository } from './complaints.repository';
import { mayReportUpward, normalizedTopic } from './report-upward.rules';
import {
  ComplaintDetailDto,
  ComplaintDto,
  ComplaintMetricsDto,
  CreateComplaintDto,
  EscalationContactsDto,
  ListComplaintsQueryDto,
  MetricsQueryDto,
  ReportUpwardDto,
  SlaPolicyDto,
  SweepResultDto,
} from './dto/complaint.dto';
import { iso } from '../../common/http/iso';
import { SHOWN } from '../../common/limits';

const SYSTEM_ACTOR = { id: null, role: 'system' };
const HANDLERS = new Set(['admin', 'manager', 'service']);
const ASSIGNABLE_ROLES = new Set(['admin', 'manager', 'service', 'sales']);
/** Management, for the escalation list. */
const MANAGEMENT_ROLES = new Set(['admin', 'manager']);
const unique = (ids: (string | null)[]) => [...new Set(ids.filter((id): id is string => id !== null))];
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
    escalatedToIds: (k.escalatedToIds ?? []).slice(0, SHOWN.escalatedTo),
    customerNotifiedAt: iso(k.customerNotifiedAt),
    customerNotInformed: k.customerNotInformed,
    resolvedAt: iso(k.resolvedAt),
    resolution: k.resolution,
    followUpDueAt: iso(k.followUpDueAt),
    followUpOverdue: k.followUpOverdue,
    verifiedAt: iso(k.verifiedAt),
    satisfaction: k.satisfaction,
    satisfactionComment: k.satisfactionComment,
    closedAt: iso(k.closedAt),
    requestId: k.requestId,
    reportUpward: k.reportUpward,
    topic: k.topic,
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
  channel?: string;
  summary?: string;
}

@Injectable()
export class ComplaintsService {
  constructor(
    private readonly cursors: Cursors,
    private readonly complaints: ComplaintsRepository,
    private readonly calendar: CalendarService,
    private readonly access: CustomerAccess,
    private readonly users: UsersRepository,
    private readonly customers: CustomersRepository,
    private readonly reactivation: CustomerReactivation,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  /**
   * The deadline is fixed now, in working days of the business calendar. A serious or major
   * complaint is led by the department manager (assigned to them unless the creator names someone
   * else with a reason); a major one is reported to management at once; a serious one whose
   * department has no active manager waits unassigned and goes to management instead. A complaint
   * of an archived customer reopens the relationship: the customer is active again. `origin` names
   * the customer request it was escalated from (the requests module links the request back).
   */
  create(caller: AuthUser, dto: CreateComplaintDto, origin?: { requestId: string }): Promise<ComplaintDto> {
    const now = new Date();
    const receivedAt = new Date(dto.receivedAt);
    const problem = receivedAtProblem(receivedAt, now);
    if (problem) throw new DomainError('VALIDATION_FAILED', problem, { errors: [{ field: 'receivedAt', message: problem }] });
    return this.transactions.run(async () => {
      const customer = await this.access.requireToFileComplaint(caller, dto.customerId, 'customerId');
      const policy = await this.complaints.policy(dto.severity);
      const dueAt = await this.calendar.addWorkingDays(receivedAt, policy.resolveWorkingDays);
      const manager = await this.complaints.managerOfCustomer(dto.customerId);
      const led = ledByDepartmentManager(dto.severity);

      let assigneeId: string | null = null;
      let assignment: Record<string, unknown> = {};
      if (dto.assigneeId) {
        if (led && dto.assigneeId !== manager && !dto.assignmentReason) {
          const message = `a ${dto.severity} complaint is led by the department manager: give an assignmentReason to name someone else`;
          throw new DomainError('VALIDATION_FAILED', message, { errors: [{ field: 'assignmentReason', message }] });
        }
        assigneeId = (await this.assignable(dto.assigneeId)).id;
        assignment = { assigneeId, reason: dto.assignmentReason ?? null, ...(led ? { departmentManagerId: manager } : {}) };
      } else if (led && manager) {
        assigneeId = manager;
        assignment = { assigneeId, reason: `${dto.severity} complaint: led by the department manager` };
      }

      let recipients: string[] = [];
      let escalationReason = '';
      if (policy.escalateImmediately) {
        recipients = unique([manager, ...(await this.complaints.managementRecipients())]);
        escalationReason = `${dto.severity} complaint: reported to management at once`;
      } else if (led && !assigneeId) {
        recipients = await this.complaints.managementRecipients();
        escalationReason = `${dto.severity} complaint: the department has no active manager to lead it`;
      }

      if (customer.status === 'dormant' || customer.status === 'archived') await this.reactivation.reactivate(dto.customerId, 'complaint received', caller.id); // 客服 filing a complaint reopens the relationship

      const { assigneeId: _a, assignmentReason: _r, ...fields } = dto;
      const complaint = await this.complaints.insert({
        ...fields,
        customerDemand: dto.customerDemand ?? null,
        receivedAt,
        dueAt,
        followUpHours: policy.followUpHours,
        status: assigneeId ? 'assigned' : 'received',
        assigneeId,
        escalatedAt: recipients.length > 0 ? now : null,
        escalatedToId: recipients.length > 0 ? manager : null,
        escalatedToIds: recipients,
        requestId: origin?.requestId ?? null,
        createdBy: caller.id,
      });
      const received = { dueAt: dueAt.toISOString(), ...(origin ? { requestId: origin.requestId } : {}) };
      const events: Event[] = [{ complaintId: complaint.id, actorId: caller.id, event: 'received', fromStatus: null, toStatus: 'received', detail: received }];
      if (assigneeId) events.push({ complaintId: complaint.id, actorId: caller.id, event: 'assigned', fromStatus: 'received', toStatus: 'assigned', detail: assignment });
      if (recipients.length > 0) {
        const status = complaint.status;
        events.push({ complaintId: complaint.id, actorId: null, event: 'escalated', fromStatus: status, toStatus: status, detail: { to: manager, recipients, reason: escalationReason } });
      }
      await this.complaints.addEvents(events);
      await this.audit.record({ action: 'complaint.create', entityType: 'complaint', entityId: complaint.id, after: snapshot(complaint), reason: dto.assignmentReason ?? null });
      return toComplaintDto(complaint);
    });
  }

  /** Who handles complaints: an active service, sales, manager or admin user; 422 naming assigneeId otherwise. */
  private async assignable(userId: string | undefined) {
    const assignee = userId ? await this.users.findById(userId) : null;
    if (!assignee || !assignee.active || !ASSIGNABLE_ROLES.has(assignee.role)) {
      throw new DomainError('UNPROCESSABLE', 'assigneeId must name an active user who handles complaints', {
        errors: [{ field: 'assigneeId', message: 'assigneeId must name an active service, sales, manager or admin user' }],
      });
    }
    return assignee;
  }

  async list(caller: AuthUser, query: ListComplaintsQueryDto): Promise<Page<ComplaintDto>> {
    const limit = query.limit ?? 20;
    const cursor = this.cursors.decode('complaints', query.cursor, 2);
    const rows = await this.complaints.list({
      scope: this.access.complaintScope(caller, 'c', 'k'),
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
    return this.cursors.page('complaints', rows, limit, (r) => toComplaintDto(r.complaint), (r) => [r.sortKey, r.complaint.id]);
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
          throw new DomainError('INVALID_TRANSITION', `A ${current.status} complaint cannot be ${PAST_OF[action]}`, {
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
   * Reports the complaint upward as a common issue under a topic, or withdraws the report; by an
   * admin, a manager who sees it or its assignee (see mayReportUpward). Audited; the timeline keeps it.
   */
  reportUpward(caller: AuthUser, id: string, dto: ReportUpwardDto): Promise<ComplaintDetailDto> {
    const topic = reportedTopic(dto);
    return this.transactions
      .run(async () => {
        const current = await this.visible(caller, id);
        if (!mayReportUpward(caller, current.assigneeId)) throw forbidden('Only an admin, a manager or the assignee may report a complaint upward');
        const updated = await this.complaints.update(id, { reportUpward: dto.reportUpward, topic });
        await this.complaints.addEvents([
          { complaintId: id, actorId: caller.id, event: dto.reportUpward ? 'reported_upward' : 'report_withdrawn', fromStatus: current.status, toStatus: current.status, detail: { topic, previousTopic: current.topic } },
        ]);
        await this.audit.record({ action: 'complaint.report_upward', entityType: 'complaint', entityId: id, before: snapshot(current), after: snapshot(updated) });
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
    const row = await this.complaints.metrics(this.access.complaintScope(caller, 'c', 'k'), query.from, query.to, query.departmentId);
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
      customerNotInformed: row.customerNotInformed,
    };
  }

  async escalationContacts(): Promise<EscalationContactsDto> {
    return { userIds: await this.complaints.escalationContacts() };
  }

  /** 上报名单: replaced as a whole; everyone on it must be an active admin or manager. */
  setEscalationContacts(caller: AuthUser, dto: EscalationContactsDto): Promise<EscalationContactsDto> {
    return this.transactions.run(async () => {
      for (const id of dto.userIds) {
        const user = await this.users.findById(id);
        if (!user || !user.active || !MANAGEMENT_ROLES.has(user.role)) {
          throw new DomainError('UNPROCESSABLE', `${id} is not an active admin or manager`, {
            errors: [{ field: 'userIds', message: `${id} is not an active admin or manager` }],
          });
        }
      }
      const before = await this.escalationContacts();
      await this.complaints.replaceEscalationContacts(dto.userIds, caller.id);
      const after = await this.escalationContacts();
      await this.audit.record({ action: 'complaint_escalation_contacts.update', entityType: 'complaint_escalation_contacts', entityId: 'default', before, after });
      return after;
    });
  }

  /** The complaint, if its customer is visible to the caller; 404 otherwise. */
  private async visible(caller: AuthUser, id: string): Promise<ComplaintEntity> {
    const complaint = await this.complaints.findById(id);
    if (!complaint) throw notFound('Complaint');
    await this.access.requireComplaint(caller, complaint.customerId, complaint);
    return complaint;
  }

  /** Service staff, managers and admins handle complaints; the assignee works on their own (and tells the customer); anyone who sees it may escalate. */
  private assertMayAct(caller: AuthUser, complaint: ComplaintEntity, action: ComplaintAction): void {
    if (caller.role === 'auditor' || caller.role === 'marketing') throw forbidden();
    const handler = HANDLERS.has(caller.role);
    const assignee = complaint.assigneeId === caller.id;
    const allowed = action === 'escalate' || handler || ((action === 'start' || action === 'resolve' || action === 'notify') && assignee);
    if (!allowed) throw forbidden('Only service staff, managers, admins or the assignee may do this');
  }

  private async stepChanges(current: ComplaintEntity, action: ComplaintAction, input: ActionInput): Promise<{ changes: ComplaintChanges; detail: Record<string, unknown> }> {
    const now = new Date();
    switch (action) {
      case 'assign': {
        const assignee = await this.assignable(input.assigneeId);
        return { changes: { assigneeId: assignee.id }, detail: { assigneeId: assignee.id, previousAssigneeId: current.assigneeId } };
      }
      case 'start':
        return { changes: {}, detail: {} };
      case 'resolve': {
        // Open for over two years (only a record from before receipt times were checked): not measured rather than walked.
        const minutes = withinMaxSpan(current.receivedAt, now) ? Math.round(await this.calendar.workingMinutesBetween(current.receivedAt, now)) : null;
        const customerInformed = notifiedSinceLastStatusChange(await this.complaints.timeline(current.id));
        return {
          changes: {
            resolvedAt: now,
            resolution: input.resolution!,
            resolutionWorkingMinutes: minutes,
            followUpDueAt: new Date(now.getTime() + current.followUpHours * HOUR),
            followUpOverdue: false,
            customerNotInformed: !customerInformed,
          },
          detail: { resolution: input.resolution, onTime: now <= current.dueAt, customerInformed },
        };
      }
      case 'verify':
        return { changes: { verifiedAt: now, satisfaction: input.satisfaction!, satisfactionComment: input.comment ?? null }, detail: { satisfaction: input.satisfaction } };
      case 'close':
        return { changes: { closedAt: now }, detail: {} };
      case 'reopen':
        return {
          changes: { resolvedAt: null, followUpDueAt: null, followUpOverdue: false, verifiedAt: null, satisfaction: null, satisfactionComment: null, closedAt: null, customerNotInformed: false },
          detail: { reason: input.reason },
        };
      case 'escalate': {
        // To the department manager; with none, to management rather than to nobody.
        const to = await this.complaints.managerOfCustomer(current.customerId);
        const recipients = to ? [to] : await this.complaints.managementRecipients();
        return {
          changes: { escalatedAt: now, escalatedToId: to, escalatedToIds: unique([...current.escalatedToIds, ...recipients]) },
          detail: { reason: input.reason, to, recipients },
        };
      }
      case 'notify':
        return { changes: { customerNotifiedAt: now }, detail: { channel: input.channel, summary: input.summary } };
    }
  }
}

/** The topic to store: required (normalized) when reporting upward, refused when withdrawing. */
export function reportedTopic(dto: ReportUpwardDto): string | null {
  if (dto.reportUpward && !dto.topic) throw new DomainError('VALIDATION_FAILED', 'a report upward needs a topic', { errors: [{ field: 'topic', message: 'give the common issue\'s topic' }] });
  if (!dto.reportUpward && dto.topic !== undefined) {
    throw new DomainError('VALIDATION_FAILED', 'a withdrawn report has no topic', { errors: [{ field: 'topic', message: 'leave topic out when reportUpward is false' }] });
  }
  return dto.reportUpward ? normalizedTopic(dto.topic!) : null;
}

const EVENT_OF: Record<ComplaintAction, string> = {
  assign: 'assigned',
  start: 'started',
  resolve: 'resolved',
  verify: 'verified',
  close: 'closed',
  reopen: 'reopened',
  escalate: 'escalated',
  notify: CUSTOMER_NOTIFIED,
};

const PAST_OF: Record<ComplaintAction, string> = { ...EVENT_OF, notify: 'the subject of a customer notification' };
