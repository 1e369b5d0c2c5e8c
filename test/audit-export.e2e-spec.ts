import { randomUUID } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { chainHash, type ChainedEntry } from '../src/modules/audit/audit.rules';
import { clientFor, startTestApp, TestApp, tokenFor } from './support/test-app';
import type { Api, Role } from './support/test-app';

let t: TestApp;
let auditor: Staff;
beforeAll(async () => {
  t = await startTestApp();
  auditor = await staff('auditor');
});
// A timed-out export may still be streaming: closing waits for it.
afterAll(() => t.close(), 120_000);

interface Staff {
  api: Api;
  id: string;
  token: string;
}

let staffCount = 0;
async function staff(role: Role): Promise<Staff> {
  staffCount += 1;
  const username = `export.${role}.${staffCount}`;
  const password = `password-of-${username}`;
  const departmentId = await t.department('Audit');
  const { data, error } = await (await t.admin()).POST('/api/v1/users', { body: { username, displayName: `审计员 ${staffCount}`, password, role, departmentId } });
  if (!data) throw new Error(JSON.stringify(error));
  const token = await tokenFor(t, username, password);
  return { api: clientFor(t.baseUrl, token), id: data.id, token };
}

function download(who: Staff, query: Record<string, string>): Promise<Response> {
  return fetch(`${t.baseUrl}/api/v1/audit-logs/export?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${who.token}` } });
}

const ndjson = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/**
 * Appends `count` entries to the chain the way AuditRepository.append does (ids and hashes under
 * the chain-head lock, occurred_at never decreasing), in batches, straight into the database.
 */
