import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: the customer's status on each of its complaints too, kept true by the triggers that keep
 * its department (ComplaintDepartment1796640000000), so that a manager's (or an admin's) complaint
 * list checks that the customer is live on the complaint row itself instead of probing the customer
 * of every complaint it reads (84 of the overdue list's ~135 buffers at 100 k customers).
 * A complaint takes its customer's status whenever it is written (a new complaint, a merge moving it,
 * any write of the copy itself: a direct write is reset), and a customer's complaints follow it when
 * its status changes (archive, delete, merge, reactivation, any UPDATE of customers.status).
 */
export class ComplaintCustomerStatus1796720000000 implements MigrationInterface {
  name = 'ComplaintCustomerStatus1796720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "complaints" ADD "customer_status" character varying(20)`);
    // Before the trigger below watches the column: the old one does not fire on it.
    await q.query(`UPDATE complaints k SET customer_status = c.status FROM customers c WHERE c.id = k.customer_id`);
    await q.query(`ALTER TABLE "complaints" ALTER COLUMN "customer_status" SET NOT NULL`);
    await q.query(`
      CREATE OR REPLACE FUNCTION complaints_keep_department() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' OR NEW.customer_id IS DISTINCT FROM OLD.customer_id OR NEW.department_id IS DISTINCT FROM OLD.department_id
           OR NEW.customer_status IS DISTINCT FROM OLD.customer_status THEN
          SELECT department_id, status INTO NEW.department_id, NEW.customer_status FROM customers WHERE id = NEW.customer_id FOR SHARE;
          IF NOT FOUND THEN
            -- What the foreign key would have said, had the missing department not come first.
            RAISE EXCEPTION 'insert or update on table "complaints" violates foreign key constraint "fk_complaints_customer"'
              USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'fk_complaints_customer', TABLE = 'complaints';
          END IF;
        END IF;
        NEW.reach_elsewhere := ARRAY(
          SELECT u.id FROM users u WHERE u.id = ANY(array_append(NEW.escalated_to_ids, NEW.assignee_id)) AND u.department_id <> NEW.department_id
           ORDER BY u.id FOR SHARE);
        RETURN NEW;
      END $$`);
    await q.query(`DROP TRIGGER complaints_keep_department ON complaints`);
    await q.query(`
      CREATE TRIGGER complaints_keep_department BEFORE INSERT OR UPDATE OF customer_id, department_id, customer_status, assignee_id, escalated_to_ids, reach_elsewhere ON complaints
      FOR EACH ROW EXECUTE FUNCTION complaints_keep_department()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customers_move_complaints() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE complaints SET department_id = NEW.department_id, customer_status = NEW.status
         WHERE customer_id = NEW.id AND (department_id <> NEW.department_id OR customer_status <> NEW.status);
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER customers_move_complaints ON customers`);
    await q.query(`
      CREATE TRIGGER customers_move_complaints AFTER UPDATE OF department_id, status ON customers
      FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id OR OLD.status IS DISTINCT FROM NEW.status)
      EXECUTE FUNCTION customers_move_complaints()`);
    // Statistics for the new column now: without them the planner guesses that few complaints have a
    // live customer and reads (and sorts) all of a department's open complaints instead of walking
    // ix_complaints_department_open newest first (measured: 459 buffers against 36 at 100 k).
    await q.query(`ANALYZE complaints`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER customers_move_complaints ON customers`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customers_move_complaints() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE complaints SET department_id = NEW.department_id WHERE customer_id = NEW.id AND department_id <> NEW.department_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER customers_move_complaints AFTER UPDATE OF department_id ON customers
      FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id) EXECUTE FUNCTION customers_move_complaints()`);
    await q.query(`DROP TRIGGER complaints_keep_department ON complaints`);
    await q.query(`
      CREATE OR REPLACE FUNCTION complaints_keep_department() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' OR NEW.customer_id IS DISTINCT FROM OLD.customer_id OR NEW.department_id IS DISTINCT FROM OLD.department_id THEN
          SELECT department_id INTO NEW.department_id FROM customers WHERE id = NEW.customer_id FOR SHARE;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'insert or update on table "complaints" violates foreign key constraint "fk_complaints_customer"'
              USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'fk_complaints_customer', TABLE = 'complaints';
          END IF;
        END IF;
        NEW.reach_elsewhere := ARRAY(
          SELECT u.id FROM users u WHERE u.id = ANY(array_append(NEW.escalated_to_ids, NEW.assignee_id)) AND u.department_id <> NEW.department_id
           ORDER BY u.id FOR SHARE);
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER complaints_keep_department BEFORE INSERT OR UPDATE OF customer_id, department_id, assignee_id, escalated_to_ids, reach_elsewhere ON complaints
      FOR EACH ROW EXECUTE FUNCTION complaints_keep_department()`);
    await q.query(`ALTER TABLE "complaints" DROP COLUMN "customer_status"`);
  }
}
