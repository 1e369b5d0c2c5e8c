/**
 * node dist/bench/plans.js: what the benchmark's scenarios cost inside PostgreSQL. Boots the
 * application in-process on the seeded database (the running embedded one of CRM_DATA_DIR, default
 * .data/scale, or DATABASE_URL with JWT_SECRET and CRM_DATA_KEY), records every statement TypeORM
 * sends while it serves each scenario once, then runs EXPLAIN (ANALYZE, BUFFERS) of each statement
 * with its parameters (writes inside a transaction that is rolled back) and prints the plans with
 * their timings. A diagnostic for tuning; nothing here is part of the benchmark's figures.
 *
 *   PLANS_ONLY   comma-separated scenario keys (as in bench.ts)
 *   PLANS_DUMP   a file to write every recorded statement to, in full, with its parameters (JSON:
 *                { key: [{ sql, parameters }] }), e.g. to time each alone with pgcpu.js
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/config';
import { DEFAULT_SCALE_DATA_DIR, DEFAULT_SEED_PASSWORD, runningEmbeddedUrl } from '../scripts/seed/database';

const env = process.env;
const only = env.PLANS_ONLY ? new Set(env.PLANS_ONLY.split(',')) : undefined;

async function main(): Promise<void> {
  const dataDir = env.CRM_DATA_DIR ?? DEFAULT_SCALE_DATA_DIR;
  const url = env.DATABASE_URL ?? runningEmbeddedUrl(dataDir);
  if (!url) throw new Error(`no running embedded PostgreSQL in ${dataDir} (start the service on it), and no DATABASE_URL`);
  const secrets = env.DATABASE_URL ? undefined : (JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { jwtSecret: string; dataKey: string; auditSigningKey: string });
  const config = loadConfig({ ...env, DATABASE_URL: url, JWT_SECRET: env.JWT_SECRET ?? secrets?.jwtSecret, CRM_DATA_KEY: env.CRM_DATA_KEY ?? secrets?.dataKey, CRM_AUDIT_SIGNING_KEY: env.CRM_AUDIT_SIGNING_KEY ?? secrets?.auditSigningKey, LOG_LEVEL: 'silent', JOBS_ENABLED: 'false' });
  const app = await createApp({ config, databaseUrl: url, jwtSecret: config.jwt.secret!, dataKey: config.dataKey!, auditSigningKey: config.auditSigningKey! });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/api/v1`;
  const db = new Client({ connectionString: url });
  await db.connect();
  let recording: { sql: string; parameters: unknown[] }[] | undefined;
  const logger = app.get(DataSource).logger;
  const logQuery = logger.logQuery.bind(logger);
  logger.logQuery = (sql, parameters, runner) => {
    recording?.push({ sql, parameters: Array.isArray(parameters) ? parameters : [] });
    return logQuery(sql, parameters, runner);
  };
  try {
    const one = async (sql: string, params: unknown[] = []) => Object.values((await db.query(sql, params)).rows[0] ?? {})[0] as string;
    const manager = (await db.query(`SELECT id, department_id FROM users WHERE username = 'manager01'`)).rows[0];
    const sales = (
      await db.query(
        `SELECT u.username, u.id FROM users u JOIN customers c ON c.owner_id = u.id WHERE u.department_id = $1 AND u.role = 'sales' GROUP BY u.id ORDER BY count(*) DESC LIMIT 1`,
        [manager.department_id],
      )
    ).rows[0];
    const tokens: Record<string, string> = {};
    for (const [role, username] of [
      ['sales', sales.username],
      ['manager', 'manager01'],
      ['auditor', 'auditor01'],
    ]) {
      const response = await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: env.BENCH_PASSWORD ?? DEFAULT_SEED_PASSWORD }),
      });
      tokens[role] = ((await response.json()) as { accessToken: string }).accessToken;
    }
    const own = await one(`SELECT id FROM customers WHERE owner_id = $1 AND status = 'active' ORDER BY random() LIMIT 1`, [sales.id]);
    const other = await one(`SELECT id FROM customers WHERE department_id = $1 AND owner_id <> $2 AND status = 'active' ORDER BY random() LIMIT 1`, [manager.department_id, manager.id]);
    const tag = await one(
      `SELECT ct.tag_id FROM customer_tags ct JOIN customers c ON c.id = ct.customer_id WHERE c.department_id = $1 AND c.status = 'active' AND c.stage = 'prospect' GROUP BY ct.tag_id ORDER BY count(*) DESC LIMIT 1`,
      [manager.department_id],
    );
    const brand = await one(`SELECT left(short_name, 2) FROM customers WHERE department_id = $1 AND kind = 'organization' ORDER BY random() LIMIT 1`, [manager.department_id]);
    const call = async (role: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${tokens[role]}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, json: (await response.json()) as { nextCursor?: string } };
    };
    const firstPage = await call('manager', 'GET', `/customers?stage=prospect&tagIds=${tag}&limit=20`);
    // KPI periods are whole days of the company's time zone (Asia/Shanghai, UTC+8): a quarter ending tonight, as bench.ts asks.
    const tonight = Math.floor((Date.now() + 8 * 3_600_000) / 86_400_000 + 1) * 86_400_000 - 8 * 3_600_000;
    const quarter = `from=${encodeURIComponent(new Date(tonight - 91 * 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(tonight).toISOString())}`;
    const scenarios: [string, string, string, string, unknown?][] = [
      ['byid-sales', 'sales', 'GET', `/customers/${own}`],
      ['byid-manager', 'manager', 'GET', `/customers/${other}`],
      ['list', 'manager', 'GET', `/customers?stage=prospect&tagIds=${tag}&limit=20&cursor=${encodeURIComponent(firstPage.json.nextCursor ?? '')}`],
      ['search', 'manager', 'GET', `/customers?q=${encodeURIComponent(brand)}`],
      ['due', 'manager', 'GET', '/follow-ups/due?scope=department'],
      ['complaints', 'manager', 'GET', '/complaints?overdue=true'],
      ['audit', 'auditor', 'GET', `/audit-logs?entityType=customer&entityId=${other}`],
      ['kpis', 'manager', 'GET', `/kpis?${quarter}`],
      ['kpis-department', 'manager', 'GET', `/kpis?${quarter}&groupBy=department`],
      ['write', 'sales', 'POST', `/customers/${own}/interactions`, { occurredAt: new Date().toISOString(), channel: 'phone', summary: '电话回访，客户满意' }],
    ];
    const dumped: Record<string, { sql: string; parameters: unknown[] }[]> = {};
    for (const [key, role, method, path, body] of scenarios) {
      if (only && !only.has(key)) continue;
      recording = [];
      const started = performance.now();
      const { status } = await call(role, method, path, body);
      const ms = performance.now() - started;
      const statements = recording;
      recording = undefined;
      dumped[key] = statements;
      console.log(`\n=== ${key}: ${method} ${path} as ${role} → ${status} in ${ms.toFixed(1)} ms, ${statements.length} statements`);
      for (const { sql, parameters } of statements) {
        if (/^\s*(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET\s)/i.test(sql)) continue;
        console.log(`\n-- ${sql.replace(/\s+/g, ' ').slice(0, 600)}`);
        console.log(`-- parameters: ${JSON.stringify(parameters).slice(0, 300)}`);
        await db.query('BEGIN');
        try {
          const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`, parameters);
          console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
        } catch (error) {
          // A write that cannot run twice (the audit append's ids): the plan without running it.
          await db.query('ROLLBACK');
          await db.query('BEGIN');
          const plan = await db.query(`EXPLAIN (COSTS OFF) ${sql}`, parameters);
          console.log(`(not run: ${(error as Error).message})\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}`);
        } finally {
          await db.query('ROLLBACK');
        }
      }
    }
    if (env.PLANS_DUMP) writeFileSync(env.PLANS_DUMP, JSON.stringify(dumped, null, 2));
  } finally {
    await db.end();
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
