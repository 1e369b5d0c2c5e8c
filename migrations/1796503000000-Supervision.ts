import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Supervision for managers (issue 17): each active customer's data-quality result (with its
 * department and owner, so per-department figures read this table alone), kept by a job; review
 * rounds, their tasks and department schedules; region, landline and reviewed_at on customers;
 * indexes the job's change detection reads (contacts.updated_at, interactions.created_at). The
 * trigram index on normalised names serves the suspected-duplicate rule (similarity ≥ 0.8).
 */
export class Supervision1796503000000 implements MigrationInterface {
  name = 'Supervision1796503000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "customer_quality" ("customer_id" uuid NOT NULL, "department_id" uuid NOT NULL, "owner_id" uuid NOT NULL, "failing" character varying(40) array NOT NULL DEFAULT '{}', "incomplete" boolean NOT NULL DEFAULT false, "duplicate_ids" uuid array NOT NULL DEFAULT '{}', "recheck_at" TIMESTAMP WITH TIME ZONE, "checked_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_customer_quality" PRIMARY KEY ("customer_id"))`);
    await q.query(`CREATE INDEX "ix_customer_quality_department_owner" ON "customer_quality"  ("department_id", "owner_id") `);
    await q.query(`CREATE INDEX "ix_customer_quality_department_failing" ON "customer_quality"  ("department_id", "customer_id") WHERE failing <> '{}'`);
    await q.query(`CREATE INDEX "ix_customer_quality_failing" ON "customer_quality"  ("customer_id") WHERE failing <> '{}'`);
    await q.query(`CREATE INDEX "ix_customer_quality_recheck" ON "customer_quality"  ("recheck_at") WHERE recheck_at IS NOT NULL`);
    await q.query(`CREATE TABLE "data_quality_watermarks" ("name" character varying(40) NOT NULL, "computed_from" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_data_quality_watermarks" PRIMARY KEY ("name"))`);
    await q.query(`CREATE TABLE "review_rounds" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "department_id" uuid, "scope" character varying(10) NOT NULL, "tier_id" uuid, "tag_id" uuid, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_review_rounds_scope" CHECK (scope IN ('all', 'tier', 'tag') AND ((scope = 'tier') = (tier_id IS NOT NULL)) AND ((scope = 'tag') = (tag_id IS NOT NULL))), CONSTRAINT "PK_review_rounds" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_review_rounds_department" ON "review_rounds"  ("department_id", "created_at") `);
    await q.query(`CREATE TABLE "review_tasks" ("round_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "owner_id" uuid NOT NULL, "department_id" uuid NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "done_at" TIMESTAMP WITH TIME ZONE, "done_by" uuid, CONSTRAINT "PK_review_tasks" PRIMARY KEY ("round_id", "customer_id"))`);
    await q.query(`CREATE INDEX "ix_review_tasks_due" ON "review_tasks"  ("due_at", "owner_id") `);
    await q.query(`CREATE INDEX "ix_review_tasks_customer_open" ON "review_tasks"  ("customer_id") WHERE done_at IS NULL`);
    await q.query(`CREATE INDEX "ix_review_tasks_owner_open" ON "review_tasks"  ("owner_id", "due_at") WHERE done_at IS NULL`);
    await q.query(`CREATE INDEX "ix_review_tasks_round_owner" ON "review_tasks"  ("round_id", "owner_id") `);
    await q.query(`CREATE TABLE "review_schedules" ("department_id" uuid NOT NULL, "cadence" character varying(10) NOT NULL, "due_days" integer NOT NULL, "next_run_at" TIMESTAMP WITH TIME ZONE NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_review_schedules_due_days" CHECK (due_days BETWEEN 1 AND 90), CONSTRAINT "ck_review_schedules_cadence" CHECK (cadence IN ('weekly', 'monthly', 'quarterly')), CONSTRAINT "PK_review_schedules" PRIMARY KEY ("department_id"))`);
    await q.query(`CREATE INDEX "ix_review_schedules_next_run" ON "review_schedules"  ("next_run_at") `);
    await q.query(`ALTER TABLE "customers" ADD "region" character varying(50)`);
    await q.query(`ALTER TABLE "customers" ADD "landline" character varying(20)`);
    await q.query(`ALTER TABLE "customers" ADD "reviewed_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`CREATE INDEX "ix_customers_landline" ON "customers"  ("landline") WHERE landline IS NOT NULL`);
    await q.query(`CREATE INDEX "ix_contacts_updated" ON "contacts"  ("updated_at") `);
    await q.query(`CREATE INDEX ix_customers_name_normalized_trgm ON customers USING gin (name_normalized gin_trgm_ops)`);
    await q.query(`CREATE INDEX "ix_interactions_created" ON "interactions"  ("created_at") `);
    await q.query(`ALTER TABLE "customer_quality" ADD CONSTRAINT "fk_customer_quality_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "review_rounds" ADD CONSTRAINT "fk_review_rounds_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "review_rounds" ADD CONSTRAINT "fk_review_rounds_tier" FOREIGN KEY ("tier_id") REFERENCES "tiers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "review_rounds" ADD CONSTRAINT "fk_review_rounds_tag" FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "review_rounds" ADD CONSTRAINT "fk_review_rounds_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "review_tasks" ADD CONSTRAINT "fk_review_tasks_round" FOREIGN KEY ("round_id") REFERENCES "review_rounds"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "review_tasks" ADD CONSTRAINT "fk_review_tasks_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "review_tasks" ADD CONSTRAINT "fk_review_tasks_owner" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "review_schedules" ADD CONSTRAINT "fk_review_schedules_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "review_schedules" DROP CONSTRAINT "fk_review_schedules_department"`);
    await q.query(`ALTER TABLE "review_tasks" DROP CONSTRAINT "fk_review_tasks_owner"`);
    await q.query(`ALTER TABLE "review_tasks" DROP CONSTRAINT "fk_review_tasks_customer"`);
    await q.query(`ALTER TABLE "review_tasks" DROP CONSTRAINT "fk_review_tasks_round"`);
    await q.query(`ALTER TABLE "review_rounds" DROP CONSTRAINT "fk_review_rounds_created_by"`);
    await q.query(`ALTER TABLE "review_rounds" DROP CONSTRAINT "fk_review_rounds_tag"`);
    await q.query(`ALTER TABLE "review_rounds" DROP CONSTRAINT "fk_review_rounds_tier"`);
    await q.query(`ALTER TABLE "review_rounds" DROP CONSTRAINT "fk_review_rounds_department"`);
    await q.query(`ALTER TABLE "customer_quality" DROP CONSTRAINT "fk_customer_quality_customer"`);
    await q.query(`DROP INDEX "public"."ix_interactions_created"`);
    await q.query(`DROP INDEX ix_customers_name_normalized_trgm`);
    await q.query(`DROP INDEX "public"."ix_contacts_updated"`);
    await q.query(`DROP INDEX "public"."ix_customers_landline"`);
    await q.query(`ALTER TABLE "customers" DROP COLUMN "reviewed_at"`);
    await q.query(`ALTER TABLE "customers" DROP COLUMN "landline"`);
    await q.query(`ALTER TABLE "customers" DROP COLUMN "region"`);
    await q.query(`DROP INDEX "public"."ix_review_schedules_next_run"`);
    await q.query(`DROP TABLE "review_schedules"`);
    await q.query(`DROP INDEX "public"."ix_review_tasks_round_owner"`);
    await q.query(`DROP INDEX "public"."ix_review_tasks_owner_open"`);
    await q.query(`DROP INDEX "public"."ix_review_tasks_customer_open"`);
    await q.query(`DROP INDEX "public"."ix_review_tasks_due"`);
    await q.query(`DROP TABLE "review_tasks"`);
    await q.query(`DROP INDEX "public"."ix_review_rounds_department"`);
    await q.query(`DROP TABLE "review_rounds"`);
    await q.query(`DROP TABLE "data_quality_watermarks"`);
    await q.query(`DROP INDEX "public"."ix_customer_quality_recheck"`);
    await q.query(`DROP INDEX "public"."ix_customer_quality_failing"`);
    await q.query(`DROP INDEX "public"."ix_customer_quality_department_failing"`);
    await q.query(`DROP INDEX "public"."ix_customer_quality_department_owner"`);
    await q.query(`DROP TABLE "customer_quality"`);
  }
}
