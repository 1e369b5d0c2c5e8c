import { dropDatabase, ScratchServer } from '../../scripts/support/scratch-postgres';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as Record<string, unknown>).__crmTestServer as ScratchServer | undefined;
  if (!server) return;
  await dropDatabase(server.serverUrl, process.env.CRM_TEST_TEMPLATE!).catch(() => undefined);
  await server.stop();
}
