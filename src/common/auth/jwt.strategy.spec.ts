import { jest } from '@jest/globals';
import { JwtService } from '@nestjs/jwt';
import { JwtKeys } from './jwt-keys';
import { JwtStrategy } from './jwt.strategy';
import { VerifiedTokens, verifiedTokenSubject } from './token-subject';

const keys = new JwtKeys('a-test-secret-of-at-least-thirty-two-bytes', 'crm-test', 'crm-test-api', 900);
const sign = (payload: object, secret = 'a-test-secret-of-at-least-thirty-two-bytes') =>
  new JwtService().sign(payload, { secret, algorithm: 'HS256', issuer: 'crm-test', audience: 'crm-test-api', expiresIn: 60 });

/** Runs the strategy on a request the way passport does, and says how it ended. */
function authenticate(request: { headers: Record<string, string> }): Promise<{ ok: true; user: unknown } | { ok: false }> {
  const strategy = new JwtStrategy(keys) as unknown as {
    success: (user: unknown) => void;
    fail: () => void;
    error: (e: unknown) => void;
    authenticate: (request: object, options?: object) => void;
  };
  return new Promise((resolve, reject) => {
    strategy.success = (user) => resolve({ ok: true, user });
    strategy.fail = () => resolve({ ok: false });
    strategy.error = reject;
    strategy.authenticate(request, {});
  });
}

describe('JwtStrategy', () => {
  it('verifies a token itself when nothing has verified it yet', async () => {
    expect(await authenticate({ headers: { authorization: `Bearer ${sign({ sub: 'u-1' })}` } })).toEqual({ ok: true, user: { subject: 'u-1' } });
    expect(await authenticate({ headers: { authorization: `Bearer ${sign({ sub: 'u-1' }, 'another-secret-of-at-least-thirty-two-bytes')}` } })).toEqual({ ok: false });
    expect(await authenticate({ headers: {} })).toEqual({ ok: false });
  });

  it('takes the answer of the verification the rate limit made earlier in the request, good or bad', async () => {
    const good = { headers: { authorization: `Bearer ${sign({ sub: 'u-2' })}` } };
    expect(verifiedTokenSubject(good, keys)).toBe('u-2');
    expect(await authenticate(good)).toEqual({ ok: true, user: { subject: 'u-2' } });
    // Not verified a second time: once the answer is on the request, the header is not read again.
    good.headers.authorization = 'Bearer not-a-token';
    expect(await authenticate(good)).toEqual({ ok: true, user: { subject: 'u-2' } });
    const forged = { headers: { authorization: `Bearer ${sign({ sub: 'u-3' }, 'another-secret-of-at-least-thirty-two-bytes')}` } };
    expect(verifiedTokenSubject(forged, keys)).toBeNull();
    expect(await authenticate(forged)).toEqual({ ok: false });
  });

  it('remembers a good token until its expiry, never a bad one, and per key', () => {
    jest.useFakeTimers({ now: Date.now() });
    try {
      const token = new JwtService().sign({ sub: 'u-4' }, { secret: 'a-test-secret-of-at-least-thirty-two-bytes', algorithm: 'HS256', issuer: 'crm-test', audience: 'crm-test-api', expiresIn: 2 });
      const request = () => ({ headers: { authorization: `Bearer ${token}` } });
      expect(verifiedTokenSubject(request(), keys)).toBe('u-4');
      expect(verifiedTokenSubject(request(), keys)).toBe('u-4');
      // Another key (a restart with a new JWT_SECRET) does not take what this one verified.
      const otherKeys = new JwtKeys('another-secret-of-at-least-thirty-two-bytes', 'crm-test', 'crm-test-api', 900);
      expect(verifiedTokenSubject(request(), otherKeys)).toBeNull();
      // Past its exp the remembered answer is gone, and jsonwebtoken refuses the token itself.
      jest.advanceTimersByTime(3000);
      expect(verifiedTokenSubject(request(), keys)).toBeNull();
      // Tampering with the signature of a remembered token is a different token: verified, refused.
      const fresh = sign({ sub: 'u-5' });
      expect(verifiedTokenSubject({ headers: { authorization: `Bearer ${fresh}` } }, keys)).toBe('u-5');
      expect(verifiedTokenSubject({ headers: { authorization: `Bearer ${fresh.slice(0, -2)}xx` } }, keys)).toBeNull();
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps at most its capacity of tokens, the oldest leaving first', () => {
    const memory = new VerifiedTokens(2);
    const exp = Date.now() / 1000 + 60;
    memory.remember('a', 'u-a', exp);
    memory.remember('b', 'u-b', exp);
    memory.remember('c', 'u-c', exp);
    expect([memory.subjectOf('a'), memory.subjectOf('b'), memory.subjectOf('c')]).toEqual([undefined, 'u-b', 'u-c']);
    memory.remember('d', 'u-d', undefined); // no exp: not remembered
    expect(memory.subjectOf('d')).toBeUndefined();
    expect(memory.subjectOf('b', (exp + 1) * 1000)).toBeUndefined();
  });
});
