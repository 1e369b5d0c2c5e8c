import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import type { ListScopeSql } from '../access';
import { ComplaintEntity, ComplaintEscalationContactEntity, ComplaintEventEntity, ComplaintSlaPolicyEntity, type ComplaintSeverity } from './complaint.entity';
import { SHOWN } from '../../common/limits';

export type ComplaintChanges = Partial<Omit<ComplaintEntity, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'customer' | 'departmentId' | 'department' | 'reachElsewhere' | 'customerStatus' | 'assignee' | 'escalatedTo' | 'request'>>;

export interface EscalationContactRow {
  userId: string;
  active: boolean;
  role: string;
}

export interface ComplaintFilter {
  scope: ListScopeSql;
  status?: string;
  severity?: string;
  category?: string;
  assigneeId?: string;
  customerId?: string;
  overdue?: boolean;
  from?: string;
  to?: string;
  before?: [string, string];
  limit: number;
}

export interface SweepRow {
  id: string;
  escalatedToId: string | null;
  status: string;
}

export interface MetricsRow {
  total: number;
  byCategory: Record<string, number> | null;
  bySeverity: Record<string, number> | null;
  resolved: number;
  resolvedOnTime: number;
  meanResolveWorkingMinutes: number | null;
  verified: number;
  followUpsOnTime: number;
  meanSatisfaction: number | null;
  customerNotInformed: number;
}

