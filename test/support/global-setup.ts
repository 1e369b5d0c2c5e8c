import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source';
import { createDatabase, startScratchServer } from '../../scripts/support/scratch-postgres';

/**
 * Once per run: a PostgreSQL server (embedded, or DATABASE_URL's), and a migrated template
 * database that every test file clones into a database of its own.
 */
export default async function globalSetup(): Promise<void> {
  const server = await startScratchServer();
  const template = `crm_template_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(server.serverUrl, template);
  const dataSource = new DataSource(dataSourceOptions(url, 1));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  await dataSource.destroy();
  process.env.CRM_TEST_SERVER_URL = server.serverUrl;
  process.env.CRM_TEST_TEMPLATE = template;
  (globalThis as Record<string, unknown>).__crmTestServer = server;
}
