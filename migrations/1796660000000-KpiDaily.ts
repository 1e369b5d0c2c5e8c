import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17 at 1 M customers: the KPIs read a daily rollup instead of walking every customer of the group.
 *
 * kpi_daily holds, per owner, day (in the company's time zone, CRM_TIMEZONE when migrated) and the
 * owner's department at the time, the counters of what happened that day to the customers they
 * held then. It is kept by statement-level triggers on interactions, complaints and transfer_items
 * (transition tables, one set-based upsert per statement: a merge or a bulk transfer adds its rows
 * in one INSERT … ON CONFLICT DO UPDATE), in the writing transaction, whatever the path (the API,
 * a merge, plain SQL). Each trigger adds the contribution of the new rows and subtracts that of the
 * old ones, so a correction, a back-dated row or a moved row keeps the rollup equal to a
 * recomputation from the tables (test/kpi-rollup.e2e-spec.ts compares them).
 *
 * Credit goes to whoever held the customer at the event's time: customer_holders records every
 * change of customers.owner_id/department_id (a trigger on customers), and kpi_holder(customer, at)
 * answers the holder then. An interaction counts for the holder when it occurred; its follow-up on
 * its due day for the holder when it was planned; a complaint's receipt, resolution and
 * satisfaction for the holder at each of those moments; a transfer item "out" for the holder before
 * the move and "in" for the one after (for departments, only when the department changes).
 *
 * interactions.follow_up_met_at: when the follow-up an interaction planned was met (the first other
 * interaction on the customer after it and no later than its due time). A statement trigger
 * recomputes it for the planned follow-ups of every customer whose interactions a statement wrote,
 * corrected, moved or removed, so a back-dated call meets the follow-ups it falls within.
 *
 * Backfill: ownership history from the completed transfers (the department of a former owner is
 * their department now: no record says otherwise), follow_up_met_at, then kpi_daily, all set-based.
 */
const tz = (process.env.CRM_TIMEZONE ?? 'Asia/Shanghai').replace(/'/g, "''");

const COUNTERS = [
  'interactions',
  'follow_ups_due',
  'follow_ups_on_time',
  'complaints_received',
  'complaints_resolved',
  'complaints_resolved_on_time',
  'resolution_minutes_sum',
  'resolution_minutes_count',
  'satisfaction_sum',
  'satisfaction_count',
  'transfers_in',
  'transfers_out',
  'department_transfers_in',
  'department_transfers_out',
];

/** Adds facts (owner_id, department_id, day, then some counters) into kpi_daily, one upsert. */
function upsert(facts: string, counters: string[]): string {
  return `INSERT INTO kpi_daily AS k (owner_id, department_id, day, ${counters.join(', ')})
    SELECT f.owner_id, f.department_id, f.day, ${counters.map((c) => `sum(f.${c})`).join(', ')}
      FROM (${facts}) f
     GROUP BY f.owner_id, f.department_id, f.day
    HAVING ${counters.map((c) => `sum(f.${c}) <> 0`).join(' OR ')}
     ORDER BY f.owner_id, f.day, f.department_id
    ON CONFLICT (owner_id, day, department_id) DO UPDATE SET ${counters.map((c) => `${c} = k.${c} + EXCLUDED.${c}`).join(', ')}`;
}

const INTERACTION_COUNTERS = ['interactions', 'follow_ups_due', 'follow_ups_on_time'];
/** What rows r(customer_id, occurred_at, next_action_due_at, follow_up_met_at, sign) contribute. */
const interactionFacts = (rows: string) => `
  SELECT h.owner_id, h.department_id, kpi_day(r.occurred_at) AS day, r.sign AS interactions, 0 AS follow_ups_due, 0 AS follow_ups_on_time
    FROM ${rows} r CROSS JOIN LATERAL kpi_holder(r.customer_id, r.occurred_at) h
  UNION ALL
  SELECT h.owner_id, h.department_id, kpi_day(r.next_action_due_at), 0, r.sign, CASE WHEN r.follow_up_met_at IS NOT NULL THEN r.sign ELSE 0 END
    FROM ${rows} r CROSS JOIN LATERAL kpi_holder(r.customer_id, r.occurred_at) h
   WHERE r.next_action_due_at IS NOT NULL`;

const COMPLAINT_COUNTERS = [
  'complaints_received',
  'complaints_resolved',
  'complaints_resolved_on_time',
  'resolution_minutes_sum',
  'resolution_minutes_count',
  'satisfaction_sum',
  'satisfaction_count',
];
/** What rows r(customer_id, received_at, due_at, resolved_at, resolution_working_minutes, verified_at, satisfaction, sign) contribute. */
const complaintFacts = (rows: string) => `
  SELECT h.owner_id, h.department_id, kpi_day(r.received_at) AS day, r.sign AS complaints_received, 0 AS complaints_resolved, 0 AS complaints_resolved_on_time,
         0::bigint AS resolution_minutes_sum, 0 AS resolution_minutes_count, 0 AS satisfaction_sum, 0 AS satisfaction_count
    FROM ${rows} r CROSS JOIN LATERAL kpi_holder(r.customer_id, r.received_at) h
  UNION ALL
  SELECT h.owner_id, h.department_id, kpi_day(r.resolved_at), 0, r.sign, CASE WHEN r.resolved_at <= r.due_at THEN r.sign ELSE 0 END,
         r.sign * coalesce(r.resolution_working_minutes, 0)::bigint, CASE WHEN r.resolution_working_minutes IS NOT NULL THEN r.sign ELSE 0 END, 0, 0
    FROM ${rows} r CROSS JOIN LATERAL kpi_holder(r.customer_id, r.resolved_at) h
   WHERE r.resolved_at IS NOT NULL
  UNION ALL
  SELECT h.owner_id, h.department_id, kpi_day(r.verified_at), 0, 0, 0, 0, 0, r.sign * r.satisfaction, r.sign
    FROM ${rows} r CROSS JOIN LATERAL kpi_holder(r.customer_id, r.verified_at) h
   WHERE r.verified_at IS NOT NULL AND r.satisfaction IS NOT NULL`;

const TRANSFER_COUNTERS = ['transfers_in', 'transfers_out', 'department_transfers_in', 'department_transfers_out'];
/** What moved transfer items r(customer_id, outcome, moved_at, sign) contribute: out for the holder just before, in for the one after. */
const transferFacts = (rows: string) => `
  SELECT x.owner_id, x.department_id, kpi_day(r.moved_at) AS day,
         CASE WHEN x.side = 'in' AND b.owner_id <> a.owner_id THEN r.sign ELSE 0 END AS transfers_in,
         CASE WHEN x.side = 'out' AND b.owner_id <> a.owner_id THEN r.sign ELSE 0 END AS transfers_out,
         CASE WHEN x.side = 'in' AND b.department_id <> a.department_id THEN r.sign ELSE 0 END AS department_transfers_in,
         CASE WHEN x.side = 'out' AND b.department_id <> a.department_id THEN r.sign ELSE 0 END AS department_transfers_out
    FROM ${rows} r
    CROSS JOIN LATERAL kpi_holder(r.customer_id, r.moved_at - interval '1 microsecond') b
    CROSS JOIN LATERAL kpi_holder(r.customer_id, r.moved_at) a
    CROSS JOIN LATERAL (VALUES ('out', b.owner_id, b.department_id), ('in', a.owner_id, a.department_id)) x(side, owner_id, department_id)
   WHERE r.outcome = 'moved' AND r.moved_at IS NOT NULL`;

/** A statement trigger function: the facts of the new rows minus those of the old ones (changed rows only, on UPDATE). */
function rollupFunction(name: string, key: string, columns: string[], facts: (rows: string) => string, counters: string[]): string {
  const pick = (alias: string, sign: number) => `SELECT ${columns.map((c) => `${alias}.${c}`).join(', ')}, ${sign} AS sign`;
  const changed = `${columns.map((c) => `o.${c}`).join(', ')}) IS DISTINCT FROM (${columns.map((c) => `n.${c}`).join(', ')}`;
  const joinOn = key.split(',').map((k) => `n.${k.trim()} = o.${k.trim()}`).join(' AND ');
  return `
    CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${upsert(facts(`(${pick('n', 1)} FROM new_rows n)`), counters)};
      ELSIF TG_OP = 'DELETE' THEN
        ${upsert(facts(`(${pick('o', -1)} FROM old_rows o)`), counters)};
      ELSE
        ${upsert(
          facts(`(SELECT d.* FROM old_rows o JOIN new_rows n ON ${joinOn} CROSS JOIN LATERAL (${pick('o', -1)} UNION ALL ${pick('n', 1)}) d WHERE (${changed}))`),
          counters,
        )};
      END IF;
      RETURN NULL;
    END $fn$`;
}

function rollupTriggers(table: string, fn: string): string[] {
  return [
    `CREATE TRIGGER ${table}_kpi_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    `CREATE TRIGGER ${table}_kpi_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    `CREATE TRIGGER ${table}_kpi_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
  ];
}

const INTERACTION_COLUMNS = ['customer_id', 'occurred_at', 'next_action_due_at', 'follow_up_met_at'];
const COMPLAINT_COLUMNS = ['customer_id', 'received_at', 'due_at', 'resolved_at', 'resolution_working_minutes', 'verified_at', 'satisfaction'];
const TRANSFER_ITEM_COLUMNS = ['customer_id', 'outcome', 'moved_at'];

export class KpiDaily1796660000000 implements MigrationInterface {
  name = 'KpiDaily1796660000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION kpi_day(ts timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ts AT TIME ZONE '${tz}')::date $$`);
    await q.query(`CREATE FUNCTION kpi_day_start(d date) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT d::timestamp AT TIME ZONE '${tz}' $$`);

    await q.query(
      `CREATE TABLE "customer_holders" ("id" BIGSERIAL NOT NULL, "customer_id" uuid NOT NULL, "owner_id" uuid NOT NULL, "department_id" uuid NOT NULL, "until" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_customer_holders" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "ix_customer_holders_customer" ON "customer_holders" ("customer_id", "until", "id") `);
    // Backfill: the completed transfers say who held a customer until when.
    await q.query(`
      INSERT INTO customer_holders (customer_id, owner_id, department_id, until)
      SELECT i.customer_id, i.from_owner_id, u.department_id, i.moved_at
        FROM transfer_items i JOIN users u ON u.id = i.from_owner_id
       WHERE i.outcome = 'moved' AND i.moved_at IS NOT NULL
       ORDER BY i.moved_at`);
    await q.query(`
      CREATE FUNCTION kpi_holder(p_customer uuid, p_at timestamptz) RETURNS TABLE (owner_id uuid, department_id uuid) LANGUAGE sql STABLE AS $$
        SELECT coalesce(h.owner_id, c.owner_id), coalesce(h.department_id, c.department_id)
          FROM customers c
          LEFT JOIN LATERAL (SELECT x.owner_id, x.department_id FROM customer_holders x WHERE x.customer_id = c.id AND x.until > p_at ORDER BY x.until, x.id LIMIT 1) h ON true
         WHERE c.id = p_customer $$`);
    await q.query(`
      CREATE FUNCTION customers_record_holder() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO customer_holders (customer_id, owner_id, department_id, until) VALUES (OLD.id, OLD.owner_id, OLD.department_id, now());
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER customers_record_holder AFTER UPDATE OF owner_id, department_id ON customers
      FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.department_id IS DISTINCT FROM NEW.department_id) EXECUTE FUNCTION customers_record_holder()`);

    // Follow-ups met, exactly and incrementally.
    await q.query(`ALTER TABLE "interactions" ADD "follow_up_met_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`
      UPDATE interactions i SET follow_up_met_at = m.met
        FROM (SELECT p.id, (SELECT min(n.occurred_at) FROM interactions n WHERE n.customer_id = p.customer_id AND n.occurred_at > p.occurred_at AND n.occurred_at <= p.next_action_due_at) AS met
                FROM interactions p WHERE p.next_action_due_at IS NOT NULL) m
       WHERE i.id = m.id AND m.met IS NOT NULL`);
    // One set-based pass per statement over the customers whose interactions it wrote, moved, corrected or removed
    // (a bulk insert or a merge is one UPDATE, not one per row). Its own UPDATE changes only follow_up_met_at: no customer to redo, no recursion.
    await q.query(`
      CREATE FUNCTION interactions_meet_follow_ups() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        touched uuid[];
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT array_agg(DISTINCT n.customer_id) INTO touched FROM new_rows n;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT array_agg(DISTINCT o.customer_id) INTO touched FROM old_rows o;
        ELSE
          SELECT array_agg(DISTINCT x.customer_id) INTO touched
            FROM old_rows o JOIN new_rows n ON n.id = o.id CROSS JOIN LATERAL (VALUES (o.customer_id), (n.customer_id)) x(customer_id)
           WHERE (o.customer_id, o.occurred_at, o.next_action_due_at) IS DISTINCT FROM (n.customer_id, n.occurred_at, n.next_action_due_at);
        END IF;
        IF touched IS NOT NULL THEN
          UPDATE interactions i SET follow_up_met_at = m.met
            FROM (SELECT p.id, (SELECT min(n.occurred_at) FROM interactions n WHERE n.customer_id = p.customer_id AND n.occurred_at > p.occurred_at AND n.occurred_at <= p.next_action_due_at) AS met
                    FROM interactions p WHERE p.customer_id = ANY(touched) AND p.next_action_due_at IS NOT NULL) m
           WHERE i.id = m.id AND i.follow_up_met_at IS DISTINCT FROM m.met;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER interactions_meet_follow_ups_insert AFTER INSERT ON interactions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION interactions_meet_follow_ups()`);
    await q.query(
      `CREATE TRIGGER interactions_meet_follow_ups_update AFTER UPDATE ON interactions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION interactions_meet_follow_ups()`,
    );
    await q.query(`CREATE TRIGGER interactions_meet_follow_ups_delete AFTER DELETE ON interactions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION interactions_meet_follow_ups()`);

    await q.query(
      `CREATE TABLE "kpi_daily" ("owner_id" uuid NOT NULL, "day" date NOT NULL, "department_id" uuid NOT NULL, ${COUNTERS.map(
        (c) => `"${c}" ${c === 'resolution_minutes_sum' ? 'bigint' : 'integer'} NOT NULL DEFAULT '0'`,
      ).join(', ')}, CONSTRAINT "PK_kpi_daily" PRIMARY KEY ("owner_id", "day", "department_id"))`,
    );
    await q.query(`CREATE INDEX "ix_kpi_daily_department" ON "kpi_daily" ("department_id", "day") `);
    // Backfill, set-based: every interaction, complaint and completed transfer item counts once.
    await q.query(upsert(interactionFacts(`(SELECT ${INTERACTION_COLUMNS.join(', ')}, 1 AS sign FROM interactions)`), INTERACTION_COUNTERS));
    await q.query(upsert(complaintFacts(`(SELECT ${COMPLAINT_COLUMNS.join(', ')}, 1 AS sign FROM complaints)`), COMPLAINT_COUNTERS));
    await q.query(upsert(transferFacts(`(SELECT ${TRANSFER_ITEM_COLUMNS.join(', ')}, 1 AS sign FROM transfer_items)`), TRANSFER_COUNTERS));

    await q.query(rollupFunction('interactions_kpi', 'id', INTERACTION_COLUMNS, interactionFacts, INTERACTION_COUNTERS));
    await q.query(rollupFunction('complaints_kpi', 'id', COMPLAINT_COLUMNS, complaintFacts, COMPLAINT_COUNTERS));
    await q.query(rollupFunction('transfer_items_kpi', 'transfer_id, customer_id', TRANSFER_ITEM_COLUMNS, transferFacts, TRANSFER_COUNTERS));
    for (const sql of [...rollupTriggers('interactions', 'interactions_kpi'), ...rollupTriggers('complaints', 'complaints_kpi'), ...rollupTriggers('transfer_items', 'transfer_items_kpi')]) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['interactions', 'complaints', 'transfer_items']) {
      for (const op of ['insert', 'update', 'delete']) await q.query(`DROP TRIGGER ${table}_kpi_${op} ON ${table}`);
      await q.query(`DROP FUNCTION ${table}_kpi()`);
    }
    await q.query(`DROP INDEX "public"."ix_kpi_daily_department"`);
    await q.query(`DROP TABLE "kpi_daily"`);
    for (const op of ['insert', 'update', 'delete']) await q.query(`DROP TRIGGER interactions_meet_follow_ups_${op} ON interactions`);
    await q.query(`DROP FUNCTION interactions_meet_follow_ups()`);
    await q.query(`ALTER TABLE "interactions" DROP COLUMN "follow_up_met_at"`);
    await q.query(`DROP TRIGGER customers_record_holder ON customers`);
    await q.query(`DROP FUNCTION customers_record_holder()`);
    await q.query(`DROP FUNCTION kpi_holder(uuid, timestamptz)`);
    await q.query(`DROP INDEX "public"."ix_customer_holders_customer"`);
    await q.query(`DROP TABLE "customer_holders"`);
    await q.query(`DROP FUNCTION kpi_day_start(date)`);
    await q.query(`DROP FUNCTION kpi_day(timestamptz)`);
  }
}
