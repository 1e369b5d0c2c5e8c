import { isIP } from 'node:net';
import { isValidDataKey } from '../common/crypto/pii-cipher';
import { SigningKey } from '../common/crypto/signing-key';

/**
 * The only place that reads process.env. Every setting is validated once at boot;
 * a bad value stops the start with a message naming the variable.
 */
export interface AppConfig {
  port: number;
  host: string;
  /** Unset: the service runs an embedded PostgreSQL under dataDir. */
  databaseUrl?: string;
  /**
   * With DATABASE_URL: the login that owns the schema and runs the migrations, granting DATABASE_URL's
   * login only what the service needs. Unset: DATABASE_URL's login does both (a warning at start).
   */
  migrationDatabaseUrl?: string;
  dataDir: string;
  /** 0 picks a free port at each start. */
  embeddedPgPort: number;
  dbPoolSize: number;
  adminPassword?: string;
  jwt: { secret?: string; issuer: string; audience: string; expiresInSeconds: number };
  /**
   * Login throttling, a sliding window kept in the database (shared by every instance): at most
   * `maxFailures` failed logins per username *and* client address in `lockSeconds`, and at most
   * `addressMaxFailures` per client address whatever the username.
   */
  login: { maxFailures: number; lockSeconds: number; addressMaxFailures: number };
  /**
   * Requests per token (per client address without one), held per instance: `perSecond` sustained,
   * up to `burst` at once (a window of burst / perSecond seconds holding `burst` requests).
   */
  rateLimit: { perSecond: number; burst: number };
  /** Bounds on database work, in milliseconds. */
  db: {
    /** statement_timeout of the API's connections. */
    statementTimeoutMs: number;
    /** statement_timeout of long reads (exports, chain verification), on their own connection. */
    longReadStatementTimeoutMs: number;
    /** idle_in_transaction_session_timeout of the API's connections. */
    idleInTransactionTimeoutMs: number;
    /** Longest wait for a pooled connection before the request is answered 503 BUSY. */
    acquireTimeoutMs: number;
  };
  /** A download (audit or customer export) whose client takes nothing for this long is ended. */
  exportIdleTimeoutMs: number;
  /** On SIGTERM: how long requests in flight (downloads included) and a running job get to finish. */
  shutdownDrainSeconds: number;
  corsOrigins: string[];
  bodyLimitBytes: number;
  /** Largest attachment (multipart upload); one byte more is 413. */
  attachmentMaxBytes: number;
  /**
   * Uploads streaming in at once on this instance (each holds one pooled connection while its bytes
   * come in): at most `maxConcurrent`, so that uploads never take more than that share of the pool.
   * Up to `queueLength` more wait (their bodies unread) at most `queueWaitMs` for a turn; beyond
   * either, the upload is answered 503 BUSY with Retry-After before its body is read. A waiting
   * upload holds a socket only (no connection, no memory), so the wait may be long: ten 20 MB
   * uploads at once, four at a time, keep the last ones waiting tens of seconds on a loaded machine.
   */
  attachmentUploads: { maxConcurrent: number; queueLength: number; queueWaitMs: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Swagger UI on /docs (the JSON contract on /openapi.json is always served). */
  swaggerUi: boolean;
  /**
   * Behind a load balancer: which hops of X-Forwarded-For to believe. `false` (none), a hop
   * count (the client is that many addresses from the right), or the proxies' addresses/CIDRs.
   */
  trustProxy: false | number | string[];
  /** POST /customers/duplicate-check calls per user and minute (per instance). */
  duplicateCheckPerMinute: number;
  /** 64 hex characters: the AES-256-GCM key of personal data at rest (generated in embedded mode). */
  dataKey?: string;
  /** The data key being rotated away from (CRM_DATA_KEY_PREVIOUS): still decrypts until `npm run rotate-data-key` has finished. */
  dataKeyPrevious?: string;
  /** Ed25519 PKCS#8 private key (PEM or base64) that signs audit checkpoints (generated in embedded mode). */
  auditSigningKey?: string;
  /** Days without interaction after which a customer with nothing planned becomes dormant. */
  dormancyDays: number;
  /** Run scheduled jobs (the daily dormancy sweep) in this instance; they run once across instances. */
  jobsEnabled: boolean;
  /** The business calendar: time zone and working hours that complaint deadlines count in. */
  workingTime: { timeZone: string; dayStart: string; dayEnd: string };
  /**
   * The bearer token Prometheus presents on GET /metrics (METRICS_TOKEN). Unset: there is no
   * /metrics route at all (404), so an instance never exposes its figures by default.
   */
  metricsToken?: string;
  /**
   * Webhook delivery: `http://` endpoints only when allowHttp (development, tests); hosts on loopback,
   * link-local or private ranges only when allowedHosts names them (SSRF). The worker polls every
   * pollMs; a failed delivery is retried after retryBaseMs·2^n (with jitter) for 24 hours.
   */
  webhooks: { allowHttp: boolean; allowedHosts: string[]; pollMs: number; retryBaseMs: number; timeoutMs: number };
  /**
   * How often an idle instance chains the reads waiting in audit_queue (AUDIT_QUEUE_FLUSH_MS); any
   * change, and any auditor's query, chains them at once.
   */
  auditQueueFlushMs: number;
  /**
   * How far V8 lets the heap grow past what the last full collection kept alive, in % (HEAP_GROWING_PERCENT;
   * 0 = V8's own choice, which lets garbage reach about 4× the live heap before collecting it).
   */
  heapGrowingPercent: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** Issuer and audience go into every token: bounded, so the token's length is (see LoginResponseDto). */
export const JWT_CLAIM_MAX_LENGTH = 100;
/** Longer than any IANA zone name (the longest is 32). */
export const TIME_ZONE_MAX_LENGTH = 64;

function shortText(env: Env, name: string, fallback: string, max: number): string {
  const value = read(env, name) ?? fallback;
  if (value.length > max) throw new ConfigError(name, `must be at most ${max} characters`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  return oneOf(env, name, ['true', 'false'] as const, fallback ? 'true' : 'false') === 'true';
}

function databaseUrl(env: Env, name = 'DATABASE_URL'): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL such as postgres://user:password@host:5432/crm');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must use the postgres:// scheme, got "${url.protocol}"`);
  }
  return raw;
}

/** Longest origin CORS_ORIGINS accepts: scheme, a 253-character host name and a port, with room to spare. */
export const CORS_ORIGIN_MAX_LENGTH = 300;

function corsOrigins(env: Env): string[] {
  const raw = read(env, 'CORS_ORIGINS');
  if (raw === undefined) return [];
  const origins = raw.split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== origin) {
      throw new ConfigError('CORS_ORIGINS', `must be a comma-separated list of origins like https://app.example.com, got "${origin}"`);
    }
    if (origin.length > CORS_ORIGIN_MAX_LENGTH) throw new ConfigError('CORS_ORIGINS', `each origin must be at most ${CORS_ORIGIN_MAX_LENGTH} characters`);
  }
  return origins;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function proxyAddress(entry: string): boolean {
  if (PROXY_NAMES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * Never "trust every hop": a client could then name any address it likes in X-Forwarded-For.
 * Either the number of proxies in front of the service, or their addresses.
 */
function trustProxy(env: Env): AppConfig['trustProxy'] {
  const raw = read(env, 'TRUST_PROXY');
  const usage = 'must be false, a hop count (1 = one load balancer in front) or a comma-separated list of proxy addresses/CIDRs';
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') throw new ConfigError('TRUST_PROXY', `${usage}; "true" (trust every hop) is no longer accepted`);
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 10) throw new ConfigError('TRUST_PROXY', `hop count must be between 1 and 10, got ${hops}`);
    return hops;
  }
  const entries = raw.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = entries.find((e) => !proxyAddress(e));
  if (bad !== undefined || entries.length === 0) throw new ConfigError('TRUST_PROXY', `${usage}, got "${bad ?? raw}"`);
  return entries;
}

