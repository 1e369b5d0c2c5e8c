/** npm run openapi: writes openapi/openapi.json from the code, deterministically, without a database. */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createApp, packageVersion } from '../src/bootstrap';
import { SigningKey } from '../src/common/crypto/signing-key';
import { loadConfig } from '../src/config/config';
import { buildOpenApiDocument } from '../src/openapi/openapi';

async function main(): Promise<void> {
  const app = await createApp({
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    databaseUrl: 'postgres://offline@127.0.0.1:1/offline',
    jwtSecret: 'offline-contract-generation-only-secret',
    dataKey: '0'.repeat(64),
    auditSigningKey: SigningKey.generatePem(),
    offline: true,
  });
  const document = buildOpenApiDocument(app, packageVersion());
  await app.close();
  mkdirSync('openapi', { recursive: true });
  writeFileSync('openapi/openapi.json', `${JSON.stringify(document, null, 2)}\n`);
  console.log(`Wrote openapi/openapi.json (${Object.keys(document.paths).length} paths).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
