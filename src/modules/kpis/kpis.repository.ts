import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import type { ListScopeSql } from '../access';
import { emptyTotals, KpiTotals } from './kpi.rules';

/**
 * A follow-up due in the period may have been planned long before it: interactions this many days
 * before the period are read for their next action. One planned further ahead is not counted.
 */
export const FOLLOW_UP_LOOKBACK_DAYS = 366;

export type KpiGroupBy = 'owner' | 'department';

export interface KpiQuery {
  /** The caller's customers (figureScope), narrowed by the filters. */
  customers: ListScopeSql;
  /** The people whose transfers and review tasks count: null means anyone. */
  people: { userId: string | null; departmentId: string | null };
  from: string;
  to: string;
  groupBy: KpiGroupBy;
}

export interface KpiGroupRow {
  key: string;
  ownerId: string | null;
  ownerName: string | null;
  departmentId: string;
  departmentName: string;
  totals: KpiTotals;
}

/** Every KPI is a set-based aggregate here; the service only derives rates from these totals. */
@Injectable()
export class KpisRepository {
  constructor(private readonly transactions: Transactions) {}

  private query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.transactions.manager.query(sql, params);
  }

  /** The scoped customers as a subquery (id, k = the group key, and what the figures read), with its parameters. */
  private scoped(q: KpiQuery): [string, unknown[]] {
    const key = q.groupBy === 'owner' ? 'c.owner_id' : 'c.department_id';
    return this.transactions.manager
      .createQueryBuilder()
      .from('customers', 'c')
      .select([`${key} AS k`, 'c.id AS id', 'c.status AS status', 'c.created_at AS created_at', 'c.archived_at AS archived_at', 'c.reactivated_at AS reactivated_at'])
      .where(q.customers.where, q.customers.params)
      .getQueryAndParameters();
  }

  async totals(q: KpiQuery): Promise<KpiGroupRow[]> {
    const [scoped, params] = this.scoped(q);
    const n = params.length;
    const from = `$${n + 1}::timestamptz`;
    const to = `$${n + 2}::timestamptz`;
    const args = [...params, q.from, q.to];
    const inPeriod = (column: string) => `(${column} >= ${from} AND ${column} < ${to})`;
    const byKey = new Map<string, KpiTotals>();
    const add = (rows: Record<string, unknown>[]) => {
      for (const { k, ...figures } of rows) {
        const totals = byKey.get(k as string) ?? emptyTotals();
        for (const [name, value] of Object.entries(figures)) (totals as Record<string, number>)[name] += Number(value ?? 0);
        byKey.set(k as string, totals);
      }
    };
    add(
      await this.query(
        `SELECT s.k, count(*) FILTER (WHERE s.created_at < ${to}) AS "customersOwned",
                count(*) FILTER (WHERE ${inPeriod('s.created_at')}) AS "newCustomers",
                count(*) FILTER (WHERE s.status = 'dormant' AND ${inPeriod('s.archived_at')}) AS "wentDormant",
                count(*) FILTER (WHERE ${inPeriod('s.reactivated_at')}) AS reactivated
           FROM (${scoped}) s
          GROUP BY s.k`,
        args,
      ),
    );
    add(
      await this.query(
        // Per customer through ix_interactions_customer: the work follows the group's customers, not the company's interactions.
        `SELECT s.k, sum(x.interactions) AS interactions, sum(x.due) AS "followUpsDue", sum(x.on_time) AS "followUpsOnTime"
           FROM (${scoped}) s
           CROSS JOIN LATERAL (
             SELECT count(*) FILTER (WHERE ${inPeriod('i.occurred_at')}) AS interactions,
                    count(*) FILTER (WHERE ${inPeriod('i.next_action_due_at')}) AS due,
                    count(*) FILTER (WHERE ${inPeriod('i.next_action_due_at')} AND EXISTS (
                      SELECT 1 FROM interactions n
                       WHERE n.customer_id = i.customer_id AND n.occurred_at > i.occurred_at AND n.occurred_at <= i.next_action_due_at AND n.id <> i.id)) AS on_time
               FROM interactions i
              WHERE i.customer_id = s.id AND i.occurred_at >= ${from}::timestamptz - interval '${FOLLOW_UP_LOOKBACK_DAYS} days' AND i.occurred_at < ${to}
           ) x
          GROUP BY s.k`,
        args,
      ),
    );
    add(
      await this.query(
        `SELECT s.k, sum(x."complaintsReceived") AS "complaintsReceived", sum(x."complaintsResolved") AS "complaintsResolved",
                sum(x."complaintsResolvedOnTime") AS "complaintsResolvedOnTime", sum(x."resolutionMinutesSum") AS "resolutionMinutesSum",
                sum(x."resolutionMinutesCount") AS "resolutionMinutesCount", sum(x."satisfactionSum") AS "satisfactionSum", sum(x."satisfactionCount") AS "satisfactionCount"
           FROM (${scoped}) s
           CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE ${inPeriod('k.received_at')}) AS "complaintsReceived",
                count(*) FILTER (WHERE ${inPeriod('k.resolved_at')}) AS "complaintsResolved",
                count(*) FILTER (WHERE ${inPeriod('k.resolved_at')} AND k.resolved_at <= k.due_at) AS "complaintsResolvedOnTime",
                coalesce(sum(k.resolution_working_minutes) FILTER (WHERE ${inPeriod('k.resolved_at')}), 0) AS "resolutionMinutesSum",
                count(k.resolution_working_minutes) FILTER (WHERE ${inPeriod('k.resolved_at')}) AS "resolutionMinutesCount",
                coalesce(sum(k.satisfaction) FILTER (WHERE ${inPeriod('k.verified_at')}), 0) AS "satisfactionSum",
                count(k.satisfaction) FILTER (WHERE ${inPeriod('k.verified_at')}) AS "satisfactionCount"
           FROM complaints k
          WHERE k.customer_id = s.id AND k.received_at < ${to}
           ) x
          GROUP BY s.k`,
        args,
      ),
    );
    const people = [q.from, q.to, q.people.userId, q.people.departmentId];
    // Completeness now, from the data-quality counts per (department, owner) that triggers keep beside the results.
    add(
      await this.query(
        `SELECT ${q.groupBy === 'owner' ? 's.owner_id' : 's.department_id'} AS k, sum(s.customers) AS "activeCustomers", sum(s.complete) AS "completeCustomers"
           FROM quality_summary s
          WHERE ($1::uuid IS NULL OR s.owner_id = $1::uuid) AND ($2::uuid IS NULL OR s.department_id = $2::uuid)
          GROUP BY 1`,
        [q.people.userId, q.people.departmentId],
      ),
    );
    const reach = (user: string) => `($3::uuid IS NULL OR ${user}.id = $3::uuid) AND ($4::uuid IS NULL OR ${user}.department_id = $4::uuid)`;
    const side = (user: string) => (q.groupBy === 'owner' ? `${user}.id` : `${user}.department_id`);
    // A department counts only what crosses its boundary; a person, every move to or from them.
    const crossing = q.groupBy === 'owner' ? 'fu.id <> tu.id' : 'fu.department_id <> tu.department_id';
    add(
      await this.query(
        `SELECT x.k, count(*) FILTER (WHERE x.side = 'in') AS "transfersIn", count(*) FILTER (WHERE x.side = 'out') AS "transfersOut"
           FROM (
             SELECT ${side('tu')} AS k, 'in' AS side, fu.id AS from_id, tu.id AS to_id, fu.department_id AS from_department, tu.department_id AS to_department
               FROM transfer_items i JOIN transfers t ON t.id = i.transfer_id JOIN users fu ON fu.id = i.from_owner_id JOIN users tu ON tu.id = t.to_user_id
              WHERE i.outcome = 'moved' AND i.moved_at >= $1::timestamptz AND i.moved_at < $2::timestamptz AND ${crossing} AND ${reach('tu')}
             UNION ALL
             SELECT ${side('fu')}, 'out', fu.id, tu.id, fu.department_id, tu.department_id
               FROM transfer_items i JOIN transfers t ON t.id = i.transfer_id JOIN users fu ON fu.id = i.from_owner_id JOIN users tu ON tu.id = t.to_user_id
              WHERE i.outcome = 'moved' AND i.moved_at >= $1::timestamptz AND i.moved_at < $2::timestamptz AND ${crossing} AND ${reach('fu')}
           ) x
          GROUP BY x.k`,
        people,
      ),
    );
    // The caller's people as plain conditions (not "$n IS NULL OR ..."), so that a department's or a person's tasks are read by their index, not the whole table.
    const reviewTaskScope = `${q.people.userId ? 'r.owner_id = $3::uuid' : '$3::uuid IS NULL'} AND ${q.people.departmentId ? 'r.department_id = $4::uuid' : '$4::uuid IS NULL'}`;
    add(
      await this.query(
        `SELECT ${q.groupBy === 'owner' ? 'r.owner_id' : 'r.department_id'} AS k, count(*) AS "reviewTasksDue",
                count(*) FILTER (WHERE r.done_at <= r.due_at) AS "reviewTasksDone"
           FROM review_tasks r
          WHERE r.due_at >= $1::timestamptz AND r.due_at < $2::timestamptz
            AND ${reviewTaskScope}
          GROUP BY 1`,
        people,
      ),
    );
    return this.label(q.groupBy, byKey);
  }

  private async label(groupBy: KpiGroupBy, byKey: Map<string, KpiTotals>): Promise<KpiGroupRow[]> {
    const keys = [...byKey.keys()];
    if (groupBy === 'owner') {
      const users: { id: string; name: string; departmentId: string; departmentName: string }[] = await this.query(
        `SELECT u.id, u.display_name AS name, u.department_id AS "departmentId", d.name AS "departmentName"
           FROM users u JOIN departments d ON d.id = u.department_id WHERE u.id = ANY($1::uuid[]) ORDER BY d.name, u.display_name, u.id`,
        [keys],
      );
      return users.map((u) => ({ key: u.id, ownerId: u.id, ownerName: u.name, departmentId: u.departmentId, departmentName: u.departmentName, totals: byKey.get(u.id)! }));
    }
    const departments: { id: string; name: string }[] = await this.query(`SELECT id, name FROM departments WHERE id = ANY($1::uuid[]) ORDER BY name, id`, [keys]);
    return departments.map((d) => ({ key: d.id, ownerId: null, ownerName: null, departmentId: d.id, departmentName: d.name, totals: byKey.get(d.id)! }));
  }

  async userDepartment(userId: string): Promise<string | null> {
    const rows = await this.query<{ departmentId: string }>(`SELECT department_id AS "departmentId" FROM users WHERE id = $1`, [userId]);
    return rows[0]?.departmentId ?? null;
  }
}
