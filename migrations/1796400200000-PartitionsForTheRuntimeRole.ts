import { MigrationInterface, QueryRunner } from 'typeorm';

const PARTITION_BODY = `
      DECLARE
        first_day date := date_trunc('month', in_month)::date;
        lower_bound timestamptz := first_day::timestamp AT TIME ZONE 'UTC';
        upper_bound timestamptz := (first_day + interval '1 month')::timestamp AT TIME ZONE 'UTC';
        part_name text := 'audit_log_' || to_char(first_day, 'YYYY_MM');
        grant_row record;
      BEGIN
        IF to_regclass(quote_ident(part_name)) IS NOT NULL THEN
          RETURN 'exists';
        END IF;
        IF EXISTS (SELECT 1 FROM audit_log_default WHERE occurred_at >= lower_bound AND occurred_at < upper_bound) THEN
          RETURN 'blocked';
        END IF;
        EXECUTE format('CREATE TABLE %I (LIKE audit_log INCLUDING DEFAULTS)', part_name);
        -- Whoever may read or append to audit_log may do the same on the partition, and no more.
        FOR grant_row IN
          SELECT a.grantee::regrole::text AS grantee, a.privilege_type
            FROM pg_class c, aclexplode(c.relacl) a
           WHERE c.oid = 'audit_log'::regclass AND a.grantee <> c.relowner AND a.grantee <> 0
        LOOP
          EXECUTE format('GRANT %s ON TABLE %I TO %s', grant_row.privilege_type, part_name, grant_row.grantee);
        END LOOP;
        -- Proves the range, so that ATTACH need not scan the table.
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (occurred_at >= %L AND occurred_at < %L)',
                       part_name, part_name || '_range', lower_bound, upper_bound);
        EXECUTE format('CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only()', part_name);
        EXECUTE format('ALTER TABLE audit_log ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       part_name, lower_bound, upper_bound);
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part_name, part_name || '_range');
        RETURN 'created';
      END`;

/**
 * The service runs as a login that owns no table (src/database/database-roles.ts), yet its daily job
 * creates the audit log's coming partitions, which takes ownership of audit_log. So
 * audit_log_add_partition becomes SECURITY DEFINER: it runs with its owner's (the migrations')
 * rights, does only that one thing, and copies audit_log's grants (INSERT and SELECT for the
 * runtime login) onto the new partition. Only logins granted EXECUTE may call it (the start-up
 * grant step gives it to the runtime login); the search path is fixed so that no caller's objects
 * can stand in for the ones it names.
 */
export class PartitionsForTheRuntimeRole1796400200000 implements MigrationInterface {
  name = 'PartitionsForTheRuntimeRole1796400200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_log_add_partition(in_month date) RETURNS text LANGUAGE plpgsql
      SECURITY DEFINER SET search_path = public, pg_temp AS $$${PARTITION_BODY} $$`);
    await q.query(`REVOKE EXECUTE ON FUNCTION audit_log_add_partition(date) FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`GRANT EXECUTE ON FUNCTION audit_log_add_partition(date) TO PUBLIC`);
    await q.query(`ALTER FUNCTION audit_log_add_partition(date) SECURITY INVOKER RESET search_path`);
  }
}
