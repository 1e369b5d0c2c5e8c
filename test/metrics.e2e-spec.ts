import { createApp } from '../src/bootstrap';
import { JobScheduler } from '../src/common/jobs/job-scheduler';
import { loadConfig } from '../src/config/config';
import { ADMIN_PASSWORD, AUDIT_SIGNING_KEY, DATA_KEY, JWT_SECRET, startTestApp, TestApp, tokenFor } from './support/test-app';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef';
// Low enough that the test reaches the limit, high enough for the set-up's calls.
const BURST = 40;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ METRICS_TOKEN, RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: String(BURST) });
});
afterAll(() => t.close());

const scrape = (authorization?: string) => fetch(`${t.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });

/** The value of one sample line of the exposition (`name{labels} value`), 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text.split('\n').find((l) => {
    if (!l.startsWith(`${name}{`) && !l.startsWith(`${name} `)) return false;
    return Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`));
  });
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  it('refuses a scrape without the metrics token, with a wrong one, and with a user bearer token (401)', async () => {
    const admin = await tokenFor(t, 'admin', ADMIN_PASSWORD);
    for (const authorization of [undefined, 'Bearer wrong-token', `Bearer ${METRICS_TOKEN}x`, METRICS_TOKEN, `Bearer ${admin}`]) {
      const r = await scrape(authorization);
      expect(r.status).toBe(401);
      const body = await r.json();
      expect(body).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
      expect(JSON.stringify(body)).not.toContain('crm_http_request_duration_seconds');
    }
  });

  it('does not exist at all when METRICS_TOKEN is not configured (404), whatever is presented', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent', SWAGGER_UI: 'false', JOBS_ENABLED: 'false' });
    expect(config.metricsToken).toBeUndefined();
    const app = await createApp({ config, databaseUrl: t.urls.runtime, jwtSecret: JWT_SECRET, dataKey: DATA_KEY, auditSigningKey: AUDIT_SIGNING_KEY });
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as { port: number };
      for (const authorization of [undefined, `Bearer ${METRICS_TOKEN}`]) {
        const r = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: authorization ? { authorization } : {} });
        expect(r.status).toBe(404);
        expect(await r.text()).not.toContain('crm_http_request_duration_seconds');
      }
    } finally {
      await app.close();
    }
  });

  it('is not part of the API contract', async () => {
    const contract = (await (await fetch(`${t.baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(contract.paths).filter((p) => p === '/metrics' || p.endsWith('/v1/metrics'))).toEqual([]);
  });

  it('counts requests by route template and status class, the pool, audit appends, jobs and rate-limit refusals', async () => {
    const before = await (await scrape(`Bearer ${METRICS_TOKEN}`)).text();
    const admin = await t.admin();
    for (let i = 0; i < 3; i += 1) expect((await admin.GET('/api/v1/departments')).response.status).toBe(200);
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await admin.GET('/api/v1/customers/{id}', { params: { path: { id: missing } } })).response.status).toBe(404);
    // A write: one audit entry appended under the chain-head lock.
    expect((await admin.POST('/api/v1/departments', { body: { name: 'Metrics East' } })).response.status).toBe(201);
    // A job that fails, and the real ones (which succeed).
    const scheduler = t.app.get(JobScheduler);
    scheduler.register({ name: 'metrics-test-failing', everySeconds: 3600, run: () => Promise.reject(new Error('fails on purpose')) });
    await scheduler.tick();
    // Spend the admin's budget until the limit answers 429.
    let refused = 0;
    for (let i = 0; i < BURST + 5 && refused === 0; i += 1) if ((await admin.GET('/api/v1/departments')).response.status === 429) refused += 1;
    expect(refused).toBe(1);

    const r = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain');
    const text = await r.text();
    const count = (labels: Record<string, string>) => sample(text, 'crm_http_request_duration_seconds_count', labels) - sample(before, 'crm_http_request_duration_seconds_count', labels);
    expect(count({ method: 'GET', route: '/api/v1/departments', status_class: '2xx' })).toBeGreaterThanOrEqual(3);
    expect(count({ method: 'GET', route: '/api/v1/departments', status_class: '4xx' })).toBe(1);
    expect(count({ method: 'GET', route: '/api/v1/customers/:id', status_class: '4xx' })).toBe(1);
    expect(count({ method: 'POST', route: '/api/v1/departments', status_class: '2xx' })).toBe(1);
    // The route template, never the path: no id becomes a label.
    expect(text).not.toContain(missing);
    expect(sample(text, 'crm_rate_limit_refusals_total', { key_kind: 'user' })).toBe(1);
    expect(sample(text, 'crm_audit_entries_appended_total') - sample(before, 'crm_audit_entries_appended_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'crm_audit_chain_lock_wait_seconds_count') - sample(before, 'crm_audit_chain_lock_wait_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'crm_job_runs_total', { job: 'metrics-test-failing', outcome: 'failed' })).toBe(1);
    expect(text).toMatch(/crm_job_runs_total\{job="[^"]+",outcome="succeeded"\} [1-9]/);
    expect(sample(text, 'crm_db_pool_max')).toBe(10);
    expect(sample(text, 'crm_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('crm_db_pool_idle ');
    expect(text).toContain('crm_db_pool_waiting ');
    expect(text).toContain('crm_process_resident_memory_bytes ');
  });
});
