import { createHmac } from 'node:crypto';
import { addressProblem, newWebhookSecret, retryDelayMs, signWebhook, subscribes, urlProblem } from './webhook.rules';

describe('webhook rules', () => {
  it('signs as the Standard Webhooks reference does: base64 HMAC-SHA256 of id.timestamp.body under the decoded secret', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(signWebhook(secret, 'msg_1', 1700000000, '{"a":1}')).toBe(`v1,${expected}`);
    // the specification's own example
    expect(signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('matches exact names, prefixes ending in a dot, and *', () => {
    expect(subscribes(['customer.'], 'customer.created')).toBe(true);
    expect(subscribes(['customer'], 'customer.created')).toBe(false);
    expect(subscribes(['complaint.breached'], 'complaint.created')).toBe(false);
    expect(subscribes(['*'], 'request.created')).toBe(true);
  });

  it('backs off exponentially with jitter, capped at an hour', () => {
    expect(retryDelayMs(1, 1000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, () => 1)).toBe(1000);
    expect(retryDelayMs(4, 1000, () => 1)).toBe(8000);
    expect(retryDelayMs(40, 1000, () => 1)).toBe(3_600_000);
  });

  it('refuses http unless allowed, and credentials in the URL', () => {
    const strict = { allowHttp: false, allowedHosts: [] };
    expect(urlProblem('http://example.com/hook', strict)).toBe('url must be https');
    expect(urlProblem('https://example.com/hook', strict)).toBeNull();
    expect(urlProblem('http://example.com/hook', { ...strict, allowHttp: true })).toBeNull();
    expect(urlProblem('ftp://example.com/hook', { ...strict, allowHttp: true })).not.toBeNull();
    expect(urlProblem('https://u:p@example.com/', strict)).not.toBeNull();
    expect(urlProblem('not a url', strict)).not.toBeNull();
  });

  it('refuses loopback, private, link-local and mapped addresses unless the host is allow-listed', () => {
    const policy = { allowHttp: false, allowedHosts: ['127.0.0.1'] };
    for (const address of ['10.1.2.3', '192.168.0.1', '172.16.5.5', '169.254.169.254', '::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0', 'fd00::1']) {
      expect(addressProblem('evil.example', [address], policy)).not.toBeNull();
    }
    expect(addressProblem('evil.example', ['93.184.216.34', '10.0.0.1'], policy)).not.toBeNull();
    expect(addressProblem('example.com', ['93.184.216.34'], policy)).toBeNull();
    expect(addressProblem('127.0.0.1', ['127.0.0.1'], policy)).toBeNull();
  });
});
