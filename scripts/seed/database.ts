/**
 * Where the scale seed and the benchmark find the database: DATABASE_URL, or the embedded
 * PostgreSQL of a data directory, opened exactly as `npm start` opens it (src/service.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../../src/config/config';
import { loadOrCreateSecrets } from '../../src/database/data-dir-secrets';
import { EmbeddedDatabase, startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { ensureDatabase } from '../../src/database/ensure-database';

/** The database name `npm start` uses on its embedded server. */
export const EMBEDDED_DATABASE = 'crm';
/** Where the seed puts its embedded cluster unless CRM_DATA_DIR says otherwise. */
export const DEFAULT_SCALE_DATA_DIR = '.data/scale';
/** The password of every seeded user unless SEED_PASSWORD (or --password) chooses another. */
export const DEFAULT_SEED_PASSWORD = 'scale-seed-password';

export interface OpenDatabase {
  url: string;
  dataKey: string;
  embedded?: EmbeddedDatabase;
  stop(): Promise<void>;
}

/**
 * Starts the data directory's embedded server (creating it on first use; the seed works as its
 * superuser, and the service's start at the end hands what it made to the owner login), or takes
 * MIGRATION_DATABASE_URL (the owner login, which may migrate) or else DATABASE_URL.
 */
export async function openDatabase(config: AppConfig): Promise<OpenDatabase> {
  if (config.databaseUrl !== undefined) {
    return { url: config.migrationDatabaseUrl ?? config.databaseUrl, dataKey: config.dataKey!, stop: async () => undefined };
  }
  const secrets = loadOrCreateSecrets(config.dataDir);
  const embedded = await startEmbeddedPostgres({
    clusterDir: join(config.dataDir, 'pg'),
    password: secrets.postgresPassword,
    port: config.embeddedPgPort,
  });
  const url = await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
  return { url, dataKey: config.dataKey ?? secrets.dataKey, embedded, stop: () => embedded.stop() };
}

/**
 * The URL of the database a running `npm start` serves from `dataDir`: the port from the cluster's
 * postmaster.pid (4th line), the password from the directory's secrets. Undefined when no server runs there.
 */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  const secretsFile = join(dataDir, 'secrets.json');
  if (!existsSync(pidFile) || !existsSync(secretsFile)) return undefined;
  const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
  const { postgresPassword } = JSON.parse(readFileSync(secretsFile, 'utf8')) as { postgresPassword: string };
  if (!Number.isInteger(port) || port <= 0) return undefined;
  return `postgres://postgres:${encodeURIComponent(postgresPassword)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}
