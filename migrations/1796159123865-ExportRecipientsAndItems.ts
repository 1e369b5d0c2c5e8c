import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Exports record who the data is for, the requester's role and department when asked (re-checked at
 * approval and download), and the ids of the customers taken at approval (export_items, count, digest).
 * Exports made before this keep their requester's current role and department and a recipient of
 * '(not recorded)'; having no snapshot, they cannot be downloaded (EXPORT_NOT_READY).
 */
export class ExportRecipientsAndItems1796159123865 implements MigrationInterface {
  name = 'ExportRecipientsAndItems1796159123865';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "export_items" ("export_id" uuid NOT NULL, "customer_id" uuid NOT NULL, CONSTRAINT "PK_2a50ca1c1606355414ac7e36d04" PRIMARY KEY ("export_id", "customer_id"))`);
    await q.query(`CREATE INDEX "ix_export_items_customer" ON "export_items"  ("customer_id") `);
    await q.query(`ALTER TABLE "exports" ADD "requester_role" character varying(20)`);
    await q.query(`ALTER TABLE "exports" ADD "requester_department_id" uuid`);
    await q.query(`ALTER TABLE "exports" ADD "recipient" character varying(200)`);
    await q.query(`UPDATE "exports" e SET "requester_role" = u.role, "requester_department_id" = u.department_id, "recipient" = '(not recorded)' FROM "users" u WHERE u.id = e.requester_id`);
    await q.query(`ALTER TABLE "exports" ALTER COLUMN "requester_role" SET NOT NULL`);
    await q.query(`ALTER TABLE "exports" ALTER COLUMN "requester_department_id" SET NOT NULL`);
    await q.query(`ALTER TABLE "exports" ALTER COLUMN "recipient" SET NOT NULL`);
    await q.query(`ALTER TABLE "exports" ADD "row_count" integer`);
    await q.query(`ALTER TABLE "exports" ADD "ids_digest" character varying(64)`);
    await q.query(`ALTER TABLE "export_items" ADD CONSTRAINT "fk_export_items_export" FOREIGN KEY ("export_id") REFERENCES "exports"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "export_items" ADD CONSTRAINT "fk_export_items_customer" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "export_items" DROP CONSTRAINT "fk_export_items_customer"`);
    await q.query(`ALTER TABLE "export_items" DROP CONSTRAINT "fk_export_items_export"`);
    await q.query(`ALTER TABLE "exports" DROP COLUMN "ids_digest"`);
    await q.query(`ALTER TABLE "exports" DROP COLUMN "row_count"`);
    await q.query(`ALTER TABLE "exports" DROP COLUMN "recipient"`);
    await q.query(`ALTER TABLE "exports" DROP COLUMN "requester_department_id"`);
    await q.query(`ALTER TABLE "exports" DROP COLUMN "requester_role"`);
    await q.query(`DROP INDEX "public"."ix_export_items_customer"`);
    await q.query(`DROP TABLE "export_items"`);
  }
}
