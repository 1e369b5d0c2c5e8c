import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit entries of one entity in one probe (issue 14). audit_log is partitioned by month, so a
 * lookup by (entity_type, entity_id) without a time bound plans over and probes every partition's
 * index. This small unpartitioned table answers it: one row per entry that names an entity,
 * written by the same statement that appends the entry (AuditRepository.append), so in the same
 * transaction. It holds no content: the entries are then read from audit_log by their primary key
 * (which prunes to their partitions) and checked against the entity asked for, so a row added
 * here by hand can hide nothing and show nothing that is not in the log. Append-only like the log.
 */
export class AuditEntityIndex1796400572847 implements MigrationInterface {
  name = 'AuditEntityIndex1796400572847';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "audit_entity_index" ("entity_type" character varying(50) NOT NULL, "entity_id" character varying(100) NOT NULL, ` +
        `"occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "audit_id" bigint NOT NULL, "action" character varying(100) NOT NULL, ` +
        `CONSTRAINT "PK_audit_entity_index" PRIMARY KEY ("entity_type", "entity_id", "occurred_at", "audit_id"))`,
    );
    await q.query(`
      CREATE FUNCTION audit_entity_index_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_entity_index is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_entity_index_no_update_delete BEFORE UPDATE OR DELETE ON audit_entity_index
      FOR EACH ROW EXECUTE FUNCTION audit_entity_index_is_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_entity_index_no_truncate BEFORE TRUNCATE ON audit_entity_index
      FOR EACH STATEMENT EXECUTE FUNCTION audit_entity_index_is_append_only()`);
    await q.query(`
      INSERT INTO audit_entity_index (entity_type, entity_id, occurred_at, audit_id, action)
      SELECT entity_type, entity_id, occurred_at, id, action FROM audit_log WHERE entity_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_entity_index"`);
    await q.query(`DROP FUNCTION audit_entity_index_is_append_only()`);
  }
}
