import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: the customer's department on each of its tag rows, kept true by triggers (whatever
 * inserts a tag row or moves a customer, through any path, the row follows), so that a department's
 * customers with a tag are one index range (tag, department).
 */
export class CustomerTagsDepartment1796650000000 implements MigrationInterface {
  name = 'CustomerTagsDepartment1796650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "customer_tags" ADD "department_id" uuid`);
    await q.query(`UPDATE customer_tags ct SET department_id = c.department_id FROM customers c WHERE c.id = ct.customer_id`);
    await q.query(`ALTER TABLE "customer_tags" ALTER COLUMN "department_id" SET NOT NULL`);
    await q.query(`CREATE INDEX "ix_customer_tags_tag_department" ON "customer_tags" ("tag_id", "department_id", "customer_id") `);
    await q.query(`
      CREATE FUNCTION customer_tags_take_department() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- FOR SHARE: a move of the customer under way is waited for, so its department is the one read
        -- (else a tag row written beside an uncommitted move would keep the old department).
        SELECT c.department_id INTO NEW.department_id FROM customers c WHERE c.id = NEW.customer_id FOR SHARE;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER customer_tags_take_department BEFORE INSERT OR UPDATE OF customer_id, department_id ON customer_tags
        FOR EACH ROW EXECUTE FUNCTION customer_tags_take_department()`);
    await q.query(`
      CREATE FUNCTION customers_move_tag_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE customer_tags SET department_id = NEW.department_id WHERE customer_id = NEW.id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER customers_move_tag_rows AFTER UPDATE OF department_id ON customers
        FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id) EXECUTE FUNCTION customers_move_tag_rows()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER customers_move_tag_rows ON customers`);
    await q.query(`DROP FUNCTION customers_move_tag_rows()`);
    await q.query(`DROP TRIGGER customer_tags_take_department ON customer_tags`);
    await q.query(`DROP FUNCTION customer_tags_take_department()`);
    await q.query(`DROP INDEX "public"."ix_customer_tags_tag_department"`);
    await q.query(`ALTER TABLE "customer_tags" DROP COLUMN "department_id"`);
  }
}
