import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Drain } from '../src/common/http/drain';
import { urlWithLogin } from '../src/database/database-roles';
import { freePort } from '../src/database/embedded-postgres';
import { createDatabase, dropDatabase } from '../scripts/support/scratch-postgres';
import { AUDIT_SIGNING_KEY, DATA_KEY, JWT_SECRET, startTestApp } from './support/test-app';

describe('a draining instance', () => {
  it('answers a request that arrives during the drain with 503 SHUTTING_DOWN, Retry-After and Connection: close', async () => {
    const t = await startTestApp();
    try {
      expect((await fetch(`${t.baseUrl}/health/ready`)).status).toBe(200);
      t.app.get(Drain).begin();
      for (const path of ['/health/ready', '/api/v1/auth/me']) {
        const r = await fetch(`${t.baseUrl}${path}`);
        expect(r.status).toBe(503);
        expect(r.headers.get('connection')).toBe('close');
        expect(r.headers.get('retry-after')).toBe('1');
        expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await r.json()).toMatchObject({ code: 'SHUTTING_DOWN', status: 503, correlationId: r.headers.get('x-request-id') });
      }
    } finally {
      await t.close();
    }
  });
});

/** The built service (`node dist/src/main.js`, as the Dockerfile runs it) in a child process, sent SIGTERM. */
describe('SIGTERM', () => {
  const serverUrl = () => process.env.CRM_TEST_SERVER_URL!;
  const name = `crm_test_${randomBytes(5).toString('hex')}`;
  let child: ChildProcess | undefined;
  let superuser: string;

  beforeAll(async () => {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    const owner = JSON.parse(process.env.CRM_TEST_OWNER!) as { role: string; password: string };
    superuser = await createDatabase(serverUrl(), name, process.env.CRM_TEST_TEMPLATE!, owner.role);
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await dropDatabase(serverUrl(), name);
  });

  it('lets a request in flight finish, refuses new connections, then exits 0', async () => {
    const owner = JSON.parse(process.env.CRM_TEST_OWNER!) as { role: string; password: string };
    const runtime = JSON.parse(process.env.CRM_TEST_RUNTIME!) as { role: string; password: string };
    const port = await freePort();
    const adminPassword = 'admin-password-of-the-child';
    child = spawn(process.execPath, ['dist/src/main.js'], {
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: urlWithLogin(superuser, runtime.role, runtime.password),
        MIGRATION_DATABASE_URL: urlWithLogin(superuser, owner.role, owner.password),
        JWT_SECRET,
        CRM_DATA_KEY: DATA_KEY,
        CRM_AUDIT_SIGNING_KEY: AUDIT_SIGNING_KEY,
        CRM_ADMIN_PASSWORD: adminPassword,
        LOG_LEVEL: 'info',
        SWAGGER_UI: 'false',
        JOBS_ENABLED: 'false',
        SHUTDOWN_DRAIN_SECONDS: '15',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The log (JSON lines from pino on stdout) and anything written to stderr, in arrival order.
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('listening')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the service did not start: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const baseUrl = `http://127.0.0.1:${port}`;
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: adminPassword }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const created = await fetch(`${baseUrl}/api/v1/departments`, { method: 'POST', headers, body: JSON.stringify({ name: 'Before The Restart' }) });
    const department = (await created.json()) as { id: string; version: number };

    // A request that takes a few seconds: the rename waits for a row lock held here.
    const db = new Client({ connectionString: superuser });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query('SELECT id FROM departments WHERE id = $1 FOR UPDATE', [department.id]);
      const sentAt = Date.now();
      const slow = fetch(`${baseUrl}/api/v1/departments/${department.id}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ name: 'Renamed During The Drain', version: department.version }),
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The instance no longer takes connections; the load balancer sends new ones elsewhere.
      await expect(fetch(`${baseUrl}/health/live`)).rejects.toThrow();
      expect({ exitCode: child.exitCode, stderr }).toEqual({ exitCode: null, stderr: expect.stringContaining("SIGTERM received") });
      setTimeout(() => void db.query('COMMIT'), 2000);
      const answer = await slow;
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ name: 'Renamed During The Drain', version: department.version + 1 });
      expect(Date.now() - sentAt).toBeGreaterThan(2500);
      expect(await exited).toBe(0);
      expect(stderr).toContain('SIGTERM received: draining (up to 15 s)');
      expect(stderr).toContain('stopped');
      const { rows } = await db.query('SELECT name FROM departments WHERE id = $1', [department.id]);
      expect(rows).toEqual([{ name: 'Renamed During The Drain' }]);
    } finally {
      await db.end();
    }
  }, 90_000);
});
