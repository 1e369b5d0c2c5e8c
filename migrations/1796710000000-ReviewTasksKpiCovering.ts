import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17 at 1 M: a quarterly review round gives a department of 46,000 customers 46,000 tasks
 * due in the quarter; the KPIs' review figures (due, done on time, per owner or department) then
 * visited every task row. The two period indexes now carry what those figures read, so they are
 * answered from the index alone.
 */
export class ReviewTasksKpiCovering1796710000000 implements MigrationInterface {
  name = 'ReviewTasksKpiCovering1796710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_review_tasks_department_due"`);
    await q.query(`DROP INDEX "public"."ix_review_tasks_owner_due"`);
    await q.query(`CREATE INDEX "ix_review_tasks_department_due" ON "review_tasks" ("department_id", "due_at") INCLUDE ("owner_id", "done_at")`);
    await q.query(`CREATE INDEX "ix_review_tasks_owner_due" ON "review_tasks" ("owner_id", "due_at") INCLUDE ("department_id", "done_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_review_tasks_owner_due"`);
    await q.query(`DROP INDEX "public"."ix_review_tasks_department_due"`);
    await q.query(`CREATE INDEX "ix_review_tasks_department_due" ON "review_tasks" ("department_id", "due_at")`);
    await q.query(`CREATE INDEX "ix_review_tasks_owner_due" ON "review_tasks" ("owner_id", "due_at")`);
  }
}
