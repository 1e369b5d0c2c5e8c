import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { clientFor, startTestApp, TestApp } from './support/test-app';

// Small limits, so that the test needs a dozen calls: 5 a second sustained, bursts of 10 (a 2-second window).
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_SECOND: '5', RATE_LIMIT_BURST: '10' });
});
afterAll(() => t.close());

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('per-token rate limits', () => {
  it('counts each token on its own, says so in RateLimit-* headers, and answers 429 RATE_LIMITED with Retry-After beyond the burst', async () => {
    const a = await t.userClient('sales');
    const b = await t.userClient('sales');
    // Wait for a fresh window, so that the burst below falls into one.
    const first = await a.api.GET('/api/v1/auth/me');
    await new Promise((resolve) => setTimeout(resolve, Number(first.response.headers.get('ratelimit-reset')) * 1000 + 50));

    const remaining: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const r = await a.api.GET('/api/v1/auth/me');
      expect(r.response.status).toBe(200);
      expect(r.response.headers.get('ratelimit-limit')).toBe('10');
      expect(r.response.headers.get('ratelimit-policy')).toBe('10;w=2');
      expect(Number(r.response.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(2);
      remaining.push(Number(r.response.headers.get('ratelimit-remaining')));
    }
    expect(remaining).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);

    const refused = await a.api.GET('/api/v1/auth/me');
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.error).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(refused.error?.correlationId).toBe(refused.response.headers.get('x-request-id'));
    expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.response.headers.get('retry-after'))).toBeLessThanOrEqual(2);
    expect(refused.response.headers.get('ratelimit-remaining')).toBe('0');

    // Another token from the same address has its own budget.
    expect((await b.api.GET('/api/v1/auth/me')).response.status).toBe(200);
    // A forged token naming a's subject is not a's: it spends the address's budget and is refused as unauthenticated.
    const forged = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: a.id, iss: 'crm-api', aud: 'crm-api-clients', exp: Math.floor(Date.now() / 1000) + 60 })}`;
    const signed = `${forged}.${createHmac('sha256', 'not-the-secret-but-32-bytes-long!!').update(forged).digest('base64url')}`;
    expect((await clientFor(t.baseUrl, signed).GET('/api/v1/auth/me')).response.status).toBe(401);

    // The window passes, and a's calls go through again.
    await new Promise((resolve) => setTimeout(resolve, Number(refused.response.headers.get('retry-after')) * 1000 + 50));
    expect((await a.api.GET('/api/v1/auth/me')).response.status).toBe(200);
  });

  it('limits callers without a token by their address', async () => {
    const calls = await Promise.all(Array.from({ length: 25 }, () => t.anonymous.POST('/api/v1/auth/login', { body: { username: 'nobody', password: 'nothing-at-all' } })));
    const statuses = calls.map((c) => c.response.status);
    expect(statuses).toContain(429);
    expect(calls.find((c) => c.response.status === 429)?.error).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('the contract', () => {
  it('documents 429 and 503 on every operation', () => {
    const contract = JSON.parse(readFileSync('openapi/openapi.json', 'utf8')) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const missing: string[] = [];
    for (const [path, item] of Object.entries(contract.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const status of ['429', '503']) if (!operation.responses[status]) missing.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
