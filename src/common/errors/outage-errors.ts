import { BUSY_RETRY_AFTER_SECONDS } from './busy-errors';
import { DomainError } from './domain-error';

/** Seconds a client is asked to wait while the database is away (a restart or a failover takes a few). */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  errors?: unknown;
  cause?: unknown;
}

// Socket-level failures of node's net/dns while connecting to or talking with the server.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that say the server is not there for us: class 08 (connection exception), 57P01
 * admin_shutdown (a fast shutdown or pg_terminate_backend), 57P02 crash_shutdown, 57P03
 * cannot_connect_now (starting up, shutting down, in recovery), 25006 read_only_sql_transaction
 * (a standby after a failover, until the address points at the new primary).
 */
function outageState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '25006';
}

// node-postgres's own words when the socket went away under it, or it refuses a dead client.
const LOST_CONNECTION_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'terminating connection due to administrator command',
  'the database system is shutting down',
  'the database system is starting up',
];

/** TypeORM's words for a statement on a query runner that it released because the connection failed. */
const RELEASED_RUNNER = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

/** True when `thrown` is TypeORM refusing a statement because the runner's connection was already lost (nothing was sent). */
export function isReleasedRunner(thrown: unknown): boolean {
  return parts(thrown).some((error) => typeof error.name === 'string' && RELEASED_RUNNER.has(error.name));
}

function parts(thrown: unknown, depth = 0): ErrorLike[] {
  if (thrown === null || typeof thrown !== 'object' || depth > 3) return [];
  const error = thrown as ErrorLike;
  const nested = [error.driverError, error.cause, ...(Array.isArray(error.errors) ? error.errors : [])];
  return [error, ...nested.flatMap((inner) => parts(inner, depth + 1))];
}

/**
 * True when `thrown` says the database cannot be reached or dropped the connection (an outage,
 * a restart, a failover), as opposed to a statement the database refused. TypeORM wraps the
 * driver's error in `driverError`; node's connect to several addresses throws an AggregateError.
 */
export function isDatabaseOutage(thrown: unknown): boolean {
  return parts(thrown).some((error) => {
    const code = typeof error.code === 'string' ? error.code : '';
    const message = typeof error.message === 'string' ? error.message : '';
    if (SOCKET_CODES.has(code) || (code.length === 5 && outageState(code))) return true;
    // TypeORM releases a query runner whose connection failed between two statements; the next statement on it says so.
    if (typeof error.name === 'string' && RELEASED_RUNNER.has(error.name)) return true;
    return LOST_CONNECTION_MESSAGES.some((words) => message.startsWith(words));
  });
}

/** SQLSTATEs after which the transaction was rolled back by the server and may simply run again. */
const RETRYABLE_STATES = new Set(['40001', '40P01']);

/**
 * Whether a transaction that failed with `thrown` changed nothing and may run again: a
 * serialization failure or deadlock (the server rolled it back), or a lost connection, but only
 * before COMMIT was sent; after it the outcome is unknown and a retry could apply the work twice.
 */
export function isRetryableTransactionError(thrown: unknown, commitSent: boolean): boolean {
  if (parts(thrown).some((error) => typeof error.code === 'string' && RETRYABLE_STATES.has(error.code))) return true;
  return !commitSent && isDatabaseOutage(thrown);
}

export function databaseUnavailable(detail = 'The database is not reachable right now; retry shortly'): DomainError {
  return new DomainError('DATABASE_UNAVAILABLE', detail, { headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) } });
}

/** A transaction rolled back as a serialization failure or deadlock every time it ran (or that may not run twice): nothing changed. */
export function contentionError(): DomainError {
  return new DomainError('BUSY', 'The change collided with concurrent ones and was not made; retry shortly', {
    headers: { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) },
  });
}

/** The 503 a request gets when the database went away at any stage of it (auth, access check, use case, commit). */
export function outageError(thrown: unknown): DomainError | undefined {
  if (thrown instanceof DomainError) return undefined;
  return isDatabaseOutage(thrown) ? databaseUnavailable() : undefined;
}

/** Delay before retry `attempt` (1-based): short, growing, with jitter so that retries do not march in step. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = 25 * 2 ** (attempt - 1);
  return Math.round(base / 2 + random() * base);
}
