import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Substring search of customer names that does not scan (issue 14). pg_trgm cannot index a
 * two-character Chinese term (it holds no complete trigram) and pg_bigm is not in the embedded
 * binaries, so the names are indexed as arrays of their characters and character pairs:
 * a name containing the query contains every pair of the query (every character, for a
 * one-character query), which `@>` finds in the GIN index; the substring itself is then checked
 * on the few candidates.
 *
 * The key is the name in NFKC, lower-cased: full-width ＴＣＬ finds TCL, and every name ILIKE
 * would find is found. It is an expression index, not a column: nothing to write or keep in step.
 */
export class CustomerSearchGrams1796400571931 implements MigrationInterface {
  name = 'CustomerSearchGrams1796400571931';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION customer_search_key(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN lower(normalize(coalesce(t, ''), NFKC))`);
    // Every character and every pair of neighbours, once each.
    await q.query(`
      CREATE FUNCTION customer_search_grams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN ARRAY(SELECT DISTINCT substr(t, i, n) FROM generate_series(1, length(t)) AS i, (VALUES (1), (2)) AS w(n)
                    WHERE i + n - 1 <= length(t))`);
    await q.query(`
      CREATE FUNCTION customer_search_grams(name text, short_name text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN customer_search_grams(customer_search_key(name)) || customer_search_grams(customer_search_key(short_name))`);
    // What a query needs: its pairs (its one character when it has only one).
    await q.query(`
      CREATE FUNCTION customer_query_grams(key text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN CASE WHEN length(key) < 2 THEN ARRAY[key]
                  ELSE ARRAY(SELECT DISTINCT substr(key, i, 2) FROM generate_series(1, length(key) - 1) AS i) END`);
    await q.query(`CREATE INDEX ix_customers_search_grams ON customers USING gin (customer_search_grams(name, short_name))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_customers_search_grams`);
    await q.query(`DROP FUNCTION customer_query_grams(text)`);
    await q.query(`DROP FUNCTION customer_search_grams(text, text)`);
    await q.query(`DROP FUNCTION customer_search_grams(text)`);
    await q.query(`DROP FUNCTION customer_search_key(text)`);
  }
}
