import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { ApprovalEntity, ApprovalStepEntity, type ApprovalStatus, type StepKind } from './approval.entity';
import type { Candidate } from './approval.rules';

export interface ApprovalListFilter {
  view: 'requested' | 'to-decide';
  callerId: string;
  callerRole: string;
  callerDepartmentId: string;
  status?: string;
  type?: string;
  before?: [string, string];
  limit: number;
}

@Injectable()
export class ApprovalsRepository {
  constructor(private readonly transactions: Transactions) {}

  private get approvals() {
    return this.transactions.manager.getRepository(ApprovalEntity);
  }

  private get steps() {
    return this.transactions.manager.getRepository(ApprovalStepEntity);
  }

  async insert(approval: Pick<ApprovalEntity, 'type' | 'requesterId' | 'reason' | 'payload'> & { status?: ApprovalStatus }, steps: { kind: StepKind; departmentId: string | null }[]): Promise<ApprovalEntity> {
    const saved = await this.approvals.save(this.approvals.create(approval));
    await this.steps.save(steps.map((s, i) => this.steps.create({ approvalId: saved.id, stepNo: i + 1, deciderKind: s.kind, departmentId: s.departmentId })));
    return saved;
  }

  /** Locked until the transaction ends, so two deciders of one step are served one after the other. */
  findForUpdate(id: string): Promise<ApprovalEntity | null> {
    return this.approvals.createQueryBuilder('a').where('a.id = :id', { id }).setLock('pessimistic_write').getOne();
  }

  findById(id: string): Promise<ApprovalEntity | null> {
    return this.approvals.findOneBy({ id });
  }

  stepsOf(approvalIds: string[]): Promise<ApprovalStepEntity[]> {
    if (approvalIds.length === 0) return Promise.resolve([]);
    return this.steps.createQueryBuilder('s').where('s.approval_id = ANY(:ids)', { ids: approvalIds }).orderBy('s.step_no').getMany();
  }

  async decideStep(stepId: string, status: 'approved' | 'rejected', deciderId: string, comment: string | null): Promise<void> {
    await this.steps.update({ id: stepId }, { status, decidedBy: deciderId, decidedAt: new Date(), comment });
  }

  /** A step decided on the spot by the person who made the request (a manager's own succession). */
  async addDecidedStep(approvalId: string, decider: { id: string; role: string; departmentId: string }): Promise<void> {
    const admin = decider.role === 'admin';
    await this.steps.save(
      this.steps.create({
        approvalId,
        stepNo: 1,
        deciderKind: admin ? 'admin' : 'department_manager',
        departmentId: admin ? null : decider.departmentId,
        status: 'approved',
        decidedBy: decider.id,
        decidedAt: new Date(),
        comment: 'decided by the requester\'s own authority',
      }),
    );
  }

  async skipPendingSteps(approvalId: string): Promise<void> {
    await this.steps.update({ approvalId, status: 'pending' }, { status: 'skipped' });
  }

  async close(id: string, status: ApprovalStatus, extra: Partial<Pick<ApprovalEntity, 'result' | 'failureReason'>> = {}): Promise<void> {
    await this.approvals
      .createQueryBuilder()
      .update()
      .set({ status, decidedAt: () => 'now()', version: () => 'version + 1', ...(extra as object) })
      .where('id = :id', { id })
      .execute();
  }

  /** Whether an active manager of the department other than `exceptUserId` exists. */
  async otherManagerExists(departmentId: string, exceptUserId: string): Promise<boolean> {
    const rows: unknown[] = await this.transactions.manager.query(
      `SELECT 1 FROM users WHERE department_id = $1 AND role = 'manager' AND active AND id <> $2 LIMIT 1`,
      [departmentId, exceptUserId],
    );
    return rows.length > 0;
  }

  /**
   * The active people who could decide steps of `requesterId`'s request, in one query: admins and
   * the managers of `departmentIds`, the requester excluded. People of one group (the admins, or
   * one department's managers) are interchangeable for the matching, so `perGroup` of each (the
   * number of steps) is all it can use.
   */
  deciderCandidates(requesterId: string, departmentIds: string[], perGroup: number): Promise<Candidate[]> {
    return this.transactions.manager.query(
      `SELECT id, role, department_id AS "departmentId" FROM (
         SELECT id, role, department_id,
                row_number() OVER (PARTITION BY role, CASE WHEN role = 'admin' THEN NULL ELSE department_id END ORDER BY id) AS n
           FROM users
          WHERE active AND id <> $1 AND (role = 'admin' OR (role = 'manager' AND department_id = ANY($2::uuid[])))
       ) u
       WHERE n <= $3`,
      [requesterId, departmentIds, perGroup],
    );
  }

  /** The caller's requests, or the pending approvals whose current step the caller may decide; newest first. */
  async list(filter: ApprovalListFilter): Promise<{ approval: ApprovalEntity; sortKey: string }[]> {
    const qb = this.approvals.createQueryBuilder('a');
    if (filter.view === 'requested') {
      qb.where('a.requester_id = :callerId', { callerId: filter.callerId });
    } else {
      qb.innerJoin(
        ApprovalStepEntity,
        's',
        `s.approval_id = a.id AND s.status = 'pending' AND s.step_no = (SELECT min(s2.step_no) FROM approval_steps s2 WHERE s2.approval_id = a.id AND s2.status = 'pending')`,
      )
        .where(`a.status = 'pending' AND a.requester_id <> :callerId`, { callerId: filter.callerId })
        // Nobody decides two steps of one request: what they decided a step of is not offered again.
        .andWhere(`NOT EXISTS (SELECT 1 FROM approval_steps d WHERE d.approval_id = a.id AND d.decided_by = :callerId)`)
        .andWhere(
          `((s.decider_kind = 'admin' AND :role = 'admin')
            OR (s.decider_kind = 'department_manager' AND :role = 'manager' AND s.department_id = :departmentId)
            OR (s.decider_kind = 'department_manager' AND :role = 'admin' AND NOT EXISTS (
                  SELECT 1 FROM users m WHERE m.department_id = s.department_id AND m.role = 'manager' AND m.active AND m.id <> a.requester_id)))`,
          { role: filter.callerRole, departmentId: filter.callerDepartmentId },
        );
    }
    if (filter.status) qb.andWhere('a.status = :status', { status: filter.status });
    if (filter.type) qb.andWhere('a.type = :type', { type: filter.type });
    if (filter.before) {
      qb.andWhere('(a.created_at, a.id) < (CAST(:beforeAt AS timestamptz), CAST(:beforeId AS uuid))', { beforeAt: filter.before[0], beforeId: filter.before[1] });
    }
    qb.addSelect('a.created_at::text', 'sort_key').orderBy('a.created_at', 'DESC').addOrderBy('a.id', 'DESC').limit(filter.limit);
    const { entities, raw } = await qb.getRawAndEntities<{ sort_key: string }>();
    return entities.map((approval, i) => ({ approval, sortKey: raw[i].sort_key }));
  }
}
