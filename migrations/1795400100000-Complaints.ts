import { MigrationInterface, QueryRunner } from 'typeorm';

/** The business calendar, complaints with their timeline, and the SLA policy (defaults of 001 §2(三), 003 §7). */
export class Complaints1795400100000 implements MigrationInterface {
  name = 'Complaints1795400100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "calendar_days" ("day" date NOT NULL, "kind" character varying(10) NOT NULL, "name" character varying(100) NOT NULL, "updated_by" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_calendar_days_kind" CHECK (kind IN ('holiday', 'workday')), CONSTRAINT "PK_8b478c54fa0517b1bdc755d0c5d" PRIMARY KEY ("day"))`);
    await q.query(`CREATE TABLE "complaints" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "channel" character varying(20) NOT NULL, "category" character varying(20) NOT NULL, "severity" character varying(10) NOT NULL, "title" character varying(200) NOT NULL, "description" text NOT NULL, "customer_demand" text, "customer_mood" character varying(10) NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "follow_up_hours" integer NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'received', "assignee_id" uuid, "escalated_at" TIMESTAMP WITH TIME ZONE, "escalated_to_id" uuid, "breached" boolean NOT NULL DEFAULT false, "resolved_at" TIMESTAMP WITH TIME ZONE, "resolution" text, "resolution_working_minutes" integer, "follow_up_due_at" TIMESTAMP WITH TIME ZONE, "follow_up_overdue" boolean NOT NULL DEFAULT false, "verified_at" TIMESTAMP WITH TIME ZONE, "satisfaction" smallint, "satisfaction_comment" text, "closed_at" TIMESTAMP WITH TIME ZONE, "created_by" uuid NOT NULL, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_complaints_satisfaction" CHECK (satisfaction BETWEEN 1 AND 5), CONSTRAINT "ck_complaints_status" CHECK (status IN ('received', 'assigned', 'in_progress', 'resolved', 'verified', 'closed')), CONSTRAINT "ck_complaints_mood" CHECK (customer_mood IN ('calm', 'upset', 'angry')), CONSTRAINT "ck_complaints_severity" CHECK (severity IN ('general', 'serious', 'major')), CONSTRAINT "ck_complaints_category" CHECK (category IN ('product_quality', 'service_quality', 'price', 'delivery', 'other')), CONSTRAINT "PK_4b7566a2a489c2cc7c12ed076ad" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_complaints_follow_up_due" ON "complaints"  ("follow_up_due_at") WHERE status = 'resolved'`);
    await q.query(`CREATE INDEX "ix_complaints_open_due" ON "complaints"  ("due_at") WHERE status IN ('received', 'assigned', 'in_progress')`);
    await q.query(`CREATE INDEX "ix_complaints_assignee" ON "complaints"  ("assignee_id", "status") `);
    await q.query(`CREATE INDEX "ix_complaints_received" ON "complaints"  ("received_at", "id") `);
    await q.query(`CREATE INDEX "ix_complaints_customer" ON "complaints"  ("customer_id", "received_at", "id") `);
    await q.query(`CREATE TABLE "complaint_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "complaint_id" uuid NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "actor_id" uuid, "event" character varying(30) NOT NULL, "from_status" character varying(20), "to_status" character varying(20), "detail" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_e9979b3ca11620b323d58446a38" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_complaint_events_complaint" ON "complaint_events"  ("complaint_id", "occurred_at") `);
    await q.query(`CREATE TABLE "complaint_sla_policy" ("severity" character varying(10) NOT NULL, "resolve_working_days" integer NOT NULL, "escalate_immediately" boolean NOT NULL, "follow_up_hours" integer NOT NULL, "description" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_complaint_sla_policy_severity" CHECK (severity IN ('general', 'serious', 'major')), CONSTRAINT "PK_3feb94332380cf163289f633b8c" PRIMARY KEY ("severity"))`);
    await q.query(`ALTER TABLE "complaints" ADD CONSTRAINT "fk_complaints_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "complaints" ADD CONSTRAINT "fk_complaints_assignee" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "complaints" ADD CONSTRAINT "fk_complaints_escalated_to" FOREIGN KEY ("escalated_to_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "complaint_events" ADD CONSTRAINT "fk_complaint_events_complaint" FOREIGN KEY ("complaint_id") REFERENCES "complaints"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`
      INSERT INTO complaint_sla_policy (severity, resolve_working_days, escalate_immediately, follow_up_hours, description) VALUES
        ('general', 1, false, 48, '一般投诉：客服一个工作日内解决'),
        ('serious', 2, false, 48, '严重投诉：两个工作日内与客户协商解决方案，部门负责人牵头'),
        ('major', 3, true, 48, '重大投诉：立即上报管理层，三个工作日内解决')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "complaint_events" DROP CONSTRAINT "fk_complaint_events_complaint"`);
    await q.query(`ALTER TABLE "complaints" DROP CONSTRAINT "fk_complaints_escalated_to"`);
    await q.query(`ALTER TABLE "complaints" DROP CONSTRAINT "fk_complaints_assignee"`);
    await q.query(`ALTER TABLE "complaints" DROP CONSTRAINT "fk_complaints_customer"`);
    await q.query(`DROP TABLE "complaint_sla_policy"`);
    await q.query(`DROP INDEX "public"."ix_complaint_events_complaint"`);
    await q.query(`DROP TABLE "complaint_events"`);
    await q.query(`DROP INDEX "public"."ix_complaints_customer"`);
    await q.query(`DROP INDEX "public"."ix_complaints_received"`);
    await q.query(`DROP INDEX "public"."ix_complaints_assignee"`);
    await q.query(`DROP INDEX "public"."ix_complaints_open_due"`);
    await q.query(`DROP INDEX "public"."ix_complaints_follow_up_due"`);
    await q.query(`DROP TABLE "complaints"`);
    await q.query(`DROP TABLE "calendar_days"`);
  }
}
