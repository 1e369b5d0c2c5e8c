import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 17 at 1 M: the KPIs' snapshot figures (customers owned, new, gone dormant, reactivated:
 * the group's customers as they belong now) counted from one index alone, without visiting the
 * 46,000 rows of a department (262 ms of bitmap heap scan at 1 M before).
 */
export class KpiSnapshotIndex1796660000001 implements MigrationInterface {
  name = 'KpiSnapshotIndex1796660000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX ix_customers_department_kpi ON customers (department_id, owner_id, status) INCLUDE (created_at, archived_at, reactivated_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_customers_department_kpi"`);
  }
}
