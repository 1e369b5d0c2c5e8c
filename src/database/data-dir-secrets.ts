import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Secrets kept in the data directory in embedded mode, generated on first start (file mode 0600). */
export interface DataDirSecrets {
  postgresPassword: string;
  jwtSecret: string;
}

export function loadOrCreateSecrets(dataDir: string): DataDirSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DataDirSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets: DataDirSecrets = {
    postgresPassword: randomBytes(24).toString('base64url'),
    jwtSecret: randomBytes(48).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
