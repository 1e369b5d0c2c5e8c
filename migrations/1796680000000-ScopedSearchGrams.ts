import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The name search at 1 M customers (issue 14). Three causes of its PostgreSQL time, measured with
 * EXPLAIN (ANALYZE, BUFFERS) on the 1 M seed:
 *
 * - A manager's (or sales user's) search intersected the character-pair index's ~1,400 candidates
 *   with the department's index (46,000 entries) to keep ~50. The index now also holds every gram
 *   prefixed by the customer's department (its id as text, 36 characters: never a gram of one or two
 *   characters), so a search within a department reads that department's posting list only. The
 *   department is an indexed expression: a customer moved elsewhere is re-indexed by the UPDATE itself.
 * - Every search scanned the GIN pending list (fastupdate): 333 pages there, 5 in the index proper.
 *   gin_pending_list_limit is now the minimum (64 kB): the writer that fills it merges it, so a search
 *   reads at most 8 pending pages.
 * - normalize(NFKC) cost ~1.2 µs a call and the ranking called it up to six times per candidate.
 *   customer_search_key skips it for text that is already NFKC (the quick check, ~0.3 µs; the result
 *   is the same by definition), and the search computes the two keys once per candidate.
 */
export class ScopedSearchGrams1796680000000 implements MigrationInterface {
  name = 'ScopedSearchGrams1796680000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION customer_search_key(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN CASE WHEN coalesce(t, '') IS NFKC NORMALIZED THEN lower(coalesce(t, '')) ELSE lower(normalize(coalesce(t, ''), NFKC)) END`);
    // The grams, and the same grams prefixed by the department.
    await q.query(`
      CREATE FUNCTION customer_search_grams(name text, short_name text, department_id uuid) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN (SELECT g.grams || ARRAY(SELECT department_id::text || x FROM unnest(g.grams) AS x)
                FROM (SELECT customer_search_grams(name, short_name) AS grams) AS g)`);
    // What a query within one department needs.
    await q.query(`
      CREATE FUNCTION customer_query_grams(key text, department_id uuid) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN ARRAY(SELECT department_id::text || x FROM unnest(customer_query_grams(key)) AS x)`);
    await q.query(`DROP INDEX ix_customers_search_grams`);
    await q.query(`CREATE INDEX ix_customers_search_grams ON customers USING gin (customer_search_grams(name, short_name, department_id)) WITH (gin_pending_list_limit = 64)`);
    await q.query(`ANALYZE customers`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_customers_search_grams`);
    await q.query(`CREATE INDEX ix_customers_search_grams ON customers USING gin (customer_search_grams(name, short_name))`);
    await q.query(`DROP FUNCTION customer_query_grams(text, uuid)`);
    await q.query(`DROP FUNCTION customer_search_grams(text, text, uuid)`);
    await q.query(`
      CREATE OR REPLACE FUNCTION customer_search_key(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN lower(normalize(coalesce(t, ''), NFKC))`);
  }
}
