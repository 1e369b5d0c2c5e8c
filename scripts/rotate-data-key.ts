/**
 * npm run rotate-data-key: re-encrypts personal data under CRM_DATA_KEY while the service runs.
 *
 *   1. Give every instance CRM_DATA_KEY=<new key> and CRM_DATA_KEY_PREVIOUS=<old key>, and restart
 *      them: they write under the new key and read both (each value names its key).
 *   2. Run this with the same environment. It rewrites the contacts in short batches (each row
 *      locked only for its batch), binding each value to its row, and recomputes the lookup hashes.
 *   3. When it reports nothing left, drop CRM_DATA_KEY_PREVIOUS and restart the instances.
 *
 * Run once without changing the key (no CRM_DATA_KEY_PREVIOUS) after upgrading, to bind values of
 * the first format (no key id, not bound to their row) to their rows.
 *
 * Embedded mode: the data directory's running PostgreSQL is used (or started when the service is
 * down); the key comes from CRM_DATA_KEY or the directory's secrets, and when it differs from the
 * stored one it replaces it there once everything is rewritten.
 *
 *   ROTATE_BATCH      rows per batch (default 500)
 *   ROTATE_PAUSE_MS   pause between batches, to leave the database to the service (default 20)
 */
import 'reflect-metadata';
import { createApp } from '../src/bootstrap';
import { ConfigError, loadConfig } from '../src/config/config';
import { loadOrCreateSecrets, replaceDataKey } from '../src/database/data-dir-secrets';
import { DataKeyRotationService } from '../src/modules/customers/data-key-rotation.service';
import { openDatabase, runningEmbeddedUrl } from './seed/database';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 100_000) throw new ConfigError(name, `must be an integer from 1 to 100000, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', JOBS_ENABLED: 'false' });
  const batchSize = positive('ROTATE_BATCH', 500);
  const pauseMs = positive('ROTATE_PAUSE_MS', 20);
  const embedded = config.databaseUrl === undefined;
  const secrets = embedded ? loadOrCreateSecrets(config.dataDir) : undefined;
  const running = embedded ? runningEmbeddedUrl(config.dataDir) : undefined;
  const database = running ? { url: running, stop: async () => undefined } : await openDatabase(config);
  const dataKey = config.dataKey ?? secrets?.dataKey;
  const auditSigningKey = config.auditSigningKey ?? secrets?.auditSigningKey;
  if (dataKey === undefined) throw new ConfigError('CRM_DATA_KEY', 'is required');
  if (auditSigningKey === undefined) throw new ConfigError('CRM_AUDIT_SIGNING_KEY', 'is required');
  const app = await createApp({
    config,
    databaseUrl: database.url,
    jwtSecret: config.jwt.secret ?? secrets?.jwtSecret ?? 'unused-by-the-rotation-script-0000000000',
    dataKey,
    dataKeyPrevious: config.dataKeyPrevious,
    auditSigningKey,
  });
  try {
    const rotation = app.get(DataKeyRotationService);
    console.log(`Rewriting personal data under key ${rotation.keyId}: ${await rotation.remaining()} contacts to go.`);
    const total = { rewritten: 0, unreadable: 0, conflicts: 0 };
    let afterId: string | null = null;
    for (;;) {
      const batch = await rotation.rotateBatch(afterId, batchSize);
      if (batch.lastId === null) break;
      afterId = batch.lastId;
      total.rewritten += batch.rewritten;
      total.unreadable += batch.unreadable;
      total.conflicts += batch.conflicts;
      console.log(`  ${total.rewritten} contacts rewritten`);
      await pause(pauseMs);
    }
    const remaining = await rotation.remaining();
    await rotation.recordRotation({ ...total, remaining });
    console.log(`Done: ${total.rewritten} rewritten, ${total.unreadable} unreadable values, ${total.conflicts} duplicate conflicts, ${remaining} contacts not under the new key.`);
    if (remaining > 0) {
      console.warn('Some values could not be rewritten (see the warnings above): keep CRM_DATA_KEY_PREVIOUS until they are dealt with.');
      process.exitCode = 2;
    } else if (secrets && secrets.dataKey.toLowerCase() !== dataKey.toLowerCase()) {
      replaceDataKey(config.dataDir, dataKey.toLowerCase());
      console.log(`The data directory's secrets now hold the new key.`);
    }
    if (remaining === 0) console.log('You can now remove CRM_DATA_KEY_PREVIOUS and restart the instances.');
  } finally {
    await app.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
