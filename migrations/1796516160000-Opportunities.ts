import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sales opportunities with their stage changes (issue 16). The default stages of seed 004 §3.3:
 * 线索 lead, 需求确认 qualified, 方案报价 proposal, 商务谈判 negotiation, 赢单 won, 输单 lost.
 */
export class Opportunities1796516160000 implements MigrationInterface {
  name = 'Opportunities1796516160000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "opportunity_stages" ("code" character varying(30) NOT NULL, "name" character varying(50) NOT NULL, "position" integer NOT NULL, "default_probability" smallint NOT NULL, "outcome" character varying(4) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_opportunity_stages_probability" CHECK (default_probability BETWEEN 0 AND 100), CONSTRAINT "ck_opportunity_stages_outcome" CHECK (outcome IN ('open', 'won', 'lost')), CONSTRAINT "PK_opportunity_stages" PRIMARY KEY ("code"))`);
    await q.query(`CREATE TABLE "opportunities" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "owner_id" uuid NOT NULL, "department_id" uuid NOT NULL, "title" character varying(200) NOT NULL, "source" character varying(20) NOT NULL, "amount" numeric(16,2) NOT NULL, "final_amount" numeric(16,2), "expected_close_date" date NOT NULL, "stage" character varying(30) NOT NULL, "probability" smallint NOT NULL, "competitors" jsonb NOT NULL DEFAULT '[]', "strategy" text NOT NULL, "contact_ids" uuid array NOT NULL DEFAULT '{}', "lost_reason" text, "closed_at" TIMESTAMP WITH TIME ZONE, "stage_changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "created_by" uuid NOT NULL, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_opportunities_amount" CHECK (amount >= 0 AND (final_amount IS NULL OR final_amount >= 0)), CONSTRAINT "ck_opportunities_probability" CHECK (probability BETWEEN 0 AND 100), CONSTRAINT "PK_opportunities" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_opportunities_department" ON "opportunities"  ("department_id", "created_at", "id") `);
    await q.query(`CREATE INDEX "ix_opportunities_owner" ON "opportunities"  ("owner_id", "created_at", "id") `);
    await q.query(`CREATE INDEX "ix_opportunities_customer" ON "opportunities"  ("customer_id", "created_at", "id") `);
    await q.query(`CREATE INDEX "ix_opportunities_created" ON "opportunities"  ("created_at", "id") `);
    await q.query(`CREATE TABLE "opportunity_stage_changes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "opportunity_id" uuid NOT NULL, "from_stage" character varying(30), "to_stage" character varying(30) NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "changed_by" uuid NOT NULL, "reason" text, CONSTRAINT "PK_opportunity_stage_changes" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_opportunity_stage_changes_changed" ON "opportunity_stage_changes"  ("changed_at") `);
    await q.query(`CREATE INDEX "ix_opportunity_stage_changes_opportunity" ON "opportunity_stage_changes"  ("opportunity_id", "changed_at") `);
    await q.query(`ALTER TABLE "opportunities" ADD CONSTRAINT "fk_opportunities_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "opportunities" ADD CONSTRAINT "fk_opportunities_owner" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "opportunities" ADD CONSTRAINT "fk_opportunities_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "opportunities" ADD CONSTRAINT "fk_opportunities_stage" FOREIGN KEY ("stage") REFERENCES "opportunity_stages"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "opportunities" ADD CONSTRAINT "fk_opportunities_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "opportunity_stage_changes" ADD CONSTRAINT "fk_opportunity_stage_changes_opportunity" FOREIGN KEY ("opportunity_id") REFERENCES "opportunities"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "opportunity_stage_changes" ADD CONSTRAINT "fk_opportunity_stage_changes_changed_by" FOREIGN KEY ("changed_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(
      `INSERT INTO opportunity_stages (code, name, position, default_probability, outcome) VALUES
         ('lead', '线索', 1, 10, 'open'), ('qualified', '需求确认', 2, 25, 'open'), ('proposal', '方案报价', 3, 50, 'open'),
         ('negotiation', '商务谈判', 4, 75, 'open'), ('won', '赢单', 5, 100, 'won'), ('lost', '输单', 6, 0, 'lost')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "opportunity_stage_changes" DROP CONSTRAINT "fk_opportunity_stage_changes_changed_by"`);
    await q.query(`ALTER TABLE "opportunity_stage_changes" DROP CONSTRAINT "fk_opportunity_stage_changes_opportunity"`);
    await q.query(`ALTER TABLE "opportunities" DROP CONSTRAINT "fk_opportunities_created_by"`);
    await q.query(`ALTER TABLE "opportunities" DROP CONSTRAINT "fk_opportunities_stage"`);
    await q.query(`ALTER TABLE "opportunities" DROP CONSTRAINT "fk_opportunities_department"`);
    await q.query(`ALTER TABLE "opportunities" DROP CONSTRAINT "fk_opportunities_owner"`);
    await q.query(`ALTER TABLE "opportunities" DROP CONSTRAINT "fk_opportunities_customer"`);
    await q.query(`DROP INDEX "public"."ix_opportunity_stage_changes_opportunity"`);
    await q.query(`DROP INDEX "public"."ix_opportunity_stage_changes_changed"`);
    await q.query(`DROP TABLE "opportunity_stage_changes"`);
    await q.query(`DROP INDEX "public"."ix_opportunities_created"`);
    await q.query(`DROP INDEX "public"."ix_opportunities_customer"`);
    await q.query(`DROP INDEX "public"."ix_opportunities_owner"`);
    await q.query(`DROP INDEX "public"."ix_opportunities_department"`);
    await q.query(`DROP TABLE "opportunities"`);
    await q.query(`DROP TABLE "opportunity_stages"`);
  }
}
