import { Client } from 'pg';

/**
 * Two logins: the owner, which owns the schema and runs the migrations, and the runtime login the
 * service's requests use, which owns nothing and may only read and write rows (on the audit log
 * only INSERT and SELECT). So with the service's own credentials nobody can disable the audit
 * triggers, detach or drop a partition, truncate a table or rewrite an audit entry.
 */

/** The logins the embedded cluster's superuser creates in the data directory's cluster. */
export const EMBEDDED_OWNER_ROLE = 'crm_owner';
export const EMBEDDED_RUNTIME_ROLE = 'crm_app';

/** Tables (with their partitions) the runtime login may only append to and read. */
export const APPEND_ONLY_TABLES = ['audit_log', 'audit_checkpoints', 'audit_entity_index'];
/** Tables the runtime login may only read. */
export const READ_ONLY_TABLES = ['schema_migrations'];

/** Runs a statement and answers its rows (a pg Client or a TypeORM DataSource/QueryRunner adapted). */
export type Sql = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export const sqlOfClient =
  (client: Pick<Client, 'query'>): Sql =>
  async (text, params) =>
    (await client.query(text, params)).rows as Record<string, unknown>[];

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** `url` with another login (and database). */
export function urlWithLogin(url: string, user: string, password: string, database?: string): string {
  const next = new URL(url);
  next.username = encodeURIComponent(user);
  next.password = encodeURIComponent(password);
  if (database !== undefined) next.pathname = `/${database}`;
  return next.toString();
}

/** `url` naming another database on the same server. */
export function onDatabase(url: string, database: string): string {
  const next = new URL(url);
  next.pathname = `/${database}`;
  return next.toString();
}

async function withClient<T>(url: string, work: (sql: Sql) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'crm-api-setup' });
  await client.connect();
  try {
    return await work(sqlOfClient(client));
  } finally {
    await client.end();
  }
}

/**
 * Creates (or re-keys) a plain login: no superuser, no role or database creation, no replication,
 * no row-security bypass, member of nothing.
 */
export async function ensureLogin(sql: Sql, role: string, password: string): Promise<void> {
  const [existing] = await sql(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role]);
  await sql(
    `${existing ? 'ALTER' : 'CREATE'} ROLE ${ident(role)} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS ` +
      `PASSWORD ${literal(password)}`,
  );
}

/**
 * Embedded mode, as the cluster's superuser: both logins, the database owned by the owner login,
 * and every object of an older data directory (made by the superuser before there were two logins)
 * handed over to the owner. Answers the URLs of the two logins on that database.
 */
export async function prepareEmbeddedDatabase(
  superuserUrl: string,
  database: string,
  passwords: { owner: string; runtime: string },
): Promise<{ ownerUrl: string; runtimeUrl: string }> {
  await withClient(superuserUrl, async (sql) => {
    await ensureLogin(sql, EMBEDDED_OWNER_ROLE, passwords.owner);
    await ensureLogin(sql, EMBEDDED_RUNTIME_ROLE, passwords.runtime);
    const [exists] = await sql(`SELECT 1 FROM pg_database WHERE datname = $1`, [database]);
    await sql(
      exists
        ? `ALTER DATABASE ${ident(database)} OWNER TO ${ident(EMBEDDED_OWNER_ROLE)}`
        : `CREATE DATABASE ${ident(database)} OWNER ${ident(EMBEDDED_OWNER_ROLE)}`,
    );
  });
  await withClient(onDatabase(superuserUrl, database), (sql) => handOverToOwner(sql, EMBEDDED_OWNER_ROLE));
  return {
    ownerUrl: urlWithLogin(superuserUrl, EMBEDDED_OWNER_ROLE, passwords.owner, database),
    runtimeUrl: urlWithLogin(superuserUrl, EMBEDDED_RUNTIME_ROLE, passwords.runtime, database),
  };
}

