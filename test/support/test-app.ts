import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { createApp } from '../../src/bootstrap';
import { SigningKey } from '../../src/common/crypto/signing-key';
import { loadConfig } from '../../src/config/config';
import { urlWithLogin } from '../../src/database/database-roles';
import { UsersService } from '../../src/modules/users';
import { createDatabase, dropDatabase } from '../../scripts/support/scratch-postgres';
import { createCrmClient, type components, type CrmClient } from '../../clients/typescript/src/index';

// The tests call the API through the published client package (clients/typescript), typed from the
// committed contract: a server change the contract does not show, or a contract change that breaks
// integrators, fails to compile here.
export type { components, paths } from '../../clients/typescript/src/index';

export type Api = CrmClient;
export type Role = components['schemas']['UserDto']['role'];
export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const JWT_SECRET = 'test-secret-that-is-at-least-32-bytes-long';
export const DATA_KEY = '5f'.repeat(32);
/** The Ed25519 key that signs audit checkpoints: one per test file, shared by its instances. */
export const AUDIT_SIGNING_KEY = SigningKey.generatePem();

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  /** A client typed from the committed openapi/openapi.json, without a token. */
  anonymous: Api;
  /**
   * Direct access to this file's database as the server's superuser, for assertions and for what no
   * API may do (the app itself runs as the runtime login, which owns nothing).
   */
  db: Pool;
  /** This file's database as each of the service's two logins (global-setup.ts creates them). */
  urls: { owner: string; runtime: string };
  login(username: string, password: string): Promise<Api>;
  admin(): Promise<Api>;
  /** Creates a department, or returns its id when it exists. */
  department(name: string): Promise<string>;
  /** Creates a user (via the API, as admin) and returns a client logged in as them. */
  userClient(role: Role, options?: { username?: string; departmentId?: string }): Promise<{ api: Api; id: string; username: string }>;
  /** A second instance of the service on the same database, as behind a load balancer. */
  anotherInstance(): Promise<NestFastifyApplication>;
  close(): Promise<void>;
}

export function clientFor(baseUrl: string, token?: string): Api {
  return createCrmClient(baseUrl, token);
}

/** A raw bearer token, for calls the typed client cannot make (streamed downloads through fetch). */
export async function tokenFor(t: Pick<TestApp, 'anonymous'>, username: string, password: string): Promise<string> {
  const { data, error } = await t.anonymous.POST('/api/v1/auth/login', { body: { username, password } });
  if (!data) throw new Error(`login as ${username} failed: ${JSON.stringify(error)}`);
  return data.accessToken;
}

/** An application on a database of its own, cloned from the migrated template, listening on a free port. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const serverUrl = process.env.CRM_TEST_SERVER_URL!;
  const name = `crm_test_${randomBytes(5).toString('hex')}`;
  const owner = JSON.parse(process.env.CRM_TEST_OWNER!) as { role: string; password: string };
  const runtime = JSON.parse(process.env.CRM_TEST_RUNTIME!) as { role: string; password: string };
  const superuserUrl = await createDatabase(serverUrl, name, process.env.CRM_TEST_TEMPLATE!, owner.role);
  const urls = { owner: urlWithLogin(superuserUrl, owner.role, owner.password), runtime: urlWithLogin(superuserUrl, runtime.role, runtime.password) };
  const databaseUrl = urls.runtime;
  // The suite calls the API as fast as the loopback allows (role-routes: over 100 calls in 2 s for
  // one user), which the production limit (50/s, bursts of 100) exists to stop; tests of the limit
  // set their own (test/rate-limits.e2e-spec.ts).
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    SWAGGER_UI: 'false',
    LOGIN_MAX_FAILURES: '5',
    JOBS_ENABLED: 'false',
    RATE_LIMIT_PER_SECOND: '1000',
    RATE_LIMIT_BURST: '2000',
    ...env,
  });
  const app = await createApp({ config, databaseUrl, jwtSecret: JWT_SECRET, dataKey: DATA_KEY, auditSigningKey: AUDIT_SIGNING_KEY });
  await app.get(UsersService).ensureInitialAdmin(ADMIN_PASSWORD);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const db = new Pool({ connectionString: superuserUrl, max: 3 });
  const others: NestFastifyApplication[] = [];
  const anonymous = clientFor(baseUrl);

  const login = async (username: string, password: string) => {
    const { data, error } = await anonymous.POST('/api/v1/auth/login', { body: { username, password } });
    if (!data) throw new Error(`login as ${username} failed: ${JSON.stringify(error)}`);
    return clientFor(baseUrl, data.accessToken);
  };
  let adminApi: Api | undefined;
  const admin = async () => (adminApi ??= await login('admin', ADMIN_PASSWORD));
  const department = async (departmentName: string) => {
    const api = await admin();
    const existing = (await api.GET('/api/v1/departments')).data?.find((d) => d.name === departmentName);
    if (existing) return existing.id;
    const { data, error } = await api.POST('/api/v1/departments', { body: { name: departmentName } });
    if (!data) throw new Error(`department ${departmentName}: ${JSON.stringify(error)}`);
    return data.id;
  };
  let counter = 0;
  const userClient = async (role: Role, options: { username?: string; departmentId?: string } = {}) => {
    counter += 1;
    const username = options.username ?? `${role}.${counter}.${randomBytes(2).toString('hex')}`;
    const password = `password-of-${username}`;
    const departmentId = options.departmentId ?? (await department('Sales East'));
    const { data, error } = await (await admin()).POST('/api/v1/users', {
      body: { username, displayName: username, password, role, departmentId },
    });
    if (!data) throw new Error(`user ${username}: ${JSON.stringify(error)}`);
    return { api: await login(username, password), id: data.id, username };
  };

  return {
    app,
    baseUrl,
    anonymous,
    db,
    urls,
    login,
    admin,
    department,
    userClient,
    anotherInstance: async () => {
      const other = await createApp({ config, databaseUrl, jwtSecret: JWT_SECRET, dataKey: DATA_KEY, auditSigningKey: AUDIT_SIGNING_KEY });
      others.push(other);
      return other;
    },
    close: async () => {
      for (const other of others) await other.close();
      await app.close();
      await db.end();
      await dropDatabase(serverUrl, name);
    },
  };
}
