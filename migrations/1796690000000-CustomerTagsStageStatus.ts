import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: the customer's stage and status on each of its tag rows too, kept true by the same
 * triggers as its department (CustomerTagsDepartment1796650000000), so that a department's list
 * filtered by tag and stage reads only the tag rows of customers that qualify,
 * (tag, department, stage, status), instead of probing every tagged customer of the department
 * (at 1 M customers about 494 probes a page, most of them failing on stage or status).
 * A customer's stage or status change now also rewrites its few tag rows.
 */
export class CustomerTagsStageStatus1796690000000 implements MigrationInterface {
  name = 'CustomerTagsStageStatus1796690000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "customer_tags" ADD "stage" character varying(20), ADD "status" character varying(20)`);
    await q.query(`UPDATE customer_tags ct SET stage = c.stage, status = c.status FROM customers c WHERE c.id = ct.customer_id`);
    await q.query(`ALTER TABLE "customer_tags" ALTER COLUMN "stage" SET NOT NULL, ALTER COLUMN "status" SET NOT NULL`);
    // The new index serves every (tag, department) range the old one did: it replaces it.
    await q.query(`DROP INDEX "public"."ix_customer_tags_tag_department"`);
    await q.query(`CREATE INDEX "ix_customer_tags_tag_department_stage" ON "customer_tags" ("tag_id", "department_id", "stage", "status", "customer_id") `);
    await q.query(`
      CREATE OR REPLACE FUNCTION customer_tags_take_department() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- FOR SHARE: a change of the customer under way is waited for, so its values are the ones read
        -- (else a tag row written beside an uncommitted move would keep the old department or stage).
        SELECT c.department_id, c.stage, c.status INTO NEW.department_id, NEW.stage, NEW.status
          FROM customers c WHERE c.id = NEW.customer_id FOR SHARE;
        RETURN NEW;
      END $$`);
    await q.query(`DROP TRIGGER customer_tags_take_department ON customer_tags`);
    await q.query(`
      CREATE TRIGGER customer_tags_take_department BEFORE INSERT OR UPDATE OF customer_id, department_id, stage, status ON customer_tags
        FOR EACH ROW EXECUTE FUNCTION customer_tags_take_department()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customers_move_tag_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE customer_tags SET department_id = NEW.department_id, stage = NEW.stage, status = NEW.status WHERE customer_id = NEW.id;
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER customers_move_tag_rows ON customers`);
    await q.query(`
      CREATE TRIGGER customers_move_tag_rows AFTER UPDATE OF department_id, stage, status ON customers
        FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id OR OLD.stage IS DISTINCT FROM NEW.stage OR OLD.status IS DISTINCT FROM NEW.status)
        EXECUTE FUNCTION customers_move_tag_rows()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER customers_move_tag_rows ON customers`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customers_move_tag_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE customer_tags SET department_id = NEW.department_id WHERE customer_id = NEW.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER customers_move_tag_rows AFTER UPDATE OF department_id ON customers
        FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id) EXECUTE FUNCTION customers_move_tag_rows()`);
    await q.query(`DROP TRIGGER customer_tags_take_department ON customer_tags`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customer_tags_take_department() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT c.department_id INTO NEW.department_id FROM customers c WHERE c.id = NEW.customer_id FOR SHARE;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER customer_tags_take_department BEFORE INSERT OR UPDATE OF customer_id, department_id ON customer_tags
        FOR EACH ROW EXECUTE FUNCTION customer_tags_take_department()`);
    await q.query(`DROP INDEX "public"."ix_customer_tags_tag_department_stage"`);
    await q.query(`CREATE INDEX "ix_customer_tags_tag_department" ON "customer_tags" ("tag_id", "department_id", "customer_id") `);
    await q.query(`ALTER TABLE "customer_tags" DROP COLUMN "status", DROP COLUMN "stage"`);
  }
}
