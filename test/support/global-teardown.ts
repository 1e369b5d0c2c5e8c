import { dropDatabase, onServer, ScratchServer } from '../../scripts/support/scratch-postgres';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__crmTestServer as ScratchServer | undefined;
  if (!server) return;
  await dropDatabase(server.serverUrl, process.env.CRM_TEST_TEMPLATE!).catch(() => undefined);
  // The run's two logins (on a shared DATABASE_URL server they would otherwise stay behind).
  for (const login of [process.env.CRM_TEST_RUNTIME, process.env.CRM_TEST_OWNER]) {
    if (!login) continue;
    const { role } = JSON.parse(login) as { role: string };
    await onServer(server.serverUrl, (client) => client.query(`DROP ROLE IF EXISTS "${role}"`)).catch(() => undefined);
  }
  await server.stop();
}