async function appendBulk(count: number): Promise<{ firstId: string; lastId: string }> {
  const client = await t.db.connect();
  try {
    await client.query('BEGIN');
    const head = (
      await client.query(
        `SELECT last_id::text AS "lastId", last_hash AS "lastHash", last_occurred_at AS "lastAt" FROM audit_chain_head WHERE id = 1 FOR UPDATE`,
      )
    ).rows[0] as { lastId: string; lastHash: string; lastAt: Date };
    let id = BigInt(head.lastId);
    let prevHash = head.lastHash;
    for (let start = 0; start < count; start += 10_000) {
      const rows = [];
      for (let n = start; n < Math.min(count, start + 10_000); n += 1) {
        id += 1n;
        const entry: ChainedEntry = {
          id: id.toString(),
          // a thousand entries per millisecond, as one batch of recordMany would share its time
          occurredAt: new Date(head.lastAt.getTime() + Math.floor(n / 1000)).toISOString(),
          actorId: null,
          actorRole: 'system',
          action: 'bulk.load',
          entityType: 'customer',
          entityId: randomUUID(),
          before: { stage: 'potential', name: `测试客户 ${n} 有限公司` },
          after: { stage: 'prospect', name: `测试客户 ${n} 有限公司`, importance: n % 5 },
          changedFields: ['importance', 'stage'],
          reason: `批量导入第 ${n} 条`,
          requestId: `bulk-${Math.floor(n / 1000)}`,
          ip: '10.0.0.7',
          userAgent: 'bulk-loader/1.0',
        };
        const hash = chainHash(prevHash, entry);
        rows.push({ ...entry, prevHash, hash });
        prevHash = hash;
      }
      await client.query(
        `INSERT INTO audit_log (id, occurred_at, actor_id, actor_role, action, entity_type, entity_id, before, after,
                                changed_fields, reason, request_id, ip, user_agent, prev_hash, hash)
         SELECT r.id, r."occurredAt", r."actorId", r."actorRole", r.action, r."entityType", r."entityId", r.before,
                r.after, r."changedFields", r.reason, r."requestId", r.ip, r."userAgent", r."prevHash", r.hash
           FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, "occurredAt" timestamptz, "actorId" uuid, "actorRole" text,
                action text, "entityType" text, "entityId" text, before jsonb, after jsonb, "changedFields" text[],
                reason text, "requestId" text, ip text, "userAgent" text, "prevHash" text, hash text)`,
        [JSON.stringify(rows)],
      );
    }
    const lastAt = new Date(head.lastAt.getTime() + Math.floor((count - 1) / 1000)).toISOString();
    await client.query(`UPDATE audit_chain_head SET last_id = $1, last_hash = $2, last_occurred_at = $3 WHERE id = 1`, [id.toString(), prevHash, lastAt]);
    await client.query('COMMIT');
    return { firstId: (BigInt(head.lastId) + 1n).toString(), lastId: id.toString() };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** Reads a body to the end, counting lines, and samples this process's RSS at every chunk. */
async function drain(response: Response, onChunk: () => void = () => undefined): Promise<{ bytes: number; lines: number; head: Buffer }> {
  const reader = response.body!.getReader();
  let bytes = 0;
  let lines = 0;
  let head = Buffer.alloc(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (head.length < 4096) head = Buffer.concat([head, Buffer.from(value.subarray(0, 4096))]);
    bytes += value.length;
    for (let at = value.indexOf(10); at !== -1; at = value.indexOf(10, at + 1)) lines += 1;
    onChunk();
  }
  return { bytes, lines, head };
}

describe('exporting the audit log', () => {
  it('streams CSV as UTF-8 with a BOM and a header, one row per entry, in the filters and order asked', async () => {
    const admin = await t.admin();
    for (const name of ['华东销售部', '=HYPERLINK("http://evil")', '华南销售部']) {
      expect((await admin.POST('/api/v1/departments', { body: { name } })).response.status).toBe(201);
    }
    const response = await download(auditor, { format: 'csv', action: 'department.create', from: '2000-01-01T00:00:00Z' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-log-\d{8}T\d{6}Z\.csv"$/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(
      'id,occurredAt,actorId,actorName,actorRole,action,entityType,entityId,changedFields,before,after,reason,requestId,ip,userAgent,prevHash,hash',
    );
    const created = Number((await t.db.query(`SELECT count(*) FROM audit_log WHERE action = 'department.create'`)).rows[0].count);
    expect(lines).toHaveLength(1 + created);
    const row = (name: string) => lines.find((line) => line.includes(name))!;
    // Oldest first: the initial department (written by the system), then these three in the order made.
    expect(lines[1]).toMatch(/,,system,department\.create,department,/);
    expect(lines.slice(-3).map((line) => ['华东销售部', 'HYPERLINK', '华南销售部'].findIndex((name) => line.includes(name)))).toEqual([0, 1, 2]);
    expect(row('华东销售部')).toContain(',Administrator,admin,department.create,department,');
    // JSON cells are quoted and start with {, never with a formula character.
    expect(row('HYPERLINK')).toContain('"{""id"":');
    expect(row('HYPERLINK')).toContain('""name"":""=HYPERLINK(\\""http://evil\\"")""');
    const ids = lines.slice(1).map((line) => Number(line.split(',')[0]));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('neutralises cells a spreadsheet would run as a formula', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/departments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auditor.token}`, 'content-type': 'application/json', 'user-agent': '=cmd|calc!A1' },
      body: JSON.stringify({ name: 'refused' }),
    });
    expect(response.status).toBe(403); // nothing recorded: an auditor may not create departments
    const admin = await tokenFor(t, 'admin', 'admin-password-for-tests');
    await fetch(`${t.baseUrl}/api/v1/departments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'user-agent': '=cmd|calc!A1', 'x-request-id': 'formula-probe' },
      body: JSON.stringify({ name: 'Formula probe' }),
    });
    const csv = (await (await download(auditor, { format: 'csv', requestId: 'formula-probe' })).text()).trimEnd().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain(",'=cmd|calc!A1,");
    const raw = ndjson(await (await download(auditor, { format: 'ndjson', requestId: 'formula-probe' })).text());
    expect(raw).toEqual([expect.objectContaining({ userAgent: '=cmd|calc!A1', action: 'department.create' })]); // NDJSON is verbatim
  });

  it('streams NDJSON entries exactly as the list answers them, and resumes after the last id received', async () => {
    const filters = { format: 'ndjson', entityType: 'department' };
    const response = await download(auditor, filters);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const all = ndjson(await response.text());
    expect(all.length).toBeGreaterThanOrEqual(5);
    const listed = await auditor.api.GET('/api/v1/audit-logs', { params: { query: { entityType: 'department', order: 'oldest', limit: 500 } } });
    expect(all).toEqual(listed.data!.items);

    // The connection broke after two entries: ask for the rest.
    const rest = ndjson(await (await download(auditor, { ...filters, afterId: String(all[1].id) })).text());
    expect(rest).toEqual(all.slice(2));
    const newestFirst = ndjson(await (await download(auditor, { ...filters, order: 'newest', afterId: String(all[3].id) })).text());
    expect(newestFirst).toEqual(all.slice(0, 3).reverse());
  });

  it('records every download, with its filters, before the first byte', async () => {
    const response = await download(auditor, { format: 'csv', entityType: 'department', action: 'department.', from: '2026-01-01T00:00:00Z' });
    expect(response.status).toBe(200);
    // The record is committed before the body streams: it is there while the body is still unread.
    const { data } = await auditor.api.GET('/api/v1/audit-logs', { params: { query: { action: 'audit.export', actorId: auditor.id, limit: 1 } } });
    await response.arrayBuffer();
    expect(data!.items[0]).toMatchObject({
      action: 'audit.export',
      entityType: 'audit_log',
      actorId: auditor.id,
      actorRole: 'auditor',
      after: { format: 'csv', order: 'oldest', entityType: 'department', action: 'department.', from: '2026-01-01T00:00:00Z' },
    });
  });

  it('is for auditors and admins only, and refuses bad requests before streaming', async () => {
    for (const role of ['manager', 'sales', 'service', 'marketing'] as const) {
      const response = await download(await staff(role), { format: 'csv' });
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await download(await staff('admin'), { format: 'ndjson', entityType: 'nothing' })).status).toBe(200);
    const bad = async (query: Record<string, string>, field: string) => {
      const response = await download(auditor, query);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ field })] });
    };
    await bad({ format: 'xlsx' }, 'format');
    await bad({ format: 'csv', afterId: '999999999' }, 'afterId');
    await bad({ format: 'csv', afterId: 'abc' }, 'afterId');
    await bad({ format: 'csv', from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, 'to');
    await bad({ format: 'csv', entityId: '42' }, 'entityId');
    const unauthenticated = await fetch(`${t.baseUrl}/api/v1/audit-logs/export?format=csv`);
    expect(unauthenticated.status).toBe(401);
  });
});

