import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { DomainError } from './domain-error';
import { isDatabaseOutage, isRetryableTransactionError, OUTAGE_RETRY_AFTER_SECONDS, outageError, retryDelayMs } from './outage-errors';

const socket = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
const pg = (code: string, message = 'x') => Object.assign(new Error(message), { code, severity: 'FATAL' });
const wrapped = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('isDatabaseOutage', () => {
  it('knows a refused, reset or unreachable socket, bare or wrapped by TypeORM', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']) {
      expect(isDatabaseOutage(socket(code))).toBe(true);
      expect(isDatabaseOutage(wrapped(socket(code)))).toBe(true);
    }
  });

  it('knows node-postgres losing its connection', () => {
    expect(isDatabaseOutage(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseOutage(wrapped(new Error('Client has encountered a connection error and is not queryable')))).toBe(true);
  });

  it('knows the server shutting down, starting up, or a standby after a failover', () => {
    expect(isDatabaseOutage(pg('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isDatabaseOutage(pg('57P03', 'the database system is starting up'))).toBe(true);
    expect(isDatabaseOutage(pg('08006'))).toBe(true);
    expect(isDatabaseOutage(wrapped(pg('25006', 'cannot execute UPDATE in a read-only transaction')))).toBe(true);
  });

  it('knows a TypeORM query runner released because its connection failed', () => {
    expect(isDatabaseOutage(new QueryRunnerAlreadyReleasedError())).toBe(true);
    expect(isRetryableTransactionError(new QueryRunnerAlreadyReleasedError(), false)).toBe(true);
    expect(isDatabaseOutage(new QueryRunnerProviderAlreadyReleasedError())).toBe(true);
  });

  it('finds the cause inside an AggregateError (a host name with several addresses)', () => {
    expect(isDatabaseOutage(new AggregateError([socket('ECONNREFUSED'), socket('ECONNREFUSED')]))).toBe(true);
  });

  it('leaves statements the database refused, timeouts and our own errors alone', () => {
    expect(isDatabaseOutage(wrapped(pg('23505', 'duplicate key value violates unique constraint')))).toBe(false);
    expect(isDatabaseOutage(wrapped(pg('57014', 'canceling statement due to statement timeout')))).toBe(false);
    expect(isDatabaseOutage(wrapped(pg('40001', 'could not serialize access')))).toBe(false);
    expect(isDatabaseOutage(new Error('timeout exceeded when trying to connect'))).toBe(false);
    expect(isDatabaseOutage(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDatabaseOutage(undefined)).toBe(false);
    expect(isDatabaseOutage('ECONNREFUSED')).toBe(false);
  });
});

describe('isRetryableTransactionError', () => {
  it('retries a serialization failure or a deadlock whenever it comes (the server rolled back)', () => {
    expect(isRetryableTransactionError(wrapped(pg('40001')), false)).toBe(true);
    expect(isRetryableTransactionError(wrapped(pg('40P01')), true)).toBe(true);
  });

  it('retries a lost connection only before COMMIT was sent', () => {
    expect(isRetryableTransactionError(socket('ECONNRESET'), false)).toBe(true);
    expect(isRetryableTransactionError(new Error('Connection terminated unexpectedly'), true)).toBe(false);
  });

  it('never retries a refusal or a bug', () => {
    expect(isRetryableTransactionError(wrapped(pg('23505')), false)).toBe(false);
    expect(isRetryableTransactionError(new DomainError('NOT_FOUND', 'x'), false)).toBe(false);
  });
});

describe('outageError', () => {
  it('is a 503 DATABASE_UNAVAILABLE with Retry-After', () => {
    const error = outageError(wrapped(socket('ECONNREFUSED')));
    expect(error?.code).toBe('DATABASE_UNAVAILABLE');
    expect(error?.extras.headers).toEqual({ 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) });
  });

  it('keeps a DomainError as it is (the unknown-commit 503 carries its own detail)', () => {
    expect(outageError(new DomainError('DATABASE_UNAVAILABLE', 'commit outcome unknown'))).toBeUndefined();
  });
});

describe('retryDelayMs', () => {
  it('grows with the attempt and stays short', () => {
    expect(retryDelayMs(1, () => 0)).toBe(13);
    expect(retryDelayMs(1, () => 1)).toBe(38);
    expect(retryDelayMs(3, () => 1)).toBe(150);
  });
});
