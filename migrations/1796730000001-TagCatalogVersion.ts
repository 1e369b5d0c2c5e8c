import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14: a version of the tag catalog (tags and tag groups), moved on by the database itself in
 * the transaction of any write to either table (statement triggers: the API, a merge, plain SQL), so
 * that a service instance may keep the catalog in memory and know, from the version read in the same
 * statement as a list page, whether its copy is the one that page saw: a list then names its tags
 * without a statement of its own. Tag writes now also update this one row (they queue on it until
 * commit: tag writes are rare administrative acts).
 */
export class TagCatalogVersion1796730000001 implements MigrationInterface {
  name = 'TagCatalogVersion1796730000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "tag_catalog_version" ("id" smallint NOT NULL, "version" bigint NOT NULL, CONSTRAINT "PK_tag_catalog_version" PRIMARY KEY ("id"))`);
    // The version's values come from a sequence: they never go back, not even when the row is deleted
    // and written again (a copy kept at a higher version would otherwise pass for current). Taken
    // under the row's lock, so they rise in commit order.
    await q.query(`CREATE SEQUENCE "tag_catalog_version_seq"`);
    await q.query(`INSERT INTO tag_catalog_version (id, version) VALUES (1, nextval('tag_catalog_version_seq'))`);
    await q.query(`
      CREATE FUNCTION tag_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- An upsert: were the row ever deleted, the next tag write puts it back (pages read without it
        -- name their tags from the database: see CustomersService.list).
        INSERT INTO tag_catalog_version (id, version) VALUES (1, nextval('tag_catalog_version_seq'))
          ON CONFLICT (id) DO UPDATE SET version = nextval('tag_catalog_version_seq');
        RETURN NULL;
      END $$`);
    for (const table of ['tags', 'tag_groups']) {
      await q.query(`CREATE TRIGGER ${table}_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION tag_catalog_changed()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['tags', 'tag_groups']) await q.query(`DROP TRIGGER ${table}_catalog_changed ON ${table}`);
    await q.query(`DROP FUNCTION tag_catalog_changed()`);
    await q.query(`DROP TABLE "tag_catalog_version"`);
    await q.query(`DROP SEQUENCE "tag_catalog_version_seq"`);
  }
}
