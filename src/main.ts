import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { createApp } from './bootstrap';
import { AppConfig, ConfigError, loadConfig } from './config/config';
import { loadOrCreateSecrets } from './database/data-dir-secrets';
import { migrateUnderLock } from './database/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';
import { ensureDatabase } from './database/ensure-database';
import { UsersService } from './modules/users';

function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  let jwtSecret = config.jwt.secret;
  if (databaseUrl === undefined) {
    const secrets = loadOrCreateSecrets(config.dataDir);
    embedded = await startEmbeddedPostgres({
      clusterDir: join(config.dataDir, 'pg'),
      password: secrets.postgresPassword,
      port: config.embeddedPgPort,
    }).catch((error: Error) => fail(error.message));
    databaseUrl = await ensureDatabase(embedded.url, 'crm');
    jwtSecret ??= secrets.jwtSecret;
  }

  const app = await createApp({ config, databaseUrl, jwtSecret: jwtSecret! });
  let generatedAdminPassword: string | undefined;
  await migrateUnderLock(app.get(DataSource), async () => {
    const users = app.get(UsersService);
    await app.get(ClsService).run(async () => {
      if (await users.initialAdminExists()) return;
      let password = config.adminPassword;
      if (password === undefined) {
        if (embedded === undefined) fail('Invalid configuration: CRM_ADMIN_PASSWORD is required to create the first admin user');
        password = generatedAdminPassword = randomBytes(12).toString('base64url');
      }
      await users.ensureInitialAdmin(password);
    });
  });

  const shutdown = async (signal: string) => {
    process.stderr.write(`${signal} received, shutting down\n`);
    await app.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen(config.port, config.host);
  const where = embedded ? `embedded PostgreSQL in ${config.dataDir}` : 'DATABASE_URL';
  process.stderr.write(`CRM API listening on http://localhost:${config.port} (Swagger UI on /docs), database: ${where}\n`);
  if (generatedAdminPassword) {
    process.stderr.write(
      `\n  ┌───────────────────────────────────────────────────────────────\n` +
        `  │ First start: created user "admin" with password ${generatedAdminPassword}\n` +
        `  │ It is shown only this once. Set CRM_ADMIN_PASSWORD to choose your own.\n` +
        `  └───────────────────────────────────────────────────────────────\n\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
