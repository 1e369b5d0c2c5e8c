import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Activities (marketing events, promotions, visit plans) with their customers, and attachments of
 * activities and opportunities stored in chunks (issue 16). Chunks are stored EXTERNAL: photos and
 * PDFs are compressed already, and PostgreSQL's compression would only spend CPU on them.
 */
export class ActivitiesAndAttachments1796516170000 implements MigrationInterface {
  name = 'ActivitiesAndAttachments1796516170000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "activities" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "kind" character varying(20) NOT NULL, "title" character varying(200) NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "place" character varying(200), "owner_id" uuid NOT NULL, "department_id" uuid NOT NULL, "plan" text NOT NULL, "happened_at" TIMESTAMP WITH TIME ZONE, "summary" text, "evaluation" smallint, "feedback_summary" text, "created_by" uuid NOT NULL, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_activities_outcome" CHECK ((happened_at IS NULL) = (evaluation IS NULL)), CONSTRAINT "ck_activities_evaluation" CHECK (evaluation BETWEEN 1 AND 5), CONSTRAINT "ck_activities_period" CHECK (ends_at >= starts_at), CONSTRAINT "ck_activities_kind" CHECK (kind IN ('marketing_event', 'promotion', 'visit_plan', 'other')), CONSTRAINT "PK_activities" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_activities_department" ON "activities"  ("department_id", "starts_at", "id") `);
    await q.query(`CREATE INDEX "ix_activities_owner" ON "activities"  ("owner_id", "starts_at", "id") `);
    await q.query(`CREATE INDEX "ix_activities_starts" ON "activities"  ("starts_at", "id") `);
    await q.query(`CREATE TABLE "activity_customers" ("activity_id" uuid NOT NULL, "customer_id" uuid NOT NULL, CONSTRAINT "PK_activity_customers" PRIMARY KEY ("activity_id", "customer_id"))`);
    await q.query(`CREATE INDEX "ix_activity_customers_customer" ON "activity_customers"  ("customer_id", "activity_id") `);
    await q.query(`CREATE TABLE "attachments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "parent_type" character varying(20) NOT NULL, "parent_id" uuid NOT NULL, "file_name" character varying(255) NOT NULL, "content_type" character varying(100) NOT NULL, "size_bytes" bigint NOT NULL DEFAULT '0', "sha256" character(64), "uploaded_by" uuid NOT NULL, "uploaded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "stored_at" TIMESTAMP WITH TIME ZONE, "deleted_at" TIMESTAMP WITH TIME ZONE, "deleted_by" uuid, CONSTRAINT "ck_attachments_stored" CHECK ((stored_at IS NULL) = (sha256 IS NULL)), CONSTRAINT "ck_attachments_parent_type" CHECK (parent_type IN ('opportunity', 'activity')), CONSTRAINT "PK_attachments" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_attachments_parent" ON "attachments"  ("parent_type", "parent_id", "uploaded_at") `);
    await q.query(`CREATE TABLE "attachment_chunks" ("attachment_id" uuid NOT NULL, "seq" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_attachment_chunks" PRIMARY KEY ("attachment_id", "seq"))`);
    await q.query(`ALTER TABLE "activities" ADD CONSTRAINT "fk_activities_owner" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "activities" ADD CONSTRAINT "fk_activities_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "activities" ADD CONSTRAINT "fk_activities_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "activity_customers" ADD CONSTRAINT "fk_activity_customers_activity" FOREIGN KEY ("activity_id") REFERENCES "activities"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "activity_customers" ADD CONSTRAINT "fk_activity_customers_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "attachments" ADD CONSTRAINT "fk_attachments_uploaded_by" FOREIGN KEY ("uploaded_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "attachments" ADD CONSTRAINT "fk_attachments_deleted_by" FOREIGN KEY ("deleted_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "attachment_chunks" ADD CONSTRAINT "fk_attachment_chunks_attachment" FOREIGN KEY ("attachment_id") REFERENCES "attachments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "attachment_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "attachment_chunks" DROP CONSTRAINT "fk_attachment_chunks_attachment"`);
    await q.query(`ALTER TABLE "attachments" DROP CONSTRAINT "fk_attachments_deleted_by"`);
    await q.query(`ALTER TABLE "attachments" DROP CONSTRAINT "fk_attachments_uploaded_by"`);
    await q.query(`ALTER TABLE "activity_customers" DROP CONSTRAINT "fk_activity_customers_customer"`);
    await q.query(`ALTER TABLE "activity_customers" DROP CONSTRAINT "fk_activity_customers_activity"`);
    await q.query(`ALTER TABLE "activities" DROP CONSTRAINT "fk_activities_created_by"`);
    await q.query(`ALTER TABLE "activities" DROP CONSTRAINT "fk_activities_department"`);
    await q.query(`ALTER TABLE "activities" DROP CONSTRAINT "fk_activities_owner"`);
    await q.query(`DROP TABLE "attachment_chunks"`);
    await q.query(`DROP INDEX "public"."ix_attachments_parent"`);
    await q.query(`DROP TABLE "attachments"`);
    await q.query(`DROP INDEX "public"."ix_activity_customers_customer"`);
    await q.query(`DROP TABLE "activity_customers"`);
    await q.query(`DROP INDEX "public"."ix_activities_starts"`);
    await q.query(`DROP INDEX "public"."ix_activities_owner"`);
    await q.query(`DROP INDEX "public"."ix_activities_department"`);
    await q.query(`DROP TABLE "activities"`);
  }
}
