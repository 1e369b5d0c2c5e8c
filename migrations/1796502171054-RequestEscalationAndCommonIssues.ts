import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 15, the rest: a request escalated into a complaint is linked both ways (one complaint per
 * request, one request per complaint), and requests and complaints can be reported upward as common
 * issues under a topic (the partial indexes serve GET /requests/topics by period).
 */
export class RequestEscalationAndCommonIssues1796502171054 implements MigrationInterface {
  name = 'RequestEscalationAndCommonIssues1796502171054';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "complaints" ADD "request_id" uuid`);
    await q.query(`ALTER TABLE "complaints" ADD "report_upward" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "complaints" ADD "topic" character varying(50)`);
    await q.query(`ALTER TABLE "requests" ADD "complaint_id" uuid`);
    await q.query(`ALTER TABLE "requests" ADD "report_upward" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "requests" ADD "topic" character varying(50)`);
    await q.query(`CREATE INDEX "ix_complaints_report_upward" ON "complaints"  ("received_at") WHERE report_upward`);
    await q.query(`CREATE UNIQUE INDEX "uq_complaints_request" ON "complaints"  ("request_id") `);
    await q.query(`CREATE INDEX "ix_requests_report_upward" ON "requests"  ("received_at") WHERE report_upward`);
    await q.query(`CREATE UNIQUE INDEX "uq_requests_complaint" ON "requests"  ("complaint_id") `);
    await q.query(`CREATE INDEX "ix_requests_received" ON "requests"  ("received_at", "id") `);
    await q.query(`ALTER TABLE "complaints" ADD CONSTRAINT "ck_complaints_topic" CHECK (report_upward = (topic IS NOT NULL))`);
    await q.query(`ALTER TABLE "requests" ADD CONSTRAINT "ck_requests_topic" CHECK (report_upward = (topic IS NOT NULL))`);
    await q.query(`ALTER TABLE "complaints" ADD CONSTRAINT "fk_complaints_request" FOREIGN KEY ("request_id") REFERENCES "requests"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "requests" ADD CONSTRAINT "fk_requests_complaint" FOREIGN KEY ("complaint_id") REFERENCES "complaints"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "requests" DROP CONSTRAINT "fk_requests_complaint"`);
    await q.query(`ALTER TABLE "complaints" DROP CONSTRAINT "fk_complaints_request"`);
    await q.query(`ALTER TABLE "requests" DROP CONSTRAINT "ck_requests_topic"`);
    await q.query(`ALTER TABLE "complaints" DROP CONSTRAINT "ck_complaints_topic"`);
    await q.query(`DROP INDEX "public"."ix_requests_received"`);
    await q.query(`DROP INDEX "public"."uq_requests_complaint"`);
    await q.query(`DROP INDEX "public"."ix_requests_report_upward"`);
    await q.query(`DROP INDEX "public"."uq_complaints_request"`);
    await q.query(`DROP INDEX "public"."ix_complaints_report_upward"`);
    await q.query(`ALTER TABLE "requests" DROP COLUMN "topic"`);
    await q.query(`ALTER TABLE "requests" DROP COLUMN "report_upward"`);
    await q.query(`ALTER TABLE "requests" DROP COLUMN "complaint_id"`);
    await q.query(`ALTER TABLE "complaints" DROP COLUMN "topic"`);
    await q.query(`ALTER TABLE "complaints" DROP COLUMN "report_upward"`);
    await q.query(`ALTER TABLE "complaints" DROP COLUMN "request_id"`);
  }
}
