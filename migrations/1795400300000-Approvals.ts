import { MigrationInterface, QueryRunner } from 'typeorm';

/** The approval engine, transfers and succession, deletion records, exports; deleted and merged customers. */
export class Approvals1795400300000 implements MigrationInterface {
  name = 'Approvals1795400300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "approvals" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "type" character varying(50) NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'pending', "requester_id" uuid NOT NULL, "reason" text NOT NULL, "payload" jsonb NOT NULL, "result" jsonb, "failure_reason" text, "decided_at" TIMESTAMP WITH TIME ZONE, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_approvals_status" CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled', 'failed')), CONSTRAINT "PK_690417aaefa84d18b1a59e2a499" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_approvals_status" ON "approvals"  ("status", "created_at", "id") `);
    await q.query(`CREATE INDEX "ix_approvals_requester" ON "approvals"  ("requester_id", "created_at", "id") `);
    await q.query(`CREATE TABLE "approval_steps" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "approval_id" uuid NOT NULL, "step_no" integer NOT NULL, "decider_kind" character varying(30) NOT NULL, "department_id" uuid, "status" character varying(20) NOT NULL DEFAULT 'pending', "decided_by" uuid, "decided_at" TIMESTAMP WITH TIME ZONE, "comment" text, CONSTRAINT "ck_approval_steps_status" CHECK (status IN ('pending', 'approved', 'rejected', 'skipped')), CONSTRAINT "ck_approval_steps_kind" CHECK (decider_kind IN ('department_manager', 'admin')), CONSTRAINT "PK_31089858f2c75f4648107ae5280" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_approval_steps_pending" ON "approval_steps"  ("decider_kind", "department_id") WHERE status = 'pending'`);
    await q.query(`CREATE UNIQUE INDEX "uq_approval_steps_order" ON "approval_steps"  ("approval_id", "step_no") `);
    await q.query(`CREATE TABLE "transfers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "approval_id" uuid NOT NULL, "kind" character varying(20) NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'pending', "to_user_id" uuid NOT NULL, "requested_by" uuid NOT NULL, "reason" text NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_transfers_status" CHECK (status IN ('pending', 'completed', 'rejected', 'cancelled', 'failed')), CONSTRAINT "ck_transfers_kind" CHECK (kind IN ('transfer', 'succession')), CONSTRAINT "PK_f712e908b465e0085b4408cabc3" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_transfers_created" ON "transfers"  ("created_at", "id") `);
    await q.query(`CREATE TABLE "transfer_items" ("transfer_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "from_owner_id" uuid NOT NULL, "outcome" character varying(20) NOT NULL, "reason" character varying(40), "moved_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_transfer_items_outcome" CHECK (outcome IN ('pending', 'moved', 'refused', 'cancelled', 'failed')), CONSTRAINT "PK_4433917cb695c803ecc38de802f" PRIMARY KEY ("transfer_id", "customer_id"))`);
    await q.query(`CREATE INDEX "ix_transfer_items_customer" ON "transfer_items"  ("customer_id", "outcome") `);
    await q.query(`CREATE UNIQUE INDEX "uq_transfer_items_pending" ON "transfer_items"  ("customer_id") WHERE outcome = 'pending'`);
    await q.query(`CREATE TABLE "deletion_records" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "approval_id" uuid NOT NULL, "snapshot" jsonb NOT NULL, "reason" text NOT NULL, "requested_by" uuid NOT NULL, "approved_by" uuid array NOT NULL, "deleted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_788f6bb99101793e2203a7cb4b3" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_deletion_records_deleted" ON "deletion_records"  ("deleted_at", "id") `);
    await q.query(`CREATE TABLE "exports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "approval_id" uuid NOT NULL, "requester_id" uuid NOT NULL, "filter" jsonb NOT NULL, "format" character varying(10) NOT NULL, "reason" text NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'pending', "approved_at" TIMESTAMP WITH TIME ZONE, "download_count" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_exports_status" CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled', 'failed')), CONSTRAINT "PK_bcf8528d214cbfc68c01f337511" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_exports_requester" ON "exports"  ("requester_id", "created_at") `);
    await q.query(`ALTER TABLE "customers" ADD "merged_into_id" uuid`);
    await q.query(`ALTER TABLE "customers" ADD "removed_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "approvals" ADD CONSTRAINT "fk_approvals_requester" FOREIGN KEY ("requester_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "approval_steps" ADD CONSTRAINT "fk_approval_steps_approval" FOREIGN KEY ("approval_id") REFERENCES "approvals"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "transfers" ADD CONSTRAINT "fk_transfers_approval" FOREIGN KEY ("approval_id") REFERENCES "approvals"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "transfer_items" ADD CONSTRAINT "fk_transfer_items_transfer" FOREIGN KEY ("transfer_id") REFERENCES "transfers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "transfer_items" ADD CONSTRAINT "fk_transfer_items_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    // Deleted and merged customers stay as records but leave the duplicate indexes.
    await q.query(`ALTER TABLE customers DROP CONSTRAINT ck_customers_status`);
    await q.query(`ALTER TABLE customers ADD CONSTRAINT ck_customers_status CHECK (status IN ('active', 'dormant', 'archived', 'deleted', 'merged'))`);
    await q.query(`DROP INDEX uq_customers_name_normalized`);
    await q.query(`CREATE UNIQUE INDEX uq_customers_name_normalized ON customers (name_normalized) WHERE status NOT IN ('deleted', 'merged')`);
    await q.query(`DROP INDEX uq_customers_credit_code`);
    await q.query(`CREATE UNIQUE INDEX uq_customers_credit_code ON customers (credit_code) WHERE credit_code IS NOT NULL AND status NOT IN ('deleted', 'merged')`);
    await q.query(`ALTER TABLE contacts DROP CONSTRAINT ck_contacts_status`);
    await q.query(`ALTER TABLE contacts ADD CONSTRAINT ck_contacts_status CHECK (status IN ('active', 'left', 'removed'))`);
    // A survivor's history includes the customers merged into it.
    await q.query(`CREATE INDEX ix_customers_merged_into ON customers (merged_into_id) WHERE merged_into_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_customers_merged_into`);
    await q.query(`ALTER TABLE contacts DROP CONSTRAINT ck_contacts_status`);
    await q.query(`ALTER TABLE contacts ADD CONSTRAINT ck_contacts_status CHECK (status IN ('active', 'left'))`);
    await q.query(`DROP INDEX uq_customers_credit_code`);
    await q.query(`CREATE UNIQUE INDEX uq_customers_credit_code ON customers (credit_code) WHERE credit_code IS NOT NULL`);
    await q.query(`DROP INDEX uq_customers_name_normalized`);
    await q.query(`CREATE UNIQUE INDEX uq_customers_name_normalized ON customers (name_normalized)`);
    await q.query(`ALTER TABLE customers DROP CONSTRAINT ck_customers_status`);
    await q.query(`ALTER TABLE customers ADD CONSTRAINT ck_customers_status CHECK (status IN ('active', 'dormant', 'archived'))`);
    await q.query(`ALTER TABLE "transfer_items" DROP CONSTRAINT "fk_transfer_items_customer"`);
    await q.query(`ALTER TABLE "transfer_items" DROP CONSTRAINT "fk_transfer_items_transfer"`);
    await q.query(`ALTER TABLE "transfers" DROP CONSTRAINT "fk_transfers_approval"`);
    await q.query(`ALTER TABLE "approval_steps" DROP CONSTRAINT "fk_approval_steps_approval"`);
    await q.query(`ALTER TABLE "approvals" DROP CONSTRAINT "fk_approvals_requester"`);
    await q.query(`ALTER TABLE "customers" DROP COLUMN "removed_at"`);
    await q.query(`ALTER TABLE "customers" DROP COLUMN "merged_into_id"`);
    await q.query(`DROP INDEX "public"."ix_exports_requester"`);
    await q.query(`DROP TABLE "exports"`);
    await q.query(`DROP INDEX "public"."ix_deletion_records_deleted"`);
    await q.query(`DROP TABLE "deletion_records"`);
    await q.query(`DROP INDEX "public"."uq_transfer_items_pending"`);
    await q.query(`DROP INDEX "public"."ix_transfer_items_customer"`);
    await q.query(`DROP TABLE "transfer_items"`);
    await q.query(`DROP INDEX "public"."ix_transfers_created"`);
    await q.query(`DROP TABLE "transfers"`);
    await q.query(`DROP INDEX "public"."uq_approval_steps_order"`);
    await q.query(`DROP INDEX "public"."ix_approval_steps_pending"`);
    await q.query(`DROP TABLE "approval_steps"`);
    await q.query(`DROP INDEX "public"."ix_approvals_requester"`);
    await q.query(`DROP INDEX "public"."ix_approvals_status"`);
    await q.query(`DROP TABLE "approvals"`);
  }
}
