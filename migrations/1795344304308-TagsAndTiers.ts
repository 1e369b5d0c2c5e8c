import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tag framework, tiers with their contact cadence (four defaults), customers' tier data and follow-up dates. */
export class TagsAndTiers1795344304308 implements MigrationInterface {
  name = 'TagsAndTiers1795344304308';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "tiers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(30) NOT NULL, "name" character varying(50) NOT NULL, "rank" integer NOT NULL, "contact_cadence_days" integer NOT NULL, "preferred_channel" character varying(20) NOT NULL, "response_target_minutes" integer NOT NULL, "service_notes" text, "criteria" jsonb NOT NULL DEFAULT '{}', "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_908405492b9b2c2ae1cea1e1cc0" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_tiers_rank" ON "tiers"  ("rank") `);
    await q.query(`CREATE UNIQUE INDEX "uq_tiers_code" ON "tiers"  ("code") `);
    await q.query(`CREATE TABLE "tag_groups" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(30) NOT NULL, "name_key" character varying(30) NOT NULL, "sort_order" integer NOT NULL DEFAULT '0', "exclusive" boolean NOT NULL DEFAULT false, "allow_personal" boolean NOT NULL DEFAULT false, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_380edeb740a90629e7134709393" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_tag_groups_name" ON "tag_groups"  ("name_key") `);
    await q.query(`CREATE TABLE "tags" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "group_id" uuid NOT NULL, "name" character varying(30) NOT NULL, "name_key" character varying(30) NOT NULL, "sort_order" integer NOT NULL DEFAULT '0', "owner_id" uuid, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e7dc17249a1148a1970748eda99" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_tags_group" ON "tags"  ("group_id", "sort_order") `);
    await q.query(`CREATE TABLE "customer_tags" ("customer_id" uuid NOT NULL, "tag_id" uuid NOT NULL, "added_by" uuid NOT NULL, "added_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_001706abc168c7f5553638aadf5" PRIMARY KEY ("customer_id", "tag_id"))`);
    await q.query(`CREATE INDEX "ix_customer_tags_tag" ON "customer_tags"  ("tag_id", "customer_id") `);
    await q.query(`ALTER TABLE "customers" ADD "tier_id" uuid`);
    await q.query(`ALTER TABLE "customers" ADD "annual_revenue" numeric(18,2)`);
    await q.query(`ALTER TABLE "customers" ADD "cooperation_since" date`);
    await q.query(`ALTER TABLE "customers" ADD "potential_score" smallint`);
    await q.query(`ALTER TABLE "customers" ADD "next_action_due_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`CREATE INDEX "ix_customers_department_follow_up" ON "customers"  ("department_id", "status", "next_follow_up_at", "id") `);
    await q.query(`CREATE INDEX "ix_customers_owner_follow_up" ON "customers"  ("owner_id", "status", "next_follow_up_at", "id") `);
    await q.query(`CREATE INDEX "ix_customers_follow_up" ON "customers"  ("status", "next_follow_up_at", "id") `);
    await q.query(`CREATE INDEX "ix_customers_tier" ON "customers"  ("tier_id") `);
    await q.query(`ALTER TABLE "customers" ADD CONSTRAINT "ck_customers_potential_score" CHECK (potential_score BETWEEN 0 AND 100)`);
    await q.query(`ALTER TABLE "customers" ADD CONSTRAINT "fk_customers_tier" FOREIGN KEY ("tier_id") REFERENCES "tiers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "tags" ADD CONSTRAINT "fk_tags_group" FOREIGN KEY ("group_id") REFERENCES "tag_groups"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "tags" ADD CONSTRAINT "fk_tags_owner" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "customer_tags" ADD CONSTRAINT "fk_customer_tags_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "customer_tags" ADD CONSTRAINT "fk_customer_tags_tag" FOREIGN KEY ("tag_id") REFERENCES "tags"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`CREATE TABLE "customer_tier_changes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "customer_id" uuid NOT NULL, "from_tier_id" uuid, "to_tier_id" uuid NOT NULL, "reason" text NOT NULL, "changed_by" uuid, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_bd812cb04bc888104e7747c0cc2" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_customer_tier_changes_customer" ON "customer_tier_changes"  ("customer_id", "changed_at") `);
    await q.query(`ALTER TABLE "customer_tier_changes" ADD CONSTRAINT "fk_customer_tier_changes_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "customer_tier_changes" ADD CONSTRAINT "fk_customer_tier_changes_from" FOREIGN KEY ("from_tier_id") REFERENCES "tiers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "customer_tier_changes" ADD CONSTRAINT "fk_customer_tier_changes_to" FOREIGN KEY ("to_tier_id") REFERENCES "tiers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    // Names are unique within a group per owner: company tags among themselves, each user's personal tags among theirs.
    await q.query(`CREATE UNIQUE INDEX uq_tags_name ON tags (group_id, name_key, coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid))`);
    // The four default tiers of the handbooks (000 §4.2, 003 §1); rank: higher is more important.
    await q.query(`
      INSERT INTO tiers (code, name, rank, contact_cadence_days, preferred_channel, response_target_minutes, service_notes, criteria) VALUES
        ('strategic', '战略客户', 40, 30, 'visit', 30, '高层定期拜访，每季度业务回顾', '{"minAnnualRevenue": 10000000, "minCooperationYears": 3, "minPotentialScore": 80}'),
        ('core', '核心客户', 30, 14, 'phone', 120, '每两周电话沟通', '{"minAnnualRevenue": 1000000, "minCooperationYears": 1, "minPotentialScore": 50}'),
        ('ordinary', '普通客户', 20, 30, 'email', 480, '每月邮件，每季度满意度调查', '{}'),
        ('dormant', '休眠客户', 10, 90, 'email', 480, '每季度激活优惠', '{}')`);
    // Existing customers: the default tier; the due date recorded so far was the next action's.
    await q.query(`UPDATE customers SET tier_id = (SELECT id FROM tiers WHERE code = 'ordinary'), next_action_due_at = next_follow_up_at`);
    await q.query(`
      UPDATE customers c SET next_follow_up_at = least(coalesce(c.last_interaction_at, c.created_at) + make_interval(days => t.contact_cadence_days), c.next_action_due_at)
        FROM tiers t WHERE t.id = c.tier_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "customer_tier_changes" DROP CONSTRAINT "fk_customer_tier_changes_to"`);
    await q.query(`ALTER TABLE "customer_tier_changes" DROP CONSTRAINT "fk_customer_tier_changes_from"`);
    await q.query(`ALTER TABLE "customer_tier_changes" DROP CONSTRAINT "fk_customer_tier_changes_customer"`);
    await q.query(`DROP INDEX "public"."ix_customer_tier_changes_customer"`);
    await q.query(`DROP TABLE "customer_tier_changes"`);
    await q.query(`DROP INDEX uq_tags_name`);
    await q.query(`ALTER TABLE "customer_tags" DROP CONSTRAINT "fk_customer_tags_tag"`);
    await q.query(`ALTER TABLE "customer_tags" DROP CONSTRAINT "fk_customer_tags_customer"`);
    await q.query(`ALTER TABLE "tags" DROP CONSTRAINT "fk_tags_owner"`);
    await q.query(`ALTER TABLE "tags" DROP CONSTRAINT "fk_tags_group"`);
    await q.query(`ALTER TABLE "customers" DROP CONSTRAINT "fk_customers_tier"`);
    await q.query(`ALTER TABLE "customers" DROP CONSTRAINT "ck_customers_potential_score"`);
    await q.query(`DROP INDEX "public"."ix_customers_tier"`);
    await q.query(`DROP INDEX "public"."ix_customers_follow_up"`);
    await q.query(`DROP INDEX "public"."ix_customers_owner_follow_up"`);
    await q.query(`DROP INDEX "public"."ix_customers_department_follow_up"`);
    await q.query(`ALTER TABLE "customers" DROP COLUMN "next_action_due_at"`);
    await q.query(`ALTER TABLE "customers" DROP COLUMN "potential_score"`);
    await q.query(`ALTER TABLE "customers" DROP COLUMN "cooperation_since"`);
    await q.query(`ALTER TABLE "customers" DROP COLUMN "annual_revenue"`);
    await q.query(`ALTER TABLE "customers" DROP COLUMN "tier_id"`);
    await q.query(`DROP INDEX "public"."ix_customer_tags_tag"`);
    await q.query(`DROP TABLE "customer_tags"`);
    await q.query(`DROP INDEX "public"."ix_tags_group"`);
    await q.query(`DROP TABLE "tags"`);
    await q.query(`DROP INDEX "public"."uq_tag_groups_name"`);
    await q.query(`DROP TABLE "tag_groups"`);
    await q.query(`DROP INDEX "public"."uq_tiers_code"`);
    await q.query(`DROP INDEX "public"."uq_tiers_rank"`);
    await q.query(`DROP TABLE "tiers"`);
  }
}
