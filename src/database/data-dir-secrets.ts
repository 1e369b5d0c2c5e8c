import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SigningKey } from '../common/crypto/signing-key';

/** Secrets kept in the data directory in embedded mode, generated on first start (file mode 0600). */
export interface DataDirSecrets {
  /** The embedded cluster's superuser: creates the two logins below, nothing else connects with it. */
  postgresPassword: string;
  /** The login owning the schema (migrations). Added on the first start after an upgrade. */
  ownerPassword: string;
  /** The login the service runs as: data rights only, owns nothing. Added on the first start after an upgrade. */
  runtimePassword: string;
  jwtSecret: string;
  /** 32 bytes as hex: the key of personal data at rest. Losing it loses that data: back it up with the data. */
  dataKey: string;
  /** Ed25519 PKCS#8 PEM that signs audit checkpoints. Keep it apart from database backups: that is its point. */
  auditSigningKey: string;
}

export function loadOrCreateSecrets(dataDir: string): DataDirSecrets {
  const file = join(dataDir, 'secrets.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DataDirSecrets>) : {};
  const secrets: DataDirSecrets = {
    postgresPassword: stored.postgresPassword ?? randomBytes(24).toString('base64url'),
    ownerPassword: stored.ownerPassword ?? randomBytes(24).toString('base64url'),
    runtimePassword: stored.runtimePassword ?? randomBytes(24).toString('base64url'),
    jwtSecret: stored.jwtSecret ?? randomBytes(48).toString('base64url'),
    dataKey: stored.dataKey ?? randomBytes(32).toString('hex'),
    auditSigningKey: stored.auditSigningKey ?? SigningKey.generatePem(),
  };
  if (Object.keys(stored).length !== Object.keys(secrets).length) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets;
}

/** After `npm run rotate-data-key` in embedded mode: the data directory's key becomes the one rotated to. */
export function replaceDataKey(dataDir: string, dataKey: string): void {
  const file = join(dataDir, 'secrets.json');
  const secrets = { ...loadOrCreateSecrets(dataDir), dataKey };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
}
