import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An admin's two-character search at 1 M customers (issue 14): a brand matches a few hundred
 * customers across departments, and ranking them by relevance fetched, keyed and sorted every one of
 * them for a page of 20. Nearly all are prefix matches (rank 0 or 1: the short name starts with the
 * brand), so for a two-character query these indexes give that rank's rows already in relevance order:
 * the first two characters of the search key, then whether the key is longer than the query (the
 * exact match, rank 0, first), then the name and id (the keyset). The search reads a page from each
 * (short name, name) and only falls back to the character-pair index when they cannot fill it.
 */
export class SearchPrefixIndexes1796700000000 implements MigrationInterface {
  name = 'SearchPrefixIndexes1796700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX ix_customers_search_prefix_short_name ON customers (left(customer_search_key(short_name), 2), (length(customer_search_key(short_name)) > 2), name, id)`,
    );
    await q.query(`CREATE INDEX ix_customers_search_prefix_name ON customers (left(customer_search_key(name), 2), (length(customer_search_key(name)) > 2), name, id)`);
    await q.query(`ANALYZE customers`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_customers_search_prefix_name`);
    await q.query(`DROP INDEX ix_customers_search_prefix_short_name`);
  }
}