function timeOfDay(env: Env, name: string, fallback: string): string {
  const value = read(env, name) ?? fallback;
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(value)) throw new ConfigError(name, `must be a time like 09:00, got "${value}"`);
  return value;
}

function workingTime(env: Env): AppConfig['workingTime'] {
  const timeZone = shortText(env, 'CRM_TIMEZONE', 'Asia/Shanghai', TIME_ZONE_MAX_LENGTH);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new ConfigError('CRM_TIMEZONE', `must be an IANA time zone such as Asia/Shanghai, got "${timeZone}"`);
  }
  const dayStart = timeOfDay(env, 'WORK_DAY_START', '09:00');
  const dayEnd = timeOfDay(env, 'WORK_DAY_END', '18:00');
  if (dayEnd <= dayStart) throw new ConfigError('WORK_DAY_END', `must be after WORK_DAY_START (${dayStart}), got "${dayEnd}"`);
  return { timeZone, dayStart, dayEnd };
}

/** A guessable scrape token would hand out the service's traffic figures. */
export const METRICS_TOKEN_MIN_LENGTH = 32;

/** The largest RATE_LIMIT_BURST, and so the largest RateLimit-Limit, -Remaining and -Reset (seconds) the service sends. */
export const RATE_LIMIT_BURST_MAX = 1_000_000;

