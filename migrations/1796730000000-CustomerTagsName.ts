import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: the customer's name on each of its tag rows too, kept true by the triggers that keep its
 * department, stage and status (CustomerTagsStageStatus1796690000000), so that a department's list by
 * tag and stage in the default order (by name) reads the tag rows of qualifying customers already in
 * (name, id) order from the cursor and stops after a page, instead of probing every qualifying
 * customer of the department and sorting them (at 1 M customers ~150 probes for a page of 20).
 * A customer's rename now also rewrites its few tag rows; a tag row takes the name whenever it is
 * written (a new tag, a merge moving it, any write of the copy itself: a direct write is reset).
 */
export class CustomerTagsName1796730000000 implements MigrationInterface {
  name = 'CustomerTagsName1796730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "customer_tags" ADD "customer_name" character varying(200)`);
    await q.query(`UPDATE customer_tags ct SET customer_name = c.name FROM customers c WHERE c.id = ct.customer_id`);
    await q.query(`ALTER TABLE "customer_tags" ALTER COLUMN "customer_name" SET NOT NULL`);
    // The new index serves every range the old one did (the name comes after them): it replaces it.
    await q.query(`DROP INDEX "public"."ix_customer_tags_tag_department_stage"`);
    await q.query(
      `CREATE INDEX "ix_customer_tags_tag_department_stage_name" ON "customer_tags" ("tag_id", "department_id", "stage", "status", "customer_name", "customer_id") `,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION customer_tags_take_department() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- FOR SHARE: a change of the customer under way is waited for, so its values are the ones read
        -- (else a tag row written beside an uncommitted change would keep the old department, stage or name).
        SELECT c.department_id, c.stage, c.status, c.name INTO NEW.department_id, NEW.stage, NEW.status, NEW.customer_name
          FROM customers c WHERE c.id = NEW.customer_id FOR SHARE;
        RETURN NEW;
      END $$`);
    await q.query(`DROP TRIGGER customer_tags_take_department ON customer_tags`);
    await q.query(`
      CREATE TRIGGER customer_tags_take_department BEFORE INSERT OR UPDATE OF customer_id, department_id, stage, status, customer_name ON customer_tags
        FOR EACH ROW EXECUTE FUNCTION customer_tags_take_department()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customers_move_tag_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE customer_tags SET department_id = NEW.department_id, stage = NEW.stage, status = NEW.status, customer_name = NEW.name WHERE customer_id = NEW.id;
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER customers_move_tag_rows ON customers`);
    await q.query(`
      CREATE TRIGGER customers_move_tag_rows AFTER UPDATE OF department_id, stage, status, name ON customers
        FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id OR OLD.stage IS DISTINCT FROM NEW.stage
                           OR OLD.status IS DISTINCT FROM NEW.status OR OLD.name IS DISTINCT FROM NEW.name)
        EXECUTE FUNCTION customers_move_tag_rows()`);
    // Statistics for the new column and index now, so the first lists are planned on them.
    await q.query(`ANALYZE customer_tags`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER customers_move_tag_rows ON customers`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customers_move_tag_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE customer_tags SET department_id = NEW.department_id, stage = NEW.stage, status = NEW.status WHERE customer_id = NEW.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER customers_move_tag_rows AFTER UPDATE OF department_id, stage, status ON customers
        FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id OR OLD.stage IS DISTINCT FROM NEW.stage OR OLD.status IS DISTINCT FROM NEW.status)
        EXECUTE FUNCTION customers_move_tag_rows()`);
    await q.query(`DROP TRIGGER customer_tags_take_department ON customer_tags`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customer_tags_take_department() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT c.department_id, c.stage, c.status INTO NEW.department_id, NEW.stage, NEW.status
          FROM customers c WHERE c.id = NEW.customer_id FOR SHARE;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER customer_tags_take_department BEFORE INSERT OR UPDATE OF customer_id, department_id, stage, status ON customer_tags
        FOR EACH ROW EXECUTE FUNCTION customer_tags_take_department()`);
    await q.query(`DROP INDEX "public"."ix_customer_tags_tag_department_stage_name"`);
    await q.query(`CREATE INDEX "ix_customer_tags_tag_department_stage" ON "customer_tags" ("tag_id", "department_id", "stage", "status", "customer_id") `);
    await q.query(`ALTER TABLE "customer_tags" DROP COLUMN "customer_name"`);
  }
}
