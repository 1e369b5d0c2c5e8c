import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, forbidden, notFound } from '../../common/errors/domain-error';
import { iso } from '../../common/http/iso';
import { Cursors, Page } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { CustomerAccess } from '../access';
import { type AuditEntry, AuditService } from '../audit';
import { CalendarService, withinMaxSpan } from '../calendar';
import { type ComplaintDto, ComplaintsService, COMPLAINT_CHANNELS, mayReportUpward, type ReportUpwardDto, reportedTopic } from '../complaints';
import { UsersRepository } from '../users';
import { RequestEntity, URGENT_NEVER, type RequestKind } from './request.entity';
import {
  CLOCKS,
  type ClockName,
  clocksOf,
  expectedAnswerProblem,
  firstResponseTarget,
  needsSatisfactionCall,
  nextDueAt,
  nextRequestStatus,
  PROGRESS_REPORT_HOURS,
  receivedAtProblem,
  type RequestAction,
  SATISFACTION_CALL_HOURS,
} from './request.rules';
import { NewRequestEvent, RequestChanges, RequestsRepository } from './requests.repository';
import {
  CreateRequestDto,
  DispatchRulesDto,
  EscalateRequestDto,
  ListRequestsQueryDto,
  RecordRequestDto,
  RequestDetailDto,
  RequestDto,
  RequestMetricsDto,
  RequestMetricsQueryDto,
  RequestSweepResultDto,
  RequestTopicsDto,
  RequestTopicsQueryDto,
} from './dto/request.dto';

const HOUR = 3_600_000;
const SYSTEM_ACTOR = { id: null, role: 'system' };
const ASSIGNABLE_ROLES = new Set(['admin', 'manager', 'service', 'sales']);
/** Who works on requests: every role but the read-only ones. */
const ACTOR_ROLES = new Set(['admin', 'manager', 'service', 'sales']);

