import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
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
    extra: { max: poolSize, application_name: 'crm-api', options: '-c max_parallel_workers_per_gather=0' },
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
    await dataSource.runMigrations({ transaction: 'all' });
    await afterMigrations();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
