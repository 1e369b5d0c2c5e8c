import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApp } from './bootstrap';
import { JobScheduler } from './common/jobs/job-scheduler';
import { WebhookDeliveryWorker } from './modules/webhooks';
import { AuditQueueFlusher } from './modules/audit';
import { AppConfig, ConfigError } from './config/config';
import { loadOrCreateSecrets } from './database/data-dir-secrets';
import { prepareEmbeddedDatabase } from './database/database-roles';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';
import { currentUser, migrateAndGrant } from './database/migrate';
import { UsersService } from './modules/users';
import { drainAndClose } from './shutdown';

export interface RunningService {
  app: NestFastifyApplication;
  embedded?: EmbeddedDatabase;
  /** Set only on the first start when no CRM_ADMIN_PASSWORD was given: show it once. */
  generatedAdminPassword?: string;
  /**
   * Drains (SHUTDOWN_DRAIN_SECONDS for the requests in flight and a running job), closes the pool,
   * and stops the embedded PostgreSQL last.
   */
  stop(): Promise<void>;
}

/**
 * Everything `npm start` does before listening: the database (embedded unless DATABASE_URL),
 * migrations and the runtime login's grants as the owner login, and the first admin, once across
 * instances. The service itself then runs as the runtime login (src/database/database-roles.ts).
 */
export async function startService(config: AppConfig): Promise<RunningService> {
  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  let jwtSecret = config.jwt.secret;
  let dataKey = config.dataKey;
  // The login that owns the schema and runs the migrations; without MIGRATION_DATABASE_URL, DATABASE_URL's (warned).
  let ownerUrl = config.migrationDatabaseUrl ?? databaseUrl;
  let auditSigningKey = config.auditSigningKey;
  if (databaseUrl === undefined) {
    const secrets = loadOrCreateSecrets(config.dataDir);
    embedded = await startEmbeddedPostgres({
      clusterDir: join(config.dataDir, 'pg'),
      password: secrets.postgresPassword,
      port: config.embeddedPgPort,
    });
    // The embedded superuser creates the two logins (and hands an older data directory's tables to the owner).
    const logins = await prepareEmbeddedDatabase(embedded.url, 'crm', { owner: secrets.ownerPassword, runtime: secrets.runtimePassword }).catch(
      async (error: unknown) => {
        await embedded?.stop().catch(() => undefined);
        throw error;
      },
    );
    databaseUrl = logins.runtimeUrl;
    ownerUrl = logins.ownerUrl;
    jwtSecret ??= secrets.jwtSecret;
    dataKey ??= secrets.dataKey;
    auditSigningKey ??= secrets.auditSigningKey;
  }
  if (jwtSecret === undefined) throw new ConfigError('JWT_SECRET', 'is required');
  if (dataKey === undefined) throw new ConfigError('CRM_DATA_KEY', 'is required');
  if (auditSigningKey === undefined) throw new ConfigError('CRM_AUDIT_SIGNING_KEY', 'is required');

  const app = await createApp({ config, databaseUrl, jwtSecret, dataKey, auditSigningKey });
  const stop = async () => {
    await drainAndClose(app, config.shutdownDrainSeconds * 1000)
      .then(({ cutOff }) => {
        if (cutOff > 0) process.stderr.write(`${cutOff} request(s) still running after ${config.shutdownDrainSeconds} s were cut off\n`);
      })
      .catch(() => app.close().catch(() => undefined));
    await embedded?.stop().catch(() => undefined);
  };
  let generatedAdminPassword: string | undefined;
  try {
    await migrateAndGrant(ownerUrl!, await currentUser(app.get(DataSource)), async () => {
      const users = app.get(UsersService);
      if (await users.initialAdminExists()) return;
      let password = config.adminPassword;
      if (password === undefined) {
        if (embedded === undefined) throw new ConfigError('CRM_ADMIN_PASSWORD', 'is required to create the first admin user');
        password = generatedAdminPassword = randomBytes(12).toString('base64url');
      }
      await users.ensureInitialAdmin(password);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  if (config.jobsEnabled) {
    app.get(JobScheduler).start();
    app.get(WebhookDeliveryWorker).start();
  }
  // Not a job: reads' audit records wait for it only when nothing else is written (see AuditQueueEntity).
  app.get(AuditQueueFlusher).start();
  return { app, embedded, generatedAdminPassword, stop };
}