@Injectable()
export class ComplaintsRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(ComplaintEntity);
  }

  insert(complaint: ComplaintChanges): Promise<ComplaintEntity> {
    return this.repo.save(this.repo.create(complaint));
  }

  /** Inside a transaction the row is locked, so two actions on one complaint happen one after the other. */
  async findById(id: string): Promise<ComplaintEntity | null> {
    const qb = this.repo.createQueryBuilder('k').where('k.id = :id', { id });
    if (this.transactions.active) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  async update(id: string, changes: ComplaintChanges): Promise<ComplaintEntity> {
    // The row is locked by findById in the same transaction: no version check needed.
    await updateVersioned(this.repo, id, undefined, changes);
    return (await this.repo.findOneBy({ id }))!;
  }

  async addEvents(events: Omit<ComplaintEventEntity, 'id' | 'occurredAt' | 'complaint'>[]): Promise<void> {
    if (events.length === 0) return;
    const repo = this.transactions.manager.getRepository(ComplaintEventEntity);
    await repo.save(events.map((e) => repo.create(e)));
  }

  timeline(complaintId: string): Promise<(ComplaintEventEntity & { actorName: string | null })[]> {
    return this.transactions.manager.query(
      `SELECT e.id, e.complaint_id AS "complaintId", e.occurred_at AS "occurredAt", e.actor_id AS "actorId", u.display_name AS "actorName",
              e.event, e.from_status AS "fromStatus", e.to_status AS "toStatus", e.detail
         FROM (SELECT * FROM complaint_events WHERE complaint_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2) e
         LEFT JOIN users u ON u.id = e.actor_id
        ORDER BY e.occurred_at, e.id`,
      [complaintId, SHOWN.complaintEvents],
    );
  }

  async list(filter: ComplaintFilter): Promise<{ complaint: ComplaintEntity; sortKey: string }[]> {
    const page = (where: string) => {
      const qb = this.repo.createQueryBuilder('k');
      // A scope over the complaint row alone (its copies of the customer's department and status) reads no customer.
      if (!filter.scope.complaintOnly) qb.innerJoin('customers', 'c', 'c.id = k.customer_id');
      qb.where(where, filter.scope.params);
      if (filter.status) qb.andWhere('k.status = :status', { status: filter.status });
      if (filter.severity) qb.andWhere('k.severity = :severity', { severity: filter.severity });
      if (filter.category) qb.andWhere('k.category = :category', { category: filter.category });
      if (filter.assigneeId) qb.andWhere('k.assignee_id = :assigneeId', { assigneeId: filter.assigneeId });
      if (filter.customerId) qb.andWhere('k.customer_id = :customerId', { customerId: filter.customerId });
      if (filter.overdue) qb.andWhere(`k.status IN ('received', 'assigned', 'in_progress') AND k.due_at < now()`);
      if (filter.from) qb.andWhere('k.received_at >= :from', { from: filter.from });
      if (filter.to) qb.andWhere('k.received_at < :to', { to: filter.to });
      if (filter.before) {
        qb.andWhere('(k.received_at, k.id) < (CAST(:beforeAt AS timestamptz), CAST(:beforeId AS uuid))', { beforeAt: filter.before[0], beforeId: filter.before[1] });
      }
      return qb.addSelect('k.received_at::text', 'sort_key').orderBy('k.received_at', 'DESC').addOrderBy('k.id', 'DESC').limit(filter.limit);
    };
    // Prepared: planning the list over complaints and customers cost more than running it.
    const branches = filter.scope.branches;
    if (!branches) {
      const rows = await this.transactions.preparedEntities(page(filter.scope.where));
      return rows.map(({ entity, raw }) => ({ complaint: entity, sortKey: raw.sort_key as string }));
    }
    // Each branch its own page from its own index, then the newest of them: one OR over both would
    // walk every complaint newest first (or read all of the department's to sort them).
    const pages = branches.map(page);
    const [sql, params] = this.transactions.manager.connection.driver.escapeQueryWithParameters(
      `SELECT * FROM (${pages.map((qb) => `(${qb.getQuery()})`).join(' UNION ALL ')}) k ORDER BY k.k_received_at DESC, k.k_id DESC LIMIT ${filter.limit}`,
      Object.assign({}, ...pages.map((qb) => qb.getParameters())),
    );
    const metadata = this.repo.metadata;
    const rows = await this.transactions.prepared<Record<string, unknown>>(sql, params);
    return rows.map((raw) => ({ complaint: this.transactions.hydrate<ComplaintEntity>(metadata, raw, 'k'), sortKey: raw.sort_key as string }));
  }

  /** The manager a complaint escalates to: an active manager of the customer owner's department. */
  async managerOfCustomer(customerId: string): Promise<string | null> {
    const rows: { id: string }[] = await this.transactions.manager.query(
      `SELECT u.id FROM customers c JOIN users u ON u.department_id = c.department_id AND u.role = 'manager' AND u.active
        WHERE c.id = $1 ORDER BY u.created_at, u.id LIMIT 1`,
      [customerId],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Management, for a major complaint (上报管理层): the active users of the escalation list, in the
   * order they were added; when it names none, every active admin.
   */
  async managementRecipients(): Promise<string[]> {
    const listed: { id: string }[] = await this.transactions.manager.query(
      `SELECT u.id FROM complaint_escalation_contacts e JOIN users u ON u.id = e.user_id AND u.active ORDER BY e.position`,
    );
    if (listed.length > 0) return listed.map((r) => r.id);
    const admins: { id: string }[] = await this.transactions.manager.query(`SELECT id FROM users WHERE role = 'admin' AND active ORDER BY created_at, id`);
    return admins.map((r) => r.id);
  }

  async escalationContacts(): Promise<string[]> {
    const rows = await this.transactions.manager.getRepository(ComplaintEscalationContactEntity).find({ order: { position: 'ASC' } });
    return rows.map((r) => r.userId);
  }

  /** The list as given, in that order. */
  async replaceEscalationContacts(userIds: string[], addedBy: string): Promise<void> {
    await this.transactions.manager.query(`DELETE FROM complaint_escalation_contacts`);
    if (userIds.length === 0) return;
    await this.transactions.manager.query(
      `INSERT INTO complaint_escalation_contacts (user_id, position, added_by) SELECT u.id, u.n, $2 FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)`,
      [userIds, addedBy],
    );
  }

  /**
   * Marks every open complaint past its deadline breached and escalates it to its department's
   * manager, in one statement. Rows are locked and re-checked, so concurrent sweeps change each once.
   */
  async breachOverdue(): Promise<SweepRow[]> {
    const [rows]: [SweepRow[], number] = await this.transactions.manager.query(
      `UPDATE complaints k
          SET breached = true,
              escalated_at = coalesce(k.escalated_at, now()),
              escalated_to_id = coalesce(k.escalated_to_id, (
                SELECT u.id FROM customers c JOIN users u ON u.department_id = c.department_id AND u.role = 'manager' AND u.active
                 WHERE c.id = k.customer_id ORDER BY u.created_at, u.id LIMIT 1)),
              version = k.version + 1, updated_at = now()
        WHERE k.status IN ('received', 'assigned', 'in_progress') AND k.due_at < now() AND NOT k.breached
          AND k.id IN (SELECT id FROM complaints WHERE status IN ('received', 'assigned', 'in_progress') AND due_at < now() AND NOT breached
                        ORDER BY due_at, id LIMIT ${SHOWN.sweepBatch})
        RETURNING k.id, k.escalated_to_id AS "escalatedToId", k.status`,
    );
    // The rows are locked by the statement above: add the manager to everyone it went to.
    await this.transactions.manager.query(
      `UPDATE complaints SET escalated_to_ids = array_append(escalated_to_ids, escalated_to_id)
        WHERE id = ANY($1::uuid[]) AND escalated_to_id IS NOT NULL AND NOT (escalated_to_id = ANY(escalated_to_ids))`,
      [rows.map((r) => r.id)],
    );
    return rows;
  }

  async flagOverdueFollowUps(): Promise<SweepRow[]> {
    const [rows]: [SweepRow[], number] = await this.transactions.manager.query(
      `UPDATE complaints SET follow_up_overdue = true, version = version + 1, updated_at = now()
        WHERE status = 'resolved' AND follow_up_due_at < now() AND NOT follow_up_overdue
          AND id IN (SELECT id FROM complaints WHERE status = 'resolved' AND follow_up_due_at < now() AND NOT follow_up_overdue
                      ORDER BY follow_up_due_at, id LIMIT ${SHOWN.sweepBatch})
        RETURNING id, escalated_to_id AS "escalatedToId", status`,
    );
    return rows;
  }

  policies(): Promise<ComplaintSlaPolicyEntity[]> {
    return this.transactions.manager.getRepository(ComplaintSlaPolicyEntity).find({ order: { resolveWorkingDays: 'ASC' } });
  }

  async policy(severity: ComplaintSeverity): Promise<ComplaintSlaPolicyEntity> {
    return (await this.transactions.manager.getRepository(ComplaintSlaPolicyEntity).findOneBy({ severity }))!;
  }

  async savePolicies(policies: Omit<ComplaintSlaPolicyEntity, 'updatedAt'>[]): Promise<void> {
    await this.transactions.manager.getRepository(ComplaintSlaPolicyEntity).save(policies.map((p) => ({ ...p, updatedAt: new Date() })));
  }

  /** 处理及时率, mean time to resolve, follow-up timeliness and satisfaction, in one query. */
  async metrics(scope: ListScopeSql, from: string | undefined, to: string | undefined, departmentId: string | undefined): Promise<MetricsRow> {
    const qb = this.repo
      .createQueryBuilder('k')
      .innerJoin('customers', 'c', 'c.id = k.customer_id')
      .select('count(*)::int', 'total')
      .addSelect(`count(*) FILTER (WHERE k.resolved_at IS NOT NULL)::int`, 'resolved')
      .addSelect(`count(*) FILTER (WHERE k.resolved_at IS NOT NULL AND k.resolved_at <= k.due_at)::int`, 'resolvedOnTime')
      .addSelect(`avg(k.resolution_working_minutes)::float`, 'meanResolveWorkingMinutes')
      .addSelect(`count(*) FILTER (WHERE k.verified_at IS NOT NULL)::int`, 'verified')
      .addSelect(`count(*) FILTER (WHERE k.verified_at IS NOT NULL AND k.verified_at <= k.follow_up_due_at)::int`, 'followUpsOnTime')
      .addSelect(`avg(k.satisfaction)::float`, 'meanSatisfaction')
      .addSelect(`count(*) FILTER (WHERE k.customer_not_informed)::int`, 'customerNotInformed')
      .where(scope.where, scope.params);
    const filtered = (q: typeof qb) => {
      if (from) q.andWhere('k.received_at >= :from', { from });
      if (to) q.andWhere('k.received_at < :to', { to });
      if (departmentId) q.andWhere('c.department_id = :departmentId', { departmentId });
      return q;
    };
    const totals = await filtered(qb).getRawOne<MetricsRow>();
    const counts = (column: string) =>
      filtered(
        this.repo.createQueryBuilder('k').innerJoin('customers', 'c', 'c.id = k.customer_id').select(`k.${column}`, 'key').addSelect('count(*)::int', 'n').where(scope.where, scope.params),
      )
        .groupBy(`k.${column}`)
        .getRawMany<{ key: string; n: number }>()
        .then((rows) => Object.fromEntries(rows.map((r) => [r.key, r.n])));
    return { ...totals!, byCategory: await counts('category'), bySeverity: await counts('severity') };
  }
}
