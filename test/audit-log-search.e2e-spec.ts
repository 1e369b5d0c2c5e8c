import { runInRequestContext } from '../src/common/request-context';
import { AuditService } from '../src/modules/audit';
import { auditEntriesQuery } from '../src/modules/audit/audit.repository';
import type { AuditFilter, AuditOrder } from '../src/modules/audit/audit-log.rules';
import { startTestApp, TestApp } from './support/test-app';
import type { Api } from './support/test-app';
import type { components } from './support/test-app';
import { buildWorld, createCustomer, World } from './support/world';
import { chainQueuedReads } from './support/audit-queue';

let t: TestApp;
let w: World;
let auditor: Api;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  auditor = w.auditor.api;
});
afterAll(() => t.close());

type Entry = components['schemas']['AuditLogEntryDto'];

async function entries(query: Record<string, string | number>): Promise<Entry[]> {
  const { data, error } = await auditor.GET('/api/v1/audit-logs', { params: { query: { limit: 500, ...query } as never } });
  if (!data) throw new Error(JSON.stringify(error));
  return data.items;
}

const record = (requestId: string, actions: string[], entityId = requestId) =>
  runInRequestContext({ requestId }, () =>
    t.app.get(AuditService).recordMany(actions.map((action) => ({ action, entityType: 'probe', entityId, after: { action } }))),
  );

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('searching the audit log', () => {
  it('filters by entity, actor, exact action and action prefix, request id and time; newest or oldest first', async () => {
    const created = await w.admin.api.POST('/api/v1/departments', { body: { name: 'Search Dept' }, headers: { 'x-request-id': 'search-dept' } });
    const id = created.data!.id;
    await w.admin.api.PATCH('/api/v1/departments/{id}', { params: { path: { id } }, body: { name: 'Search Dept 2', version: 1 } });

    const newest = await entries({ entityType: 'department', entityId: id });
    expect(newest.map((e) => e.action)).toEqual(['department.update', 'department.create']);
    expect(newest[0]).toMatchObject({ actorId: w.admin.id, actorName: 'Administrator', actorRole: 'admin', changedFields: ['name', 'updatedAt', 'version'] });
    expect((await entries({ entityType: 'department', entityId: id, order: 'oldest' })).map((e) => e.action)).toEqual(['department.create', 'department.update']);
    expect((await entries({ requestId: 'search-dept' })).map((e) => [e.action, e.entityId])).toEqual([['department.create', id]]);

    const byActor = await entries({ actorId: w.salesEast1.id });
    expect(byActor.length).toBeGreaterThan(0);
    expect(new Set(byActor.map((e) => e.actorId))).toEqual(new Set([w.salesEast1.id]));
    expect(new Set((await entries({ actorId: w.salesEast1.id, action: 'auth.login' })).map((e) => e.action))).toEqual(new Set(['auth.login']));

    // A prefix ends with a dot; LIKE's wildcards in it are taken literally.
    await record('prefix-probe', ['probe.a_.x', 'probe.ab.x', 'probe.a_.y', 'probex.z']);
    expect((await entries({ action: 'probe.a_.' })).map((e) => e.action)).toEqual(['probe.a_.y', 'probe.a_.x']);
    expect((await entries({ action: 'probe.' })).map((e) => e.action).sort()).toEqual(['probe.a_.x', 'probe.a_.y', 'probe.ab.x']);
    expect((await entries({ action: 'probe.ab.x' })).map((e) => e.action)).toEqual(['probe.ab.x']);
    expect(await entries({ action: 'probe.a' })).toEqual([]);

    // Time: from is inclusive, to exclusive; occurredAt never decreases along the chain.
    const t0 = new Date().toISOString();
    await pause(5);
    await record('time-1', ['probe.time']);
    await pause(5);
    const t1 = new Date().toISOString();
    await pause(5);
    await record('time-2', ['probe.time']);
    const first = await entries({ action: 'probe.time', from: t0, to: t1 });
    expect(first.map((e) => e.requestId)).toEqual(['time-1']);
    expect((await entries({ action: 'probe.time', from: t1 })).map((e) => e.requestId)).toEqual(['time-2']);
    const boundary = first[0].occurredAt;
    expect((await entries({ action: 'probe.time', from: boundary, to: t1 })).length).toBe(1);
    expect((await entries({ action: 'probe.time', from: t0, to: boundary })).length).toBe(0);
    const { rows } = await t.db.query(`SELECT bool_and(occurred_at >= prev) AS monotone FROM (SELECT occurred_at, lag(occurred_at) OVER (ORDER BY id) AS prev FROM audit_log) s`);
    expect(rows[0].monotone).toBe(true);
  });

  it('pages with an opaque cursor: every entry once, in order, while entries are being added', async () => {
    await record('page-seed', Array.from({ length: 23 }, () => 'paging.seed'));
    for (const order of ['newest', 'oldest'] as const) {
      const all = (await entries({ action: 'paging.', order })).map((e) => e.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await auditor.GET('/api/v1/audit-logs', { params: { query: { action: 'paging.', order, limit: 5, cursor } } });
        expect(page.response.status).toBe(200);
        seen.push(...page.data!.items.map((e) => e.id));
        cursor = page.data!.nextCursor ?? undefined;
        pages += 1;
        await record(`page-${order}-${pages}`, ['paging.added']); // a new entry while paging
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => all.includes(id))).toEqual(all);
      const ids = seen.map(Number);
      expect(ids).toEqual([...ids].sort((a, b) => (order === 'oldest' ? a - b : b - a)));
    }
    const newestPage = await auditor.GET('/api/v1/audit-logs', { params: { query: { limit: 2 } } });
    const otherOrder = await auditor.GET('/api/v1/audit-logs', { params: { query: { order: 'oldest', cursor: newestPage.data!.nextCursor! } } });
    expect(otherOrder.error).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ field: 'cursor' }] });
    const forged = await auditor.GET('/api/v1/audit-logs', { params: { query: { cursor: Buffer.from('["newest","yesterday","1"]').toString('base64url') } } });
    expect(forged.error).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ field: 'cursor' }] });
  });

  it('refuses bad filters, and more than 500 entries a page', async () => {
    const bad = async (query: Record<string, unknown>, field: string) => {
      const r = await auditor.GET('/api/v1/audit-logs', { params: { query: query as never } });
      expect(r.response.status).toBe(400);
      expect(r.error!.errors!.map((e) => e.field)).toContain(field);
    };
    await bad({ limit: 501 }, 'limit');
    await bad({ limit: 0 }, 'limit');
    await bad({ action: 'customer.%' }, 'action');
    await bad({ action: '.customer' }, 'action');
    await bad({ actorId: 'someone' }, 'actorId');
    await bad({ from: 'yesterday' }, 'from');
    await bad({ from: '2026-11-02T00:00:00Z', to: '2026-11-02T00:00:00Z' }, 'to');
    await bad({ entityId: 'x' }, 'entityId');
    await bad({ order: 'random' }, 'order');
    expect((await auditor.GET('/api/v1/audit-logs', { params: { query: { limit: 500 } } })).response.status).toBe(200);
  });

  it('is the whole log for auditors and admins only; managers keep the history of their own customers', async () => {
    for (const actor of [w.managerEast, w.salesEast1, w.service, w.marketing]) {
      const list = await actor.api.GET('/api/v1/audit-logs');
      expect(list.response.status).toBe(403);
      expect(list.error).toMatchObject({ code: 'FORBIDDEN' });
      expect((await actor.api.GET('/api/v1/audit-logs/verify')).response.status).toBe(403);
    }
    expect((await w.admin.api.GET('/api/v1/audit-logs', { params: { query: { limit: 1 } } })).response.status).toBe(200);
    const customer = await createCustomer(w.salesEast1);
    const path = { params: { path: { id: customer.id } } };
    expect((await w.managerEast.api.GET('/api/v1/customers/{id}/history', path)).data!.items.map((e) => e.action)).toContain('customer.create');
    expect((await w.managerWest.api.GET('/api/v1/customers/{id}/history', path)).response.status).toBe(404);
  });
});

