import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 14: reads (pii.read) wait in audit_queue until an append chains them, instead of taking the chain lock each. */
export class AuditQueue1796630000000 implements MigrationInterface {
  name = 'AuditQueue1796630000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "audit_queue" ("id" BIGSERIAL NOT NULL, "entry" jsonb NOT NULL, CONSTRAINT "PK_audit_queue" PRIMARY KEY ("id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_queue"`);
  }
}
