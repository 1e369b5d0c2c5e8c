import { MigrationInterface, QueryRunner } from 'typeorm';

/** How many entries audit_entries_at reads at most: the keys its pruning list names. */
const AUDIT_ENTRIES_AT_MAX = 64; // AuditRepository.ENTRIES_AT_MAX says the same

const keys = Array.from({ length: AUDIT_ENTRIES_AT_MAX }, (_, i) => `p_at[${i + 1}]`).join(', ');

/**
 * Issue 14: the audit entries at given (occurred_at, id) keys, planned once per connection. Read
 * from the partitioned audit_log with the keys as parameters, PostgreSQL either plans the statement
 * anew on every call (a custom plan: the planning cost ten times the reading) or keeps a generic
 * plan that opens all 64 partitions, since it cannot prune on an array parameter. Here the keys'
 * times are a list of single parameters, which a generic plan prunes on when it starts (only the
 * keys' partitions are opened), and the function asks for that generic plan. Nothing is written;
 * the caller still checks the entries against the entity it asked for.
 */
export class AuditEntriesAt1796690000001 implements MigrationInterface {
  name = 'AuditEntriesAt1796690000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_entries_at(p_at timestamptz[], p_id bigint[]) RETURNS SETOF audit_log
        LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
      BEGIN
        RETURN QUERY SELECT a.* FROM audit_log a WHERE a.occurred_at IN (${keys}) AND a.id = ANY(p_id);
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit_entries_at(timestamptz[], bigint[])`);
  }
}
