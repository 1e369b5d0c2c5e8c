import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Review tasks in the due list (issue 17): the open tasks of an owner and of a department are read
 * in the list's order (due time, customer, round) by their own indexes. Open tasks now follow
 * their customer through transfers; those left with a former owner by transfers before this
 * release move to the customer's owner and department now (only the owner can confirm a review).
 * The KPIs' review completion of a period reads a department's or a person's tasks by index.
 */
export class ReviewTasksFollowTheirCustomer1796610000000 implements MigrationInterface {
  name = 'ReviewTasksFollowTheirCustomer1796610000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_review_tasks_owner_open"`);
    await q.query(`CREATE INDEX "ix_review_tasks_owner_open" ON "review_tasks"  ("owner_id", "due_at", "customer_id", "round_id") WHERE done_at IS NULL`);
    await q.query(`CREATE INDEX "ix_review_tasks_department_open" ON "review_tasks"  ("department_id", "due_at", "customer_id", "round_id") WHERE done_at IS NULL`);
    // KPIs (review completion of a period) for a department or a person.
    await q.query(`CREATE INDEX "ix_review_tasks_department_due" ON "review_tasks"  ("department_id", "due_at") `);
    await q.query(`CREATE INDEX "ix_review_tasks_owner_due" ON "review_tasks"  ("owner_id", "due_at") `);
    await q.query(
      `UPDATE review_tasks r SET owner_id = c.owner_id, department_id = c.department_id
         FROM customers c
        WHERE c.id = r.customer_id AND r.done_at IS NULL AND (r.owner_id <> c.owner_id OR r.department_id <> c.department_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_review_tasks_owner_due"`);
    await q.query(`DROP INDEX "public"."ix_review_tasks_department_due"`);
    await q.query(`DROP INDEX "public"."ix_review_tasks_department_open"`);
    await q.query(`DROP INDEX "public"."ix_review_tasks_owner_open"`);
    await q.query(`CREATE INDEX "ix_review_tasks_owner_open" ON "review_tasks"  ("owner_id", "due_at") WHERE done_at IS NULL`);
  }
}
