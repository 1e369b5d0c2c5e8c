import { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = `id, occurred_at, actor_id, actor_role, action, entity_type, entity_id, before, after, changed_fields,
  reason, request_id, ip, user_agent, prev_hash, hash`;

const TABLE_BODY = `
  id bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_id uuid,
  actor_role varchar(20),
  action varchar(100) NOT NULL,
  entity_type varchar(50) NOT NULL,
  entity_id varchar(100),
  before jsonb,
  after jsonb,
  changed_fields text[] NOT NULL DEFAULT '{}',
  reason text,
  request_id varchar(100),
  ip varchar(64),
  user_agent varchar(300),
  prev_hash char(64) NOT NULL,
  hash char(64) NOT NULL`;

/**
 * The audit log at the size of ten years: monthly range partitions on occurred_at (UTC months),
 * a DEFAULT partition so that no append can fail, indexes that serve every auditor filter together
 * with a time range and the (occurred_at, id) order, and occurred_at made non-decreasing in id order
 * (the chain head remembers the last one), so a time range is also an id range of the chain.
 *
 * audit_log_add_partition(month) creates one month's partition. It is used here and by the daily
 * job that keeps the coming months ready. Row triggers of the parent are cloned onto every partition
 * by PostgreSQL; TRUNCATE triggers are not, so the function adds one to each partition.
 */
export class AuditLogForAuditors1795400000000 implements MigrationInterface {
  name = 'AuditLogForAuditors1795400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_chain_head ADD COLUMN last_occurred_at timestamptz`);
    await q.query(
      `UPDATE audit_chain_head SET last_occurred_at = coalesce((SELECT max(occurred_at) FROM audit_log), date_trunc('milliseconds', now()))`,
    );
    await q.query(`ALTER TABLE audit_chain_head ALTER COLUMN last_occurred_at SET NOT NULL`);

    // The rows move to the partitioned table unchanged (the chain covers every column), then the old table goes.
    await q.query(`ALTER TABLE audit_log RENAME TO audit_log_unpartitioned`);
    await q.query(`ALTER TABLE audit_log_unpartitioned RENAME CONSTRAINT "PK_audit_log" TO "PK_audit_log_unpartitioned"`);
    for (const index of ['entity', 'actor', 'occurred_at', 'request', 'action']) await q.query(`DROP INDEX ix_audit_log_${index}`);

    // The primary key of a partitioned table must hold the partition key; ids stay unique by construction
    // (handed out one after the other under the chain-head lock).
    await q.query(`CREATE TABLE audit_log (${TABLE_BODY},
        CONSTRAINT "PK_audit_log" PRIMARY KEY (id, occurred_at)
      ) PARTITION BY RANGE (occurred_at)`);
    // Each filter an auditor uses, then the time order: a filter with a time range is one index range scan.
    await q.query(`CREATE INDEX ix_audit_log_entity ON audit_log (entity_type, entity_id, occurred_at, id)`);
    await q.query(`CREATE INDEX ix_audit_log_actor ON audit_log (actor_id, occurred_at, id)`);
    await q.query(`CREATE INDEX ix_audit_log_occurred_at ON audit_log (occurred_at, id)`);
    await q.query(`CREATE INDEX ix_audit_log_request ON audit_log (request_id, occurred_at, id)`);
    // Exact actions and prefixes (LIKE 'customer.%') whatever the collation.
    await q.query(`CREATE INDEX ix_audit_log_action ON audit_log (action text_pattern_ops, occurred_at, id)`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()`);

    await q.query(`CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log_default
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()`);

    // Returns 'created', 'exists', or 'blocked' when the DEFAULT partition already holds rows of that
    // month (then the month stays in DEFAULT: moving rows would mean deleting them). Built as a table
    // of its own and attached, which takes only a SHARE UPDATE EXCLUSIVE lock on audit_log: appends
    // and exports go on meanwhile.
    await q.query(`
      CREATE FUNCTION audit_log_add_partition(in_month date) RETURNS text LANGUAGE plpgsql AS $$
      DECLARE
        first_day date := date_trunc('month', in_month)::date;
        lower_bound timestamptz := first_day::timestamp AT TIME ZONE 'UTC';
        upper_bound timestamptz := (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC';
        part_name text := 'audit_log_' || to_char(first_day, 'YYYY_MM');
      BEGIN
        IF to_regclass(quote_ident(part_name)) IS NOT NULL THEN
          RETURN 'exists';
        END IF;
        IF EXISTS (SELECT 1 FROM audit_log_default WHERE occurred_at >= lower_bound AND occurred_at < upper_bound) THEN
          RETURN 'blocked';
        END IF;
        EXECUTE format('CREATE TABLE %I (LIKE audit_log INCLUDING DEFAULTS)', part_name);
        -- Proves the range, so that ATTACH need not scan the table.
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (occurred_at >= %L AND occurred_at < %L)',
                       part_name, part_name || '_range', lower_bound, upper_bound);
        EXECUTE format('CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()', part_name);
        EXECUTE format('ALTER TABLE audit_log ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       part_name, lower_bound, upper_bound);
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part_name, part_name || '_range');
        RETURN 'created';
      END $$`);
    // Every month that holds rows, up to three months ahead (the daily job keeps it so).
    await q.query(`
      SELECT audit_log_add_partition(month::date)
        FROM generate_series(
               date_trunc('month', coalesce((SELECT min(occurred_at) FROM audit_log_unpartitioned), now()) AT TIME ZONE 'UTC'),
               date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months',
               interval '1 month') AS month`);

    await q.query(`INSERT INTO audit_log (${COLUMNS}) SELECT ${COLUMNS} FROM audit_log_unpartitioned ORDER BY id`);
    await q.query(`DROP TABLE audit_log_unpartitioned`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log RENAME TO audit_log_partitioned`);
    await q.query(`ALTER TABLE audit_log_partitioned RENAME CONSTRAINT "PK_audit_log" TO "PK_audit_log_partitioned"`);
    for (const index of ['entity', 'actor', 'occurred_at', 'request', 'action']) {
      await q.query(`ALTER INDEX ix_audit_log_${index} RENAME TO ix_audit_log_partitioned_${index}`);
    }
    await q.query(`CREATE TABLE audit_log (${TABLE_BODY}, CONSTRAINT "PK_audit_log" PRIMARY KEY (id))`);
    await q.query(`INSERT INTO audit_log (${COLUMNS}) SELECT ${COLUMNS} FROM audit_log_partitioned ORDER BY id`);
    await q.query(`DROP TABLE audit_log_partitioned`);
    await q.query(`DROP FUNCTION audit_log_add_partition(date)`);
    await q.query(`CREATE INDEX ix_audit_log_entity ON audit_log (entity_type, entity_id, id)`);
    await q.query(`CREATE INDEX ix_audit_log_actor ON audit_log (actor_id, id)`);
    await q.query(`CREATE INDEX ix_audit_log_occurred_at ON audit_log (occurred_at)`);
    await q.query(`CREATE INDEX ix_audit_log_request ON audit_log (request_id)`);
    await q.query(`CREATE INDEX ix_audit_log_action ON audit_log (action text_pattern_ops, id)`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()`);
    await q.query(`ALTER TABLE audit_chain_head DROP COLUMN last_occurred_at`);
  }
}