describe('the caller, checked by the page\'s own statement', () => {
  // GET /audit-logs reads a page by one entity with the token's user in one statement (the guard
  // checks only the token there); any other page checks the user first. Both must refuse alike.
  const byEntity = (id: string) => ({ params: { query: { entityType: 'customer', entityId: id } } });
  const other = { params: { query: { action: 'customer.create', limit: 5 } } };

  it('answers an auditor on both paths, and refuses other roles with 403 on both', async () => {
    const customer = await createCustomer(w.salesEast1);
    const page = await auditor.GET('/api/v1/audit-logs', byEntity(customer.id));
    expect(page.response.status).toBe(200);
    expect(page.data!.items.map((e) => [e.action, e.entityId])).toEqual([['customer.create', customer.id]]);
    expect((await auditor.GET('/api/v1/audit-logs', other)).response.status).toBe(200);
    for (const actor of [w.managerEast, w.salesEast1, w.service, w.marketing]) {
      for (const query of [byEntity(customer.id), other]) {
        const refused = await actor.api.GET('/api/v1/audit-logs', query);
        expect(refused.response.status).toBe(403);
        expect(refused.error).toMatchObject({ code: 'FORBIDDEN' });
      }
    }
  });

  it('follows a role change and a deactivation on the next request, on both paths', async () => {
    const customer = await createCustomer(w.salesEast1);
    const { api, id } = await t.userClient('auditor');
    expect((await api.GET('/api/v1/audit-logs', byEntity(customer.id))).response.status).toBe(200);
    await t.db.query(`UPDATE users SET role = 'sales' WHERE id = $1`, [id]);
    expect((await api.GET('/api/v1/audit-logs', byEntity(customer.id))).response.status).toBe(403);
    expect((await api.GET('/api/v1/audit-logs', other)).response.status).toBe(403);
    await t.db.query(`UPDATE users SET role = 'auditor' WHERE id = $1`, [id]);
    expect((await api.GET('/api/v1/audit-logs', byEntity(customer.id))).response.status).toBe(200);
    expect((await w.admin.api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id } } })).response.status).toBe(200);
    for (const query of [byEntity(customer.id), other]) {
      const refused = await api.GET('/api/v1/audit-logs', query);
      expect(refused.response.status).toBe(401);
      expect(refused.error).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('chains no queued read for a refused caller', async () => {
    const customer = await createCustomer(w.salesEast1);
    // A manager's read of a customer's personal data waits in audit_queue (test apps run no flusher).
    await chainQueuedReads(t);
    expect((await w.managerEast.api.GET('/api/v1/customers/{id}', { params: { path: { id: customer.id } } })).response.status).toBe(200);
    const queued = async () => Number((await t.db.query(`SELECT count(*) AS n FROM audit_queue`)).rows[0].n);
    expect(await queued()).toBeGreaterThan(0);
    expect((await w.salesEast1.api.GET('/api/v1/audit-logs', byEntity(customer.id))).response.status).toBe(403);
    expect(await queued()).toBeGreaterThan(0);
    // The auditor's page chains it first and shows it.
    const page = await auditor.GET('/api/v1/audit-logs', { params: { query: { entityType: 'customer', entityId: customer.id, action: 'pii.read' } } });
    expect(page.data!.items.map((e) => [e.action, e.actorId])).toEqual([['pii.read', w.managerEast.id]]);
    expect(await queued()).toBe(0);
  });
});

