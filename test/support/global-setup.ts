import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { ensureLogin, sqlOfClient, urlWithLogin } from '../../src/database/database-roles';
import { migrateAndGrant } from '../../src/database/migrate';
import { createDatabase, onServer, startScratchServer } from '../../scripts/support/scratch-postgres';

/**
 * Once per run: a PostgreSQL server (embedded, or DATABASE_URL's), the two logins of the service
 * (the owner that migrates, the runtime login the apps run as), and a template database migrated
 * by the owner, with the runtime login's grants, that every test file clones into a database of its own.
 */
export default async function globalSetup(): Promise<void> {
  const server = await startScratchServer();
  const suffix = randomBytes(4).toString('hex');
  const template = `crm_template_${suffix}`;
  const owner = { role: `crm_test_owner_${suffix}`, password: randomBytes(16).toString('hex') };
  const runtime = { role: `crm_test_app_${suffix}`, password: randomBytes(16).toString('hex') };
  await onServer(server.serverUrl, async (client) => {
    await ensureLogin(sqlOfClient(client), owner.role, owner.password);
    await ensureLogin(sqlOfClient(client), runtime.role, runtime.password);
  });
  const url = await createDatabase(server.serverUrl, template, undefined, owner.role);
  const outcome = await migrateAndGrant(urlWithLogin(url, owner.role, owner.password), runtime.role);
  if (!outcome.separateRoles) throw new Error('the test logins must differ');
  process.env.CRM_TEST_SERVER_URL = server.serverUrl;
  process.env.CRM_TEST_TEMPLATE = template;
  process.env.CRM_TEST_OWNER = JSON.stringify(owner);
  process.env.CRM_TEST_RUNTIME = JSON.stringify(runtime);
  (globalThis as Record<string, unknown>).__crmTestServer = server;
}
