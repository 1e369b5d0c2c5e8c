import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import type { ListScopeSql } from '../access';
import { TOPIC_SAMPLES, TOPICS_SHOWN } from './dto/request.dto';
import type { ClockName } from './request.rules';
import { RequestDispatchRuleEntity, RequestEntity, RequestEventEntity, type RequestKind } from './request.entity';

export type RequestChanges = Partial<Omit<RequestEntity, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'customer' | 'contact' | 'assignee' | 'department' | 'complaint'>>;
export type NewRequestEvent = Omit<RequestEventEntity, 'id' | 'occurredAt' | 'request'>;

export interface RequestFilter {
  scope: ListScopeSql;
  /** mine: assigned to the caller; department: the caller's department queue (service also the service queue). */
  queue: { kind: 'all' } | { kind: 'mine'; userId: string } | { kind: 'department'; departmentId: string; withServiceQueue: boolean };
  status?: string;
  kind?: string;
  overdue?: boolean;
  customerId?: string;
  after?: [string, string];
  limit: number;
}

export interface BreachRow {
  id: string;
  kind: RequestKind;
  status: string;
  customerId: string;
  assigneeId: string | null;
  departmentId: string | null;
  dueAt: Date;
}

/** Which flag each clock's breach sets, which rows it looks at, and which due time it compares. */
const BREACH_SQL: Record<ClockName, { set: string; where: string; due: string }> = {
  first_response: { set: 'first_response_breached = true', where: `r.status = 'new' AND r.first_response_due_at < now() AND NOT r.first_response_breached`, due: 'first_response_due_at' },
  expected_answer: {
    set: 'expected_answer_breached = true',
    where: `r.status IN ('acknowledged', 'in_progress') AND r.expected_answer_at < now() AND NOT r.expected_answer_breached`,
    due: 'expected_answer_at',
  },
  progress: {
    set: 'progress_breached = true, progress_breaches = r.progress_breaches + 1',
    where: `r.status IN ('new', 'acknowledged', 'in_progress') AND r.progress_due_at < now() AND NOT r.progress_breached`,
    due: 'progress_due_at',
  },
  satisfaction: { set: 'satisfaction_breached = true', where: `r.status = 'answered' AND r.satisfaction_due_at < now() AND NOT r.satisfaction_breached`, due: 'satisfaction_due_at' },
};

export interface MetricsFilter {
  scope: ListScopeSql;
  from?: string;
  to?: string;
  departmentId?: string;
  assigneeId?: string;
}

export interface RequestMetricsRow {
  total: number;
  firstResponseP50: number | null;
  firstResponseP90: number | null;
  firstResponseSettled: number;
  firstResponseMet: number;
  expectedAnswerSettled: number;
  expectedAnswerMet: number;
  progressSettled: number;
  progressMet: number;
  satisfactionSettled: number;
  satisfactionMet: number;
  firstResponseBreaches: number;
  expectedAnswerBreaches: number;
  progressBreaches: number;
  satisfactionBreaches: number;
  meanSatisfaction: number | null;
}

export interface TopicRow {
  topic: string;
  requests: number;
  complaints: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  sampleRequestIds: string[];
  sampleComplaintIds: string[];
}

/** The same scope with its parameters renamed, so that two scopes can share one statement. */
function prefixed(scope: ListScopeSql, prefix: string): ListScopeSql {
  return {
    where: scope.where.replace(/(?<!:):(\.\.\.)?([A-Za-z_]\w*)/g, (_, spread: string | undefined, name: string) => `:${spread ?? ''}${prefix}${name}`),
    params: Object.fromEntries(Object.entries(scope.params).map(([k, v]) => [prefix + k, v])),
  };
}