describe('at scale', () => {
  const BULK = 200_000;
  let bulk: { firstId: string; lastId: string };
  /** The bulk entries share a millisecond a thousand at a time: a range of them is a range of milliseconds. */
  let at: (ms: number) => string;
  beforeAll(async () => {
    const started = performance.now();
    bulk = await appendBulk(BULK);
    console.log(`set-up: ${BULK} entries chained and appended in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const { rows } = await t.db.query(`SELECT occurred_at AS at FROM audit_log WHERE id = $1`, [bulk.firstId]);
    at = (ms) => new Date((rows[0].at as Date).getTime() + ms).toISOString();
  }, 120_000);

  it(`exports ${BULK.toLocaleString('en')} entries with the process memory growing by less than 50 MB`, async () => {
    // The same export of a tenth of the entries first, so that buffers, pools and the young heap
    // reach their working size before the baseline: what is measured is what more rows cost.
    const warmUp = async () => void (await drain(await download(auditor, { format: 'csv', from: at(0), to: at(20) })));
    const started = performance.now();
    const { result, growthMb } = await peakMemoryGrowth(warmUp, async (sample) => {
      const response = await download(auditor, { format: 'csv' });
      expect(response.status).toBe(200);
      return drain(response, sample);
    });
    const { bytes, lines, head } = result;
    const seconds = (performance.now() - started) / 1000;
    const total = Number((await t.db.query(`SELECT count(*) FROM audit_log`)).rows[0].count);
    expect(lines).toBe(1 + total); // the header, then every entry (the export's own record was committed before it began)
    expect(head.subarray(0, 3).toString('hex')).toBe('efbbbf');
    console.log(`export: ${lines - 1} rows, ${(bytes / 1024 / 1024).toFixed(1)} MB of CSV in ${seconds.toFixed(1)} s; peak RSS growth ${growthMb.toFixed(1)} MB`);
    expect(growthMb).toBeLessThan(50);
  }, 300_000); // the assertion is the memory; on a slow or busy machine the 200,000 rows have taken over 120 s

  it('verifies the whole chain and a time range by streaming through them, with flat memory', async () => {
    const warmUp = async () => void (await auditor.api.GET('/api/v1/audit-logs/verify', { params: { query: { from: at(0), to: at(20) } } }));
    const started = performance.now();
    const { result: whole, growthMb } = await peakMemoryGrowth(warmUp, () => auditor.api.GET('/api/v1/audit-logs/verify'));
    const seconds = (performance.now() - started) / 1000;
    const total = Number((await t.db.query(`SELECT count(*) FROM audit_log`)).rows[0].count);
    expect(whole.data).toMatchObject({ valid: true, checked: total, firstBrokenId: null });
    console.log(`verify: ${total} rows in ${seconds.toFixed(1)} s; peak RSS growth ${growthMb.toFixed(1)} MB`);
    expect(growthMb).toBeLessThan(50);

    const range = await auditor.api.GET('/api/v1/audit-logs/verify', { params: { query: { from: at(10), to: at(20) } } });
    expect(range.data).toMatchObject({ valid: true, checked: 10_000, firstBrokenId: null });
  }, 300_000); // the assertion is the memory; beside other heavy work verification has taken over 120 s

  it('gives the connection back when the client goes away mid-download, and limits concurrent downloads', async () => {
    const busyConnections = async () =>
      Number(
        (await t.db.query(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'crm-api' AND query LIKE '%FROM audit_log a%' AND state <> 'idle'`))
          .rows[0].count,
      );
    const first = await openDownload(auditor, { format: 'ndjson' });
    await new Promise((resolve) => first.response.once('data', resolve)); // a first chunk: the cursor is open
    expect(await busyConnections()).toBe(1);
    first.abort();
    await waitFor(async () => (await busyConnections()) === 0);

    // DB_POOL_SIZE 10: two long reads at once per instance; the third is told to come back later.
    const held = [await openDownload(auditor, { format: 'csv' }), await openDownload(auditor, { format: 'csv' })];
    expect(held.map((h) => h.response.statusCode)).toEqual([200, 200]);
    const refused = await download(auditor, { format: 'csv' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(await refused.json()).toMatchObject({ code: 'AUDIT_READS_BUSY' });
    expect((await auditor.api.GET('/api/v1/audit-logs/verify')).response.status).toBe(503);
    // Ordinary requests still get connections meanwhile.
    expect((await auditor.api.GET('/api/v1/audit-logs', { params: { query: { limit: 5 } } })).response.status).toBe(200);
    for (const h of held) h.abort();
    await waitFor(async () => (await busyConnections()) === 0);
    const after = await download(auditor, { format: 'csv', entityType: 'nothing' });
    expect(after.status).toBe(200);
    await after.arrayBuffer();
  }, 60_000);
});

