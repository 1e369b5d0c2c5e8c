import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../src/config/config';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { RunningService, startService } from '../src/service';
import { newCustomer } from './support/world';

/**
 * The database goes away under load and comes back: the service (as `npm start` runs it, on an
 * embedded PostgreSQL of this file's own, so the rest of the suite keeps its database) answers the
 * outage honestly, loses nothing and recovers by itself.
 */
interface Outcome {
  kind: 'read' | 'write' | 'live' | 'ready';
  /** Milliseconds since the run started, when the request was sent and when it was answered. */
  sentAt: number;
  doneAt: number;
  status: number;
  retryAfter: string | null;
  code?: string;
  detail?: string;
  /** The customer a write tried to create. */
  name?: string;
}

const OUTAGE_MS = 4000;

describe('a database outage under load', () => {
  let dataDir: string;
  let service: RunningService;
  let restarted: EmbeddedDatabase | undefined;
  let baseUrl: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'crm-outage-'));
    await chmod(dataDir, 0o755);
    service = await startService(
      loadConfig({ CRM_DATA_DIR: dataDir, LOG_LEVEL: process.env.OUTAGE_LOG ?? 'silent', SWAGGER_UI: 'false', JOBS_ENABLED: 'false', RATE_LIMIT_PER_SECOND: '5000', RATE_LIMIT_BURST: '10000' }),
    );
    await service.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(service.app.getHttpServer().address() as { port: number }).port}`;
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await restarted?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers 2xx or 503 with Retry-After throughout, never 401 or 500, loses no acknowledged write, half-applies none, and recovers within 5 s', async () => {
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: service.generatedAdminPassword }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const seed = await fetch(`${baseUrl}/api/v1/customers`, { method: 'POST', headers, body: JSON.stringify(newCustomer()) });
    expect(seed.status).toBe(201);
    const seedId = ((await seed.json()) as { id: string }).id;

    const started = Date.now();
    const now = () => Date.now() - started;
    const outcomes: Outcome[] = [];
    const call = async (kind: Outcome['kind'], path: string, init: RequestInit = {}, name?: string) => {
      const sentAt = now();
      const response = await fetch(`${baseUrl}${path}`, init);
      const body = response.headers.get('content-type')?.includes('json') ? ((await response.json()) as { code?: string; detail?: string }) : (await response.arrayBuffer(), {});
      outcomes.push({ kind, sentAt, doneAt: now(), status: response.status, retryAfter: response.headers.get('retry-after'), code: body.code, detail: body.detail, name });
    };

    let running = true;
    let sequence = 0;
    const reads = ['/api/v1/auth/me', `/api/v1/customers/${seedId}`, '/api/v1/customers?limit=20', '/api/v1/departments'];
    const worker = async (index: number) => {
      while (running) {
        if (index % 2 === 0) {
          const customer = newCustomer({ name: `停电测试 ${index}-${(sequence += 1)} 有限公司` });
          await call('write', '/api/v1/customers', { method: 'POST', headers, body: JSON.stringify(customer) }, customer.name);
        } else {
          await call('read', reads[(sequence += 1) % reads.length], { headers });
        }
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    };
    const prober = async () => {
      while (running) {
        await Promise.all([call('live', '/health/live'), call('ready', '/health/ready')]);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const load = Promise.all([worker(0), worker(1), worker(2), worker(3), prober()]);

    // The database's own data directory, port and superuser password: stopped and started as an operator would.
    const embeddedUrl = new URL(service.embedded!.url);
    const { postgresPassword } = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { postgresPassword: string };
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await service.embedded!.stop();
    const stoppedAt = now();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const startingAt = now();
    restarted = await startEmbeddedPostgres({ clusterDir: join(dataDir, 'pg'), password: postgresPassword, port: Number(embeddedUrl.port) });
    const backAt = now();
    await new Promise((resolve) => setTimeout(resolve, 7000));
    running = false;
    await load;

    // Every answer: 2xx, or 503 with Retry-After. Never 401 (the token is fine), 403, 404 or 500.
    const wrong = outcomes.filter((o) => !(o.status >= 200 && o.status < 300) && !(o.status === 503 && o.retryAfter !== null));
    expect(wrong).toEqual([]);
    // The outage was seen, and said so, by both reads and writes.
    const outage = outcomes.filter((o) => o.code === 'DATABASE_UNAVAILABLE');
    expect(outage.filter((o) => o.kind === 'read').length).toBeGreaterThan(0);
    expect(outage.filter((o) => o.kind === 'write').length).toBeGreaterThan(0);
    // Liveness never asks the database; readiness is 503 for as long as the database is away.
    expect(outcomes.filter((o) => o.kind === 'live' && o.status !== 200)).toEqual([]);
    const readyDuring = outcomes.filter((o) => o.kind === 'ready' && o.sentAt > stoppedAt && o.doneAt < startingAt);
    expect(readyDuring.length).toBeGreaterThan(5);
    expect(readyDuring.filter((o) => o.status !== 503)).toEqual([]);
    // Normal answers within 5 s of the database's return, without a restart of the service.
    const api = outcomes.filter((o) => o.kind === 'read' || o.kind === 'write' || o.kind === 'ready');
    const firstNormal = api.filter((o) => o.sentAt >= backAt && o.status < 300).sort((a, b) => a.doneAt - b.doneAt)[0];
    expect(firstNormal).toBeDefined();
    expect(firstNormal.doneAt - backAt).toBeLessThan(5000);
    const late = api.filter((o) => o.sentAt > backAt + 5000);
    expect(late.length).toBeGreaterThan(10);
    expect(late.filter((o) => o.status >= 300)).toEqual([]);

    // Nothing acknowledged is lost; nothing refused is half there: a customer exists with its contact and its audit entry, or not at all.
    const db = new Client({ connectionString: new URL('/crm', restarted.url).toString() });
    await db.connect();
    try {
      const writes = outcomes.filter((o) => o.kind === 'write');
      const { rows } = await db.query<{ name: string; contacts: number; audited: number }>(
        `SELECT c.name,
                (SELECT count(*)::int FROM contacts k WHERE k.customer_id = c.id) AS contacts,
                (SELECT count(*)::int FROM audit_log a WHERE a.entity_type = 'customer' AND a.entity_id = c.id::text AND a.action = 'customer.create') AS audited
           FROM customers c WHERE c.name = ANY($1)`,
        [writes.map((o) => o.name)],
      );
      const stored = new Map(rows.map((row) => [row.name, row]));
      const acknowledged = writes.filter((o) => o.status === 201);
      expect(acknowledged.length).toBeGreaterThan(10);
      expect(acknowledged.filter((o) => !stored.has(o.name!))).toEqual([]);
      expect(rows.filter((row) => row.contacts !== 1 || row.audited !== 1)).toEqual([]);
      // A refused write left nothing, unless the connection was lost after COMMIT was sent, and the 503 said so.
      const refusedButStored = writes.filter((o) => o.status === 503 && stored.has(o.name!));
      expect(refusedButStored.filter((o) => !o.detail?.includes('may or may not have been saved'))).toEqual([]);
    } finally {
      await db.end();
    }
    const verify = await fetch(`${baseUrl}/api/v1/audit-logs/verify`, { headers });
    expect(verify.status).toBe(200);
    expect(await verify.json()).toMatchObject({ valid: true });
  }, 90_000);
});
