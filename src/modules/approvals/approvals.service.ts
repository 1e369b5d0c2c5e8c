import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { Cursors, Page } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { UsersRepository } from '../users';
import { ApprovalEntity, ApprovalStepEntity, type StepKind } from './approval.entity';
import { currentStep, decisionProblem, independentDeciders, Person, stepCandidates } from './approval.rules';
import { ApprovalsRepository } from './approvals.repository';
import { ApprovalDto, ListApprovalsQueryDto } from './dto/approval.dto';
import { iso } from '../../common/http/iso';
import { clip, PROBLEM_LIMITS } from '../../common/errors/problem-limits';

export interface StepSpec {
  kind: StepKind;
  departmentId?: string;
}

/**
 * What a feature module registers for its type of request: how to carry it out once approved,
 * and what to undo when it ends otherwise. The engine knows no feature module.
 */
export interface ApprovalHandler {
  type: string;
  /** Runs in the transaction of the final approval; a DomainError means "can no longer be done". */
  execute(approval: ApprovalEntity, decider: AuthUser): Promise<Record<string, unknown>>;
  onClosed?(approval: ApprovalEntity, outcome: 'rejected' | 'cancelled' | 'failed', reason: string | null): Promise<void>;
}

function toDto(a: ApprovalEntity, steps: ApprovalStepEntity[]): ApprovalDto {
  return {
    id: a.id,
    type: a.type,
    status: a.status,
    requesterId: a.requesterId,
    reason: a.reason,
    payload: a.payload,
    result: a.result,
    failureReason: a.failureReason,
    createdAt: a.createdAt.toISOString(),
    decidedAt: iso(a.decidedAt),
    steps: steps
      .filter((s) => s.approvalId === a.id)
      .map((s) => ({
        stepNo: s.stepNo,
        deciderKind: s.deciderKind,
        departmentId: s.departmentId,
        status: s.status,
        decidedBy: s.decidedBy,
        decidedAt: iso(s.decidedAt),
        comment: s.comment,
      })),
  };
}

/** 审批: requests decided step by step, never by the requester, executed with the final approval. */
@Injectable()
export class ApprovalsService {
  private readonly handlers = new Map<string, ApprovalHandler>();

