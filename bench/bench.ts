/**
 * npm run bench: load against a running instance on seeded data (npm run seed:scale, then npm start
 * on the same CRM_DATA_DIR or DATABASE_URL), with autocannon, next to a bare fastify + pg handler.
 *
 *   BENCH_URL          the service (default http://localhost:3000)
 *   DATABASE_URL       the service's database; else the embedded one of CRM_DATA_DIR (default .data/scale),
 *                      found through its postmaster.pid and secrets.json. Read to pick ids and users.
 *   BENCH_PASSWORD     the seeded users' password (default: the seed's default)
 *   The service must run with a per-token limit above the load (RATE_LIMIT_PER_SECOND=100000 RATE_LIMIT_BURST=1000000):
 *   a scenario answered with errors gets no verdict.
 *   BENCH_PID          the service's process id: its resident memory (VmRSS) is sampled under load
 *   BENCH_CONNECTIONS  20    BENCH_SECONDS 15 per scenario    BENCH_WARMUP_SECONDS 3
 *   BENCH_POOL_SIZE    pool of the bare handler (default DB_POOL_SIZE or 10, the service's default)
 *   BENCH_ONLY         comma-separated scenario keys to run (byid-sales, byid-manager, list, search, search-admin, search4, chain-1, chain-10, chain-50,
 *                      due, complaints, audit, write, bare, oneshots, dq-summary, dq-list, kpis, kpis-department, kpis-month)
 *   The supervision scenarios (issue 17) need data-quality results: before them the bench runs the
 *   data-quality job once in full (POST /data-quality/recompute, admin) unless BENCH_SKIP_RECOMPUTE=1;
 *   on 1 M customers that first pass takes minutes (it decrypts every contact's mobile).
 *
 * Prints one markdown table (requests per second, p50, p95 and p99 computed from every response's
 * latency, errors, peak RSS), the ratio of the service's by-id throughput to the bare handler's,
 * and the one-shot measurements (bulk tag, tier evaluation, audit export with memory growth).
 */
import { fork } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { chainHash, type ChainedEntry } from '../src/modules/audit/audit.rules';
import { DEFAULT_SCALE_DATA_DIR, DEFAULT_SEED_PASSWORD, runningEmbeddedUrl } from '../scripts/seed/database';

const env = process.env;
const baseUrl = (env.BENCH_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const api = `${baseUrl}/api/v1`;
const connections = Number(env.BENCH_CONNECTIONS ?? 20);
const duration = Number(env.BENCH_SECONDS ?? 15);
const warmup = Number(env.BENCH_WARMUP_SECONDS ?? 3);
const password = env.BENCH_PASSWORD ?? DEFAULT_SEED_PASSWORD;
const servicePid = env.BENCH_PID ? Number(env.BENCH_PID) : undefined;
const only = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
const wanted = (key: string) => only === undefined || only.has(key);

interface Scenario {
  key: string;
  name: string;
  /** Token to send, if any. */
  token?: string;
  method?: 'GET' | 'POST';
  /** Paths (with query) taken in turn, one per request. */
  paths: string[];
  body?: () => string;
  base?: string;
  /** The process serving the requests, for its CPU time (default: BENCH_PID). */
  serverPid?: number;
  /** Concurrent connections, when not BENCH_CONNECTIONS. */
  connections?: number;
}

interface Measured {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  rssMb?: number;
  /** The machine's 1-minute load average when the scenario ended: other work on the box shows here. */
  load: number;
  /** CPU milliseconds per request: the server process (service or bare handler), PostgreSQL, autocannon. */
  cpu: { server?: number; postgres?: number; client: number };
}

function databaseUrl(): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const dataDir = env.CRM_DATA_DIR ?? DEFAULT_SCALE_DATA_DIR;
  const url = runningEmbeddedUrl(dataDir);
  if (!url) throw new Error(`No running embedded PostgreSQL in ${dataDir}: start the service on it (CRM_DATA_DIR=${dataDir} npm start), or set DATABASE_URL`);
  return url;
}

function rssMb(): number | undefined {
  if (servicePid === undefined) return undefined;
  const file = `/proc/${servicePid}/status`;
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.replace(/\D+/g, '')) / 1024 : undefined;
}