function rateLimit(env: Env): AppConfig['rateLimit'] {
  const perSecond = integer(env, 'RATE_LIMIT_PER_SECOND', 50, 1, 100_000);
  const burst = integer(env, 'RATE_LIMIT_BURST', Math.max(100, perSecond), 1, RATE_LIMIT_BURST_MAX);
  if (burst < perSecond) throw new ConfigError('RATE_LIMIT_BURST', `must be at least RATE_LIMIT_PER_SECOND (${perSecond}), got ${burst}`);
  return { perSecond, burst };
}

/**
 * Uploads may hold at most half the pool (default 4 of the default 10): the other half stays for
 * every other request (and exports, which take a quarter).
 */
function attachmentUploads(env: Env, poolSize: number): AppConfig['attachmentUploads'] {
  const ceiling = Math.max(1, Math.floor(poolSize / 2));
  const maxConcurrent = integer(env, 'ATTACHMENT_MAX_CONCURRENT_UPLOADS', Math.min(4, ceiling), 1, 100);
  if (maxConcurrent > ceiling) {
    throw new ConfigError('ATTACHMENT_MAX_CONCURRENT_UPLOADS', `must be at most half of DB_POOL_SIZE (${poolSize}), i.e. ${ceiling}, got ${maxConcurrent}`);
  }
  return {
    maxConcurrent,
    queueLength: integer(env, 'ATTACHMENT_UPLOAD_QUEUE', 16, 0, 1000),
    queueWaitMs: integer(env, 'ATTACHMENT_UPLOAD_QUEUE_WAIT_MS', 120_000, 0, 600_000),
  };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const dbUrl = databaseUrl(env);
  const migrationDbUrl = databaseUrl(env, 'MIGRATION_DATABASE_URL');
  if (migrationDbUrl !== undefined && dbUrl === undefined) {
    throw new ConfigError('MIGRATION_DATABASE_URL', 'needs DATABASE_URL (the runtime login); the embedded database creates both logins itself');
  }
  const jwtSecret = read(env, 'JWT_SECRET');
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 bytes long');
  }
  if (jwtSecret === undefined && dbUrl !== undefined) {
    // Several instances share one database, so they must share one signing key too.
    throw new ConfigError('JWT_SECRET', 'is required when DATABASE_URL is set (at least 32 bytes)');
  }
  const dataKey = read(env, 'CRM_DATA_KEY');
  if (dataKey !== undefined && !/^[0-9a-fA-F]{64}$/.test(dataKey)) {
    throw new ConfigError('CRM_DATA_KEY', 'must be 64 hexadecimal characters (a 32-byte key), e.g. from `openssl rand -hex 32`');
  }
  if (dataKey === undefined && dbUrl !== undefined) {
    throw new ConfigError('CRM_DATA_KEY', 'is required when DATABASE_URL is set (64 hex characters); without it personal data cannot be read');
  }
  const dataKeyPrevious = read(env, 'CRM_DATA_KEY_PREVIOUS');
  if (dataKeyPrevious !== undefined && !isValidDataKey(dataKeyPrevious)) {
    throw new ConfigError('CRM_DATA_KEY_PREVIOUS', 'must be 64 hexadecimal characters (the data key being rotated away from)');
  }
  if (dataKeyPrevious !== undefined && dataKey === undefined) {
    throw new ConfigError('CRM_DATA_KEY_PREVIOUS', 'needs CRM_DATA_KEY, the key being rotated to');
  }
  const auditSigningKey = read(env, 'CRM_AUDIT_SIGNING_KEY');
  if (auditSigningKey !== undefined) {
    try {
      SigningKey.parse(auditSigningKey);
    } catch (error) {
      throw new ConfigError('CRM_AUDIT_SIGNING_KEY', (error as Error).message);
    }
  }
  if (auditSigningKey === undefined && dbUrl !== undefined) {
    // Every instance signs checkpoints, and verifiers hold one public key: the instances must share it.
    throw new ConfigError('CRM_AUDIT_SIGNING_KEY', 'is required when DATABASE_URL is set (an Ed25519 private key, e.g. from `openssl genpkey -algorithm ed25519`)');
  }
  const metricsToken = read(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined && (metricsToken.length < METRICS_TOKEN_MIN_LENGTH || metricsToken.length > 200 || /\s/.test(metricsToken))) {
    throw new ConfigError('METRICS_TOKEN', `must be ${METRICS_TOKEN_MIN_LENGTH} to 200 characters without spaces, e.g. from \`openssl rand -hex 32\``);
  }
  const adminPassword = read(env, 'CRM_ADMIN_PASSWORD');
  if (adminPassword !== undefined && adminPassword.length < 12) {
    throw new ConfigError('CRM_ADMIN_PASSWORD', 'must be at least 12 characters long');
  }
  const dbPoolSize = integer(env, 'DB_POOL_SIZE', 10, 1, 200);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: read(env, 'HOST') ?? '0.0.0.0',
    databaseUrl: dbUrl,
    migrationDatabaseUrl: migrationDbUrl,
    dataDir: read(env, 'CRM_DATA_DIR') ?? './.data',
    embeddedPgPort: integer(env, 'CRM_EMBEDDED_PG_PORT', 0, 0, 65535),
    dbPoolSize,
    adminPassword,
    jwt: {
      secret: jwtSecret,
      issuer: shortText(env, 'JWT_ISSUER', 'crm-api', JWT_CLAIM_MAX_LENGTH),
      audience: shortText(env, 'JWT_AUDIENCE', 'crm-api-clients', JWT_CLAIM_MAX_LENGTH),
      expiresInSeconds: integer(env, 'JWT_EXPIRES_IN_SECONDS', 3600, 60, 86400),
    },
    login: {
      maxFailures: integer(env, 'LOGIN_MAX_FAILURES', 5, 1, 100),
      lockSeconds: integer(env, 'LOGIN_LOCK_SECONDS', 900, 1, 86400),
      addressMaxFailures: integer(env, 'LOGIN_ADDRESS_MAX_FAILURES', 50, 1, 100000),
    },
    rateLimit: rateLimit(env),
    db: {
      statementTimeoutMs: integer(env, 'DB_STATEMENT_TIMEOUT_MS', 5000, 10, 3_600_000),
      longReadStatementTimeoutMs: integer(env, 'DB_LONG_READ_TIMEOUT_MS', 600_000, 10, 86_400_000),
      idleInTransactionTimeoutMs: integer(env, 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS', 30_000, 100, 3_600_000),
      acquireTimeoutMs: integer(env, 'DB_ACQUIRE_TIMEOUT_MS', 5000, 10, 600_000),
    },
    exportIdleTimeoutMs: integer(env, 'EXPORT_IDLE_TIMEOUT_MS', 60_000, 100, 3_600_000),
    shutdownDrainSeconds: integer(env, 'SHUTDOWN_DRAIN_SECONDS', 25, 0, 3600),
    corsOrigins: corsOrigins(env),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    attachmentMaxBytes: integer(env, 'ATTACHMENT_MAX_BYTES', 20 * 1024 * 1024, 1024, 20 * 1024 * 1024),
    attachmentUploads: attachmentUploads(env, dbPoolSize),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    swaggerUi: bool(env, 'SWAGGER_UI', true),
    trustProxy: trustProxy(env),
    duplicateCheckPerMinute: integer(env, 'DUPLICATE_CHECK_PER_MINUTE', 30, 1, 10_000),
    dataKey,
    dataKeyPrevious,
    auditSigningKey,
    dormancyDays: integer(env, 'DORMANCY_DAYS', 365, 1, 3650),
    jobsEnabled: bool(env, 'JOBS_ENABLED', true),
    workingTime: workingTime(env),
    metricsToken,
    webhooks: {
      allowHttp: bool(env, 'WEBHOOK_ALLOW_HTTP', false),
      allowedHosts: (read(env, 'WEBHOOK_ALLOWED_HOSTS') ?? '').split(',').map((h) => h.trim().toLowerCase().replace(/^\[|\]$/g, '')).filter((h) => h !== ''),
      pollMs: integer(env, 'WEBHOOK_POLL_MS', 2000, 50, 600_000),
      retryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 10_000, 10, 3_600_000),
      timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 60_000),
    },
    auditQueueFlushMs: integer(env, 'AUDIT_QUEUE_FLUSH_MS', 1000, 10, 60_000),
    heapGrowingPercent: integer(env, 'HEAP_GROWING_PERCENT', 40, 0, 300),
  };
}
