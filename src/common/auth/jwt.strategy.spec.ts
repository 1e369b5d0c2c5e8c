import { JwtService } from '@nestjs/jwt';
import { JwtKeys } from './jwt-keys';
import { JwtStrategy } from './jwt.strategy';
import { verifiedTokenSubject } from './token-subject';

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
});
