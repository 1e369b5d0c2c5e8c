import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { PartitionsForTheRuntimeRole1796400200000 } from '../migrations/1796400200000-PartitionsForTheRuntimeRole';
import { AuditEntityIndex1796400572847 } from '../migrations/1796400572847-AuditEntityIndex';
import { WebhooksAndOutbox1796502580212 } from '../migrations/1796502580212-WebhooksAndOutbox';
import { AuditQueue1796630000000 } from '../migrations/1796630000000-AuditQueue';
import { createApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/config';
import { EMBEDDED_OWNER_ROLE, EMBEDDED_RUNTIME_ROLE, inspectRuntimeRole, sqlOfClient } from '../src/database/database-roles';
import { dataSourceOptions } from '../src/database/data-source';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { ensureDatabase } from '../src/database/ensure-database';
import { currentUser } from '../src/database/migrate';
import { UsersService } from '../src/modules/users';
import { startService } from '../src/service';
import { AUDIT_SIGNING_KEY, clientFor } from './support/test-app';

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
      // The service runs as the login the embedded superuser created for it, which owns nothing.
      expect(await currentUser(second.service.app.get(DataSource))).toBe(EMBEDDED_RUNTIME_ROLE);
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

  it('upgrades a data directory from before the two logins: the tables go to the owner login, data, admin and tokens stay', async () => {
    const oldDir = await mkdtemp(join(tmpdir(), 'crm-old-data-'));
    await chmod(oldDir, 0o755);
    try {
      // The data directory as the service left it before: three secrets, everything made and used by the superuser.
      const secrets = {
        postgresPassword: randomBytes(24).toString('base64url'),
        jwtSecret: randomBytes(48).toString('base64url'),
        dataKey: randomBytes(32).toString('hex'),
      };
      writeFileSync(join(oldDir, 'secrets.json'), JSON.stringify(secrets, null, 2), { mode: 0o600 });
      const config = loadConfig({ CRM_DATA_DIR: oldDir, LOG_LEVEL: 'silent', SWAGGER_UI: 'false', JOBS_ENABLED: 'false' });
      const pg = await startEmbeddedPostgres({ clusterDir: join(oldDir, 'pg'), password: secrets.postgresPassword, port: 0 });
      let token: string;
      try {
        const superuserUrl = await ensureDatabase(pg.url, 'crm');
        const upTo = MIGRATIONS.indexOf(PartitionsForTheRuntimeRole1796400200000);
        // The app below is today's code, whose audit append also writes the entity index: that table
        // is made here too, as are the outbox it writes beside the entries and the queue it reads (TypeORM runs the later migrations it has not run, whatever their order).
        const migrations = new DataSource({
          ...dataSourceOptions(superuserUrl, 2),
          migrations: [...MIGRATIONS.slice(0, upTo), AuditEntityIndex1796400572847, WebhooksAndOutbox1796502580212, AuditQueue1796630000000],
        });
        await migrations.initialize();
        await migrations.runMigrations({ transaction: 'all' });
        await migrations.destroy();
        const old = await createApp({ config, databaseUrl: superuserUrl, jwtSecret: secrets.jwtSecret, dataKey: secrets.dataKey, auditSigningKey: AUDIT_SIGNING_KEY });
        try {
          await old.get(UsersService).ensureInitialAdmin('old-admin-password');
          await old.listen(0, '127.0.0.1');
          const oldUrl = `http://127.0.0.1:${(old.getHttpServer().address() as { port: number }).port}`;
          const login = await clientFor(oldUrl).POST('/api/v1/auth/login', { body: { username: 'admin', password: 'old-admin-password' } });
          token = login.data!.accessToken;
          const made = await clientFor(oldUrl, token).POST('/api/v1/departments', { body: { name: 'Made Before The Upgrade' } });
          expect(made.response.status).toBe(201);
        } finally {
          await old.close();
        }
      } finally {
        await pg.stop();
      }

      const service = await startService(config);
      try {
        expect(service.generatedAdminPassword).toBeUndefined();
        expect(await currentUser(service.app.get(DataSource))).toBe(EMBEDDED_RUNTIME_ROLE);
        await service.app.listen(0, '127.0.0.1');
        const baseUrl = `http://127.0.0.1:${(service.app.getHttpServer().address() as { port: number }).port}`;
        const api = clientFor(baseUrl, token!);
        expect((await api.GET('/api/v1/departments')).data?.map((d) => d.name)).toContain('Made Before The Upgrade');
        expect((await api.GET('/api/v1/audit-logs/verify')).data).toMatchObject({ valid: true });
        const again = await clientFor(baseUrl).POST('/api/v1/auth/login', { body: { username: 'admin', password: 'old-admin-password' } });
        expect(again.response.status).toBe(200);

        const db = new Client({ connectionString: new URL('/crm', service.embedded!.url).toString() });
        await db.connect();
        try {
          const { rows } = await db.query(
            `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
             UNION SELECT DISTINCT pg_get_userbyid(p.proowner) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
          );
          expect(rows).toEqual([{ owner: EMBEDDED_OWNER_ROLE }]);
          expect(await inspectRuntimeRole(sqlOfClient(db), EMBEDDED_RUNTIME_ROLE, EMBEDDED_OWNER_ROLE)).toEqual({ owned: [], superuser: false, actsAsOwner: false });
          const privileges = await db.query(`SELECT has_table_privilege($1, 'audit_log', 'UPDATE') AS update, has_table_privilege($1, 'customers', 'UPDATE') AS customers`, [
            EMBEDDED_RUNTIME_ROLE,
          ]);
          expect(privileges.rows[0]).toEqual({ update: false, customers: true });
        } finally {
          await db.end();
        }
        // The old secrets are kept as they were; the two logins' passwords and the checkpoint signing key are added beside them.
        const stored = JSON.parse(readFileSync(join(oldDir, 'secrets.json'), 'utf8')) as Record<string, string>;
        expect(stored).toEqual({ ...secrets, ownerPassword: expect.any(String), runtimePassword: expect.any(String), auditSigningKey: expect.stringContaining('BEGIN PRIVATE KEY') });
      } finally {
        await service.stop();
      }
    } finally {
      await rm(oldDir, { recursive: true, force: true });
    }
  }, 90_000);
});
