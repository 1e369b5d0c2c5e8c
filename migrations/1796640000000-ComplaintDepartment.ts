import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: a department manager's complaint list without probing the customer of every complaint.
 *
 * complaints.department_id is always the department of the complaint's customer, and the database
 * keeps it so, whatever path changes either side: a complaint takes its customer's department when
 * it is written (a new complaint, a merge moving it to the survivor, any write of the column
 * itself), and a customer's complaints follow it when its department changes (a transfer, a
 * succession, any UPDATE of customers.department_id).
 *
 * complaint_reach_keys: who, besides the department, a complaint is addressed to (its assignee and
 * everyone it was escalated to), each paired with the complaint's department as "<user>@<department>".
 * Indexed, it finds the complaints addressed to a manager that lie outside the manager's own
 * department without reading those inside it (which the department's index already answers).
 */
export class ComplaintDepartment1796640000000 implements MigrationInterface {
  name = 'ComplaintDepartment1796640000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "complaints" ADD "department_id" uuid`);
    await q.query(`UPDATE complaints k SET department_id = c.department_id FROM customers c WHERE c.id = k.customer_id`);
    await q.query(`ALTER TABLE "complaints" ALTER COLUMN "department_id" SET NOT NULL`);
    await q.query(
      `ALTER TABLE "complaints" ADD CONSTRAINT "fk_complaints_department" FOREIGN KEY ("department_id") REFERENCES "departments"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(`
      CREATE FUNCTION complaints_take_customer_department() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.department_id := (SELECT department_id FROM customers WHERE id = NEW.customer_id);
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER complaints_take_customer_department BEFORE INSERT OR UPDATE OF customer_id, department_id ON complaints
      FOR EACH ROW EXECUTE FUNCTION complaints_take_customer_department()`);
    await q.query(`
      CREATE FUNCTION customers_move_complaints() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE complaints SET department_id = NEW.department_id WHERE customer_id = NEW.id AND department_id <> NEW.department_id;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER customers_move_complaints AFTER UPDATE OF department_id ON customers
      FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id) EXECUTE FUNCTION customers_move_complaints()`);
    await q.query(`CREATE INDEX "ix_complaints_department" ON "complaints"  ("department_id", "received_at", "id") `);
    await q.query(
      `CREATE INDEX "ix_complaints_department_open" ON "complaints"  ("department_id", "received_at", "id") WHERE status IN ('received', 'assigned', 'in_progress')`,
    );
    await q.query(`
      CREATE FUNCTION complaint_reach_keys(assignee uuid, escalated uuid[], department uuid) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN ARRAY(SELECT DISTINCT p::text || '@' || department::text FROM unnest(array_append(escalated, assignee)) AS p WHERE p IS NOT NULL)`);
    // The keys a user's complaints carry in every department but one (theirs): departments are few.
    await q.query(`
      CREATE FUNCTION complaint_reach_elsewhere(person uuid, department uuid) RETURNS text[] LANGUAGE sql STABLE PARALLEL SAFE
      RETURN ARRAY(SELECT person::text || '@' || d.id::text FROM departments d WHERE d.id <> department)`);
    await q.query(`CREATE INDEX ix_complaints_reach ON complaints USING gin (complaint_reach_keys(assignee_id, escalated_to_ids, department_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_complaints_reach`);
    await q.query(`DROP FUNCTION complaint_reach_elsewhere(uuid, uuid)`);
    await q.query(`DROP FUNCTION complaint_reach_keys(uuid, uuid[], uuid)`);
    await q.query(`DROP INDEX "public"."ix_complaints_department_open"`);
    await q.query(`DROP INDEX "public"."ix_complaints_department"`);
    await q.query(`DROP TRIGGER customers_move_complaints ON customers`);
    await q.query(`DROP FUNCTION customers_move_complaints()`);
    await q.query(`DROP TRIGGER complaints_take_customer_department ON complaints`);
    await q.query(`DROP FUNCTION complaints_take_customer_department()`);
    await q.query(`ALTER TABLE "complaints" DROP CONSTRAINT "fk_complaints_department"`);
    await q.query(`ALTER TABLE "complaints" DROP COLUMN "department_id"`);
  }
}