// Objects of schema public that no extension brought.
const NOT_FROM_EXTENSION = (catalog: string, column: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${column} AND d.deptype = 'e')`;

/**
 * As a superuser: makes `owner` the owner of every table, view, sequence, function and type of
 * schema public that someone else owns (an upgraded data directory's, which the superuser made).
 * Indexes and the sequences of identity/serial columns follow their tables. Answers how many moved.
 */
export async function handOverToOwner(sql: Sql, owner: string): Promise<number> {
  let moved = 0;
  await sql('BEGIN');
  try {
    const relations = await sql(
      `SELECT c.oid::regclass::text AS name, c.relkind AS kind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
          AND NOT c.relispartition AND ${NOT_FROM_EXTENSION('pg_class', 'c.oid')}
        ORDER BY c.oid`,
      [owner],
    );
    const partitions = await sql(
      `SELECT c.oid::regclass::text AS name, c.relkind AS kind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'f') AND c.relispartition
          AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
        ORDER BY c.oid`,
      [owner],
    );
    for (const { name, kind } of [...relations, ...partitions]) {
      const what = kind === 'v' ? 'VIEW' : kind === 'm' ? 'MATERIALIZED VIEW' : kind === 'f' ? 'FOREIGN TABLE' : 'TABLE';
      await sql(`ALTER ${what} ${name as string} OWNER TO ${ident(owner)}`);
      moved += 1;
    }
    // Sequences not owned by a column (those moved with their table above).
    const sequences = await sql(
      `SELECT c.oid::regclass::text AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'S'
          AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))`,
      [owner],
    );
    for (const { name } of sequences) {
      await sql(`ALTER SEQUENCE ${name as string} OWNER TO ${ident(owner)}`);
      moved += 1;
    }
    const routines = await sql(
      `SELECT p.oid::regprocedure::text AS name, p.prokind AS kind
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
          AND ${NOT_FROM_EXTENSION('pg_proc', 'p.oid')}`,
      [owner],
    );
    for (const { name, kind } of routines) {
      await sql(`ALTER ${kind === 'p' ? 'PROCEDURE' : kind === 'a' ? 'AGGREGATE' : 'FUNCTION'} ${name as string} OWNER TO ${ident(owner)}`);
      moved += 1;
    }
    // Enums, domains and free-standing composite types (a table's row type moves with the table).
    const types = await sql(
      `SELECT t.oid::regtype::text AS name
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') AND t.typelem = 0
          AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
          AND t.typowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
          AND ${NOT_FROM_EXTENSION('pg_type', 't.oid')}`,
      [owner],
    );
    for (const { name } of types) {
      await sql(`ALTER TYPE ${name as string} OWNER TO ${ident(owner)}`);
      moved += 1;
    }
    await sql('COMMIT');
  } catch (error) {
    await sql('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return moved;
}

type Grant = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'USAGE';

/** What the runtime login needs on a relation: rows in and out; on the append-only family only in. */
export function runtimeGrantsFor(relation: { name: string; kind: string; family: string }): Grant[] {
  if (relation.kind === 'S') return ['SELECT', 'USAGE'];
  if (APPEND_ONLY_TABLES.includes(relation.family)) return ['INSERT', 'SELECT'];
  if (READ_ONLY_TABLES.includes(relation.family)) return ['SELECT'];
  return ['DELETE', 'INSERT', 'SELECT', 'UPDATE'];
}

/**
 * As the owner, after the migrations: gives `runtimeRole` exactly what `runtimeGrantsFor` says on
 * every relation of schema public (revoking anything else it was given), EXECUTE on the owner's
 * SECURITY DEFINER functions (the narrow doors into DDL the service needs, such as creating next
 * month's audit partition), USAGE on the schema and nothing more. Runs at every start, so the
 * tables of new migrations are covered; idempotent, and touches only what differs.
 * Answers the statements it ran.
 */
export async function grantRuntimePrivileges(sql: Sql, runtimeRole: string): Promise<string[]> {
  const ran: string[] = [];
  const run = async (statement: string) => {
    await sql(statement);
    ran.push(statement);
  };
  const [schema] = await sql(
    `SELECT has_schema_privilege($1, 'public', 'USAGE') AS usage, has_schema_privilege($1, 'public', 'CREATE') AS create`,
    [runtimeRole],
  );
  if (!schema.usage) await run(`GRANT USAGE ON SCHEMA public TO ${ident(runtimeRole)}`);
  // Before PostgreSQL 15 everyone may create tables in public: the runtime login must not own any.
  if (schema.create) await run(`REVOKE CREATE ON SCHEMA public FROM PUBLIC, ${ident(runtimeRole)}`);

  const relations = await sql(
    `SELECT c.oid::regclass::text AS name, c.relkind AS kind,
            coalesce((SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE i.inhrelid = c.oid LIMIT 1), c.relname) AS family,
            coalesce((SELECT array_agg(a.privilege_type::text ORDER BY a.privilege_type)
                        FROM aclexplode(c.relacl) a WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)), '{}') AS granted
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
        AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
      ORDER BY c.oid`,
    [runtimeRole],
  );
  for (const relation of relations) {
    const wanted = runtimeGrantsFor(relation as { name: string; kind: string; family: string });
    const granted = [...(relation.granted as string[])].sort();
    if (granted.join() === [...wanted].sort().join()) continue;
    const what = relation.kind === 'S' ? 'SEQUENCE' : 'TABLE';
    if (granted.length > 0) await run(`REVOKE ALL ON ${what} ${relation.name as string} FROM ${ident(runtimeRole)}`);
    await run(`GRANT ${wanted.join(', ')} ON ${what} ${relation.name as string} TO ${ident(runtimeRole)}`);
  }

  const doors = await sql(
    `SELECT p.oid::regprocedure::text AS name
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.prosecdef AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
        AND NOT has_function_privilege($1, p.oid, 'EXECUTE')`,
    [runtimeRole],
  );
  for (const { name } of doors) await run(`GRANT EXECUTE ON FUNCTION ${name as string} TO ${ident(runtimeRole)}`);
  return ran;
}

export interface RuntimeRoleReport {
  /** Objects of schema public the runtime login owns (it must own none). */
  owned: string[];
  superuser: boolean;
  /** It is the owner login, or a member of it, and so has the owner's rights. */
  actsAsOwner: boolean;
}

/** What the runtime login can do beyond its grants (asked on any connection). */
export async function inspectRuntimeRole(sql: Sql, runtimeRole: string, ownerRole: string): Promise<RuntimeRoleReport> {
  const owned = await sql(
    `SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)
     UNION ALL
     SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = $1)
     UNION ALL
     SELECT t.oid::regtype::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typowner = (SELECT oid FROM pg_roles WHERE rolname = $1) AND t.typrelid = 0 AND t.typelem = 0`,
    [runtimeRole],
  );
  const [role] = await sql(`SELECT rolsuper AS superuser, pg_has_role($1, $2, 'MEMBER') AS "actsAsOwner" FROM pg_roles WHERE rolname = $1`, [
    runtimeRole,
    ownerRole,
  ]);
  return { owned: owned.map((o) => o.name as string), superuser: Boolean(role?.superuser), actsAsOwner: Boolean(role?.actsAsOwner) };
}
