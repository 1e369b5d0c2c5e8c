import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import type { ReviewCadence, ReviewScope } from './review.entity';

export interface RoundRow {
  id: string;
  departmentId: string | null;
  scope: ReviewScope;
  tierId: string | null;
  tagId: string | null;
  dueAt: Date;
  createdAt: Date;
}

export interface OwnerProgressRow {
  ownerId: string;
  ownerName: string;
  departmentId: string;
  done: number;
  overdue: number;
  open: number;
}

export interface DueTaskRow {
  roundId: string;
  customerId: string;
  name: string;
  ownerId: string;
  dueAt: Date;
  overdue: boolean;
  sortKey: string;
}

export interface ScheduleRow {
  departmentId: string;
  cadence: ReviewCadence;
  dueDays: number;
  nextRunAt: Date;
}

const ROUND_COLUMNS = `id, department_id AS "departmentId", scope, tier_id AS "tierId", tag_id AS "tagId", due_at AS "dueAt", created_at AS "createdAt"`;

/** All SQL of periodic reviews. */
@Injectable()
export class ReviewsRepository {
  constructor(private readonly transactions: Transactions) {}

  private query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.transactions.manager.query(sql, params);
  }

  async companyTagExists(tagId: string): Promise<boolean> {
    return (await this.query(`SELECT 1 FROM tags WHERE id = $1 AND owner_id IS NULL`, [tagId])).length > 0;
  }

  async tierExists(tierId: string): Promise<boolean> {
    return (await this.query(`SELECT 1 FROM tiers WHERE id = $1`, [tierId])).length > 0;
  }

  async departmentExists(departmentId: string): Promise<boolean> {
    return (await this.query(`SELECT 1 FROM departments WHERE id = $1`, [departmentId])).length > 0;
  }

  async insertRound(round: { departmentId: string | null; scope: ReviewScope; tierId: string | null; tagId: string | null; dueAt: Date; createdBy: string | null }): Promise<RoundRow> {
    const rows = await this.query<RoundRow>(
      `INSERT INTO review_rounds (department_id, scope, tier_id, tag_id, due_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ROUND_COLUMNS}`,
      [round.departmentId, round.scope, round.tierId, round.tagId, round.dueAt, round.createdBy],
    );
    return rows[0];
  }

  /** One task per active customer in the round's scope, for its owner now: one statement whatever the size. */
  async createTasks(round: RoundRow): Promise<number> {
    const rows = await this.query<{ tasks: number }>(
      `WITH created AS (
         INSERT INTO review_tasks (round_id, customer_id, owner_id, department_id, due_at)
         SELECT $1, c.id, c.owner_id, c.department_id, $5
           FROM customers c
          WHERE c.status = 'active' AND ($2::uuid IS NULL OR c.department_id = $2::uuid)
            AND ($3::uuid IS NULL OR c.tier_id = $3::uuid)
            AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM customer_tags ct WHERE ct.customer_id = c.id AND ct.tag_id = $4::uuid))
         RETURNING 1)
       SELECT count(*)::int AS tasks FROM created`,
      [round.id, round.departmentId, round.tierId, round.tagId, round.dueAt],
    );
    return rows[0].tasks;
  }

  async findRound(id: string): Promise<RoundRow | null> {
    return (await this.query<RoundRow>(`SELECT ${ROUND_COLUMNS} FROM review_rounds WHERE id = $1`, [id]))[0] ?? null;
  }

  async hasTasks(roundId: string, ownerId: string): Promise<boolean> {
    return (await this.query(`SELECT 1 FROM review_tasks WHERE round_id = $1 AND owner_id = $2 LIMIT 1`, [roundId, ownerId])).length > 0;
  }

  async taskCount(roundId: string): Promise<number> {
    return (await this.query<{ n: number }>(`SELECT count(*)::int AS n FROM review_tasks WHERE round_id = $1`, [roundId]))[0].n;
  }

  /** Done / overdue / open per owner of the round's tasks, narrowed to a department or an owner. */
  progress(roundId: string, view: { departmentId: string | null; ownerId: string | null }, limit: number): Promise<OwnerProgressRow[]> {
    return this.query(
      `SELECT p.*, u.display_name AS "ownerName"
         FROM (SELECT r.owner_id AS "ownerId", min(r.department_id::text)::uuid AS "departmentId",
                      count(*) FILTER (WHERE r.done_at IS NOT NULL)::int AS done,
                      count(*) FILTER (WHERE r.done_at IS NULL AND r.due_at <= statement_timestamp())::int AS overdue,
                      count(*) FILTER (WHERE r.done_at IS NULL AND r.due_at > statement_timestamp())::int AS open
                 FROM review_tasks r
                WHERE r.round_id = $1 AND ($2::uuid IS NULL OR r.department_id = $2::uuid) AND ($3::uuid IS NULL OR r.owner_id = $3::uuid)
                GROUP BY r.owner_id) p
         JOIN users u ON u.id = p."ownerId"
        ORDER BY u.display_name, p."ownerId"
        LIMIT $4`,
      [roundId, view.departmentId, view.ownerId, limit],
    );
  }

  /**
   * Stamps the review on the customer and closes its open review tasks (all of them, or only
   * `ownerId`'s). `bumpVersion`: a confirmation alone is a change of the record; riding on an edit
   * in the same transaction it is not a second one (the edit bumped the version and answered with it).
   */
  async stampReview(
    customerId: string,
    by: string,
    options: { bumpVersion: boolean; ownerId?: string },
  ): Promise<{ reviewedAt: Date; version: number; previous: Date | null; tasksDone: number }> {
    // One statement: the stamp and the tasks' completion carry the same time.
    const [stamped] = await this.query<{ reviewedAt: Date; version: number; previous: Date | null; tasksDone: number }>(
      `WITH old AS (SELECT reviewed_at FROM customers WHERE id = $1),
            stamped AS (UPDATE customers c SET reviewed_at = statement_timestamp(), version = c.version + CASE WHEN $2 THEN 1 ELSE 0 END, updated_at = statement_timestamp()
                         WHERE c.id = $1 RETURNING c.reviewed_at, c.version),
            done AS (UPDATE review_tasks SET done_at = statement_timestamp(), done_by = $3
                      WHERE customer_id = $1 AND done_at IS NULL AND ($4::uuid IS NULL OR owner_id = $4::uuid) RETURNING 1)
       SELECT s.reviewed_at AS "reviewedAt", s.version, (SELECT reviewed_at FROM old) AS previous, (SELECT count(*)::int FROM done) AS "tasksDone"
         FROM stamped s`,
      [customerId, options.bumpVersion, by, options.ownerId ?? null],
    );
    return stamped;
  }

  async versionOf(customerId: string): Promise<number> {
    return (await this.query<{ version: number }>(`SELECT version FROM customers WHERE id = $1`, [customerId]))[0].version;
  }

  /** Whether `ownerId` has an open review task for this active customer (served by ix_review_tasks_customer_open). */
  async hasOpenTask(customerId: string, ownerId: string): Promise<boolean> {
    return (
      (
        await this.query(
          `SELECT 1 FROM review_tasks r JOIN customers c ON c.id = r.customer_id
            WHERE r.customer_id = $1 AND r.done_at IS NULL AND r.owner_id = $2 AND c.status = 'active' LIMIT 1`,
          [customerId, ownerId],
        )
      ).length > 0
    );
  }

  /** Open review tasks, overdue first, by due time (keyset). */
  dueTasks(filter: { ownerId: string | null; departmentId: string | null; after?: [string, string, string]; limit: number }): Promise<DueTaskRow[]> {
    return this.query(
      `SELECT r.round_id AS "roundId", r.customer_id AS "customerId", c.name, r.owner_id AS "ownerId", r.due_at AS "dueAt",
              r.due_at <= statement_timestamp() AS overdue, r.due_at::text AS "sortKey"
         FROM review_tasks r JOIN customers c ON c.id = r.customer_id
        WHERE r.done_at IS NULL AND c.status = 'active'
          AND ($1::uuid IS NULL OR r.owner_id = $1::uuid) AND ($2::uuid IS NULL OR c.department_id = $2::uuid)
          AND ($3::timestamptz IS NULL OR (r.due_at, r.round_id, r.customer_id) > ($3::timestamptz, $4::uuid, $5::uuid))
        ORDER BY r.due_at, r.round_id, r.customer_id
        LIMIT $6`,
      [filter.ownerId, filter.departmentId, filter.after?.[0] ?? null, filter.after?.[1] ?? null, filter.after?.[2] ?? null, filter.limit],
    );
  }

  async findSchedule(departmentId: string): Promise<ScheduleRow | null> {
    return (
      (await this.query<ScheduleRow>(`SELECT department_id AS "departmentId", cadence, due_days AS "dueDays", next_run_at AS "nextRunAt" FROM review_schedules WHERE department_id = $1`, [departmentId]))[0] ??
      null
    );
  }

  async saveSchedule(s: ScheduleRow): Promise<ScheduleRow> {
    const rows = await this.query<ScheduleRow>(
      `INSERT INTO review_schedules (department_id, cadence, due_days, next_run_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (department_id) DO UPDATE SET cadence = excluded.cadence, due_days = excluded.due_days, next_run_at = excluded.next_run_at, updated_at = now()
       RETURNING department_id AS "departmentId", cadence, due_days AS "dueDays", next_run_at AS "nextRunAt"`,
      [s.departmentId, s.cadence, s.dueDays, s.nextRunAt],
    );
    return rows[0];
  }

  /** Schedules whose time has come, locked (another instance's run skips them). */
  dueSchedules(limit: number): Promise<ScheduleRow[]> {
    return this.query(
      `SELECT department_id AS "departmentId", cadence, due_days AS "dueDays", next_run_at AS "nextRunAt"
         FROM review_schedules WHERE next_run_at <= statement_timestamp()
        ORDER BY next_run_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async now(): Promise<Date> {
    return (await this.query<{ now: Date }>(`SELECT statement_timestamp() AS now`))[0].now;
  }
}
