import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12: the escalation list for major complaints, everyone a complaint was escalated to, and
 * whether the customer was told before it was resolved. Existing escalations keep their manager.
 */
export class ComplaintEscalationAndNotice1796160247730 implements MigrationInterface {
  name = 'ComplaintEscalationAndNotice1796160247730';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "complaint_escalation_contacts" ("user_id" uuid NOT NULL, "position" smallint NOT NULL, "added_by" uuid NOT NULL, "added_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_c313a46cc4ca1f3f0cdb3dfdfe0" PRIMARY KEY ("user_id"))`);
    await q.query(`ALTER TABLE "complaints" ADD "escalated_to_ids" uuid array NOT NULL DEFAULT '{}'`);
    await q.query(`UPDATE complaints SET escalated_to_ids = ARRAY[escalated_to_id] WHERE escalated_to_id IS NOT NULL`);
    await q.query(`ALTER TABLE "complaints" ADD "customer_notified_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "complaints" ADD "customer_not_informed" boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE "complaint_escalation_contacts" ADD CONSTRAINT "fk_complaint_escalation_contacts_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "complaint_escalation_contacts" DROP CONSTRAINT "fk_complaint_escalation_contacts_user"`);
    await q.query(`ALTER TABLE "complaints" DROP COLUMN "customer_not_informed"`);
    await q.query(`ALTER TABLE "complaints" DROP COLUMN "customer_notified_at"`);
    await q.query(`ALTER TABLE "complaints" DROP COLUMN "escalated_to_ids"`);
    await q.query(`DROP TABLE "complaint_escalation_contacts"`);
  }
}
