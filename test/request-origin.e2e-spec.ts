import { randomUUID } from 'node:crypto';
import { ADMIN_PASSWORD, startTestApp, TestApp, tokenFor } from './support/test-app';

/**
 * Issue 13: what a client says about itself (its request id, its address behind proxies) is
 * believed only within bounds. The address is read back from the audit entry the request wrote.
 */
const apps: TestApp[] = [];
let plain: { t: TestApp; token: string };
beforeAll(async () => {
  plain = await app();
});
afterAll(async () => {
  for (const app of apps) await app.close();
});

async function app(env: Record<string, string> = {}): Promise<{ t: TestApp; token: string }> {
  const t = await startTestApp(env);
  apps.push(t);
  return { t, token: await tokenFor(t, 'admin', ADMIN_PASSWORD) };
}

/** Creates a department with these headers; returns the request id answered and the ip the audit entry holds. */
async function createDepartment(target: { t: TestApp; token: string }, headers: Record<string, string>) {
  const r = await fetch(`${target.t.baseUrl}/api/v1/departments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ name: `部门 ${randomUUID().slice(0, 8)}` }),
  });
  expect(r.status).toBe(201);
  const requestId = r.headers.get('x-request-id')!;
  const { rows } = await target.t.db.query<{ ip: string; request_id: string }>(
    `SELECT ip, request_id FROM audit_log WHERE action = 'department.create' AND request_id = $1`,
    [requestId],
  );
  expect(rows).toHaveLength(1);
  return { requestId, ip: rows[0].ip };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  it('echoes a UUID or up to 64 safe characters, into the response and the audit log', async () => {
    for (const given of [randomUUID(), 'gateway-7.trace_0001', 'x'.repeat(64)]) {
      expect((await createDepartment(plain, { 'x-request-id': given })).requestId).toBe(given);
    }
  });

  it.each([
    ['65 characters', 'x'.repeat(65)],
    ['a colon', 'trace:1'],
    ['markup', '<img src=x>'],
    ['a percent-encoded line break', 'a%0Ab'],
  ])('replaces one with %s by its own UUID', async (_what, given) => {
    const { requestId } = await createDepartment(plain, { 'x-request-id': given });
    expect(requestId).not.toBe(given);
    expect(requestId).toMatch(UUID);
  });
});

describe('TRUST_PROXY', () => {
  const forwarded = { 'x-forwarded-for': '203.0.113.9, 10.1.2.3' };

  it('unset: X-Forwarded-For is ignored, the address is the peer\'s', async () => {
    expect((await createDepartment(plain, forwarded)).ip).toBe('127.0.0.1');
  });

  it('a hop count of 1 believes the one address our load balancer appended, not what the client wrote before it', async () => {
    const target = await app({ TRUST_PROXY: '1' });
    expect((await createDepartment(target, forwarded)).ip).toBe('10.1.2.3');
    // A client forging a whole chain gains nothing: only the rightmost entry counts.
    expect((await createDepartment(target, { 'x-forwarded-for': '1.1.1.1, 2.2.2.2, 198.51.100.7' })).ip).toBe('198.51.100.7');
  });

  it('a list of proxies walks back through the listed ones only, stopping at the first address not on it', async () => {
    const target = await app({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' });
    expect((await createDepartment(target, forwarded)).ip).toBe('203.0.113.9');
    expect((await createDepartment(target, { 'x-forwarded-for': '203.0.113.9, 198.51.100.7' })).ip).toBe('198.51.100.7');
  });
});
