import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rows of customer_quality whose difference a statement adds to the counts: each row with
 * +1 (new) or -1 (old), from the statement's transition tables.
 */
const DELTA = {
  INSERT: `SELECT department_id, owner_id, failing, incomplete, 1 AS sign FROM new_results`,
  DELETE: `SELECT department_id, owner_id, failing, incomplete, -1 AS sign FROM old_results`,
  UPDATE: `SELECT department_id, owner_id, failing, incomplete, 1 AS sign FROM new_results
           UNION ALL SELECT department_id, owner_id, failing, incomplete, -1 FROM old_results`,
} as const;

/**
 * Adds one statement's difference to both summaries, set-based: grouped per (department, owner)
 * and per rule, in key order (two writers lock the rows they share in the same order), skipping
 * groups whose difference is nil (the job rewriting an unchanged result writes nothing here), and
 * removing the rows it brought to zero.
 */
function followBody(delta: string): string {
  return `
      BEGIN
        INSERT INTO quality_summary AS s (department_id, owner_id, customers, failing, complete)
        SELECT d.department_id, d.owner_id, sum(d.sign), coalesce(sum(d.sign) FILTER (WHERE d.failing <> '{}'), 0), coalesce(sum(d.sign) FILTER (WHERE NOT d.incomplete), 0)
          FROM (${delta}) d
         GROUP BY d.department_id, d.owner_id
        HAVING sum(d.sign) <> 0 OR coalesce(sum(d.sign) FILTER (WHERE d.failing <> '{}'), 0) <> 0 OR coalesce(sum(d.sign) FILTER (WHERE NOT d.incomplete), 0) <> 0
         ORDER BY d.department_id, d.owner_id
        ON CONFLICT (department_id, owner_id) DO UPDATE
           SET customers = s.customers + excluded.customers, failing = s.failing + excluded.failing, complete = s.complete + excluded.complete;
        DELETE FROM quality_summary s USING (SELECT DISTINCT department_id, owner_id FROM (${delta}) d) t
         WHERE s.department_id = t.department_id AND s.owner_id = t.owner_id AND s.customers = 0;

        INSERT INTO quality_rule_summary AS s (department_id, owner_id, rule, customers)
        SELECT d.department_id, d.owner_id, r.rule, sum(d.sign)
          FROM (${delta}) d CROSS JOIN LATERAL unnest(d.failing) AS r(rule)
         GROUP BY d.department_id, d.owner_id, r.rule
        HAVING sum(d.sign) <> 0
         ORDER BY d.department_id, d.owner_id, r.rule
        ON CONFLICT (department_id, owner_id, rule) DO UPDATE SET customers = s.customers + excluded.customers;
        DELETE FROM quality_rule_summary s USING (SELECT DISTINCT d.department_id, d.owner_id, r.rule FROM (${delta}) d CROSS JOIN LATERAL unnest(d.failing) AS r(rule)) t
         WHERE s.department_id = t.department_id AND s.owner_id = t.owner_id AND s.rule = t.rule AND s.customers = 0;
        RETURN NULL;
      END`;
}

/**
 * Issue 17 at 1 M: the data-quality summary (and the KPI completeness) read per-(department, owner)
 * counts instead of aggregating tens of thousands of results per call. The counts are kept by
 * statement triggers on customer_quality, so they follow every write of the results in its own
 * transaction, whatever path makes it: the job's save and forget, a cascade from a deleted
 * customer, a TRUNCATE. Filled from the existing results.
 */
export class QualitySummary1796670000000 implements MigrationInterface {
  name = 'QualitySummary1796670000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "quality_summary" ("department_id" uuid NOT NULL, "owner_id" uuid NOT NULL, "customers" integer NOT NULL, "failing" integer NOT NULL, "complete" integer NOT NULL, CONSTRAINT "PK_quality_summary" PRIMARY KEY ("department_id", "owner_id"))`);
    await q.query(`CREATE TABLE "quality_rule_summary" ("department_id" uuid NOT NULL, "owner_id" uuid NOT NULL, "rule" character varying(40) NOT NULL, "customers" integer NOT NULL, CONSTRAINT "PK_quality_rule_summary" PRIMARY KEY ("department_id", "owner_id", "rule"))`);
    for (const [event, delta] of Object.entries(DELTA)) {
      const name = `customer_quality_summary_${event.toLowerCase()}`;
      const transition = { INSERT: 'NEW TABLE AS new_results', DELETE: 'OLD TABLE AS old_results', UPDATE: 'OLD TABLE AS old_results NEW TABLE AS new_results' }[event];
      await q.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$${followBody(delta)} $$`);
      await q.query(`CREATE TRIGGER ${name} AFTER ${event} ON customer_quality REFERENCING ${transition} FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`);
    }
    await q.query(`
      CREATE FUNCTION customer_quality_summary_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM quality_summary;
        DELETE FROM quality_rule_summary;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER customer_quality_summary_truncate AFTER TRUNCATE ON customer_quality FOR EACH STATEMENT EXECUTE FUNCTION customer_quality_summary_truncate()`);
    // After the triggers: creating them locks the results against writes until this commits, so nothing is counted twice or missed.
    await q.query(`
      INSERT INTO quality_summary (department_id, owner_id, customers, failing, complete)
      SELECT department_id, owner_id, count(*), count(*) FILTER (WHERE failing <> '{}'), count(*) FILTER (WHERE NOT incomplete)
        FROM customer_quality GROUP BY department_id, owner_id`);
    await q.query(`
      INSERT INTO quality_rule_summary (department_id, owner_id, rule, customers)
      SELECT q.department_id, q.owner_id, r.rule, count(*) FROM customer_quality q CROSS JOIN LATERAL unnest(q.failing) AS r(rule)
       GROUP BY q.department_id, q.owner_id, r.rule`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const event of ['truncate', ...Object.keys(DELTA).map((e) => e.toLowerCase())]) {
      await q.query(`DROP TRIGGER customer_quality_summary_${event} ON customer_quality`);
      await q.query(`DROP FUNCTION customer_quality_summary_${event}()`);
    }
    await q.query(`DROP TABLE "quality_rule_summary"`);
    await q.query(`DROP TABLE "quality_summary"`);
  }
}
