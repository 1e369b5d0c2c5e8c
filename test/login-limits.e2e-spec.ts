import { createSecretKey, randomBytes } from 'node:crypto';
import { AuthService } from '../src/modules/auth/auth.service';
import { fingerprintKey, usernameFingerprint } from '../src/modules/auth/login.rules';
import { callFrom } from './support/from-address';
import { JWT_SECRET, startTestApp, TestApp } from './support/test-app';

// Three failures per username and address, ten per address, in a ten-minute sliding window.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_ADDRESS_MAX_FAILURES: '10', LOGIN_LOCK_SECONDS: '600' });
});
afterAll(() => t.close());

const login = (from: string, username: string, password: string) => callFrom(from, t.baseUrl, 'POST', '/api/v1/auth/login', { username, password });

describe('login limits per address and per username and address', () => {
  it('answers a flood of bogus logins from one address 429 with Retry-After, while a real user elsewhere logs in', async () => {
    const { username } = await t.userClient('sales');
    const flood = await Promise.all(
      Array.from({ length: 40 }, () => login('127.0.0.2', `bot-${randomBytes(4).toString('hex')}`, 'hunter2-hunter2')),
    );
    const statuses = flood.map((r) => r.status);
    // Taking an attempt is serialised per address: exactly the ten allowed were checked (and hashed), whatever the concurrency.
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    const limited = flood.find((r) => r.status === 429)!;
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.json).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(500);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(600);
    // Only the checked attempts were audited: a flood does not queue hundreds of writers on the chain lock.
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.login_failed' AND ip = '127.0.0.2'`);
    expect(rows[0].n).toBe(10);

    const real = await login('127.0.0.3', username, `password-of-${username}`);
    expect(real.status).toBe(200);
    // Whoever shares the flooding address waits too: the limit is per address.
    expect((await login('127.0.0.2', username, `password-of-${username}`)).status).toBe(429);
  });

  it('does not let a stranger lock a user out from another address', async () => {
    const { username } = await t.userClient('sales');
    const strangers = [];
    for (let i = 0; i < 5; i += 1) strangers.push((await login('127.0.0.4', username, `guess-${i}-guess`)).status);
    expect(strangers).toEqual([401, 401, 401, 429, 429]);
    // The stranger's address is locked for this username, even with the right password...
    const stranger = await login('127.0.0.4', username, `password-of-${username}`);
    expect(stranger.status).toBe(429);
    expect(stranger.json).toMatchObject({ code: 'RATE_LIMITED' });
    // ...the user, from their own address, is not.
    expect((await login('127.0.0.5', username, `password-of-${username}`)).status).toBe(200);
  });

  it('forgets a username and address pair\'s failures after a successful login', async () => {
    const { username } = await t.userClient('sales');
    for (let i = 0; i < 2; i += 1) expect((await login('127.0.0.6', username, 'wrong-password-x')).status).toBe(401);
    expect((await login('127.0.0.6', username, `password-of-${username}`)).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await login('127.0.0.6', username, 'wrong-password-x')).status).toBe(401);
    expect((await login('127.0.0.6', username, `password-of-${username}`)).status).toBe(200);
  });

  it('keeps no clear trace of a typed username that names no user, only a keyed fingerprint', async () => {
    const typed = `My-Secret-Passw0rd-${randomBytes(3).toString('hex')}`;
    expect((await login('127.0.0.7', typed, 'whatever-it-is')).status).toBe(401);
    const { rows } = await t.db.query(
      `SELECT row_to_json(a)::text AS whole, after->>'usernameFingerprint' AS fingerprint FROM audit_log a
        WHERE action = 'auth.login_failed' AND reason = 'unknown username' AND ip = '127.0.0.7'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].whole.toLowerCase()).not.toContain(typed.toLowerCase());
    // Keyed from the service's secret: whoever holds it can check a guess, nobody else can.
    const key = fingerprintKey(createSecretKey(Buffer.from(JWT_SECRET, 'utf8')));
    expect(rows[0].fingerprint).toBe(usernameFingerprint(key, typed.toLowerCase()));
    const attempts = await t.db.query(`SELECT row_to_json(l)::text AS whole FROM login_attempts l WHERE address = '127.0.0.7'`);
    expect(attempts.rows).toHaveLength(1);
    expect(attempts.rows[0].whole.toLowerCase()).not.toContain(typed.toLowerCase());
  });

  it('drops attempts that left the window (the hourly job)', async () => {
    await t.db.query(`UPDATE login_attempts SET attempted_at = attempted_at - interval '601 seconds' WHERE address = '127.0.0.7'`);
    const removed = await t.app.get(AuthService).pruneAttempts();
    expect(removed).toBe(1);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM login_attempts WHERE address = '127.0.0.7'`)).rows[0].n).toBe(0);
  });
});
