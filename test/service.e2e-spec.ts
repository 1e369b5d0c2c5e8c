import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/config';
import { startService } from '../src/service';
import { clientFor } from './support/test-app';

// The service as `npm start` runs it: its own embedded PostgreSQL in a data directory.
describe('npm start on a data directory', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'crm-data-'));
    await chmod(dataDir, 0o755);
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const start = async () => {
    const service = await startService(loadConfig({ CRM_DATA_DIR: dataDir, LOG_LEVEL: 'silent', SWAGGER_UI: 'false' }));
    await service.app.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${(service.app.getHttpServer().address() as { port: number }).port}`;
    return { service, baseUrl };
  };

  it('creates the admin once, keeps data and tokens across a restart, and reports a lost database on /health', async () => {
    const first = await start();
    const password = first.service.generatedAdminPassword;
    expect(password).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const login = await clientFor(first.baseUrl).POST('/api/v1/auth/login', { body: { username: 'admin', password: password! } });
    const token = login.data!.accessToken;
    const created = await clientFor(first.baseUrl, token).POST('/api/v1/departments', { body: { name: 'Survives Restarts' } });
    expect(created.response.status).toBe(201);
    await first.service.stop();

    const second = await start();
    try {
      expect(second.service.generatedAdminPassword).toBeUndefined();
      // Same signing key (kept in the data directory), same data.
      const api = clientFor(second.baseUrl, token);
      const departments = await api.GET('/api/v1/departments');
      expect(departments.data?.map((d) => d.name)).toContain('Survives Restarts');
      const again = await clientFor(second.baseUrl).POST('/api/v1/auth/login', { body: { username: 'admin', password: password! } });
      expect(again.response.status).toBe(200);
      const verify = await api.GET('/api/v1/audit-logs/verify');
      expect(verify.data).toMatchObject({ valid: true });

      await second.service.embedded!.stop();
      const health = await fetch(`${second.baseUrl}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    } finally {
      await second.service.stop();
    }
  });

  it('refuses to start on a data directory another running instance holds, saying so', async () => {
    const first = await start();
    try {
      await expect(start()).rejects.toThrow(/still holds/);
    } finally {
      await first.service.stop();
    }
  });
});
