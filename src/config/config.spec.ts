import { SigningKey } from '../common/crypto/signing-key';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('./.data');
    expect(config.jwt.expiresInSeconds).toBe(3600);
    expect(config.login).toEqual({ maxFailures: 5, lockSeconds: 900, addressMaxFailures: 50 });
    expect(config.rateLimit).toEqual({ perSecond: 50, burst: 100 });
    expect(config.db).toEqual({ statementTimeoutMs: 5000, longReadStatementTimeoutMs: 600_000, idleInTransactionTimeoutMs: 30_000, acquireTimeoutMs: 5000 });
    expect(config.exportIdleTimeoutMs).toBe(60_000);
    expect(config.attachmentUploads).toEqual({ maxConcurrent: 4, queueLength: 16, queueWaitMs: 120_000 });
    expect(config.heapGrowingPercent).toBe(40);
  });

  it('paces the heap at 0 (V8 decides) to 300 %, nothing else', () => {
    expect(loadConfig({ HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(() => loadConfig({ HEAP_GROWING_PERCENT: '-1' })).toThrow(/HEAP_GROWING_PERCENT/);
    expect(() => loadConfig({ HEAP_GROWING_PERCENT: '301' })).toThrow(/HEAP_GROWING_PERCENT/);
  });

  it('keeps concurrent uploads to at most half of the pool', () => {
    expect(loadConfig({ DB_POOL_SIZE: '4' }).attachmentUploads.maxConcurrent).toBe(2);
    expect(loadConfig({ DB_POOL_SIZE: '1' }).attachmentUploads.maxConcurrent).toBe(1);
    expect(loadConfig({ DB_POOL_SIZE: '30', ATTACHMENT_MAX_CONCURRENT_UPLOADS: '15' }).attachmentUploads.maxConcurrent).toBe(15);
    expect(() => loadConfig({ ATTACHMENT_MAX_CONCURRENT_UPLOADS: '6' })).toThrow(/^Invalid configuration: ATTACHMENT_MAX_CONCURRENT_UPLOADS must be at most half of DB_POOL_SIZE \(10\)/);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['DATABASE_URL', 'not a url'],
    ['MIGRATION_DATABASE_URL', 'mysql://x@y/z'],
    ['MIGRATION_DATABASE_URL', 'postgres://owner:p@db:5432/crm'],
    ['JWT_SECRET', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['CORS_ORIGINS', 'https://ok.example.com,not-an-origin'],
    ['CRM_ADMIN_PASSWORD', 'short'],
    ['LOGIN_MAX_FAILURES', '0'],
    ['CRM_DATA_KEY', 'abc'],
    ['CRM_DATA_KEY_PREVIOUS', 'abc'],
    ['CRM_AUDIT_SIGNING_KEY', 'not-a-key'],
    ['DORMANCY_DAYS', '0'],
    ['CRM_TIMEZONE', 'Mars/Olympus'],
    ['WORK_DAY_START', '9am'],
    ['WORK_DAY_END', '08:00'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '0'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['TRUST_PROXY', '10.0.0.1,proxy.example.com'],
    ['DUPLICATE_CHECK_PER_MINUTE', '0'],
    ['RATE_LIMIT_PER_SECOND', '0'],
    ['RATE_LIMIT_BURST', '1.5'],
    ['DB_STATEMENT_TIMEOUT_MS', '5s'],
    ['DB_ACQUIRE_TIMEOUT_MS', '0'],
    ['EXPORT_IDLE_TIMEOUT_MS', '-1'],
    ['LOGIN_ADDRESS_MAX_FAILURES', '0'],
    ['ATTACHMENT_MAX_CONCURRENT_UPLOADS', '0'],
    ['ATTACHMENT_UPLOAD_QUEUE', '-1'],
    ['ATTACHMENT_UPLOAD_QUEUE_WAIT_MS', 'soon'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });

  it('requires JWT_SECRET and CRM_DATA_KEY with an external database, so instances share them', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/crm' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/crm', JWT_SECRET: 'x'.repeat(32) })).toThrow(/CRM_DATA_KEY/);
    const external = { DATABASE_URL: 'postgres://u:p@db:5432/crm', JWT_SECRET: 'x'.repeat(32), CRM_DATA_KEY: 'ab'.repeat(32) };
    expect(() => loadConfig(external)).toThrow(/CRM_AUDIT_SIGNING_KEY/);
    const config = loadConfig({ ...external, CRM_AUDIT_SIGNING_KEY: SigningKey.generatePem() });
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/crm');
    expect(config.migrationDatabaseUrl).toBeUndefined();
  });

  it('takes the owner login of the migrations from MIGRATION_DATABASE_URL, beside DATABASE_URL', () => {
    const external = { DATABASE_URL: 'postgres://app:p@db:5432/crm', JWT_SECRET: 'x'.repeat(32), CRM_DATA_KEY: 'ab'.repeat(32) };
    const config = loadConfig({ ...external, CRM_AUDIT_SIGNING_KEY: SigningKey.generatePem(), MIGRATION_DATABASE_URL: 'postgres://owner:q@db:5432/crm' });
    expect(config.migrationDatabaseUrl).toBe('postgres://owner:q@db:5432/crm');
  });

  it('takes TRUST_PROXY as a hop count or a list of proxy addresses, never "every hop"', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7 ,fd00::/8,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', 'loopback']);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/hop count/);
  });

  it('takes a previous data key only beside a current one, during a rotation', () => {
    expect(() => loadConfig({ CRM_DATA_KEY_PREVIOUS: 'ab'.repeat(32) })).toThrow(/^Invalid configuration: CRM_DATA_KEY_PREVIOUS needs CRM_DATA_KEY/);
    expect(loadConfig({ CRM_DATA_KEY: 'cd'.repeat(32), CRM_DATA_KEY_PREVIOUS: 'ab'.repeat(32) }).dataKeyPrevious).toBe('ab'.repeat(32));
  });

  it('refuses a burst below the sustained rate, and a higher rate raises the default burst with it', () => {
    expect(() => loadConfig({ RATE_LIMIT_PER_SECOND: '50', RATE_LIMIT_BURST: '10' })).toThrow(/^Invalid configuration: RATE_LIMIT_BURST /);
    expect(loadConfig({ RATE_LIMIT_PER_SECOND: '500' }).rateLimit).toEqual({ perSecond: 500, burst: 500 });
  });

  it('has no metrics token by default, and refuses a short one or one with spaces', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/^Invalid configuration: METRICS_TOKEN /);
    expect(() => loadConfig({ METRICS_TOKEN: `${'a'.repeat(20)} ${'b'.repeat(20)}` })).toThrow(/^Invalid configuration: METRICS_TOKEN /);
    expect(loadConfig({ METRICS_TOKEN: 'ab'.repeat(32) }).metricsToken).toBe('ab'.repeat(32));
  });

  it('parses CORS origins', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example.com, http://localhost:5173' }).corsOrigins).toEqual([
      'https://a.example.com',
      'http://localhost:5173',
    ]);
  });
});
