import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Interaction records keep every version (issue 12): a correction moves the version it replaces,
 * whole, to interaction_versions, and the record says who corrected it and when. Records corrected
 * before this migration were corrected by their author (the only one allowed to) at their last
 * update; the text of their earlier versions is in the audit log only ('interaction.correct'
 * entries, before and after), it is not copied here.
 */
export class InteractionVersions1796160174620 implements MigrationInterface {
  name = 'InteractionVersions1796160174620';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "interaction_versions" ("interaction_id" uuid NOT NULL, "version" integer NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "summary" text NOT NULL, "feedback" text, "agreements" text, "next_action" text, "next_action_due_at" TIMESTAMP WITH TIME ZONE, "corrected_by" uuid, "corrected_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_4d682ec886ed7587d070e9991e3" PRIMARY KEY ("interaction_id", "version"))`);
    await q.query(`ALTER TABLE "interactions" ADD "corrected_by" uuid`);
    await q.query(`ALTER TABLE "interactions" ADD "corrected_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`UPDATE "interactions" SET "corrected_by" = "author_id", "corrected_at" = "updated_at" WHERE "version" > 1`);
    await q.query(`ALTER TABLE "interactions" ADD CONSTRAINT "ck_interactions_corrected" CHECK ((version = 1) = (corrected_at IS NULL))`);
    await q.query(`ALTER TABLE "interactions" ADD CONSTRAINT "fk_interactions_corrected_by" FOREIGN KEY ("corrected_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "interaction_versions" ADD CONSTRAINT "fk_interaction_versions_interaction" FOREIGN KEY ("interaction_id") REFERENCES "interactions"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "interaction_versions" ADD CONSTRAINT "fk_interaction_versions_corrected_by" FOREIGN KEY ("corrected_by") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "interaction_versions" DROP CONSTRAINT "fk_interaction_versions_corrected_by"`);
    await q.query(`ALTER TABLE "interaction_versions" DROP CONSTRAINT "fk_interaction_versions_interaction"`);
    await q.query(`ALTER TABLE "interactions" DROP CONSTRAINT "fk_interactions_corrected_by"`);
    await q.query(`ALTER TABLE "interactions" DROP CONSTRAINT "ck_interactions_corrected"`);
    await q.query(`ALTER TABLE "interactions" DROP COLUMN "corrected_at"`);
    await q.query(`ALTER TABLE "interactions" DROP COLUMN "corrected_by"`);
    await q.query(`DROP TABLE "interaction_versions"`);
  }
}
