import { get, type IncomingMessage } from 'node:http';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { buildWorld, createCustomer, type World } from './support/world';
import { startTestApp, TestApp, tokenFor } from './support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('statement and idle timeouts on the API connections', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DB_STATEMENT_TIMEOUT_MS: '300', DB_LONG_READ_TIMEOUT_MS: '20000' });
  });
  afterAll(() => t.close());

  it('sets them on every pooled connection (5 s and 30 s unless configured)', async () => {
    const dataSource = t.app.get(DataSource);
    expect(await dataSource.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '300ms' }]);
    expect(await dataSource.query('SHOW idle_in_transaction_session_timeout')).toEqual([{ idle_in_transaction_session_timeout: '30s' }]);
  });

  it('cuts a statement that runs over it: 503 BUSY with Retry-After; a long read has its own, longer one', async () => {
    const admin = await t.admin();
    const auditor = await t.userClient('auditor');
    expect((await admin.GET('/api/v1/departments')).response.status).toBe(200);
    // Someone holds the audit log: every read of it waits for the lock, past the API's 300 ms.
    const holder = await t.db.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE');
      const verification = auditor.api.GET('/api/v1/audit-logs/verify');
      const started = Date.now();
      const search = await auditor.api.GET('/api/v1/audit-logs', { params: { query: { limit: 5 } } });
      expect(search.response.status).toBe(503);
      expect(search.error).toMatchObject({ code: 'BUSY', status: 503 });
      expect(search.response.headers.get('retry-after')).toBe('2');
      expect(Date.now() - started).toBeLessThan(3000);
      await sleep(700);
      await holder.query('COMMIT');
      // The verification streams on a connection of its own with DB_LONG_READ_TIMEOUT_MS: it waited, and finished.
      const verified = await verification;
      expect(verified.response.status).toBe(200);
      expect(verified.data).toMatchObject({ valid: true });
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
    expect((await auditor.api.GET('/api/v1/audit-logs', { params: { query: { limit: 5 } } })).response.status).toBe(200);
  });
});

describe('waiting for a connection', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DB_POOL_SIZE: '1', DB_ACQUIRE_TIMEOUT_MS: '200' });
  });
  afterAll(() => t.close());

  it('keeps the default statement timeout of 5 s', async () => {
    expect(await t.app.get(DataSource).query('SHOW statement_timeout')).toEqual([{ statement_timeout: '5s' }]);
  });

  it('answers 503 BUSY with Retry-After when no connection comes free in time, instead of waiting', async () => {
    const admin = await t.admin();
    expect((await admin.GET('/api/v1/departments')).response.status).toBe(200);
    const pool = (t.app.get(DataSource).driver as unknown as { master: Pool }).master;
    const held = await pool.connect();
    try {
      const started = Date.now();
      const refused = await admin.GET('/api/v1/departments');
      expect(refused.response.status).toBe(503);
      expect(refused.error).toMatchObject({ code: 'BUSY' });
      expect(refused.response.headers.get('retry-after')).toBe('2');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      held.release();
    }
    expect((await admin.GET('/api/v1/departments')).response.status).toBe(200);
  });
});

describe('long-read slots shared by audit and customer exports, and stalled downloads', () => {
  // DB_POOL_SIZE 4: one long read at a time; a download whose client stops reading ends after 1.5 s.
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await startTestApp({ DB_POOL_SIZE: '4', EXPORT_IDLE_TIMEOUT_MS: '1500' });
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  /** ~50 MB of NDJSON: far more than the socket buffers hold, so a reader that stops keeps the export open. */
  async function fillAuditLog(count: number): Promise<void> {
    await t.db.query(`
      WITH head AS (SELECT last_id FROM audit_chain_head WHERE id = 1 FOR UPDATE),
      rows AS (
        INSERT INTO audit_log (id, occurred_at, actor_role, action, entity_type, after, changed_fields, prev_hash, hash)
        SELECT head.last_id + n, now(), 'system', 'bulk.load', 'customer', jsonb_build_object('padding', repeat('x', 1200)), '{}', repeat('0', 64), repeat('0', 64)
          FROM head, generate_series(1, $1::int) AS n
        RETURNING id)
      UPDATE audit_chain_head SET last_id = (SELECT max(id) FROM rows), last_occurred_at = now() WHERE id = 1`, [count]);
  }

  function openAuditExport(token: string): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const request = get(`${t.baseUrl}/api/v1/audit-logs/export?format=ndjson`, { headers: { authorization: `Bearer ${token}` }, agent: false }, (response) => {
        response.pause(); // a client that stops reading
        response.on('error', () => undefined);
        resolve(response);
      });
      request.on('error', reject);
    });
  }

  const busyLongReads = async () =>
    Number(
      (
        await t.db.query(
          `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'crm-api' AND query LIKE '%FROM audit_log a%' AND state <> 'idle'`,
        )
      ).rows[0].count,
    );

  it('refuses a customer export while an audit export holds the only slot, and ends the stalled audit export after the idle timeout', async () => {
    await fillAuditLog(40_000);
    const customer = await createCustomer(w.salesEast1);
    const requested = await w.salesEast1.api.POST('/api/v1/exports', { body: { filter: { q: customer.name }, format: 'csv', reason: '季度配送计划', recipient: '顺丰速运华东区' } });
    expect((await w.managerEast.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id: requested.data!.approvalId } }, body: { comment: '同意' } })).response.status).toBe(200);
    const salesToken = await tokenFor(t, w.salesEast1.username, `password-of-${w.salesEast1.username}`);
    const downloadCustomers = () => fetch(`${t.baseUrl}/api/v1/exports/${requested.data!.id}/download`, { headers: { authorization: `Bearer ${salesToken}` } });

    const stalled = await openAuditExport(await tokenFor(t, w.auditor.username, `password-of-${w.auditor.username}`));
    expect(stalled.statusCode).toBe(200);
    await waitFor(async () => (await busyLongReads()) === 1);

    const refused = await downloadCustomers();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(await refused.json()).toMatchObject({ code: 'AUDIT_READS_BUSY' });

    // Nobody reads the audit export: after 1.5 s it is ended, its snapshot closed and its slot given back.
    const started = Date.now();
    await waitFor(async () => (await busyLongReads()) === 0, 10_000);
    expect(Date.now() - started).toBeLessThan(8000);
    // Reading again, the client finds its download cut short.
    const closed = new Promise((resolve) => stalled.once('close', resolve));
    stalled.resume();
    await closed;
    expect(stalled.complete).toBe(false);

    const allowed = await downloadCustomers();
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain(customer.name);
  }, 60_000);
});