  constructor(
    private readonly cursors: Cursors,
    private readonly approvals: ApprovalsRepository,
    private readonly users: UsersRepository,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  register(handler: ApprovalHandler): void {
    this.handlers.set(handler.type, handler);
  }

  /**
   * Opens a request; joins the caller's transaction so the feature's own records commit with it.
   * A request that no set of different people (none of them the requester) could decide step by
   * step is refused now rather than left undecidable, or decided twice by one person.
   */
  request(caller: AuthUser, type: string, reason: string, payload: Record<string, unknown>, steps: StepSpec[]): Promise<ApprovalEntity> {
    return this.transactions.run(async () => {
      await this.requireIndependentDeciders(caller, steps);
      const approval = await this.approvals.insert(
        { type, requesterId: caller.id, reason, payload },
        steps.map((s) => ({ kind: s.kind, departmentId: s.departmentId ?? null })),
      );
      await this.audit.record({ action: 'approval.request', entityType: 'approval', entityId: approval.id, after: { type, payload, steps }, reason });
      return approval;
    });
  }

  /**
   * For a request its decider makes themself (succession by the manager): records them as the
   * approver and executes at once, in the caller's transaction; a failure fails the whole call.
   */
  executeNow(caller: AuthUser, approvalId: string): Promise<void> {
    return this.transactions.run(async () => {
      const approval = (await this.approvals.findForUpdate(approvalId))!;
      await this.approvals.addDecidedStep(approvalId, caller);
      const result = await this.handler(approval.type).execute(approval, caller);
      await this.approvals.close(approvalId, 'approved', { result });
      await this.audit.record({ action: 'approval.execute', entityType: 'approval', entityId: approvalId, after: { type: approval.type, result }, reason: approval.reason });
    });
  }

  approve(caller: AuthUser, id: string, comment: string): Promise<ApprovalDto> {
    return this.decide(caller, id, 'approved', comment);
  }

  reject(caller: AuthUser, id: string, comment: string): Promise<ApprovalDto> {
    return this.decide(caller, id, 'rejected', comment);
  }

  /** The requester withdraws a pending request. */
  async cancel(caller: AuthUser, id: string): Promise<ApprovalDto> {
    await this.transactions.run(async () => {
      const approval = await this.approvals.findForUpdate(id);
      if (!approval || !(await this.isVisible(caller, approval))) throw notFound('Approval');
      if (approval.requesterId !== caller.id) throw new DomainError('FORBIDDEN', 'Only the requester cancels a request');
      if (approval.status !== 'pending') throw new DomainError('APPROVAL_DECIDED', `The request is ${approval.status} already`);
      await this.approvals.skipPendingSteps(id);
      await this.approvals.close(id, 'cancelled');
      await this.handler(approval.type).onClosed?.(approval, 'cancelled', null);
      await this.audit.record({ action: 'approval.cancel', entityType: 'approval', entityId: id, before: { status: 'pending' }, after: { status: 'cancelled' } });
    });
    return this.get(caller, id);
  }

  /** The steps of a request and who decided them, for a handler re-checking at execution what the approvers were responsible for. */
  async steps(approvalId: string): Promise<Pick<ApprovalStepEntity, 'stepNo' | 'deciderKind' | 'departmentId' | 'status' | 'decidedBy'>[]> {
    return this.approvals.stepsOf([approvalId]);
  }

  /** Who approved the request's steps so far. */
  async approvers(approvalId: string): Promise<string[]> {
    return (await this.approvals.stepsOf([approvalId])).filter((s) => s.status === 'approved' && s.decidedBy).map((s) => s.decidedBy!);
  }

  async list(caller: AuthUser, query: ListApprovalsQueryDto): Promise<Page<ApprovalDto>> {
    const limit = query.limit ?? 20;
    const cursor = this.cursors.decode('approvals', query.cursor, 2);
    const rows = await this.approvals.list({
      view: query.view ?? 'requested',
      callerId: caller.id,
      callerRole: caller.role,
      callerDepartmentId: caller.departmentId,
      status: query.status,
      type: query.type,
      before: cursor ? [String(cursor[0]), String(cursor[1])] : undefined,
      limit: limit + 1,
    });
    const steps = await this.approvals.stepsOf(rows.map((r) => r.approval.id));
    return this.cursors.page('approvals', rows, limit, (r) => toDto(r.approval, steps), (r) => [r.sortKey, r.approval.id]);
  }

  async get(caller: AuthUser, id: string): Promise<ApprovalDto> {
    const approval = await this.approvals.findById(id);
    if (!approval || !(await this.isVisible(caller, approval))) throw notFound('Approval');
    return toDto(approval, await this.approvals.stepsOf([id]));
  }

  private async decide(caller: AuthUser, id: string, decision: 'approved' | 'rejected', comment: string): Promise<ApprovalDto> {
    await this.transactions.run(async () => {
      const approval = await this.approvals.findForUpdate(id);
      if (!approval || !(await this.isVisible(caller, approval))) throw notFound('Approval');
      const steps = await this.approvals.stepsOf([id]);
      const requester = await this.person(approval.requesterId);
      if (caller.id === requester.id) throw new DomainError('SELF_APPROVAL', 'You cannot decide your own request');
      const step = approval.status === 'pending' ? currentStep(steps) : undefined;
      if (!step) throw new DomainError('APPROVAL_DECIDED', `The request is ${approval.status} already`);
      const deciderOfOtherSteps = steps.filter((s) => s.id !== step.id && s.decidedBy).map((s) => s.decidedBy!);
      const problem = await this.problemFor(caller, step, requester, deciderOfOtherSteps);
      if (problem === 'SAME_APPROVER') throw new DomainError(problem, 'You decided another step of this request; a different person decides this one');
      if (problem) {
        // Someone decided the caller's step a moment earlier: that is a conflict, not a lack of rights.
        for (const decided of steps.filter((s) => s.status !== 'pending')) {
          if (!(await this.problemFor(caller, decided, requester))) throw new DomainError('APPROVAL_DECIDED', 'This step was decided already');
        }
        throw new DomainError(problem, problem === 'SELF_APPROVAL' ? 'You cannot decide your own request' : 'This step is for someone else to decide');
      }
      await this.approvals.decideStep(step.id, decision, caller.id, comment);
      await this.audit.record({
        action: decision === 'approved' ? 'approval.approve' : 'approval.reject',
        entityType: 'approval',
        entityId: id,
        after: { type: approval.type, stepNo: step.stepNo, decision },
        reason: comment,
      });
      if (decision === 'rejected') {
        await this.approvals.skipPendingSteps(id);
        await this.approvals.close(id, 'rejected');
        await this.handler(approval.type).onClosed?.(approval, 'rejected', comment);
        return;
      }
      if (steps.some((s) => s.status === 'pending' && s.id !== step.id)) return;
      await this.execute(approval, caller);
    });
    return this.get(caller, id);
  }

  /** The final approval carries the action out in its own transaction; if it cannot be done, nothing of it stays and the request ends failed. */
  private async execute(approval: ApprovalEntity, decider: AuthUser): Promise<void> {
    const handler = this.handler(approval.type);
    try {
      const result = await this.transactions.savepoint(() => handler.execute(approval, decider));
      await this.approvals.close(approval.id, 'approved', { result });
      await this.audit.record({ action: 'approval.execute', entityType: 'approval', entityId: approval.id, after: { type: approval.type, result } });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await this.approvals.close(approval.id, 'failed', { failureReason: clip(error.detail, PROBLEM_LIMITS.detail) });
      await handler.onClosed?.(approval, 'failed', error.detail);
      await this.audit.record({ action: 'approval.fail', entityType: 'approval', entityId: approval.id, after: { type: approval.type, code: error.code }, reason: error.detail });
    }
  }

  private async problemFor(caller: AuthUser, step: ApprovalStepEntity, requester: Person, deciderOfOtherSteps: string[] = []) {
    const otherManager = step.departmentId ? await this.approvals.otherManagerExists(step.departmentId, requester.id) : true;
    return decisionProblem(caller, { kind: step.deciderKind, departmentId: step.departmentId }, requester, otherManager, deciderOfOtherSteps);
  }

  private async requireIndependentDeciders(caller: AuthUser, steps: StepSpec[]): Promise<void> {
    if (steps.length === 0) return;
    const views = steps.map((s) => ({ kind: s.kind, departmentId: s.departmentId ?? null }));
    const departmentIds = [...new Set(views.flatMap((s) => (s.departmentId ? [s.departmentId] : [])))];
    const people = await this.approvals.deciderCandidates(caller.id, departmentIds, steps.length);
    if (independentDeciders(stepCandidates(views, caller.id, people))) return;
    const wanted = views.map((s) => (s.kind === 'admin' ? 'an admin' : `a manager of department ${s.departmentId} (or an admin when it has no other)`)).join(', then ');
    throw new DomainError('NO_INDEPENDENT_APPROVER', `This request needs ${steps.length} different people other than you to decide it (${wanted}), and there are not that many`);
  }

  /** Requesters, admins and auditors see a request; so does anyone who decides or may decide one of its steps. */
  private async isVisible(caller: AuthUser, approval: ApprovalEntity): Promise<boolean> {
    if (caller.id === approval.requesterId || caller.role === 'admin' || caller.role === 'auditor') return true;
    const steps = await this.approvals.stepsOf([approval.id]);
    return steps.some((s) => s.decidedBy === caller.id || (s.deciderKind === 'department_manager' && caller.role === 'manager' && s.departmentId === caller.departmentId));
  }

  private async person(id: string): Promise<Person> {
    const user = await this.users.findById(id);
    if (!user) throw notFound('User');
    return { id: user.id, role: user.role, departmentId: user.departmentId };
  }

  private handler(type: string): ApprovalHandler {
    const handler = this.handlers.get(type);
    if (!handler) throw new Error(`No handler registered for approvals of type ${type}`);
    return handler;
  }
}
