import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed checkpoints of the audit chain (issue 13), append-only like the log itself.
 *
 * Personal data needs no SQL here: values of the first format (no key id, not bound to their row)
 * are still read, and `npm run rotate-data-key` rewrites them in place, bound to their row, since a
 * migration does not hold the data key.
 */
export class AuditCheckpoints1796400300000 implements MigrationInterface {
  name = 'AuditCheckpoints1796400300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "audit_checkpoints" ("last_id" bigint NOT NULL, "hash" character(64) NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "signature" character varying(100) NOT NULL, "key_id" character varying(16) NOT NULL, CONSTRAINT "PK_audit_checkpoints_last_id" PRIMARY KEY ("last_id"))`);
    await q.query(`
      CREATE FUNCTION audit_checkpoints_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_checkpoints is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoints
      FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_are_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
      FOR EACH STATEMENT EXECUTE FUNCTION audit_checkpoints_are_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_checkpoints"`);
    await q.query(`DROP FUNCTION audit_checkpoints_are_append_only()`);
  }
}
