import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDatabase, dropDatabase } from '../scripts/support/scratch-postgres';
import { loadConfig } from '../src/config/config';
import { grantRuntimePrivileges, inspectRuntimeRole, sqlOfClient, urlWithLogin } from '../src/database/database-roles';
import { currentUser, migrateAndGrant } from '../src/database/migrate';
import { AuditLogService } from '../src/modules/audit/audit-log.service';
import { startService } from '../src/service';
import { ADMIN_PASSWORD, AUDIT_SIGNING_KEY, clientFor, DATA_KEY, JWT_SECRET, startTestApp, TestApp } from './support/test-app';

let t: TestApp;
let runtime: Client;
const roles = {
  owner: (JSON.parse(process.env.CRM_TEST_OWNER!) as { role: string }).role,
  runtime: (JSON.parse(process.env.CRM_TEST_RUNTIME!) as { role: string }).role,
};

beforeAll(async () => {
  t = await startTestApp();
  runtime = new Client({ connectionString: t.urls.runtime });
  await runtime.connect();
});
afterAll(async () => {
  await runtime.end();
  await t.close();
});

async function auditPartitions(): Promise<string[]> {
  const { rows } = await t.db.query(`SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'audit_log'::regclass ORDER BY 1`);
  return rows.map((r: { name: string }) => r.name);
}

