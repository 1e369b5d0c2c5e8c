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
    await q.query(`INSERT INTO tag_catalog_version (id, version) VALUES (1, 1)`);
    await q.query(`
      CREATE FUNCTION tag_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE tag_catalog_version SET version = version + 1 WHERE id = 1;
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
  }
}
