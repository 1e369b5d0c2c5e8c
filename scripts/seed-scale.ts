/**
 * npm run seed:scale -- --customers 1000000 [--force] [--audit 5000000] [--complaints 100000] [--batch 10000] [--password ...]
 *
 * Fills a database with a company's worth of data for measuring (docs/performance.md): 20 sales
 * departments and 400 users, the customers with 1.5 contacts each (personal data encrypted with
 * the service's cipher and data key), 3 interactions each over five years, 3 tags each out of
 * 2,000, one complaint per ten customers, and an audit log of 5 entries per customer whose hash
 * chain verifies.
 *
 * The database: DATABASE_URL (with CRM_DATA_KEY), or the embedded PostgreSQL of CRM_DATA_DIR
 * (default .data/scale), started the way `npm start` starts it. Migrations run first through the
 * service's own code; after the seed, the service's start-up creates the `admin` user (printing its
 * password), so `CRM_DATA_DIR=.data/scale npm start` serves the seeded data as it is.
 * A database that already holds customers is refused unless --force.
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { PiiCipher } from '../src/common/crypto/pii-cipher';
import { AppConfig, ConfigError, loadConfig } from '../src/config/config';
import { dataSourceOptions, migrateUnderLock } from '../src/database/data-source';
import { startService } from '../src/service';
import type { AuditJob, AuditMessage } from './seed/audit-process';
import { seedComplaints, seedCustomers, seedReference, statementTimes } from './seed/bulk';
import { seedReviewRounds } from './seed/reviews';
import { DEFAULT_SCALE_DATA_DIR, DEFAULT_SEED_PASSWORD, OpenDatabase, openDatabase } from './seed/database';
import { DAY_MS, SeedWorld, SPAN_YEARS } from './seed/model';

interface Options {
  customers: number;
  audit: number;
  complaints: number;
  batch: number;
  force: boolean;
  password: string;
}

function parseOptions(argv: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  const count = (name: string, fallback: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a whole number, got "${raw}"`);
    return parsed;
  };
  const customers = count('customers', 100_000);
  if (customers < 1) throw new Error('--customers must be at least 1');
  const password = value('password') ?? process.env.SEED_PASSWORD ?? DEFAULT_SEED_PASSWORD;
  if (password.length < 12) throw new Error('the seeded users’ password must be at least 12 characters');
  return {
    customers,
    audit: count('audit', customers * 5),
    complaints: count('complaints', Math.round(customers / 10)),
    batch: Math.max(100, count('batch', 10_000)),
    force: argv.includes('--force'),
    password,
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * In its own embedded cluster the seed tunes the server for the load, and puts the settings back
 * for the service: with the default max_wal_size (1 GB) a checkpoint comes every few seconds and
 * each makes the next change of every page log a full page image (several times the data itself);
 * with the default 128 MB of shared buffers, every insert into the larger indexes evicts a dirty page.
 * shared_buffers needs a restart: `on` is followed by one, and the service's own start after the
 * seed runs with the defaults again.
 */
async function setLoadSettings(url: string, on: boolean): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    const sharedBuffersMb = Math.min(4096, Math.floor(totalmem() / 4 / 2 ** 20));
    const settings: [string, string][] = [
      ['max_wal_size', '32GB'],
      ['checkpoint_timeout', '1h'],
      ['shared_buffers', `${sharedBuffersMb}MB`],
    ];
    for (const [name, value] of settings) await db.query(on ? `ALTER SYSTEM SET ${name} = '${value}'` : `ALTER SYSTEM RESET ${name}`);
    await db.query(`SELECT pg_reload_conf()`);
  } finally {
    await db.end();
  }
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Logs a phase's progress at most every few seconds, with its rate. */
function progressOf(label: string, total: number, started: number): (done: number, extra?: string) => void {
  let lastLog = 0;
  return (done, extra) => {
    const now = Date.now();
    if (now - lastLog < 5000 && done < total) return;
    lastLog = now;
    const rate = Math.round(done / Math.max(0.001, (now - started) / 1000));
    log(`  ${label}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${rate.toLocaleString('en')}/s)${extra ? `, ${extra}` : ''}`);
  };
}