describe('query plans at scale', () => {
  /**
   * The plan PostgreSQL makes for the auditor's query, with sequential scans priced out as they
   * are on a table of tens of millions of rows: which relations it reads and through which indexes.
   */
  async function plan(
    filter: AuditFilter,
    order: AuditOrder = 'newest',
    { streamed = false } = {},
  ): Promise<{ relation: string; index?: string; node: string }[]> {
    // A page (LIMIT) after a cursor, or a whole export as AuditRepository.openStream runs it.
    const { sql, params } = streamed
      ? auditEntriesQuery(filter, order, undefined)
      : auditEntriesQuery(filter, order, { occurredAt: new Date().toISOString(), id: '999999999' }, 51);
    const client = await t.db.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL enable_seqscan = off');
      if (streamed) await client.query('SET LOCAL enable_sort = off');
      const explained = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
      const scans: { relation: string; index?: string; node: string }[] = [];
      type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };
      const walk = (node: PlanNode) => {
        if (String(node['Node Type']).endsWith('Sort')) scans.push({ relation: '(sort)', node: node['Node Type'] as string });
        const relation = node['Relation Name'];
        if (typeof relation === 'string' && relation.startsWith('audit_log')) {
          // A bitmap heap scan names its index on the bitmap index scan beneath it.
          const index = (node['Index Name'] ?? node.Plans?.find((child) => child['Node Type'] === 'Bitmap Index Scan')?.['Index Name']) as string | undefined;
          scans.push({ relation, index, node: node['Node Type'] as string });
        }
        for (const child of node.Plans ?? []) walk(child);
      };
      walk((explained.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan);
      return scans;
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  const month = (offset: number) => {
    const d = new Date();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() + offset);
    return `audit_log_${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  };

  it.each<[string, AuditFilter, string]>([
    ['entity', { entityType: 'customer', entityId: 'c1' }, 'entity_type_entity_id_occurred_at_id'],
    ['actor', { actorId: '9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f' }, 'actor_id_occurred_at_id'],
    ['exact action', { action: 'customer.update' }, 'action_occurred_at_id'],
    ['request id', { requestId: 'r-1' }, 'request_id_occurred_at_id'],
    ['time range', { from: '2026-11-01T00:00:00Z' }, 'occurred_at_id'],
  ])('serves the %s filter from an index on every partition it reads', async (_, filter, columns) => {
    const scans = (await plan(filter)).filter((s) => s.relation !== '(sort)');
    expect(scans.length).toBeGreaterThan(0);
    for (const scan of scans) {
      expect(scan.node).toMatch(/^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/);
      expect(scan.index).toMatch(new RegExp(`_${columns}_idx$`));
    }
  });

  it.each<[string, AuditFilter]>([
    ['everything', {}],
    ['an entity', { entityType: 'customer', entityId: 'c1' }],
    ['an action prefix', { actionPrefix: 'customer.' }],
    ['a time range', { from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' }],
  ])('exports %s in index order, without sorting the result first', async (_, filter) => {
    for (const order of ['oldest', 'newest'] as const) {
      const scans = await plan(filter, order, { streamed: true });
      expect(scans.length).toBeGreaterThan(0);
      expect(scans.filter((s) => s.node.endsWith('Sort'))).toEqual([]);
    }
  });

  it('reads only the partitions of a time range', async () => {
    const start = new Date();
    start.setUTCDate(1);
    start.setUTCHours(0, 0, 0, 0);
    const inThisMonth = { from: new Date(start.getTime() + 3_600_000).toISOString(), to: new Date(start.getTime() + 7_200_000).toISOString() };
    const relations = async (...args: Parameters<typeof plan>) => new Set((await plan(...args)).map((s) => s.relation).filter((r) => r !== '(sort)'));
    expect(await relations({ ...inThisMonth, entityType: 'customer' })).toEqual(new Set([month(0)]));
    expect(await relations(inThisMonth, 'oldest', { streamed: true })).toEqual(new Set([month(0)]));
    const nextMonth = new Date(start);
    nextMonth.setUTCMonth(start.getUTCMonth() + 1);
    const twoMonths = { from: inThisMonth.from, to: new Date(nextMonth.getTime() + 86_400_000).toISOString() };
    expect(await relations({ ...twoMonths, actionPrefix: 'customer.' })).toEqual(new Set([month(0), month(1)]));
  });
});