/** Samples the service's RSS every 200 ms until stopped; returns the peak. */
function rssSampler(): { stop(): number | undefined } {
  let peak = rssMb();
  const timer = setInterval(() => {
    const now = rssMb();
    if (now !== undefined && (peak === undefined || now > peak)) peak = now;
  }, 200);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on Linux

/** CPU seconds (user + system) a process has used so far; undefined if it is gone or this is not Linux. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based), so 11 and 12 here.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The embedded PostgreSQL's processes (postmaster and its children), when the bench can see them. */
function postgresPids(): number[] {
  const dataDir = env.CRM_DATA_DIR ?? DEFAULT_SCALE_DATA_DIR;
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  if (env.DATABASE_URL || !existsSync(pidFile)) return [];
  const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return Number(readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

/** CPU used meanwhile by the process serving the requests, by PostgreSQL, and by this process (autocannon). */
function cpuMeter(serverPid: number | undefined): { stop(): { server?: number; postgres?: number; client: number } } {
  // Per process, so that backends started meanwhile (a pool growing) count from zero.
  const pgStart = new Map(postgresPids().map((pid) => [pid, cpuSecondsOf(pid) ?? 0]));
  const serverStart = serverPid === undefined ? undefined : cpuSecondsOf(serverPid);
  const clientStart = process.cpuUsage();
  return {
    stop: () => {
      const client = process.cpuUsage(clientStart);
      const serverEnd = serverPid === undefined ? undefined : cpuSecondsOf(serverPid);
      const pgEnd = postgresPids();
      return {
        server: serverStart === undefined || serverEnd === undefined ? undefined : serverEnd - serverStart,
        postgres: pgEnd.length === 0 ? undefined : pgEnd.reduce((total, pid) => total + (cpuSecondsOf(pid) ?? 0) - (pgStart.get(pid) ?? 0), 0),
        client: (client.user + client.system) / 1e6,
      };
    },
  };
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

async function load(scenario: Scenario, seconds: number): Promise<Measured> {
  let i = 0;
  const latencies: number[] = [];
  const headers: Record<string, string> = scenario.token ? { authorization: `Bearer ${scenario.token}` } : {};
  if (scenario.body) headers['content-type'] = 'application/json';
  const sampler = rssSampler();
  const meter = cpuMeter(scenario.serverPid ?? servicePid);
  const started = Date.now();
  const instance = autocannon({
    url: scenario.base ?? baseUrl,
    connections: scenario.connections ?? connections,
    duration: seconds,
    requests: [
      {
        method: scenario.method ?? 'GET',
        headers,
        setupRequest: (request) => {
          const path = scenario.paths[i++ % scenario.paths.length];
          return { ...request, path, ...(scenario.body ? { body: scenario.body() } : {}) };
        },
      },
    ],
  });
  // Without a callback autocannon returns its tracker (an EventEmitter) made thenable; the types only know the promise.
  (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) =>
    latencies.push(responseTime),
  );
  const result = await instance;
  const elapsed = (Date.now() - started) / 1000;
  const cpu = meter.stop();
  const perRequest = (seconds?: number) => (seconds === undefined ? undefined : (seconds * 1000) / Math.max(1, result.requests.total));
  latencies.sort((a, b) => a - b);
  return {
    name: scenario.name,
    requests: result.requests.total,
    rps: result.requests.total / Math.max(elapsed, result.duration || seconds),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: result.non2xx + result.errors + result.timeouts,
    rssMb: sampler.stop(),
    load: loadavg()[0],
    cpu: { server: perRequest(cpu.server), postgres: perRequest(cpu.postgres), client: perRequest(cpu.client)! },
  };
}

async function call<T>(method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; data: T; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let data: unknown = text;
  try {
    data = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, data: data as T, ms };
}

async function login(username: string): Promise<string> {
  const { status, data } = await call<{ accessToken: string }>('POST', '/auth/login', undefined, { username, password });
  if (status !== 200) throw new Error(`login as ${username} failed (${status}): ${JSON.stringify(data)}. Is BENCH_PASSWORD the seeded users' password?`);
  return data.accessToken;
}

interface Fixtures {
  departmentId: string;
  manager: string;
  sales: string;
  auditor: string;
  admin: string;
  ownIds: string[];
  departmentIds: string[];
  bulkIds: string[];
  searchTerms: string[];
  longSearchTerms: string[];
  auditIds: string[];
  listTagId: string;
  bulkTagId: string;
  exportFrom: string;
  exportRows: number;
  counts: Record<string, string>;
}

async function fixtures(db: Client): Promise<Fixtures> {
  const one = async <T>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows[0] as T;
  const column = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows.map((r) => Object.values(r)[0] as string);
  const managerName = env.BENCH_MANAGER ?? 'manager01';
  const manager = await one<{ id: string; department_id: string } | undefined>(`SELECT id, department_id FROM users WHERE username = $1`, [managerName]);
  if (!manager) throw new Error(`no user ${managerName}: is this a database filled by npm run seed:scale?`);
  const sales = await one<{ username: string; id: string }>(
    `SELECT u.username, u.id FROM users u JOIN customers c ON c.owner_id = u.id AND c.status = 'active'
      WHERE u.department_id = $1 AND u.role = 'sales' GROUP BY u.id ORDER BY count(*) DESC LIMIT 1`,
    [manager.department_id],
  );
  const tag = await one<{ tag_id: string }>(
    `SELECT ct.tag_id FROM customer_tags ct JOIN customers c ON c.id = ct.customer_id
      WHERE c.department_id = $1 AND c.status = 'active' AND c.stage = 'prospect' GROUP BY ct.tag_id ORDER BY count(*) DESC LIMIT 1`,
    [manager.department_id],
  );
  const exportRange = await one<{ from: Date; rows: string }>(
    `SELECT occurred_at AS from, (SELECT last_id FROM audit_chain_head) - id + 1 AS rows FROM audit_log
      WHERE id = greatest(1, (SELECT last_id FROM audit_chain_head) - 999999)`,
  );
  return {
    departmentId: manager.department_id,
    manager: managerName,
    sales: sales.username,
    auditor: env.BENCH_AUDITOR ?? 'auditor01',
    admin: env.BENCH_ADMIN ?? 'sysadmin01',
    ownIds: await column(`SELECT id FROM customers WHERE owner_id = $1 AND status = 'active' ORDER BY random() LIMIT 500`, [sales.id]),
    departmentIds: await column(
      `SELECT id FROM customers WHERE department_id = $1 AND status = 'active' AND owner_id <> $2 ORDER BY random() LIMIT 500`,
      [manager.department_id, manager.id],
    ),
    bulkIds: await column(`SELECT id FROM customers WHERE department_id = $1 AND status = 'active' ORDER BY random() LIMIT 1000`, [manager.department_id]),
    // What people type: a company's brand (商号), the two characters after the city.
    searchTerms: await column(
      `SELECT term FROM (SELECT DISTINCT left(short_name, 2) AS term FROM customers
                          WHERE department_id = $1 AND kind = 'organization' AND short_name IS NOT NULL LIMIT 200) t
        ORDER BY random() LIMIT 20`,
      [manager.department_id],
    ),
    // A longer term, the brand and the start of the trade ("恒达精密"): long enough for trigrams.
    longSearchTerms: await column(
      `SELECT term FROM (SELECT DISTINCT left(short_name, 4) AS term FROM customers
                          WHERE department_id = $1 AND kind = 'organization' AND short_name IS NOT NULL AND length(short_name) >= 4 LIMIT 200) t
        ORDER BY random() LIMIT 20`,
      [manager.department_id],
    ),
    auditIds: await column(`SELECT id FROM customers ORDER BY random() LIMIT 500`),
    listTagId: tag.tag_id,
    // A tag of a non-exclusive group, so adding it replaces nothing.
    bulkTagId: (await one<{ id: string }>(`SELECT t.id FROM tags t JOIN tag_groups g ON g.id = t.group_id WHERE NOT g.exclusive AND t.owner_id IS NULL ORDER BY g.sort_order DESC, t.sort_order DESC LIMIT 1`)).id,
    exportFrom: exportRange.from.toISOString(),
    exportRows: Number(exportRange.rows),
    counts: await one<Record<string, string>>(
      `SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM contacts) AS contacts,
              (SELECT count(*) FROM interactions) AS interactions, (SELECT count(*) FROM complaints) AS complaints,
              (SELECT count(*) FROM customer_tags) AS customer_tags, (SELECT last_id FROM audit_chain_head) AS audit_entries,
              (SELECT count(*) FROM customers WHERE department_id = $1 AND status = 'active') AS department_active,
              (SELECT count(*) FROM customers WHERE status = 'active') AS active`,
      [manager.department_id],
    ),
  };
}

/** The bare handler in a process of its own, on a free port. */
async function startBare(url: string): Promise<{ base: string; pid: number; stop(): void }> {
  const child = fork(join(__dirname, 'bare-server.js'), [], {
    env: { ...env, BARE_DATABASE_URL: url, BARE_POOL_SIZE: env.BENCH_POOL_SIZE ?? env.DB_POOL_SIZE ?? '10' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the bare handler exited (${code})`)));
  });
  return { base: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => child.disconnect() };
}

/**
 * The bulk tag's bare SQL: in one transaction, the same 1,000 tag rows added (or removed) and one
 * chained audit entry per customer (hash included), as few statements as it takes. Its time is the
 * bulk-tag row's ceiling.
 */
async function bareBulkTag(url: string, change: 'add' | 'remove', customerIds: string[], tagId: string, actorName: string): Promise<{ ms: number; changed: number }> {
  const db = new Client({ connectionString: url, application_name: 'crm-bench-bare-bulk' });
  await db.connect();
  try {
    // A warm connection, as the service's pooled ones are: a new backend's first statements over the
    // audit partitions load their catalog entries, which is not the bulk tag's cost.
    await db.query(`SELECT 1 FROM audit_log WHERE id = 0 UNION ALL SELECT 1 FROM customer_tags WHERE false UNION ALL SELECT 1 FROM audit_entity_index WHERE false`);
    const started = performance.now();
    await db.query('BEGIN');
    const { rows: actors } = await db.query(`SELECT id, role FROM users WHERE username = $1`, [actorName]);
    const { rows: changed } =
      change === 'add'
        ? await db.query(
            `INSERT INTO customer_tags (customer_id, tag_id, added_by) SELECT unnest($1::uuid[]), $2, $3 ON CONFLICT DO NOTHING RETURNING customer_id`,
            [customerIds, tagId, actors[0].id],
          )
        : await db.query(`DELETE FROM customer_tags WHERE customer_id = ANY($1::uuid[]) AND tag_id = $2 RETURNING customer_id`, [customerIds, tagId]);
    const { rows: heads } = await db.query(
      `SELECT last_id::text AS "lastId", last_hash AS "lastHash", greatest(last_occurred_at, date_trunc('milliseconds', clock_timestamp())) AS at
         FROM audit_chain_head WHERE id = 1 FOR UPDATE`,
    );
    let id = BigInt(heads[0].lastId);
    let prevHash = heads[0].lastHash as string;
    const occurredAt = (heads[0].at as Date).toISOString();
    const tag = { tags: [{ id: tagId, name: 'bench', group: null }] };
    const entries = changed.map((row: { customer_id: string }) => {
      id += 1n;
      const entry: ChainedEntry = {
        id: id.toString(), occurredAt, actorId: actors[0].id, actorRole: actors[0].role, action: 'customer.tags', entityType: 'customer', entityId: row.customer_id,
        before: change === 'add' ? { tags: [] } : tag, after: change === 'add' ? tag : { tags: [] }, changedFields: ['tags'], reason: null, requestId: 'bench-bare-bulk', ip: null, userAgent: null,
      };
      const hash = chainHash(prevHash, entry);
      const out = { ...entry, prevHash, hash };
      prevHash = hash;
      return out;
    });
    await db.query(
      `WITH appended AS (
         INSERT INTO audit_log (id, occurred_at, actor_id, actor_role, action, entity_type, entity_id, before, after, changed_fields, reason, request_id, ip, user_agent, prev_hash, hash)
         SELECT r.id, r."occurredAt", r."actorId", r."actorRole", r.action, r."entityType", r."entityId", r.before, r.after, r."changedFields", r.reason, r."requestId", r.ip, r."userAgent", r."prevHash", r.hash
           FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, "occurredAt" timestamptz, "actorId" uuid, "actorRole" text, action text, "entityType" text, "entityId" text,
                before jsonb, after jsonb, "changedFields" text[], reason text, "requestId" text, ip text, "userAgent" text, "prevHash" text, hash text)
         RETURNING id, occurred_at, entity_type, entity_id, action),
       indexed AS (INSERT INTO audit_entity_index (entity_type, entity_id, occurred_at, audit_id, action) SELECT entity_type, entity_id, occurred_at, id, action FROM appended)
       UPDATE audit_chain_head SET last_id = $2, last_hash = $3, last_occurred_at = $4 WHERE id = 1`,
      [JSON.stringify(entries), id.toString(), prevHash, occurredAt],
    );
    await db.query('COMMIT');
    return { ms: performance.now() - started, changed: changed.length };
  } catch (error) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await db.end();
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function oneShots(f: Fixtures, tokens: { manager: string; admin: string; auditor: string }, url: string): Promise<{ lines: string[]; bulkRatio?: number; exportPeakMb?: number }> {
  const lines: string[] = [];
  const row = (what: string, value: string, note: string) => lines.push(`| ${what} | ${value} | ${note} |`);

  // Bulk tag: add a tag to 1,000 customers, then take it off again (both write 1,000 audit entries),
  // first as bare SQL (the ceiling), then through the service.
  const bareMs: Record<string, number> = {};
  for (const change of ['add', 'remove'] as const) {
    const bare = await bareBulkTag(url, change, f.bulkIds, f.bulkTagId, f.manager);
    bareMs[change] = bare.ms;
    row(`bare SQL: bulk tag, ${change} 1 tag on ${f.bulkIds.length} customers + ${bare.changed} chained audit entries`, `${fmt(bare.ms, 0)} ms`, `${bare.changed} changed`);
  }
  let bulkRatio: number | undefined;
  for (const change of ['add', 'remove'] as const) {
    const { status, data, ms } = await call<{ updated: number }>('POST', '/customers/tags/bulk', tokens.manager, { customerIds: f.bulkIds, [change]: [f.bulkTagId] });
    row(`bulk tag, ${change} 1 tag on ${f.bulkIds.length} customers (manager)`, `${fmt(ms, 0)} ms`, status === 200 ? `${data.updated} changed; ${fmt(ms / bareMs[change], 2)}× bare SQL` : `HTTP ${status}`);
    if (change === 'add' && status === 200) bulkRatio = ms / bareMs.add;
  }

  // Tier evaluation, dry run (reads and compares every active customer in scope).
  for (const [who, token, scope] of [
    ['manager', tokens.manager, f.counts.department_active],
    ['admin', tokens.admin, f.counts.active],
  ] as const) {
    const { status, data, ms } = await call<{ total: number }>('POST', '/tiers/evaluate', token, { dryRun: true });
    row(`tier evaluation, dry run, ${who} (${Number(scope).toLocaleString('en')} active customers in scope)`, `${fmt(ms / 1000, 2)} s`, status === 200 ? `${data.total} proposals` : `HTTP ${status}`);
  }

  // Audit export of (up to) the last 1,000,000 entries, streamed and counted, memory watched.
  const before = rssMb();
  const sampler = rssSampler();
  const started = performance.now();
  const response = await fetch(`${api}/audit-logs/export?format=ndjson&from=${encodeURIComponent(f.exportFrom)}`, {
    headers: { authorization: `Bearer ${tokens.auditor}` },
  });
  let bytes = 0;
  let rows = 0;
  if (response.body) {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) rows += 1;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const peak = sampler.stop();
  row(
    `audit export, ndjson, ${rows.toLocaleString('en')} entries (${(bytes / 1e6).toFixed(0)} MB)`,
    `${fmt(seconds, 1)} s`,
    response.status !== 200
      ? `HTTP ${response.status}`
      : before === undefined || peak === undefined
        ? 'RSS not sampled (set BENCH_PID)'
        : `RSS ${fmt(before, 0)} → peak ${fmt(peak, 0)} MB (growth ${fmt(peak - before, 0)} MB)`,
  );
  return { lines, bulkRatio, exportPeakMb: peak };
}

/**
 * Issue 14's targets, each a ratio to the bare handler measured in the same run (memory: absolute),
 * with a verdict. A row whose scenario was not run, or whose figure was not measured, says so.
 */
function targetRows(results: Measured[], scenarios: Scenario[], bare: Measured, bareWrite: Measured | undefined, bulkRatio: number | undefined, exportPeakMb: number | undefined): string[] {
  const byKey = (key: string) => results.find((m) => m.name === scenarios.find((s) => s.key === key)?.name);
  const lines = ['| target (ratio to bare in this run) | measured | verdict |', '|---|---|---|'];
  const row = (target: string, checks: { ratio?: number; limit: number; atLeast: boolean; label: string; key?: string }[]) => {
    const measured = checks.map((c) => `${c.label} ${c.ratio === undefined ? 'not measured' : `${fmt(c.ratio, 2)}×`}`).join('; ');
    const missing = checks.some((c) => c.ratio === undefined);
    // A scenario answered with errors (a rate limit, a 5xx) measured something else: no verdict.
    const failed = checks.some((c) => c.key !== undefined && (byKey(c.key)?.errors ?? 0) > 0) || bare.errors > 0;
    const met = checks.every((c) => c.ratio !== undefined && (c.atLeast ? c.ratio >= c.limit : c.ratio <= c.limit));
    lines.push(`| ${target} | ${measured} | ${missing ? 'not measured' : failed ? '**invalid: errors**' : met ? 'met' : '**missed**'} |`);
  };
  const rps = (key: string) => byKey(key) && byKey(key)!.rps / bare.rps;
  const cpu = (key: string, part: 'server' | 'postgres') => {
    const mine = byKey(key)?.cpu[part];
    const ceiling = bare.cpu[part];
    return mine === undefined || ceiling === undefined || ceiling === 0 ? undefined : mine / ceiling;
  };
  row('GET /customers/:id, owning sales: ≥ 0.5× bare throughput; server CPU ≤ 2.5×, PG ≤ 1.5×', [
    { label: 'throughput', ratio: rps('byid-sales'), key: 'byid-sales', limit: 0.5, atLeast: true },
    { label: 'server CPU', ratio: cpu('byid-sales', 'server'), key: 'byid-sales', limit: 2.5, atLeast: false },
    { label: 'PG CPU', ratio: cpu('byid-sales', 'postgres'), key: 'byid-sales', limit: 1.5, atLeast: false },
  ]);
  row('GET /customers/:id, manager (pii.read): ≥ 0.25× bare throughput', [{ label: 'throughput', ratio: rps('byid-manager'), key: 'byid-manager', limit: 0.25, atLeast: true }]);
  row('list stage + tagIds, 2nd page, manager: PG CPU ≤ 5×', [{ label: 'PG CPU', ratio: cpu('list', 'postgres'), key: 'list', limit: 5, atLeast: false }]);
  row('q= two Chinese characters, manager and admin: PG CPU ≤ 10×', [
    { label: 'manager', ratio: cpu('search', 'postgres'), key: 'search', limit: 10, atLeast: false },
    { label: 'admin', ratio: cpu('search-admin', 'postgres'), key: 'search-admin', limit: 10, atLeast: false },
  ]);
  row('q= 3–10 characters (here 4), manager: PG CPU ≤ 10×', [{ label: 'PG CPU', ratio: cpu('search4', 'postgres'), key: 'search4', limit: 10, atLeast: false }]);
  row('audit by entityType + entityId, auditor: PG CPU ≤ 2×', [{ label: 'PG CPU', ratio: cpu('audit', 'postgres'), key: 'audit', limit: 2, atLeast: false }]);
  const write = byKey('write');
  row('POST /customers/:id/interactions: ≥ 0.5× a bare insert + chained append', [
    { label: 'throughput', ratio: write && bareWrite && bareWrite.errors === 0 ? write.rps / bareWrite.rps : undefined, key: 'write', limit: 0.5, atLeast: true },
  ]);
  row('complaints overdue=true, manager: PG CPU ≤ 3×', [{ label: 'PG CPU', ratio: cpu('complaints', 'postgres'), key: 'complaints', limit: 3, atLeast: false }]);
  row('bulk tag 1,000 (add): ≤ 2× bare SQL of the same rows', [{ label: 'time', ratio: bulkRatio, limit: 2, atLeast: false }]);
  // Across the whole bench: every scenario and the audit export's one-shot.
  const peaks = [...results.map((r) => r.rssMb), exportPeakMb].filter((v): v is number => v !== undefined);
  const peak = peaks.length > 0 ? Math.max(...peaks) : undefined;
  lines.push(`| resident memory, peak across the bench: ≤ 250 MB (absolute) | ${peak === undefined ? 'not measured (set BENCH_PID)' : `${fmt(peak, 0)} MB`} | ${peak === undefined ? 'not measured' : peak <= 250 ? 'met' : '**missed**'} |`);
  return lines;
}

/**
 * Issue 17's targets, absolute: PostgreSQL CPU per call of the supervision endpoints for a
 * manager's department (about 50,000 customers of the 1 M seed), ≤ 50 ms each. PostgreSQL CPU is
 * what every backend process used meanwhile (cpuMeter), divided by the calls answered.
 */
const SUPERVISION_PG_CPU_MS = 50;
function supervisionRows(results: Measured[], scenarios: Scenario[]): string[] {
  const lines = [`| target (absolute) | PG CPU ms per call | verdict |`, '|---|---:|---|'];
  for (const [key, target] of [
    ['dq-summary', 'GET /data-quality/summary, manager'],
    ['kpis-month', 'GET /kpis, a month, per owner, manager'],
    ['kpis', 'GET /kpis, a quarter, per owner, manager'],
    ['kpis-department', 'GET /kpis, a quarter, per department, manager'],
  ] as const) {
    const measured = results.find((m) => m.name === scenarios.find((s) => s.key === key)?.name);
    const pg = measured?.cpu.postgres;
    const verdict =
      measured === undefined ? 'not run' : pg === undefined ? 'not measured (PostgreSQL processes not visible)' : measured.errors > 0 ? '**invalid: errors**' : pg <= SUPERVISION_PG_CPU_MS ? 'met' : '**missed**';
    lines.push(`| ${target}: PG CPU ≤ ${SUPERVISION_PG_CPU_MS} ms per call | ${pg === undefined ? '–' : fmt(pg, 2)} | ${verdict} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  const url = databaseUrl();
  const db = new Client({ connectionString: url, application_name: 'crm-bench' });
  await db.connect();
  let f: Fixtures;
  try {
    f = await fixtures(db);
  } finally {
    await db.end();
  }
  const tokens = {
    sales: await login(f.sales),
    manager: await login(f.manager),
    auditor: await login(f.auditor),
    admin: await login(f.admin),
  };

  // The list scenario asks for the second page: the first one gives its cursor.
  const listQuery = `stage=prospect&tagIds=${f.listTagId}&limit=20`;
  const first = await call<{ nextCursor: string | null; items: unknown[] }>('GET', `/customers?${listQuery}`, tokens.manager);
  if (first.status !== 200) throw new Error(`list failed (${first.status}): ${JSON.stringify(first.data)}`);
  const secondPage = first.data.nextCursor ? `&cursor=${encodeURIComponent(first.data.nextCursor)}` : '';

  if (['dq-summary', 'dq-list', 'kpis', 'kpis-department', 'kpis-month'].some(wanted) && env.BENCH_SKIP_RECOMPUTE !== '1') {
    const started = Date.now();
    const run = await call<{ checked: number }>('POST', '/data-quality/recompute', tokens.admin, { full: true });
    console.error(`data-quality results: ${run.status === 200 ? `${run.data.checked} customers` : `HTTP ${run.status}`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  // KPI periods are whole days of the company's time zone (Asia/Shanghai, UTC+8, the default CRM_TIMEZONE).
  const zone = 8 * 3_600_000;
  const tomorrow = Math.floor((Date.now() + zone) / 86_400_000 + 1) * 86_400_000 - zone;
  // A quarter ending tonight: the period a manager's KPI review asks for.
  const quarter = `from=${encodeURIComponent(new Date(tomorrow - 91 * 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(tomorrow).toISOString())}`;
  // The last full calendar month (company time): the period of a manager's monthly review.
  const today = new Date(Date.now() + zone);
  const monthStart = (back: number) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - back, 1) - zone).toISOString();
  const month = `from=${encodeURIComponent(monthStart(1))}&to=${encodeURIComponent(monthStart(0))}`;

  const p = (path: string) => `/api/v1${path}`;
  const scenarios: Scenario[] = [
    { key: 'dq-summary', name: 'GET /data-quality/summary, manager (whole department)', token: tokens.manager, paths: [p('/data-quality/summary')] },
    { key: 'dq-list', name: 'GET /data-quality?rule=contact_overdue, manager', token: tokens.manager, paths: [p('/data-quality?rule=contact_overdue&limit=50')] },
    { key: 'kpis', name: 'GET /kpis?from&to (a quarter) groupBy=owner, manager', token: tokens.manager, paths: [p(`/kpis?${quarter}`)] },
    { key: 'kpis-department', name: 'GET /kpis?from&to (a quarter) groupBy=department, manager', token: tokens.manager, paths: [p(`/kpis?${quarter}&groupBy=department`)] },
    { key: 'kpis-month', name: 'GET /kpis?from&to (last calendar month) groupBy=owner, manager', token: tokens.manager, paths: [p(`/kpis?${month}`)] },
    { key: 'byid-sales', name: 'GET /customers/:id, owning sales user', token: tokens.sales, paths: f.ownIds.map((id) => p(`/customers/${id}`)) },
    { key: 'byid-manager', name: 'GET /customers/:id, department manager (audited pii.read)', token: tokens.manager, paths: f.departmentIds.map((id) => p(`/customers/${id}`)) },
    { key: 'list', name: `GET /customers?stage&tagIds, 2nd page, manager`, token: tokens.manager, paths: [p(`/customers?${listQuery}${secondPage}`)] },
    { key: 'search', name: 'GET /customers?q= (2-character brand), manager', token: tokens.manager, paths: f.searchTerms.map((q) => p(`/customers?q=${encodeURIComponent(q)}`)) },
    { key: 'search-admin', name: 'GET /customers?q= (2-character brand), admin', token: tokens.admin, paths: f.searchTerms.map((q) => p(`/customers?q=${encodeURIComponent(q)}`)) },
    { key: 'search4', name: 'GET /customers?q= (4 characters), manager', token: tokens.manager, paths: f.longSearchTerms.map((q) => p(`/customers?q=${encodeURIComponent(q)}`)) },
    { key: 'due', name: 'GET /follow-ups/due?scope=department, manager', token: tokens.manager, paths: [p('/follow-ups/due?scope=department')] },
    { key: 'complaints', name: 'GET /complaints?overdue=true, manager', token: tokens.manager, paths: [p('/complaints?overdue=true')] },
    {
      key: 'audit',
      name: 'GET /audit-logs?entityType=customer&entityId=, auditor',
      token: tokens.auditor,
      paths: f.auditIds.map((id) => p(`/audit-logs?entityType=customer&entityId=${id}`)),
    },
    {
      key: 'write',
      name: 'POST /customers/:id/interactions, owning sales user',
      token: tokens.sales,
      method: 'POST',
      paths: f.ownIds.map((id) => p(`/customers/${id}/interactions`)),
      body: () => JSON.stringify({ occurredAt: new Date().toISOString(), channel: 'phone', summary: '电话回访，确认下季度采购计划' }),
    },
    // The audit chain's write ceiling: every interaction appends one entry under the chain-head
    // lock, so appends per second = requests per second, with 1, 10 and 50 concurrent writers.
    ...[1, 10, 50].map(
      (writers): Scenario => ({
        key: `chain-${writers}`,
        name: `audit chain write ceiling: appends/s with ${writers} concurrent writer${writers === 1 ? '' : 's'} (POST interactions)`,
        token: tokens.sales,
        method: 'POST',
        connections: writers,
        paths: f.ownIds.map((id) => p(`/customers/${id}/interactions`)),
        body: () => JSON.stringify({ occurredAt: new Date().toISOString(), channel: 'phone', summary: '电话回访，确认下季度采购计划' }),
      }),
    ),
  ];

  const results: Measured[] = [];
  let bare: Measured | undefined;
  let bareWrite: Measured | undefined;
  // The ceiling is measured right after the by-id scenario, so that both meet the same machine.
  const measureBare = async () => {
    const server = await startBare(url);
    try {
      const scenario: Scenario = {
        key: 'bare',
        name: 'bare fastify + pg: customer by id (no auth)',
        base: server.base,
        serverPid: server.pid,
        paths: f.ownIds.map((id) => `/customers/${id}`),
      };
      if (warmup > 0) await load(scenario, warmup);
      bare = await load(scenario, duration);
      bare.rssMb = undefined;
      console.error(`  ${bare.name}: ${fmt(bare.rps, 0)} req/s`);
      results.push(bare);
      if (wanted('write')) {
        const writes: Scenario = {
          key: 'bare-write',
          name: 'bare fastify + pg: interaction insert + chained audit append (no auth)',
          base: server.base,
          serverPid: server.pid,
          method: 'POST',
          paths: f.ownIds.map((id) => `/customers/${id}/interactions`),
          body: () => JSON.stringify({ occurredAt: new Date().toISOString(), channel: 'phone', summary: '电话回访，确认下季度采购计划' }),
        };
        if (warmup > 0) await load(writes, warmup);
        bareWrite = await load(writes, duration);
        bareWrite.rssMb = undefined;
        results.push(bareWrite);
      }
    } finally {
      server.stop();
    }
  };
  const header = `${connections} connections, ${warmup} s warm-up + ${duration} s per scenario, against ${baseUrl}`;
  console.error(`\n${header}\ndata: ${Object.entries(f.counts).map(([k, v]) => `${k} ${Number(v).toLocaleString('en')}`).join(', ')}`);
  console.error(`users: sales ${f.sales} (${f.ownIds.length} own customers sampled), manager ${f.manager}, auditor ${f.auditor}\n`);
  for (const scenario of scenarios.filter((s) => wanted(s.key))) {
    if (warmup > 0) await load(scenario, warmup);
    const measured = await load(scenario, duration);
    console.error(`  ${measured.name}: ${fmt(measured.rps, 0)} req/s, p99 ${fmt(measured.p99)} ms, ${measured.errors} errors`);
    results.push(measured);
    if (scenario.key === 'byid-sales' && wanted('bare')) await measureBare();
  }
  if (bare === undefined && wanted('bare')) await measureBare();

  const { lines: shots, bulkRatio, exportPeakMb } = wanted('oneshots') ? await oneShots(f, tokens, url) : { lines: [] as string[], bulkRatio: undefined, exportPeakMb: undefined };

  const lines: string[] = [];
  lines.push(`\n${header}; latencies from every response; RSS is the service's peak VmRSS during the scenario`);
  lines.push(`data: ${Number(f.counts.customers).toLocaleString('en')} customers, ${Number(f.counts.audit_entries).toLocaleString('en')} audit entries\n`);
  const ms = (value: number | undefined) => (value === undefined ? '–' : fmt(value, 2));
  lines.push('| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | RSS MB | load | CPU ms/req: server | PostgreSQL | autocannon |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    lines.push(
      `| ${r.name} | ${fmt(r.rps, 0)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${fmt(r.p99)} | ${r.errors} | ${r.rssMb === undefined ? '–' : fmt(r.rssMb, 0)} | ${fmt(r.load, 1)} | ${ms(r.cpu.server)} | ${ms(r.cpu.postgres)} | ${ms(r.cpu.client)} |`,
    );
  }
  if (bare) {
    const total = (r: Measured) => (r.cpu.server === undefined || r.cpu.postgres === undefined ? undefined : r.cpu.server + r.cpu.postgres + r.cpu.client);
    for (const key of ['byid-sales', 'byid-manager']) {
      const r = results.find((m) => m.name === scenarios.find((s) => s.key === key)?.name);
      if (!r) continue;
      const [mine, ceiling] = [total(r), total(bare)];
      const byCpu = mine === undefined || ceiling === undefined ? '' : ` (by CPU per request: ${fmt(ceiling / mine, 2)}×)`;
      lines.push(`| **ratio** ${r.name} / bare | **${fmt(r.rps / bare.rps, 2)}×**${byCpu} | | | | | | | | | |`);
    }
  }
  if (bare) lines.push('', ...targetRows(results, scenarios, bare, bareWrite, bulkRatio, exportPeakMb));
  lines.push('', ...supervisionRows(results, scenarios));
  if (shots.length > 0) {
    lines.push('\n| one-shot | time | note |');
    lines.push('|---|---:|---|');
    lines.push(...shots);
  }
  console.log(lines.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
