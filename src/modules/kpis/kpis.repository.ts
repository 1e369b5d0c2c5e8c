import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import type { ListScopeSql } from '../access';
import { emptyTotals, KpiTotals } from './kpi.rules';

export type KpiGroupBy = 'owner' | 'department';

export interface KpiQuery {
  /** The caller's customers (figureScope), narrowed by the filters. */
  customers: ListScopeSql;
  /** The people whose transfers and review tasks count: null means anyone. */
  people: { userId: string | null; departmentId: string | null };
  from: string;
  to: string;
  /** The same period as company-time-zone days: [fromDay, toDay). */
  fromDay: string;
  toDay: string;
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

/**
 * The caller's people ($3 a user, $4 a department, either null) as plain conditions on `alias`'s
 * owner_id and department_id, not "$n IS NULL OR ...": so that a person's or a department's index
 * serves them (kpi_daily's primary key or ix_kpi_daily_department; review tasks' period indexes).
 */
function peopleConditions(alias: string, people: KpiQuery['people']): string {
  return `${people.userId ? `${alias}.owner_id = $3::uuid` : '$3::uuid IS NULL'} AND ${people.departmentId ? `${alias}.department_id = $4::uuid` : '$4::uuid IS NULL'}`;
}

/** Every KPI is a set-based aggregate here; the service only derives rates from these totals. */
@Injectable()
export class KpisRepository {
  constructor(private readonly transactions: Transactions) {}

  private query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.transactions.manager.query(sql, params);
  }

  /** The scoped customers as a subquery (k = the group key, and what the snapshot figures read), with its parameters. */
  private scoped(q: KpiQuery): [string, unknown[]] {
    const key = q.groupBy === 'owner' ? 'c.owner_id' : 'c.department_id';
    return this.transactions.manager
      .createQueryBuilder()
      .from('customers', 'c')
      // Only what ix_customers_department_kpi holds: a department's 46,000 customers are counted from the index alone.
      .select([`${key} AS k`, 'c.status AS status', 'c.created_at AS created_at', 'c.archived_at AS archived_at', 'c.reactivated_at AS reactivated_at'])
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
    // Everything that happened in the period, from the daily rollup: credited to whoever held the customer then.
    // A department counts only what crosses its boundary; a person, every move to or from them.
    const transfers = q.groupBy === 'owner' ? 'transfers' : 'department_transfers';
    add(
      await this.query(
        `SELECT ${q.groupBy === 'owner' ? 'd.owner_id' : 'd.department_id'} AS k, sum(d.interactions) AS interactions,
                sum(d.follow_ups_due) AS "followUpsDue", sum(d.follow_ups_on_time) AS "followUpsOnTime",
                sum(d.complaints_received) AS "complaintsReceived", sum(d.complaints_resolved) AS "complaintsResolved",
                sum(d.complaints_resolved_on_time) AS "complaintsResolvedOnTime", sum(d.resolution_minutes_sum) AS "resolutionMinutesSum",
                sum(d.resolution_minutes_count) AS "resolutionMinutesCount", sum(d.satisfaction_sum) AS "satisfactionSum", sum(d.satisfaction_count) AS "satisfactionCount",
                sum(d.${transfers}_in) AS "transfersIn", sum(d.${transfers}_out) AS "transfersOut"
           FROM kpi_daily d
          WHERE d.day >= $1::date AND d.day < $2::date AND ${peopleConditions('d', q.people)}
          GROUP BY 1`,
        [q.fromDay, q.toDay, q.people.userId, q.people.departmentId],
      ),
    );
    add(
      await this.query(
        `SELECT ${q.groupBy === 'owner' ? 'r.owner_id' : 'r.department_id'} AS k, count(*) AS "reviewTasksDue",
                count(*) FILTER (WHERE r.done_at <= r.due_at) AS "reviewTasksDone"
           FROM review_tasks r
          WHERE r.due_at >= $1::timestamptz AND r.due_at < $2::timestamptz
            AND ${peopleConditions('r', q.people)}
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

  /** The period's bounds as days of the company's time zone (kpi_day), and whether each bound is that day's midnight. */
  async periodDays(from: string, to: string): Promise<{ fromDay: string; toDay: string; fromIsMidnight: boolean; toIsMidnight: boolean }> {
    const rows = await this.query<{ fromDay: string; toDay: string; fromIsMidnight: boolean; toIsMidnight: boolean }>(
      `SELECT kpi_day($1::timestamptz)::text AS "fromDay", kpi_day($2::timestamptz)::text AS "toDay",
              kpi_day_start(kpi_day($1::timestamptz)) = $1::timestamptz AS "fromIsMidnight", kpi_day_start(kpi_day($2::timestamptz)) = $2::timestamptz AS "toIsMidnight"`,
      [from, to],
    );
    return rows[0];
  }

  async userDepartment(userId: string): Promise<string | null> {
    const rows = await this.query<{ departmentId: string }>(`SELECT department_id AS "departmentId" FROM users WHERE id = $1`, [userId]);
    return rows[0]?.departmentId ?? null;
  }
}
