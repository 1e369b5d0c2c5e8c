import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

export interface ScratchServer {
  /** URL of the server's maintenance database; create databases of your own on it. */
  serverUrl: string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server for tests and tooling: the one in DATABASE_URL when set, otherwise an
 * embedded one in a temporary directory that stop() removes.
 */
export async function startScratchServer(databaseUrl = process.env.DATABASE_URL): Promise<ScratchServer> {
  if (databaseUrl) return { serverUrl: databaseUrl, stop: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'crm-pg-'));
  await chmod(dir, 0o755); // the cluster runs as the postgres user, who must reach into it
  const db = await startEmbeddedPostgres({ clusterDir: join(dir, 'pg'), password: randomBytes(12).toString('hex'), port: 0 });
  return {
    serverUrl: db.url,
    stop: async () => {
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function onServer<T>(serverUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(serverUrl: string, name: string, template?: string, owner?: string): Promise<string> {
  await onServer(serverUrl, (client) =>
    client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}${owner ? ` OWNER "${owner}"` : ''}`),
  );
  return databaseUrl(serverUrl, name);
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
