import { createSecretKey } from 'node:crypto';
import { clientAddressKey } from '../../common/http/rate-limit';
import { fingerprintKey, normalizeUsername, usernameFingerprint } from './login.rules';

describe('username fingerprints', () => {
  const key = fingerprintKey(createSecretKey(Buffer.from('a-secret-that-is-at-least-32-bytes-long')));

  it('are stable for one name however it was typed, and hold nothing of it', () => {
    const typed = usernameFingerprint(key, normalizeUsername('  My-Password-123 '));
    expect(typed).toBe(usernameFingerprint(key, 'my-password-123'));
    expect(typed).toMatch(/^[0-9a-f]{64}$/);
    expect(typed).not.toContain('password');
  });

  it('depend on the secret', () => {
    const other = fingerprintKey(createSecretKey(Buffer.from('another-secret-that-is-32-bytes-or-more')));
    expect(usernameFingerprint(other, 'zhang.wei')).not.toBe(usernameFingerprint(key, 'zhang.wei'));
  });
});

describe('client address keys', () => {
  it('count an IPv6 client by its /64 and an IPv4-mapped address as IPv4', () => {
    expect(clientAddressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddressKey('2001:db8:1:2:3:4:5:6')).toBe(clientAddressKey('2001:db8:1:2:ffff::1'));
    expect(clientAddressKey(undefined)).toBe('unknown');
  });
});