function nextMonthsPartition(offset: number): string {
  const start = new Date();
  start.setUTCDate(1);
  start.setUTCMonth(start.getUTCMonth() + offset);
  return `audit_log_${start.getUTCFullYear()}_${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
}

describe('the login the service runs as', () => {
  it('is the runtime login, a plain one that owns no table, function or type', async () => {
    expect(await currentUser(t.app.get(DataSource))).toBe(roles.runtime);
    const report = await inspectRuntimeRole(sqlOfClient(t.db), roles.runtime, roles.owner);
    expect(report).toEqual({ owned: [], superuser: false, actsAsOwner: false });
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) <> $1`,
      [roles.owner],
    );
    expect(rows[0].n).toBe(0); // the owner login owns every table, index and sequence
  });

  it('may only INSERT and SELECT on the audit log and each of its partitions, and change rows elsewhere', async () => {
    const privileges = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
    const held = async (table: string) => {
      const { rows } = await t.db.query(
        `SELECT p FROM unnest($3::text[]) AS p WHERE has_table_privilege($1, $2::regclass, p) ORDER BY array_position($3::text[], p)`,
        [roles.runtime, table, privileges],
      );
      return rows.map((r: { p: string }) => r.p);
    };
    const partitions = await auditPartitions();
    expect(partitions).toContain('audit_log_default');
    for (const table of ['audit_log', ...partitions]) expect([table, await held(table)]).toEqual([table, ['SELECT', 'INSERT']]);
    for (const table of ['customers', 'users', 'audit_chain_head', 'scheduled_jobs']) {
      expect([table, await held(table)]).toEqual([table, ['SELECT', 'INSERT', 'UPDATE', 'DELETE']]);
    }
    expect(await held('schema_migrations')).toEqual(['SELECT']);
  });

  it('cannot rewrite, remove or unprotect audit entries, nor change the schema', async () => {
    await (await t.admin()).POST('/api/v1/departments', { body: { name: 'Audited Before The Attempts' } });
    const current = nextMonthsPartition(0);
    const before = (await t.db.query(`SELECT count(*)::int AS n, max(hash) AS h FROM audit_log`)).rows[0];
    const attempts: [string, RegExp][] = [
      [`UPDATE audit_log SET reason = 'rewritten'`, /permission denied for table audit_log/],
      [`UPDATE ${current} SET reason = 'rewritten'`, /permission denied for table/],
      [`DELETE FROM audit_log`, /permission denied for table audit_log/],
      [`DELETE FROM audit_log_default`, /permission denied for table audit_log_default/],
      [`TRUNCATE audit_log`, /permission denied for table audit_log/],
      [`TRUNCATE ${current}`, /permission denied for table/],
      [`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`, /must be owner of table audit_log/],
      [`ALTER TABLE ${current} DISABLE TRIGGER ALL`, /must be owner of table/],
      [`ALTER TABLE audit_log ALTER COLUMN reason TYPE varchar(10)`, /must be owner of table audit_log/],
      [`ALTER TABLE audit_log DETACH PARTITION ${current}`, /must be owner of table/],
      [`DROP TABLE ${current}`, /must be owner of table/],
      [`DROP TABLE audit_log CASCADE`, /must be owner of table audit_log/],
      [`DROP FUNCTION audit_log_is_append_only() CASCADE`, /must be owner of function/],
      [`CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`, /must be owner of function|permission denied/],
      [`ALTER TABLE customers OWNER TO CURRENT_USER`, /must be owner of table customers/],
      [`TRUNCATE customers`, /permission denied for table customers/],
      [`CREATE TABLE public.runtime_owned (id int)`, /permission denied for schema public/],
      [`SET ROLE "${roles.owner}"`, /permission denied to set role/],
    ];
    for (const [statement, refusal] of attempts) {
      await expect(runtime.query(statement).then(() => `${statement}: accepted`)).rejects.toThrow(refusal);
    }
    const after = (await t.db.query(`SELECT count(*)::int AS n, max(hash) AS h FROM audit_log`)).rows[0];
    expect(after).toEqual(before);
    expect((await auditPartitions()).length).toBeGreaterThan(4);
    const verify = await (await t.admin()).GET('/api/v1/audit-logs/verify');
    expect(verify.data).toMatchObject({ valid: true });
  });

  it('still appends to the audit log through the service, and makes next months partition through its one door', async () => {
    const api = await t.admin();
    const created = await api.POST('/api/v1/departments', { body: { name: 'Written By The Runtime Login' } });
    expect(created.response.status).toBe(201);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE entity_id = $1`, [created.data!.id]);
    expect(rows[0].n).toBe(1);

    // The daily job, running as the runtime login, recreates a dropped month ahead with the parent's grants.
    const furthest = nextMonthsPartition(3);
    await t.db.query(`DROP TABLE ${furthest}`);
    const outcome = await t.app.get(AuditLogService).preparePartitions();
    expect(outcome.created).toHaveLength(1);
    const [made] = (
      await t.db.query(
        `SELECT pg_get_userbyid(relowner) AS owner, has_table_privilege($2, oid, 'INSERT') AS insert,
                has_table_privilege($2, oid, 'UPDATE') AS update, has_table_privilege($2, oid, 'DELETE') AS delete
           FROM pg_class WHERE oid = $1::regclass`,
        [furthest, roles.runtime],
      )
    ).rows;
    expect(made).toEqual({ owner: roles.owner, insert: true, update: false, delete: false });
    // The door does that one thing: calling the function directly creates nothing else.
    await expect(runtime.query(`SELECT audit_log_add_partition(now()::date)`)).resolves.toMatchObject({ rows: [{ audit_log_add_partition: 'exists' }] });
  });
});

describe('the grant step after the migrations', () => {
  it('covers tables a later migration adds, takes back what the runtime login should not hold, and changes nothing when all is right', async () => {
    const owner = new Client({ connectionString: t.urls.owner });
    await owner.connect();
    try {
      await owner.query(`CREATE TABLE later_migration_table (id int PRIMARY KEY)`);
      await owner.query(`GRANT TRUNCATE, UPDATE ON audit_log_default TO "${roles.runtime}"`);
      const ran = await grantRuntimePrivileges(sqlOfClient(owner), roles.runtime);
      expect(ran).toEqual([
        `REVOKE ALL ON TABLE audit_log_default FROM "${roles.runtime}"`,
        `GRANT INSERT, SELECT ON TABLE audit_log_default TO "${roles.runtime}"`,
        `GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE later_migration_table TO "${roles.runtime}"`,
      ]);
      expect(await grantRuntimePrivileges(sqlOfClient(owner), roles.runtime)).toEqual([]);
      await expect(runtime.query(`INSERT INTO later_migration_table VALUES (1)`)).resolves.toBeDefined();
    } finally {
      await owner.query(`DROP TABLE IF EXISTS later_migration_table`);
      await owner.end();
    }
  });

  it('refuses to start when the runtime login owns a table, saying how to hand it over', async () => {
    await t.db.query(`CREATE TABLE owned_by_runtime (id int)`);
    await t.db.query(`ALTER TABLE owned_by_runtime OWNER TO "${roles.runtime}"`);
    try {
      await expect(migrateAndGrant(t.urls.owner, roles.runtime)).rejects.toThrow(
        new RegExp(`owns 1 object\\(s\\) \\(owned_by_runtime…\\).*REASSIGN OWNED BY "${roles.runtime}" TO "${roles.owner}"`),
      );
    } finally {
      await t.db.query(`DROP TABLE owned_by_runtime`);
    }
  });

  it('with a single login for both, migrates, grants nothing and warns', async () => {
    const warnings: string[] = [];
    const outcome = await migrateAndGrant(t.urls.owner, roles.owner, undefined, { warn: (message: string) => void warnings.push(message) });
    expect(outcome).toEqual({ ownerRole: roles.owner, separateRoles: false });
    expect(warnings).toEqual([expect.stringMatching(/owns the schema.*Set MIGRATION_DATABASE_URL/)]);
  });
});

describe('an external server with DATABASE_URL and MIGRATION_DATABASE_URL', () => {
  it('migrates a new database as the owner login and serves as the runtime login', async () => {
    const serverUrl = process.env.CRM_TEST_SERVER_URL!;
    const name = `crm_external_${randomBytes(4).toString('hex')}`;
    const superuserUrl = await createDatabase(serverUrl, name, undefined, roles.owner);
    const login = (which: 'owner' | 'runtime') => {
      const { role, password } = JSON.parse(process.env[which === 'owner' ? 'CRM_TEST_OWNER' : 'CRM_TEST_RUNTIME']!) as { role: string; password: string };
      return urlWithLogin(superuserUrl, role, password);
    };
    const service = await startService(
      loadConfig({
        DATABASE_URL: login('runtime'),
        MIGRATION_DATABASE_URL: login('owner'),
        JWT_SECRET,
        CRM_DATA_KEY: DATA_KEY,
        CRM_AUDIT_SIGNING_KEY: AUDIT_SIGNING_KEY,
        CRM_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOG_LEVEL: 'silent',
        SWAGGER_UI: 'false',
        JOBS_ENABLED: 'false',
      }),
    );
    try {
      expect(await currentUser(service.app.get(DataSource))).toBe(roles.runtime);
      await service.app.listen(0, '127.0.0.1');
      const baseUrl = `http://127.0.0.1:${(service.app.getHttpServer().address() as { port: number }).port}`;
      const token = await clientFor(baseUrl).POST('/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
      expect(token.response.status).toBe(200);
      const db = new Client({ connectionString: superuserUrl });
      await db.connect();
      try {
        const report = await inspectRuntimeRole(sqlOfClient(db), roles.runtime, roles.owner);
        expect(report.owned).toEqual([]);
        const { rows } = await db.query(
          `SELECT has_table_privilege($1, 'audit_log', 'UPDATE') AS update, has_table_privilege($1, 'audit_log', 'INSERT') AS insert,
                  has_table_privilege($1, 'customers', 'UPDATE') AS customers, pg_get_userbyid(relowner) AS owner
             FROM pg_class WHERE oid = 'audit_log'::regclass`,
          [roles.runtime],
        );
        expect(rows[0]).toEqual({ update: false, insert: true, customers: true, owner: roles.owner });
      } finally {
        await db.end();
      }
    } finally {
      await service.stop();
      await dropDatabase(serverUrl, name);
    }
  }, 60_000);
});