/**
 * Runs `work` and returns how far the process's resident memory rose above where it started,
 * sampled at every chunk (`sample`) and every 20 ms, with a full collection every 100 ms. The set-up's garbage is collected first, so
 * that collecting it cannot land in the measurement; then `warmUp` (the same work on a little
 * data) lets the heap's young generation grow back to its working size before the baseline.
 */
async function peakMemoryGrowth<T>(warmUp: () => Promise<void>, work: (sample: () => void) => Promise<T>): Promise<{ result: T; growthMb: number }> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  await warmUp();
  gc();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  // A full collection every 500 ms: what is measured is memory the export holds on to, not
  // garbage a lazy collector has not got round to (in a worker that ran other test files first,
  // V8 otherwise lets the old generation grow by ~100 MB before collecting). Every 100 ms, the
  // collections themselves took most of the time on a slow machine.
  let ticks = 0;
  const timer = setInterval(() => {
    ticks += 1;
    if (ticks % 25 === 0) gc();
    sample();
  }, 20);
  try {
    const result = await work(sample);
    sample();
    return { result, growthMb: (peak - before) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

/**
 * A download through node:http, for tests that hang up midway: the socket really closes when
 * aborted, and no client-side pool keeps connections open behind it.
 */
function openDownload(who: Staff, query: Record<string, string>): Promise<{ response: IncomingMessage; abort: () => void }> {
  return new Promise((resolve, reject) => {
    const request = get(
      `${t.baseUrl}/api/v1/audit-logs/export?${new URLSearchParams(query)}`,
      { headers: { authorization: `Bearer ${who.token}` }, agent: false },
      (response) => resolve({ response, abort: () => request.destroy() }),
    );
    request.on('error', reject);
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
