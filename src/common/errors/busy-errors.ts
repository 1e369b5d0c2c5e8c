import { DomainError } from './domain-error';

/** Seconds a client is asked to wait when the service is out of connections or time. */
export const BUSY_RETRY_AFTER_SECONDS = 2;

interface PgError {
  code?: string;
  message?: string;
}

/**
 * The database work of a request is bounded (pool acquire timeout, statement_timeout,
 * idle_in_transaction_session_timeout): hitting a bound answers 503 BUSY with Retry-After instead
 * of an unbounded wait or a 500.
 */
export function busyError(thrown: unknown): DomainError | undefined {
  if (thrown === null || typeof thrown !== 'object') return undefined;
  const error = ((thrown as { driverError?: PgError }).driverError ?? thrown) as PgError;
  const headers = { 'retry-after': String(BUSY_RETRY_AFTER_SECONDS) };
  // pg-pool's words when no connection came free within connectionTimeoutMillis (or a new one could not be opened in time).
  if (error.message === 'timeout exceeded when trying to connect' || error.message === 'Connection terminated due to connection timeout') {
    return new DomainError('BUSY', 'No database connection came free in time; retry shortly', { headers });
  }
  // 57014 query_canceled: statement_timeout cut the statement; 25P03: idle-in-transaction timeout ended the session.
  if (error.code === '57014' || error.code === '25P03') {
    return new DomainError('BUSY', 'The request took longer than the service allows and was stopped; retry shortly', { headers });
  }
  return undefined;
}
