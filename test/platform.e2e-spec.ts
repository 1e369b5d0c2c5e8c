import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ BODY_LIMIT_BYTES: '4096', CORS_ORIGINS: 'https://app.example.com' });
});
afterAll(() => t.close());

describe('HTTP platform', () => {
  it('answers /health with 200 when the database answers', async () => {
    const r = await t.anonymous.GET('/health');
    expect(r.response.status).toBe(200);
    expect(r.data).toEqual({ status: 'ok', database: 'up' });
  });

  it('serves the committed contract at /openapi.json, so clients generated from the file match the server', async () => {
    const served = await (await fetch(`${t.baseUrl}/openapi.json`)).json();
    expect(served).toEqual(JSON.parse(readFileSync('openapi/openapi.json', 'utf8')));
  });

  it('answers an unknown route with a problem, and generates a request id when none is given', async () => {
    const r = await fetch(`${t.baseUrl}/api/v1/nothing-here`);
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await r.json()) as { correlationId: string };
    expect(body).toMatchObject({ status: 404, code: 'NOT_FOUND', type: expect.stringContaining('not-found') });
    expect(body.correlationId).toBe(r.headers.get('x-request-id'));
    expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ignores an unsafe X-Request-Id and makes its own', async () => {
    const r = await fetch(`${t.baseUrl}/health`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses a body over the limit with 413 and unparsable JSON with 400, as problems', async () => {
    const big = await fetch(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'x'.repeat(5000), password: 'y' }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const broken = await fetch(`${t.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'MALFORMED_REQUEST' });
  });

  it('sends security headers, and CORS only for configured origins', async () => {
    const r = await fetch(`${t.baseUrl}/health`, { headers: { origin: 'https://app.example.com' } });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('strict-transport-security')).toContain('max-age=');
    expect(r.headers.get('content-security-policy')).toContain(`default-src 'self'`);
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    // An error answered by the exception filter carries them too.
    const missing = await fetch(`${t.baseUrl}/api/v1/customers/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
    expect(missing.headers.get('content-security-policy')).toContain(`default-src 'self'`);
    expect(r.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await fetch(`${t.baseUrl}/health`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('runs API queries without parallel workers (they cost more than they save on short queries)', async () => {
    const [row] = await t.app.get(DataSource).query('SHOW max_parallel_workers_per_gather');
    expect(row.max_parallel_workers_per_gather).toBe('0');
  });

  it('never sends a stack trace: an internal failure is a plain 500 problem', async () => {
    const admin = await t.admin();
    // Break the users table underneath the app, then call a route that reads it.
    await t.db.query(`ALTER TABLE users RENAME COLUMN display_name TO display_name_gone`);
    try {
      const r = await admin.GET('/api/v1/auth/me');
      expect(r.response.status).toBe(500);
      const text = JSON.stringify(r.error);
      expect(r.error).toMatchObject({ code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred' });
      expect(text).not.toMatch(/display_name|at .*\.ts|QueryFailedError/);
    } finally {
      await t.db.query(`ALTER TABLE users RENAME COLUMN display_name_gone TO display_name`);
    }
  });
});