export function toRequestDto(r: RequestEntity, now = new Date()): RequestDto {
  return {
    id: r.id,
    customerId: r.customerId,
    contactId: r.contactId,
    kind: r.kind,
    channel: r.channel,
    subject: r.subject,
    content: r.content,
    complex: r.complex,
    status: r.status,
    receivedAt: r.receivedAt.toISOString(),
    assigneeId: r.assigneeId,
    departmentId: r.departmentId,
    firstResponseDueAt: r.firstResponseDueAt.toISOString(),
    acknowledgedAt: iso(r.acknowledgedAt),
    firstResponseChannel: r.firstResponseChannel,
    firstResponseText: r.firstResponseText,
    firstResponseWorkingMinutes: r.firstResponseWorkingMinutes,
    expectedAnswerAt: iso(r.expectedAnswerAt),
    progressDueAt: iso(r.progressDueAt),
    lastProgressAt: iso(r.lastProgressAt),
    answeredAt: iso(r.answeredAt),
    answer: r.answer,
    satisfactionDueAt: iso(r.satisfactionDueAt),
    satisfaction: r.satisfaction,
    satisfactionComment: r.satisfactionComment,
    closedAt: iso(r.closedAt),
    nextDueAt: r.urgentAt.getTime() >= URGENT_NEVER.getTime() ? null : r.urgentAt.toISOString(),
    clocks: clocksOf(r, now),
    escalatedToIds: r.escalatedToIds ?? [],
    complaintId: r.complaintId,
    reportUpward: r.reportUpward,
    topic: r.topic,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const snapshot = (r: RequestEntity) => {
  const { createdAt: _c, updatedAt: _u, clocks: _k, ...rest } = toRequestDto(r);
  return rest;
};

/** The sort key after a change: the next running clock's due time. */
const urgentAt = (r: RequestEntity, changes: RequestChanges) => nextDueAt({ ...r, ...changes }) ?? URGENT_NEVER;

export interface RequestActionInput {
  channel?: string;
  text?: string;
  expectedAnswerAt?: string;
  answer?: string;
  satisfaction?: number;
  comment?: string;
  reason?: string;
  assigneeId?: string;
  departmentId?: string;
}

const invalid = (field: string, message: string) => new DomainError('VALIDATION_FAILED', message, { errors: [{ field, message }] });

@Injectable()
export class RequestsService {
  constructor(
    private readonly cursors: Cursors,
    private readonly requests: RequestsRepository,
    private readonly calendar: CalendarService,
    private readonly access: CustomerAccess,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly complaints: ComplaintsService,
  ) {}

  /** POST /requests: an integrator names the customer in the body. */
  createFor(caller: AuthUser, dto: CreateRequestDto): Promise<RequestDto> {
    const { customerId, ...fields } = dto;
    return this.create(caller, customerId, fields, 'customerId');
  }

  /**
   * Records a request by anyone who may record interactions on the customer, dispatches it (the
   * person or queue given, else the rule for its kind) and fixes its first-response clock in working
   * time: a problem within its tier's response target, anything else within one working day.
   */
  create(caller: AuthUser, customerId: string, dto: RecordRequestDto, customerField?: string): Promise<RequestDto> {
    const now = new Date();
    const receivedAt = new Date(dto.receivedAt);
    const problem = receivedAtProblem(receivedAt, now);
    if (problem) throw invalid('receivedAt', problem);
    if (dto.assigneeId && dto.departmentId) throw invalid('departmentId', 'dispatch to a person (assigneeId) or to a department queue (departmentId), not both');
    return this.transactions.run(async () => {
      await this.access.require(caller, customerId, 'interact', customerField);
      if (dto.contactId && !(await this.requests.contactBelongsTo(dto.contactId, customerId))) {
        throw new DomainError('UNPROCESSABLE', 'contactId must name a contact of the customer', { errors: [{ field: 'contactId', message: 'not a contact of this customer' }] });
      }
      const facts = await this.requests.customerFacts(customerId);
      const dispatch = await this.dispatch(dto, facts);
      const target = firstResponseTarget(dto.kind, facts.tierMinutes, this.calendar.workingDayMinutes());
      const firstResponseDueAt =
        target.unit === 'working_days' ? await this.calendar.addWorkingDays(receivedAt, target.n) : await this.calendar.addWorkingMinutes(receivedAt, target.n);
      const complex = dto.kind === 'problem' && (dto.complex ?? false);
      const fields: RequestChanges = {
        customerId,
        contactId: dto.contactId ?? null,
        kind: dto.kind,
        channel: dto.channel,
        subject: dto.subject,
        content: dto.content,
        complex,
        receivedAt,
        status: 'new',
        ...dispatch.to,
        firstResponseDueAt,
        progressDueAt: complex ? new Date(receivedAt.getTime() + PROGRESS_REPORT_HOURS * HOUR) : null,
        createdBy: caller.id,
      };
      const request = await this.requests.insert({ ...fields, urgentAt: nextDueAt(fields as RequestEntity) ?? URGENT_NEVER });
      await this.requests.addEvents([
        { requestId: request.id, actorId: caller.id, event: 'received', fromStatus: null, toStatus: 'new', detail: { firstResponseDueAt: firstResponseDueAt.toISOString(), target } },
        { requestId: request.id, actorId: caller.id, event: 'assigned', fromStatus: 'new', toStatus: 'new', detail: { to: dispatch.to, reason: dispatch.reason } },
      ]);
      await this.audit.record({ action: 'request.create', entityType: 'request', entityId: request.id, after: snapshot(request) });
      return toRequestDto(request);
    });
  }

  /** Where a new request goes: as given, else by the rule for its kind (kept as data). */
  private async dispatch(
    dto: Pick<RecordRequestDto, 'kind' | 'assigneeId' | 'departmentId'>,
    customer: { ownerId: string; ownerActive: boolean; ownerDepartmentId: string; ownerRole: string; departmentId: string },
  ): Promise<{ to: { assigneeId: string | null; departmentId: string | null }; reason: string }> {
    if (dto.assigneeId) return { to: { assigneeId: (await this.assignable(dto.assigneeId)).id, departmentId: null }, reason: 'dispatched when recorded' };
    if (dto.departmentId) return { to: { assigneeId: null, departmentId: await this.existingDepartment(dto.departmentId) }, reason: 'dispatched when recorded' };
    const rule = await this.requests.dispatchRule(dto.kind);
    if (rule?.target === 'department' && rule.departmentId) return { to: { assigneeId: null, departmentId: rule.departmentId }, reason: `rule for ${dto.kind}: department queue` };
    if (rule?.target === 'owner') {
      // An owner who left (离职继承) holds nothing: the customer's department queue takes it.
      const holds = customer.ownerActive && customer.ownerDepartmentId === customer.departmentId && ASSIGNABLE_ROLES.has(customer.ownerRole);
      return holds
        ? { to: { assigneeId: customer.ownerId, departmentId: null }, reason: `rule for ${dto.kind}: the customer's owner` }
        : { to: { assigneeId: null, departmentId: customer.departmentId }, reason: `rule for ${dto.kind}: the customer's owner has left; the department queue` };
    }
    return { to: { assigneeId: null, departmentId: null }, reason: `rule for ${dto.kind}: the service queue` };
  }

  private async assignable(userId: string) {
    const user = await this.users.findById(userId);
    if (!user || !user.active || !ASSIGNABLE_ROLES.has(user.role)) {
      throw new DomainError('UNPROCESSABLE', 'assigneeId must name an active user who handles requests', {
        errors: [{ field: 'assigneeId', message: 'assigneeId must name an active admin, manager, sales or service user' }],
      });
    }
    return user;
  }

  private async existingDepartment(departmentId: string): Promise<string> {
    if (!(await this.requests.departmentExists(departmentId))) {
      throw new DomainError('REFERENCE_NOT_FOUND', 'departmentId does not name a department', { errors: [{ field: 'departmentId', message: 'no such department' }] });
    }
    return departmentId;
  }

  async list(caller: AuthUser, query: ListRequestsQueryDto): Promise<Page<RequestDto>> {
    const limit = query.limit ?? 20;
    const cursor = this.cursors.decode('requests', query.cursor, 2);
    const queue =
      query.queue === 'mine'
        ? ({ kind: 'mine', userId: caller.id } as const)
        : query.queue === 'department'
          ? ({ kind: 'department', departmentId: caller.departmentId, withServiceQueue: caller.role === 'service' } as const)
          : ({ kind: 'all' } as const);
    const rows = await this.requests.list({
      scope: this.access.requestScope(caller, 'c', 'r'),
      queue,
      status: query.status,
      kind: query.kind,
      overdue: query.overdue,
      customerId: query.customerId,
      after: cursor ? [String(cursor[0]), String(cursor[1])] : undefined,
      limit: limit + 1,
    });
    const now = new Date();
    return this.cursors.page('requests', rows, limit, (r) => toRequestDto(r.request, now), (r) => [r.sortKey, r.request.id]);
  }

  async get(caller: AuthUser, id: string): Promise<RequestDetailDto> {
    const request = await this.visible(caller, id);
    const timeline = await this.requests.timeline(id);
    return {
      ...toRequestDto(request),
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
  act(caller: AuthUser, id: string, action: RequestAction, input: RequestActionInput): Promise<RequestDetailDto> {
    return this.transactions
      .run(async () => {
        const current = await this.visible(caller, id);
        if (!ACTOR_ROLES.has(caller.role)) throw forbidden('Your role may not work on requests');
        const to = nextRequestStatus(current.status, action);
        if (!to) throw new DomainError('INVALID_TRANSITION', `A ${current.status} request cannot be ${PAST_OF[action]}`, { status: current.status, action });
        const { changes, detail } = await this.stepChanges(current, action, input);
        const updated = await this.requests.update(id, { ...changes, status: to, urgentAt: urgentAt(current, { ...changes, status: to }) });
        await this.requests.addEvents([{ requestId: id, actorId: caller.id, event: PAST_OF[action], fromStatus: current.status, toStatus: to, detail }]);
        await this.audit.record({ action: `request.${action}`, entityType: 'request', entityId: id, before: snapshot(current), after: snapshot(updated), reason: input.reason ?? null });
      })
      .then(() => this.get(caller, id));
  }

  private async stepChanges(current: RequestEntity, action: RequestAction, input: RequestActionInput): Promise<{ changes: RequestChanges; detail: Record<string, unknown> }> {
    const now = new Date();
    const problem = current.kind === 'problem';
    switch (action) {
      case 'acknowledge': {
        let expectedAnswerAt: Date | null = null;
        if (input.expectedAnswerAt) {
          expectedAnswerAt = new Date(input.expectedAnswerAt);
          const why = expectedAnswerProblem(expectedAnswerAt, now);
          if (why) throw invalid('expectedAnswerAt', why);
        }
        const minutes = withinMaxSpan(current.receivedAt, now) ? Math.round(await this.calendar.workingMinutesBetween(current.receivedAt, now)) : null;
        return {
          changes: { acknowledgedAt: now, firstResponseChannel: input.channel!, firstResponseText: input.text!, firstResponseWorkingMinutes: minutes, expectedAnswerAt },
          detail: { channel: input.channel, text: input.text, expectedAnswerAt: iso(expectedAnswerAt), onTime: now <= current.firstResponseDueAt, workingMinutes: minutes },
        };
      }
      case 'start':
        return { changes: {}, detail: {} };
      case 'progress':
        return {
          changes: {
            lastProgressAt: now,
            ...(problem && current.complex ? { progressDueAt: new Date(now.getTime() + PROGRESS_REPORT_HOURS * HOUR), progressBreached: false } : {}),
          },
          detail: { text: input.text, onTime: current.progressDueAt ? now <= current.progressDueAt : null },
        };
      case 'answer':
        return {
          changes: {
            answeredAt: now,
            answer: input.answer!,
            progressDueAt: null,
            progressBreached: false,
            satisfactionDueAt: problem ? new Date(now.getTime() + SATISFACTION_CALL_HOURS * HOUR) : null,
            satisfactionBreached: false,
          },
          detail: { answer: input.answer, onTime: current.expectedAnswerAt ? now <= current.expectedAnswerAt : null },
        };
      case 'close': {
        if (needsSatisfactionCall(current.kind) && input.satisfaction === undefined) {
          throw invalid('satisfaction', 'a problem is closed after the satisfaction call: give its score (1–5)');
        }
        return {
          changes: { closedAt: now, satisfaction: input.satisfaction ?? null, satisfactionComment: input.comment ?? null },
          detail: { satisfaction: input.satisfaction ?? null, comment: input.comment ?? null },
        };
      }
      case 'reopen':
        return {
          changes: {
            answeredAt: null,
            satisfactionDueAt: null,
            satisfactionBreached: false,
            satisfaction: null,
            satisfactionComment: null,
            closedAt: null,
            ...(problem && current.complex ? { progressDueAt: new Date(now.getTime() + PROGRESS_REPORT_HOURS * HOUR), progressBreached: false } : {}),
          },
          detail: { reason: input.reason, previousAnswer: current.answer },
        };
      case 'assign': {
        if (!input.assigneeId === !input.departmentId) throw invalid('assigneeId', 'give assigneeId (a person) or departmentId (a queue), exactly one');
        const to = input.assigneeId
          ? { assigneeId: (await this.assignable(input.assigneeId)).id, departmentId: null }
          : { assigneeId: null, departmentId: await this.existingDepartment(input.departmentId!) };
        return { changes: to, detail: { from: { assigneeId: current.assigneeId, departmentId: current.departmentId }, to, reason: input.reason ?? null } };
      }
    }
  }

  /**
   * Turns the request into a complaint through the complaints' own use case (its rules, deadline,
   * escalation and audit apply), linked both ways, in one transaction. By whoever sees the request
   * and may file a complaint on its customer. Once only (409 REQUEST_ALREADY_ESCALATED); a closed
   * request is done and is not escalated (409 INVALID_TRANSITION: reopen it first). The request keeps
   * its status and clocks: the customer is still owed the response to what they asked.
   */
  escalateToComplaint(caller: AuthUser, id: string, dto: EscalateRequestDto): Promise<ComplaintDto> {
    return this.transactions.run(async () => {
      const current = await this.visible(caller, id);
      if (!ACTOR_ROLES.has(caller.role)) throw forbidden('Your role may not work on requests');
      if (current.complaintId) {
        throw new DomainError('REQUEST_ALREADY_ESCALATED', 'The request was already escalated into a complaint', { complaintId: current.complaintId });
      }
      if (current.status === 'closed') throw new DomainError('INVALID_TRANSITION', 'A closed request cannot be escalated into a complaint; reopen it first', { status: current.status, action: 'escalate_to_complaint' });
      try {
        await this.access.requireToFileComplaint(caller, current.customerId, 'customerId');
      } catch (error) {
        // They see the request (assigned to them or their queue) but not its customer: the request exists for them.
        if (error instanceof DomainError && error.code === 'NOT_FOUND') throw forbidden('You may not file a complaint on this request\'s customer');
        throw error;
      }
      const complaint = await this.complaints.create(
        caller,
        {
          customerId: current.customerId,
          channel: complaintChannel(current.channel),
          category: dto.category,
          severity: dto.severity,
          title: dto.title ?? current.subject,
          description: dto.description ?? current.content,
          customerDemand: dto.customerDemand,
          customerMood: dto.customerMood,
          receivedAt: new Date().toISOString(),
          assigneeId: dto.assigneeId,
          assignmentReason: dto.assignmentReason,
        },
        { requestId: id },
      );
      const updated = await this.requests.update(id, { complaintId: complaint.id });
      await this.requests.addEvents([
        { requestId: id, actorId: caller.id, event: 'escalated_to_complaint', fromStatus: current.status, toStatus: current.status, detail: { complaintId: complaint.id, reason: dto.reason } },
      ]);
      await this.audit.record({ action: 'request.escalate_to_complaint', entityType: 'request', entityId: id, before: snapshot(current), after: snapshot(updated), reason: dto.reason });
      return complaint;
    });
  }

  /**
   * Reports the request upward as a common issue under a topic, or withdraws the report; by an
   * admin, a manager who sees it or its assignee (see mayReportUpward). Audited; the timeline keeps it.
   */
  reportUpward(caller: AuthUser, id: string, dto: ReportUpwardDto): Promise<RequestDetailDto> {
    const topic = reportedTopic(dto);
    return this.transactions
      .run(async () => {
        const current = await this.visible(caller, id);
        if (!mayReportUpward(caller, current.assigneeId)) throw forbidden('Only an admin, a manager or the assignee may report a request upward');
        const updated = await this.requests.update(id, { reportUpward: dto.reportUpward, topic });
        await this.requests.addEvents([
          { requestId: id, actorId: caller.id, event: dto.reportUpward ? 'reported_upward' : 'report_withdrawn', fromStatus: current.status, toStatus: current.status, detail: { topic, previousTopic: current.topic } },
        ]);
        await this.audit.record({ action: 'request.report_upward', entityType: 'request', entityId: id, before: snapshot(current), after: snapshot(updated) });
      })
      .then(() => this.get(caller, id));
  }

  /**
   * Common issues for management: the items reported upward in the period grouped by topic, and
   * the most frequent complaint categories and request kinds of the period, within what the caller
   * sees (a manager: their department; admins and auditors: everything). In SQL.
   */
  async topics(caller: AuthUser, query: RequestTopicsQueryDto): Promise<RequestTopicsDto> {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 24 * HOUR);
    if (from >= to) throw invalid('from', 'from must be before to');
    if (to.getTime() - from.getTime() > 367 * 24 * HOUR) throw invalid('from', 'the period is at most a year (367 days)');
    const window = { from: from.toISOString(), to: to.toISOString() };
    const requestScope = this.access.requestScope(caller, 'c', 'r');
    const complaintScope = this.access.complaintScope(caller, 'c', 'k');
    const [topics, complaintCategories, requestKinds] = [
      await this.requests.topics(requestScope, complaintScope, window),
      await this.requests.complaintCategories(complaintScope, window),
      await this.requests.requestKinds(requestScope, window),
    ];
    return {
      ...window,
      topics: topics.map((x) => ({ ...x, firstSeenAt: new Date(x.firstSeenAt).toISOString(), lastSeenAt: new Date(x.lastSeenAt).toISOString() })),
      complaintCategories,
      requestKinds,
    };
  }

  /**
   * Every minute, once across instances: each clock that ran out is flagged once and audited; a
   * problem's breach goes to the manager of its assignee's department (else the queue's, else the
   * customer's), who then sees it.
   */
  sweep(): Promise<RequestSweepResultDto> {
    return this.transactions.run(async () => {
      const flagged: Record<ClockName, string[]> = { first_response: [], expected_answer: [], progress: [], satisfaction: [] };
      const events: NewRequestEvent[] = [];
      const entries: AuditEntry[] = [];
      for (const clock of CLOCKS) {
        for (const row of await this.requests.flagBreaches(clock)) {
          const manager = row.kind === 'problem' ? await this.requests.managerFor(row) : null;
          if (manager) await this.requests.addEscalation(row.id, manager);
          flagged[clock].push(row.id);
          const detail = { clock, dueAt: new Date(row.dueAt).toISOString(), escalatedTo: manager };
          events.push({ requestId: row.id, actorId: null, event: 'breached', fromStatus: row.status, toStatus: row.status, detail });
          entries.push({ action: 'request.breach', entityType: 'request', entityId: row.id, before: { breachedClock: null }, after: { breachedClock: clock, dueAt: detail.dueAt, escalatedTo: manager }, reason: `${clock} clock ran out`, actor: SYSTEM_ACTOR });
        }
      }
      await this.requests.addEvents(events);
      await this.audit.recordMany(entries);
      return { firstResponse: flagged.first_response, expectedAnswer: flagged.expected_answer, progress: flagged.progress, satisfaction: flagged.satisfaction };
    });
  }

  async dispatchRules(): Promise<DispatchRulesDto> {
    const rules = await this.requests.dispatchRules();
    return { rules: rules.map((r) => ({ kind: r.kind, target: r.target, departmentId: r.departmentId })) };
  }

  /** Replaced as a whole, one rule per kind; new requests follow them, dispatched ones stay where they are. */
  setDispatchRules(dto: DispatchRulesDto): Promise<DispatchRulesDto> {
    const kinds = new Set(dto.rules.map((r) => r.kind));
    if (kinds.size !== 4) throw invalid('rules', 'give each kind (enquiry, need, suggestion, problem) exactly once');
    dto.rules.forEach((r, i) => {
      if ((r.target === 'department') !== Boolean(r.departmentId)) throw invalid(`rules[${i}].departmentId`, 'a department target needs a departmentId, and only it');
    });
    return this.transactions.run(async () => {
      for (const r of dto.rules) if (r.departmentId) await this.existingDepartment(r.departmentId);
      const before = await this.dispatchRules();
      await this.requests.saveDispatchRules(dto.rules.map((r) => ({ kind: r.kind as RequestKind, target: r.target, departmentId: r.departmentId ?? null })));
      const after = await this.dispatchRules();
      await this.audit.record({ action: 'request_dispatch.update', entityType: 'request_dispatch_rules', entityId: 'default', before, after });
      return after;
    });
  }

  async metrics(caller: AuthUser, query: RequestMetricsQueryDto): Promise<RequestMetricsDto> {
    const { totals: t, byKind, byChannel } = await this.requests.metrics({ scope: this.access.requestScope(caller, 'c', 'r'), ...query });
    const share = (settled: number, met: number, breaches: number) => ({ settled, met, share: settled === 0 ? null : Math.round((met / settled) * 1000) / 1000, breaches });
    const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
    return {
      total: t.total,
      byKind,
      byChannel,
      firstResponseP50: round(t.firstResponseP50),
      firstResponseP90: round(t.firstResponseP90),
      clocks: {
        firstResponse: share(t.firstResponseSettled, t.firstResponseMet, t.firstResponseBreaches),
        expectedAnswer: share(t.expectedAnswerSettled, t.expectedAnswerMet, t.expectedAnswerBreaches),
        progress: share(t.progressSettled, t.progressMet, t.progressBreaches),
        satisfaction: share(t.satisfactionSettled, t.satisfactionMet, t.satisfactionBreaches),
      },
      meanSatisfaction: round(t.meanSatisfaction),
    };
  }

  /** The request, if the caller may see it; 404 otherwise. */
  private async visible(caller: AuthUser, id: string): Promise<RequestEntity> {
    const request = await this.requests.findById(id);
    if (!request) throw notFound('Request');
    await this.access.requireRequest(caller, request.customerId, request);
    return request;
  }
}

/** A request's channel as a complaint channel: the integrators' chat is online service, the call centre is the phone. */
function complaintChannel(channel: string): string {
  if (channel === 'web_chat') return 'online';
  if (channel === 'call_center') return 'phone';
  return (COMPLAINT_CHANNELS as readonly string[]).includes(channel) ? channel : 'other';
}

const PAST_OF: Record<RequestAction, string> = {
  acknowledge: 'acknowledged',
  start: 'started',
  progress: 'progress',
  answer: 'answered',
  close: 'closed',
  reopen: 'reopened',
  assign: 'assigned',
};
