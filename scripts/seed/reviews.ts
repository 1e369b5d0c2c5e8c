import type { Client } from 'pg';

/**
 * Periodic reviews (issue 17) for the scale seed, set-based: for every department, one round per
 * quarter for the last `quarters` quarters (scope all, due at the quarter's end, created 30 days
 * before), with a task for each customer that was active and created before the round. Of the
 * tasks, about 80 % were confirmed before their due time, 10 % late and 10 % never (a fixed share
 * from a hash of the ids, so a re-seed gives the same). The customers' `reviewed_at` is left as
 * the customer phase wrote it. Returns the number of tasks.
 */
export async function seedReviewRounds(db: Client, quarters = 2): Promise<number> {
  const result = await db.query<{ tasks: string }>(
    `WITH due AS (
       SELECT date_trunc('quarter', now()) - make_interval(months => 3 * q) - interval '1 second' AS due_at
         FROM generate_series(0, $1::int - 1) AS q
     ), rounds AS (
       INSERT INTO review_rounds (department_id, scope, due_at, created_by, created_at)
       SELECT d.id, 'all', due.due_at,
              (SELECT u.id FROM users u WHERE u.department_id = d.id AND u.role = 'manager' ORDER BY u.username LIMIT 1),
              due.due_at - interval '30 days'
         FROM departments d CROSS JOIN due
       RETURNING id, department_id, due_at, created_at
     ), tasks AS (
       INSERT INTO review_tasks (round_id, customer_id, owner_id, department_id, due_at, done_at, done_by)
       SELECT r.id, c.id, c.owner_id, c.department_id, r.due_at,
              CASE WHEN s.share < 0.8 THEN r.created_at + (r.due_at - r.created_at) * s.share / 0.8
                   WHEN s.share < 0.9 THEN r.due_at + interval '5 days' * (s.share - 0.8) * 10
              END,
              CASE WHEN s.share < 0.9 THEN c.owner_id END
         FROM rounds r
         JOIN customers c ON c.department_id = r.department_id AND c.status = 'active' AND c.created_at < r.created_at
         CROSS JOIN LATERAL (SELECT ('x' || substr(md5(r.id::text || c.id::text), 1, 8))::bit(32)::bigint / 4294967296.0 AS share) s
       RETURNING 1
     )
     SELECT count(*)::text AS tasks FROM tasks`,
    [quarters],
  );
  // The visibility map too: the KPIs read review tasks from their period indexes alone.
  await db.query('VACUUM (ANALYZE) review_rounds, review_tasks');
  return Number(result.rows[0].tasks);
}
