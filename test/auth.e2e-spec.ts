import { createHmac } from 'node:crypto';
import { ADMIN_PASSWORD, clientFor, JWT_SECRET, startTestApp, TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_SECONDS: '600' });
});
afterAll(() => t.close());

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function signToken(payload: object, secret = JWT_SECRET, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const claims = (sub: string, extra: object = {}) => ({ sub, iss: 'crm-api', aud: 'crm-api-clients', iat: now(), exp: now() + 600, ...extra });

describe('POST /api/v1/auth/login', () => {
  it('returns a bearer token and the user, and the token works', async () => {
    const { data, response } = await t.anonymous.POST('/api/v1/auth/login', { body: { username: 'Admin', password: ADMIN_PASSWORD } });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, user: { username: 'admin', role: 'admin' } });
    const me = await clientFor(t.baseUrl, data!.accessToken).GET('/api/v1/auth/me');
    expect(me.data).toMatchObject({ username: 'admin', displayName: 'Administrator', role: 'admin' });
  });

  it('answers a wrong password and an unknown user alike, and audits both', async () => {
    const { username } = await t.userClient('sales');
    const wrongPassword = await t.anonymous.POST('/api/v1/auth/login', { body: { username, password: 'not-the-password' } });
    const unknownUser = await t.anonymous.POST('/api/v1/auth/login', { body: { username: 'nobody-here', password: 'whatever-it-is' } });
    for (const result of [wrongPassword, unknownUser]) {
      expect(result.response.status).toBe(401);
      expect(result.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(result.error).toMatchObject({ code: 'INVALID_CREDENTIALS', detail: 'Wrong username or password' });
    }
    const { rows } = await t.db.query(
      `SELECT reason, after->>'username' AS username, after ? 'usernameFingerprint' AS fingerprinted FROM audit_log WHERE action = 'auth.login_failed' ORDER BY id`,
    );
    // A typed name that names no user is kept only as a keyed fingerprint (see test/login-limits).
    expect(rows).toEqual(
      expect.arrayContaining([
        { reason: 'wrong password', username, fingerprinted: false },
        { reason: 'unknown username', username: null, fingerprinted: true },
      ]),
    );
  });

  it('audits a successful login with the user as actor', async () => {
    const { id, username } = await t.userClient('service');
    const { rows } = await t.db.query(`SELECT actor_id, actor_role FROM audit_log WHERE action = 'auth.login' AND entity_id = $1`, [id]);
    expect(rows).toEqual([{ actor_id: id, actor_role: 'service' }]);
    expect(username).toBeDefined();
  });

  it('locks a username from an address after repeated failures, even for the right password, then lets it in once the window has passed', async () => {
    const { username } = await t.userClient('sales');
    const password = `password-of-${username}`;
    for (let i = 0; i < 3; i += 1) {
      const r = await t.anonymous.POST('/api/v1/auth/login', { body: { username, password: 'wrong-password-x' } });
      expect(r.response.status).toBe(401);
    }
    const locked = await t.anonymous.POST('/api/v1/auth/login', { body: { username, password } });
    expect(locked.response.status).toBe(429);
    expect(locked.error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(locked.response.headers.get('retry-after'))).toBeGreaterThan(500);
    // The window lives in the database (shared by every instance); let it pass there.
    await t.db.query(`UPDATE login_attempts SET attempted_at = attempted_at - interval '601 seconds'`);
    const again = await t.anonymous.POST('/api/v1/auth/login', { body: { username, password } });
    expect(again.response.status).toBe(200);
  });

  it('refuses a deactivated user with the same 401', async () => {
    const { id, username } = await t.userClient('marketing');
    const admin = await t.admin();
    expect((await admin.POST('/api/v1/users/{id}/deactivate', { params: { path: { id } } })).response.status).toBe(200);
    const r = await t.anonymous.POST('/api/v1/auth/login', { body: { username, password: `password-of-${username}` } });
    expect(r.response.status).toBe(401);
    expect(r.error).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('refuses an unknown field and names it, a missing field too', async () => {
    const r = await t.anonymous.POST('/api/v1/auth/login', {
      body: { username: 'admin', password: ADMIN_PASSWORD, remember: true } as never,
    });
    expect(r.response.status).toBe(400);
    expect(r.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'remember', message: 'property remember should not exist' }] });
    const missing = await t.anonymous.POST('/api/v1/auth/login', { body: { username: 'admin' } as never });
    expect(missing.error?.errors?.map((e) => e.field)).toContain('password');
  });
});

describe('bearer tokens', () => {
  const me = (token: string) => clientFor(t.baseUrl, token).GET('/api/v1/auth/me');
  let adminId: string;
  beforeAll(async () => {
    adminId = (await (await t.admin()).GET('/api/v1/auth/me')).data!.id;
  });

  it('accepts a well-formed token (the control case for the ones below)', async () => {
    expect((await me(signToken(claims(adminId)))).response.status).toBe(200);
  });

  it.each([
    ['no token at all', () => ''],
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(adminId))}.`],
    ['a bad signature', () => signToken(claims(adminId), 'another-secret-that-is-at-least-32-bytes')],
    ['an expired token', () => signToken(claims(adminId, { iat: now() - 7200, exp: now() - 3600 }))],
    ['a wrong issuer', () => signToken(claims(adminId, { iss: 'someone-else' }))],
    ['a wrong audience', () => signToken(claims(adminId, { aud: 'another-app' }))],
    ['HS512 instead of HS256', () => signToken(claims(adminId), JWT_SECRET, { alg: 'HS512', typ: 'JWT' })],
    ['an unknown subject', () => signToken(claims('00000000-0000-4000-8000-000000000000'))],
    ['garbage', () => 'not.a.token'],
  ])('answers 401 problem+json for %s', async (_, token) => {
    const r = await me(token());
    expect(r.response.status).toBe(401);
    expect(r.error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    expect(r.error?.correlationId).toBe(r.response.headers.get('x-request-id'));
  });

  it('stops accepting the token of a user once deactivated', async () => {
    const { api, id } = await t.userClient('sales');
    expect((await api.GET('/api/v1/auth/me')).response.status).toBe(200);
    await (await t.admin()).POST('/api/v1/users/{id}/deactivate', { params: { path: { id } } });
    const r = await api.GET('/api/v1/auth/me');
    expect(r.response.status).toBe(401);
  });
});