@Injectable()
export class RequestsRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(RequestEntity);
  }

  insert(request: RequestChanges): Promise<RequestEntity> {
    return this.repo.save(this.repo.create(request));
  }

  /** Inside a transaction the row is locked, so two steps on one request happen one after the other. */
  async findById(id: string): Promise<RequestEntity | null> {
    const qb = this.repo.createQueryBuilder('r').where('r.id = :id', { id });
    if (this.transactions.active) qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  async update(id: string, changes: RequestChanges): Promise<RequestEntity> {
    // The row is locked by findById in the same transaction: no version check needed.
    await updateVersioned(this.repo, id, undefined, changes);
    return (await this.repo.findOneBy({ id }))!;
  }

  async addEvents(events: NewRequestEvent[]): Promise<void> {
    if (events.length === 0) return;
    const repo = this.transactions.manager.getRepository(RequestEventEntity);
    await repo.save(events.map((e) => repo.create(e)));
  }

  /** The first 1,000 entries (a request with more is not a request but a conversation). */
  timeline(requestId: string): Promise<(RequestEventEntity & { actorName: string | null })[]> {
    return this.transactions.manager.query(
      `SELECT e.id, e.request_id AS "requestId", e.occurred_at AS "occurredAt", e.actor_id AS "actorId", u.display_name AS "actorName",
              e.event, e.from_status AS "fromStatus", e.to_status AS "toStatus", e.detail
         FROM request_events e LEFT JOIN users u ON u.id = e.actor_id
        WHERE e.request_id = $1 ORDER BY e.occurred_at, e.id LIMIT 1000`,
      [requestId],
    );
  }

  /** Most urgent first: by the due time of the next running clock, then id. */
  async list(filter: RequestFilter): Promise<{ request: RequestEntity; sortKey: string }[]> {
    const qb = this.repo.createQueryBuilder('r').innerJoin('customers', 'c', 'c.id = r.customer_id').where(filter.scope.where, filter.scope.params);
    const q = filter.queue;
    if (q.kind === 'mine') qb.andWhere('r.assignee_id = :queueUser', { queueUser: q.userId });
    if (q.kind === 'department') {
      qb.andWhere(q.withServiceQueue ? '(r.department_id = :queueDepartment OR (r.assignee_id IS NULL AND r.department_id IS NULL))' : 'r.department_id = :queueDepartment', {
        queueDepartment: q.departmentId,
      });
    }
    if (filter.status) qb.andWhere('r.status = :status', { status: filter.status });
    if (filter.kind) qb.andWhere('r.kind = :kind', { kind: filter.kind });
    if (filter.customerId) qb.andWhere('r.customer_id = :customerId', { customerId: filter.customerId });
    if (filter.overdue) qb.andWhere(`r.status <> 'closed' AND r.urgent_at < now()`);
    if (filter.after) {
      qb.andWhere('(r.urgent_at, r.id) > (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid))', { afterAt: filter.after[0], afterId: filter.after[1] });
    }
    qb.addSelect(`to_char(r.urgent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`, 'sort_key').orderBy('r.urgent_at', 'ASC').addOrderBy('r.id', 'ASC').limit(filter.limit);
    const { entities, raw } = await qb.getRawAndEntities<{ sort_key: string }>();
    return entities.map((request, i) => ({ request, sortKey: raw[i].sort_key }));
  }

  async customerFacts(customerId: string): Promise<{ ownerId: string; ownerActive: boolean; ownerDepartmentId: string; ownerRole: string; departmentId: string; tierMinutes: number | null }> {
    const [row] = await this.transactions.manager.query(
      `SELECT c.owner_id AS "ownerId", u.active AS "ownerActive", u.department_id AS "ownerDepartmentId", u.role AS "ownerRole",
              c.department_id AS "departmentId", t.response_target_minutes AS "tierMinutes"
         FROM customers c JOIN users u ON u.id = c.owner_id LEFT JOIN tiers t ON t.id = c.tier_id WHERE c.id = $1`,
      [customerId],
    );
    return row;
  }

  async contactBelongsTo(contactId: string, customerId: string): Promise<boolean> {
    const rows = await this.transactions.manager.query(`SELECT 1 FROM contacts WHERE id = $1 AND customer_id = $2`, [contactId, customerId]);
    return rows.length > 0;
  }

  async departmentExists(departmentId: string): Promise<boolean> {
    return (await this.transactions.manager.query(`SELECT 1 FROM departments WHERE id = $1`, [departmentId])).length > 0;
  }

  dispatchRules(): Promise<RequestDispatchRuleEntity[]> {
    return this.transactions.manager.getRepository(RequestDispatchRuleEntity).find({ order: { kind: 'ASC' } });
  }

  async dispatchRule(kind: RequestKind): Promise<RequestDispatchRuleEntity | null> {
    return this.transactions.manager.getRepository(RequestDispatchRuleEntity).findOneBy({ kind });
  }

  async saveDispatchRules(rules: Omit<RequestDispatchRuleEntity, 'updatedAt' | 'department'>[]): Promise<void> {
    await this.transactions.manager.getRepository(RequestDispatchRuleEntity).save(rules.map((r) => ({ ...r, updatedAt: new Date() })));
  }

  /**
   * Flags every request whose `clock` ran out, once: the statement locks and re-checks each row,
   * so a concurrent sweep finds it flagged already and leaves it alone.
   */
  async flagBreaches(clock: ClockName): Promise<BreachRow[]> {
    const sql = BREACH_SQL[clock];
    const [rows]: [BreachRow[], number] = await this.transactions.manager.query(
      `UPDATE requests r SET ${sql.set}, version = r.version + 1, updated_at = now()
        WHERE ${sql.where}
        RETURNING r.id, r.kind, r.status, r.customer_id AS "customerId", r.assignee_id AS "assigneeId", r.department_id AS "departmentId", r.${sql.due} AS "dueAt"`,
    );
    return rows;
  }

  /**
   * The manager a problem's breach goes to: an active manager of the assignee's department, else of
   * the queue's department, else of the customer's.
   */
  async managerFor(row: Pick<BreachRow, 'assigneeId' | 'departmentId' | 'customerId'>): Promise<string | null> {
    const rows: { id: string }[] = await this.transactions.manager.query(
      `SELECT u.id FROM users u
        WHERE u.role = 'manager' AND u.active AND u.department_id = coalesce(
          (SELECT a.department_id FROM users a WHERE a.id = $1), $2::uuid, (SELECT c.department_id FROM customers c WHERE c.id = $3))
        ORDER BY u.created_at, u.id LIMIT 1`,
      [row.assigneeId, row.departmentId, row.customerId],
    );
    return rows[0]?.id ?? null;
  }

  /** The row is locked by flagBreaches in the same transaction. */
  async addEscalation(id: string, managerId: string): Promise<void> {
    await this.transactions.manager.query(
      `UPDATE requests SET escalated_to_ids = array_append(escalated_to_ids, $2::uuid) WHERE id = $1 AND NOT ($2::uuid = ANY(escalated_to_ids))`,
      [id, managerId],
    );
  }

  /**
   * Counts by kind and channel, first-response time percentiles in working minutes, the share of
   * each clock met among those settled, breaches flagged, and mean satisfaction, in SQL.
   */
  async metrics(filter: MetricsFilter): Promise<{ totals: RequestMetricsRow; byKind: Record<string, number>; byChannel: Record<string, number> }> {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.from) (where.push('r.received_at >= :from'), (params.from = filter.from));
    if (filter.to) (where.push('r.received_at < :to'), (params.to = filter.to));
    if (filter.departmentId) (where.push('(r.department_id = :departmentId OR a.department_id = :departmentId)'), (params.departmentId = filter.departmentId));
    if (filter.assigneeId) (where.push('r.assignee_id = :assigneeId'), (params.assigneeId = filter.assigneeId));
    const base = () => {
      const qb = this.repo
        .createQueryBuilder('r')
        .innerJoin('customers', 'c', 'c.id = r.customer_id')
        .leftJoin('users', 'a', 'a.id = r.assignee_id')
        .where(filter.scope.where, filter.scope.params);
      for (const w of where) qb.andWhere(w, params);
      return qb;
    };
    const totals = await base()
      .select('count(*)::int', 'total')
      .addSelect('percentile_cont(0.5) WITHIN GROUP (ORDER BY r.first_response_working_minutes)::float', 'firstResponseP50')
      .addSelect('percentile_cont(0.9) WITHIN GROUP (ORDER BY r.first_response_working_minutes)::float', 'firstResponseP90')
      .addSelect(`count(*) FILTER (WHERE r.acknowledged_at IS NOT NULL OR r.first_response_due_at < now())::int`, 'firstResponseSettled')
      .addSelect(`count(*) FILTER (WHERE r.acknowledged_at <= r.first_response_due_at)::int`, 'firstResponseMet')
      .addSelect(`count(*) FILTER (WHERE r.expected_answer_at IS NOT NULL AND (r.answered_at IS NOT NULL OR r.expected_answer_at < now()))::int`, 'expectedAnswerSettled')
      .addSelect(`count(*) FILTER (WHERE r.answered_at <= r.expected_answer_at)::int`, 'expectedAnswerMet')
      .addSelect(`count(*) FILTER (WHERE r.kind = 'problem' AND r.complex AND (r.answered_at IS NOT NULL OR r.progress_breaches > 0))::int`, 'progressSettled')
      .addSelect(`count(*) FILTER (WHERE r.kind = 'problem' AND r.complex AND r.answered_at IS NOT NULL AND r.progress_breaches = 0)::int`, 'progressMet')
      .addSelect(`count(*) FILTER (WHERE r.satisfaction_due_at IS NOT NULL AND (r.closed_at IS NOT NULL OR r.satisfaction_due_at < now()))::int`, 'satisfactionSettled')
      .addSelect(`count(*) FILTER (WHERE r.closed_at <= r.satisfaction_due_at)::int`, 'satisfactionMet')
      .addSelect(`count(*) FILTER (WHERE r.first_response_breached)::int`, 'firstResponseBreaches')
      .addSelect(`count(*) FILTER (WHERE r.expected_answer_breached)::int`, 'expectedAnswerBreaches')
      .addSelect(`coalesce(sum(r.progress_breaches), 0)::int`, 'progressBreaches')
      .addSelect(`count(*) FILTER (WHERE r.satisfaction_breached)::int`, 'satisfactionBreaches')
      .addSelect('avg(r.satisfaction)::float', 'meanSatisfaction')
      .getRawOne<RequestMetricsRow>();
    const counts = async (column: string) => {
      const rows = await base().select(`r.${column}`, 'key').addSelect('count(*)::int', 'n').groupBy(`r.${column}`).getRawMany<{ key: string; n: number }>();
      return Object.fromEntries(rows.map((r) => [r.key, r.n]));
    };
    return { totals: totals!, byKind: await counts('kind'), byChannel: await counts('channel') };
  }

  /** Named parameters (`:name`, `:...list`) to PostgreSQL's positional ones, as TypeORM's query builder does. */
  private named<T>(sql: string, params: Record<string, unknown>): Promise<T[]> {
    const [query, values] = this.transactions.manager.connection.driver.escapeQueryWithParameters(sql, params);
    return this.transactions.manager.query(query, values);
  }

  /**
   * The requests and complaints reported upward and received in the window, grouped by topic: how
   * many of each, first and last receipt, the latest few ids of each; most items first.
   */
  topics(requestScope: ListScopeSql, complaintScope: ListScopeSql, window: { from: string; to: string }): Promise<TopicRow[]> {
    const r = prefixed(requestScope, 'r_');
    const k = prefixed(complaintScope, 'k_');
    const sample = (type: string) =>
      `coalesce((array_agg(i.id::text ORDER BY i.received_at DESC, i.id) FILTER (WHERE i.type = '${type}'))[1:${TOPIC_SAMPLES}], '{}'::text[])`;
    return this.named<TopicRow>(
      `SELECT i.topic, count(*) FILTER (WHERE i.type = 'request')::int AS requests, count(*) FILTER (WHERE i.type = 'complaint')::int AS complaints,
              min(i.received_at) AS "firstSeenAt", max(i.received_at) AS "lastSeenAt",
              ${sample('request')} AS "sampleRequestIds", ${sample('complaint')} AS "sampleComplaintIds"
         FROM (SELECT 'request' AS type, r.id, r.topic, r.received_at FROM requests r JOIN customers c ON c.id = r.customer_id
                WHERE r.report_upward AND r.received_at >= :from AND r.received_at < :to AND (${r.where})
               UNION ALL
               SELECT 'complaint', k.id, k.topic, k.received_at FROM complaints k JOIN customers c ON c.id = k.customer_id
                WHERE k.report_upward AND k.received_at >= :from AND k.received_at < :to AND (${k.where})) i
        GROUP BY i.topic
        ORDER BY count(*) DESC, max(i.received_at) DESC, i.topic
        LIMIT ${TOPICS_SHOWN}`,
      { ...r.params, ...k.params, from: window.from, to: window.to },
    );
  }

  /** Complaints received in the window by category, most frequent first. */
  complaintCategories(scope: ListScopeSql, window: { from: string; to: string }): Promise<{ key: string; count: number }[]> {
    return this.named(
      `SELECT k.category AS key, count(*)::int AS count FROM complaints k JOIN customers c ON c.id = k.customer_id
        WHERE k.received_at >= :from AND k.received_at < :to AND (${scope.where})
        GROUP BY k.category ORDER BY count(*) DESC, k.category`,
      { ...scope.params, ...window },
    );
  }

  /** Requests received in the window by kind, most frequent first. */
  requestKinds(scope: ListScopeSql, window: { from: string; to: string }): Promise<{ key: string; count: number }[]> {
    return this.named(
      `SELECT r.kind AS key, count(*)::int AS count FROM requests r JOIN customers c ON c.id = r.customer_id
        WHERE r.received_at >= :from AND r.received_at < :to AND (${scope.where})
        GROUP BY r.kind ORDER BY count(*) DESC, r.kind`,
      { ...scope.params, ...window },
    );
  }
}
