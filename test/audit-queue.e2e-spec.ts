import { randomInt } from 'node:crypto';
import { AuditQueueFlusher } from '../src/modules/audit';
import { chainQueuedReads } from './support/audit-queue';
import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, World } from './support/world';

/**
 * Reads of personal data (pii.read) are recorded before their answer goes out, in audit_queue,
 * without the chain lock; the next change, an auditor's query or the idle flusher chains them.
 */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const path = (id: string) => ({ params: { path: { id } } });
const queued = async () => (await t.db.query(`SELECT entry FROM audit_queue ORDER BY id`)).rows.map((r) => r.entry as Record<string, unknown>);
const chained = async (customerId: string) =>
  (await t.db.query(`SELECT action, actor_id::text AS actor, after FROM audit_log WHERE entity_id = $1 ORDER BY id`, [customerId])).rows as {
    action: string;
    actor: string;
    after: Record<string, unknown> | null;
  }[];

beforeEach(() => chainQueuedReads(t));

describe('the audit queue for reads', () => {
  it('keeps a manager\'s read, committed before the answer, outside the chain until the next change chains it first', async () => {
    const c = await createCustomer(w.salesEast1, { contacts: [{ name: '王芳', mobile: '13900001111' }] });
    const before = Date.now();
    const read = await w.managerEast.api.GET('/api/v1/customers/{id}', path(c.id));
    expect(read.data!.contacts[0].mobile).toBe('+8613900001111');
    // Committed: another connection sees it; not yet in the chain.
    expect(await queued()).toEqual([
      expect.objectContaining({ action: 'pii.read', entityType: 'customer', entityId: c.id, actorId: w.managerEast.id, actorRole: 'manager', after: expect.objectContaining({ readAt: expect.any(String) }) }),
    ]);
    const readAt = Date.parse(((await queued())[0].after as { readAt: string }).readAt);
    expect(readAt).toBeGreaterThanOrEqual(before - 1000);
    expect((await chained(c.id)).map((e) => e.action)).toEqual(['customer.create']);

    // The owner's change takes the waiting read into the chain ahead of itself, in its transaction.
    const changed = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...path(c.id), body: { notes: '复核后更新', version: 1 } });
    expect(changed.response.status).toBe(200);
    expect(await queued()).toEqual([]);
    expect((await chained(c.id)).map((e) => [e.action, e.actor])).toEqual([
      ['customer.create', w.salesEast1.id],
      ['pii.read', w.managerEast.id],
      ['customer.update', w.salesEast1.id],
    ]);
  });

  it('shows an auditor every read made before the query, and the chain verifies', async () => {
    const c = await createCustomer(w.salesEast1, { contacts: [{ name: '李强', mobile: '13900002222' }] });
    await w.managerEast.api.GET('/api/v1/customers/{id}', path(c.id));
    expect(await queued()).toHaveLength(1);
    const listed = await w.auditor.api.GET('/api/v1/audit-logs', { params: { query: { entityType: 'customer', entityId: c.id, action: 'pii.read' } } });
    expect(listed.data!.items).toEqual([expect.objectContaining({ action: 'pii.read', actorId: w.managerEast.id })]);
    expect(await queued()).toEqual([]);
    const verified = await w.auditor.api.GET('/api/v1/audit-logs/verify', { params: { query: {} } });
    expect(verified.data).toMatchObject({ valid: true, firstBrokenId: null });
  });

  it.each([
    { what: 'by entity, one statement (a page of at most 64)', query: (id: string) => ({ entityType: 'customer', entityId: id, action: 'pii.read', limit: 64 }) },
    { what: 'by entity, a page larger than audit_entries_at takes', query: (id: string) => ({ entityType: 'customer', entityId: id, action: 'pii.read', limit: 200 }) },
    { what: 'by actor, over audit_log', query: () => ({ actorId: w.managerWest.id, action: 'pii.read' }) },
  ])('chains the reads waiting before an auditor\'s page first: $what', async ({ query }) => {
    const c = await createCustomer(w.salesWest, { contacts: [{ name: '周敏', mobile: `137${String(randomInt(10 ** 8)).padStart(8, '0')}` }] });
    await w.managerWest.api.GET('/api/v1/customers/{id}', path(c.id));
    expect(await queued()).toHaveLength(1);
    const listed = await w.auditor.api.GET('/api/v1/audit-logs', { params: { query: query(c.id) } });
    expect(listed.response.status).toBe(200);
    expect(listed.data!.items).toContainEqual(expect.objectContaining({ action: 'pii.read', actorId: w.managerWest.id, entityId: c.id }));
    expect(await queued()).toEqual([]);
  });

  it('chains each of many concurrent reads exactly once, beside concurrent changes, and the chain stays whole', async () => {
    const c = await createCustomer(w.salesEast1, { contacts: [{ name: '赵敏', mobile: '13900003333' }] });
    const others = await Promise.all(Array.from({ length: 5 }, (_, i) => createCustomer(w.salesEast1, { name: `并发客户${i}有限公司` })));
    await Promise.all([
      ...Array.from({ length: 30 }, () => w.managerEast.api.GET('/api/v1/customers/{id}', path(c.id))),
      ...others.map((o) => w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...path(o.id), body: { notes: '并发', version: 1 } })),
    ]);
    await chainQueuedReads(t);
    expect((await chained(c.id)).filter((e) => e.action === 'pii.read')).toHaveLength(30);
    const gaps = await t.db.query(`SELECT count(*)::int AS n FROM audit_log a JOIN audit_log b ON b.id = a.id + 1 WHERE b.prev_hash <> a.hash`);
    expect(gaps.rows[0].n).toBe(0);
    const verified = await w.auditor.api.GET('/api/v1/audit-logs/verify', { params: { query: {} } });
    expect(verified.data).toMatchObject({ valid: true, firstBrokenId: null });
  });

  it('is chained by the idle flusher within its period when nothing else is written', async () => {
    const other = await startTestApp({ AUDIT_QUEUE_FLUSH_MS: '50' });
    try {
      const ow = await buildWorld(other);
      const customer = await createCustomer(ow.salesEast1, { contacts: [{ name: '钱七', mobile: '13900004444' }] });
      expect((await ow.managerEast.api.GET('/api/v1/customers/{id}', path(customer.id))).response.status).toBe(200);
      expect((await other.db.query(`SELECT count(*)::int AS n FROM audit_queue`)).rows[0].n).toBe(1);
      other.app.get(AuditQueueFlusher).start();
      const deadline = Date.now() + 5000;
      let n = 0;
      while (Date.now() < deadline) {
        n = (await other.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'pii.read' AND entity_id = $1`, [customer.id])).rows[0].n;
        if (n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(n).toBe(1);
      expect((await other.db.query(`SELECT count(*)::int AS n FROM audit_queue`)).rows[0].n).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('records nothing for the owner\'s own reads, for masked roles, or for a read that was refused', async () => {
    const c = await createCustomer(w.salesEast1, { contacts: [{ name: '孙丽', mobile: '13900005555' }] });
    await w.salesEast1.api.GET('/api/v1/customers/{id}', path(c.id));
    await w.service.api.GET('/api/v1/customers/{id}', path(c.id));
    expect((await w.managerWest.api.GET('/api/v1/customers/{id}', path(c.id))).response.status).toBe(404);
    expect(await queued()).toEqual([]);
  });
});