/** The audit phase in a child process (scripts/seed/audit-process.ts). */
function runAuditProcess(job: AuditJob, progress: (done: number) => void): Promise<{ entries: number; firstId: string; lastId: string }> {
  const child = fork(join(__dirname, 'seed', 'audit-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let result: { entries: number; firstId: string; lastId: string } | undefined;
    child.on('message', (message: AuditMessage) => {
      if ('progress' in message) progress(message.progress);
      else if ('done' in message) result = message.done;
      else reject(new Error(`audit phase failed: ${message.error}`));
    });
    child.once('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`the audit phase exited with code ${code}`))));
    child.send(job);
  });
}

async function timed<T>(timings: [string, number][], label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log(`${label} ...`);
  const result = await work();
  timings.push([label, Date.now() - started]);
  log(`${label}: ${seconds(Date.now() - started)}`);
  return result;
}

async function seed(config: AppConfig, options: Options): Promise<void> {
  const timings: [string, number][] = [];
  const startedAt = Date.now();
  let database: OpenDatabase | undefined;
  let tuned = false;
  const stopDatabase = async () => {
    const open = database;
    database = undefined;
    if (open && tuned) await setLoadSettings(open.url, false).catch(() => undefined);
    tuned = false;
    await open?.stop().catch(() => undefined);
  };
  process.once('SIGINT', () => void stopDatabase().then(() => process.exit(130)));
  try {
    database = await timed(timings, 'database and migrations', async () => {
      let open = await openDatabase(config);
      if (open.embedded) {
        await setLoadSettings(open.url, true);
        await open.stop();
        open = await openDatabase(config);
        tuned = true;
      }
      if (open.embedded) log(`  embedded PostgreSQL of ${config.dataDir} on ${new URL(open.url).port}`);
      const dataSource = new DataSource(dataSourceOptions(open.url, 2));
      await dataSource.initialize();
      try {
        await migrateUnderLock(dataSource);
      } finally {
        await dataSource.destroy();
      }
      return open;
    });
    const connect = async () => {
      const client = new Client({ connectionString: database!.url, application_name: 'crm-seed-scale' });
      await client.connect();
      // Losing the last batches in a crash is fine for generated data; waiting for each flush is not.
      await client.query(`SET synchronous_commit = off`);
      return client;
    };
    const db = await connect();
    const second = await connect();
    try {
      const existing = Number((await db.query(`SELECT count(*) AS n FROM customers`)).rows[0].n);
      if (existing > 0 && !options.force) {
        throw new Error(`The database already holds ${existing.toLocaleString('en')} customers; seed an empty one, or add --force to add to them.`);
      }
      const cipher = new PiiCipher(database.dataKey);
      const endMs = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
      const partial = { seed: randomInt(2 ** 31), startMs: endMs - Math.round(SPAN_YEARS * 365.25) * DAY_MS };
      const reference = await timed(timings, 'departments, 400 users, tiers, 2,000 tags', () => seedReference(db, partial, options.password));
      const world: SeedWorld = { ...partial, endMs, customers: options.customers, offset: existing, ...reference };

      // The audit log needs nothing the other phases write, so a second process writes it meanwhile:
      // its Node work (canonical JSON and SHA-256 per entry) then uses the core this one leaves idle.
      const auditStarted = Date.now();
      const auditProgress = progressOf('audit entries', options.audit, auditStarted);
      const auditDone = runAuditProcess({ url: database.url, dataKey: database.dataKey, world, reference, target: options.audit, batch: options.batch }, auditProgress).then(
        (result) => {
          timings.push([`${options.audit.toLocaleString('en')} audit entries, hash-chained (in parallel with the phases above)`, Date.now() - auditStarted]);
          log(`audit entries: ${seconds(Date.now() - auditStarted)}`);
          return result;
        },
      );
      auditDone.catch(() => undefined); // awaited below

      const customerProgress = progressOf('customers', options.customers, Date.now());
      const totals = await timed(timings, `${options.customers.toLocaleString('en')} customers with contacts, interactions, tags`, () =>
        seedCustomers([db, second], world, cipher, options.batch, (done, t) =>
          customerProgress(done, `${t.contacts.toLocaleString('en')} contacts, ${t.interactions.toLocaleString('en')} interactions, ${t.customerTags.toLocaleString('en')} tags`),
        ),
      );
      await timed(timings, `${options.complaints.toLocaleString('en')} complaints`, () => seedComplaints(db, world, options.complaints, options.batch));
      await timed(timings, 'review rounds of the last two quarters, a task per active customer', () => seedReviewRounds(db));
      // Statistics and visibility maps for the service's first queries.
      await timed(timings, 'VACUUM ANALYZE of customers, contacts, interactions, tags, complaints', () =>
        Promise.all([
          db.query(`VACUUM (ANALYZE) customers, contacts, users, departments, tags, tag_groups, complaints, complaint_events`),
          second.query(`VACUUM (ANALYZE) interactions, customer_tags`),
        ]),
      );
      const audit = await timed(timings, 'waiting for the audit log', () => auditDone);
      // The entity index the service writes with each append (migration 1796400572847), set-based for this run's entries.
      await timed(timings, 'audit entity index', () =>
        db.query(
          `INSERT INTO audit_entity_index (entity_type, entity_id, occurred_at, audit_id, action)
           SELECT entity_type, entity_id, occurred_at, id, action FROM audit_log
            WHERE id BETWEEN $1::bigint AND $2::bigint AND entity_id IS NOT NULL`,
          [audit.firstId, audit.lastId],
        ),
      );
      await timed(timings, 'VACUUM ANALYZE audit_log', () => db.query(`VACUUM (ANALYZE) audit_log, audit_chain_head, audit_entity_index`));
      const counts = (
        await db.query(`
          SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM contacts) AS contacts,
                 (SELECT count(*) FROM interactions) AS interactions, (SELECT count(*) FROM customer_tags) AS customer_tags,
                 (SELECT count(*) FROM complaints) AS complaints, (SELECT count(*) FROM users) AS users,
                 (SELECT last_id FROM audit_chain_head) AS audit_entries,
                 pg_size_pretty(pg_database_size(current_database())) AS size`)
      ).rows[0] as Record<string, string>;
      log(`\nrows now: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      log(`this run: ${totals.customers} customers, ${totals.contacts} contacts, ${totals.interactions} interactions, ${totals.customerTags} customer tags, ${options.complaints} complaints, audit ids ${audit.firstId}..${audit.lastId}`);
    } finally {
      await db.end();
      await second.end();
    }
    await stopDatabase();

    // The service's own start-up: migrations (none left) and, on a new database, the admin user,
    // whose record joins the chain after the seeded history.
    const service = await timed(timings, 'service start-up (first admin)', () => startService(config));
    const adminPassword = service.generatedAdminPassword;
    await service.stop();

    if (process.env.SEED_PROFILE) for (const [label, ms] of statementTimes) log(`  profile: ${label} ${seconds(ms)}`);
    const total = Date.now() - startedAt;
    log('\n| phase | time |\n|---|---:|');
    for (const [label, ms] of timings) log(`| ${label} | ${seconds(ms)} |`);
    log(`| **total** | **${seconds(total)}** |`);
    const where = config.databaseUrl ? 'DATABASE_URL' : `CRM_DATA_DIR=${config.dataDir}`;
    log(`
Seeded users (all with password "${options.password}"):
  sales:     sales01.01 … sales20.18   (sales<department>.<n>, 18 per department)
  manager:   manager01 … manager20
  service:   service01 … service08     marketing: marketing01 … marketing06
  auditor:   auditor01 … auditor04     admin:     sysadmin01, sysadmin02
  admin:     ${adminPassword ? `admin / ${adminPassword}  (created now; shown only this once)` : 'admin (existed before; its password is unchanged)'}

Serve it:      ${where} npm start
Benchmark it:  ${where} BENCH_PID=<pid of node dist/src/main.js> npm run bench
`);
  } finally {
    await stopDatabase();
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const env: Record<string, string | undefined> = { ...process.env, JOBS_ENABLED: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  if (env.DATABASE_URL === undefined) env.CRM_DATA_DIR ??= DEFAULT_SCALE_DATA_DIR;
  await seed(loadConfig(env), options);
}

main().catch((error: unknown) => {
  process.stderr.write(`\nseed:scale failed: ${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
