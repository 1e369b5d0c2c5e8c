import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import type { AppConfig } from '../config/config';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

/**
 * `bounds` (the API's connections): every statement is cut after statement_timeout, a transaction
 * left idle is ended, and a request waits at most acquireTimeoutMs for a pooled connection; each
 * answers 503 BUSY (common/errors/busy-errors.ts). Scripts and tests that migrate pass none.
 */
export function dataSourceOptions(url: string, poolSize: number, bounds?: AppConfig['db']): DataSourceOptions {
  const settings = ['-c max_parallel_workers_per_gather=0'];
  if (bounds) {
    settings.push(`-c statement_timeout=${bounds.statementTimeoutMs}`, `-c idle_in_transaction_session_timeout=${bounds.idleInTransactionTimeoutMs}`);
  }
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    migrationsRun: false,
    uuidExtension: 'pgcrypto',
    // The migrations create the extensions (as the owner); the runtime login may not, and need not try.
    installExtensions: false,
    // Parallel workers cost more than they save on short API queries (overdue complaints at 1 M
    // customers: 25–31 ms with them, 7.8 ms without).
    extra: {
      max: poolSize,
      application_name: 'crm-api',
      options: settings.join(' '),
      ...(bounds ? { connectionTimeoutMillis: bounds.acquireTimeoutMs } : {}),
    },
  };
}

// An arbitrary constant naming the start-up lock (migrations, first admin) across instances.
const STARTUP_LOCK = 827_364_501;

/**
 * Runs pending migrations, then `afterMigrations`, under a session-level advisory lock so that
 * instances starting together do it once.
 */
export async function migrateUnderLock(dataSource: DataSource, afterMigrations: () => Promise<void> = async () => {}): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
    // Migrations run on this connection, free of the API's statement and idle timeouts: rewriting
    // a large table may take longer than any API statement should.
    await runner.query('SET statement_timeout = 0');
    await runner.query('SET idle_in_transaction_session_timeout = 0');
    const migrations = new MigrationExecutor(dataSource, runner);
    migrations.transaction = 'all';
    await migrations.executePendingMigrations();
    await runner.query('RESET statement_timeout');
    await runner.query('RESET idle_in_transaction_session_timeout');
    await afterMigrations();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
