import { createSecretKey } from 'node:crypto';
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
