import { idempotencyKeyProblem, requestFingerprint } from './idempotency.rules';

describe('idempotencyKeyProblem', () => {
  it('takes 1 to 255 visible ASCII characters', () => {
    expect(idempotencyKeyProblem('a')).toBeUndefined();
    expect(idempotencyKeyProblem('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBeUndefined();
    expect(idempotencyKeyProblem('k'.repeat(255))).toBeUndefined();
  });

  it('refuses empty, too long, spaces, control and non-ASCII characters, and repeated headers', () => {
    for (const bad of ['', 'k'.repeat(256), 'a b', 'a\tb', '键', ['a', 'b'], undefined]) expect(idempotencyKeyProblem(bad)).toEqual(expect.any(String));
  });
});

describe('requestFingerprint', () => {
  const base = { method: 'POST', route: '/api/v1/requests', params: {}, body: { a: 1, b: [1, 2] } };
  it('ignores key order and tells bodies, routes and parameters apart', () => {
    expect(requestFingerprint(base)).toBe(requestFingerprint({ ...base, body: { b: [1, 2], a: 1 } }));
    expect(requestFingerprint(base)).not.toBe(requestFingerprint({ ...base, body: { a: 2, b: [1, 2] } }));
    expect(requestFingerprint(base)).not.toBe(requestFingerprint({ ...base, route: '/api/v1/customers/:id/requests' }));
    expect(requestFingerprint(base)).not.toBe(requestFingerprint({ ...base, params: { id: 'x' } }));
  });
});
