import { runInRequestContext } from '../src/common/request-context';
import { AuditService } from '../src/modules/audit';
import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, World } from './support/world';

/**
 * The audit entity index (issue 14): written with every append, append-only for the service's
 * login, and only a way to find entries: what the log itself holds decides what is shown.
 */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const record = (entityId: string, actions: string[]) =>
  runInRequestContext({ requestId: `idx-${entityId}` }, () =>
    t.app.get(AuditService).recordMany(actions.map((action) => ({ action, entityType: 'probe', entityId, after: { action } }))),
  );

async function listed(entityType: string, entityId: string, query: Record<string, string | number> = {}): Promise<{ ids: string[]; actions: string[] }> {
  const { data, error } = await w.auditor.api.GET('/api/v1/audit-logs', { params: { query: { entityType, entityId, limit: 500, ...query } as never } });
  if (!data) throw new Error(JSON.stringify(error));
  return { ids: data.items.map((e) => e.id), actions: data.items.map((e) => e.action) };
}

describe('the audit entity index', () => {
  it('gets a row for every appended entry that names an entity, in the same statement', async () => {
    const customer = await createCustomer(w.salesEast1, { name: '索引测试有限公司' });
    const log = await t.db.query(`SELECT id::text FROM audit_log WHERE entity_type = 'customer' AND entity_id = $1 ORDER BY id`, [customer.id]);
    const index = await t.db.query(`SELECT audit_id::text AS id FROM audit_entity_index WHERE entity_type = 'customer' AND entity_id = $1 ORDER BY audit_id`, [customer.id]);
    expect(log.rows.length).toBeGreaterThan(0);
    expect(index.rows).toEqual(log.rows);
    const { ids, actions } = await listed('customer', customer.id);
    expect(ids).toEqual(log.rows.map((r) => r.id).reverse()); // newest first
    expect(actions).toContain('customer.create');
  });

  it('pages by cursor and filters by action and time through the index', async () => {
    await record('probe-a', ['probe.one', 'probe.two', 'probe.three', 'probe.two']);
    const all = await listed('probe', 'probe-a', { order: 'oldest' });
    expect(all.actions).toEqual(['probe.one', 'probe.two', 'probe.three', 'probe.two']);
    expect((await listed('probe', 'probe-a', { action: 'probe.two' })).ids).toEqual([all.ids[3], all.ids[1]]);
    expect((await listed('probe', 'probe-a', { to: new Date(Date.now() - 3_600_000).toISOString() })).ids).toEqual([]);
    const first = await w.auditor.api.GET('/api/v1/audit-logs', { params: { query: { entityType: 'probe', entityId: 'probe-a', limit: 3 } } });
    const second = await w.auditor.api.GET('/api/v1/audit-logs', {
      params: { query: { entityType: 'probe', entityId: 'probe-a', limit: 3, cursor: first.data!.nextCursor! } },
    });
    expect([...first.data!.items, ...second.data!.items].map((e) => e.id)).toEqual([...all.ids].reverse());
    expect(second.data!.nextCursor).toBeNull();
  });

  it('reads pages of every size in one statement as the two-step path does (audit_entries_at\'s lists of 4, 16 and 64 times)', async () => {
    // One entry per call: each its own time (the one-statement path keys the function by distinct times).
    for (let i = 0; i < 70; i++) await record('probe-sizes', [`probe.n${i}`]);
    const times = await t.db.query(`SELECT count(DISTINCT occurred_at)::int AS n FROM audit_log WHERE entity_id = 'probe-sizes'`);
    expect(times.rows[0].n).toBeGreaterThan(60);
    const all = await listed('probe', 'probe-sizes'); // limit 500: the two-step path
    expect(all.ids).toHaveLength(70);
    for (const limit of [1, 3, 4, 5, 15, 16, 17, 40, 63]) {
      for (const order of ['newest', 'oldest'] as const) {
        const expected = order === 'newest' ? all.ids : [...all.ids].reverse();
        const page = await w.auditor.api.GET('/api/v1/audit-logs', { params: { query: { entityType: 'probe', entityId: 'probe-sizes', limit, order } } });
        expect(page.data!.items.map((e) => e.id)).toEqual(expected.slice(0, limit));
        const next = await w.auditor.api.GET('/api/v1/audit-logs', {
          params: { query: { entityType: 'probe', entityId: 'probe-sizes', limit, order, cursor: page.data!.nextCursor! } },
        });
        expect(next.data!.items.map((e) => e.id)).toEqual(expected.slice(limit, 2 * limit));
      }
    }
  });

  it('cannot be changed or emptied by the service’s login', async () => {
    await record('probe-b', ['probe.one']);
    await expect(t.db.query(`UPDATE audit_entity_index SET entity_id = 'elsewhere' WHERE entity_id = 'probe-b'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_entity_index WHERE entity_id = 'probe-b'`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`TRUNCATE audit_entity_index`)).rejects.toThrow(/append-only|permission denied/);
    expect((await listed('probe', 'probe-b')).actions).toEqual(['probe.one']);
  });

  it('shows nothing the log does not hold for that entity: a row added by hand pointing at another entry is ignored', async () => {
    await record('probe-c', ['probe.secret']);
    const [other] = (await t.db.query(`SELECT id, occurred_at FROM audit_log WHERE entity_id = 'probe-c'`)).rows;
    await t.db.query(`INSERT INTO audit_entity_index (entity_type, entity_id, occurred_at, audit_id, action) VALUES ('probe', 'probe-d', $1, $2, 'probe.secret')`, [
      other.occurred_at,
      other.id,
    ]);
    expect((await listed('probe', 'probe-d')).ids).toEqual([]);
    expect((await listed('probe', 'probe-c')).actions).toEqual(['probe.secret']);
    const verified = await w.auditor.api.GET('/api/v1/audit-logs/verify');
    expect(verified.data).toMatchObject({ valid: true });
  });
});
