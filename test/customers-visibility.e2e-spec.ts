import { chainQueuedReads } from './support/audit-queue';
import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, Customer, World } from './support/world';

let t: TestApp;
let w: World;
let eastOne: Customer; // owned by salesEast1
let eastTwo: Customer; // owned by salesEast2
let westOne: Customer; // owned by salesWest

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  eastOne = await createCustomer(w.salesEast1, {
    contacts: [{ name: '张三', mobile: '+86 138-0013-8000', email: 'Zhang.San@Example.com', wechatId: 'wxid_zhang12' }],
  });
  eastTwo = await createCustomer(w.salesEast2);
  westOne = await createCustomer(w.salesWest);
});
afterAll(() => t.close());

const listIds = async (actor: { api: TestApp['anonymous'] }, query: Record<string, unknown> = {}) => {
  const r = await actor.api.GET('/api/v1/customers', { params: { query: { limit: 100, ...query } } });
  expect(r.response.status).toBe(200);
  return r.data!.items.map((c) => c.id).sort();
};
const sorted = (...ids: string[]) => [...ids].sort();

describe('who sees which customers', () => {
  it('gives each sales user their own customers only, in lists and by id', async () => {
    expect(await listIds(w.salesEast1)).toEqual([eastOne.id]);
    expect(await listIds(w.salesEast2)).toEqual([eastTwo.id]);
    expect(await listIds(w.salesWest)).toEqual([westOne.id]);
    const own = await w.salesEast1.api.GET('/api/v1/customers/{id}', { params: { path: { id: eastOne.id } } });
    expect(own.response.status).toBe(200);
    for (const id of [eastTwo.id, westOne.id]) {
      const r = await w.salesEast1.api.GET('/api/v1/customers/{id}', { params: { path: { id } } });
      expect(r.response.status).toBe(404);
      expect(r.error).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('gives a manager the customers of their department', async () => {
    expect(await listIds(w.managerEast)).toEqual(sorted(eastOne.id, eastTwo.id));
    expect(await listIds(w.managerWest)).toEqual([westOne.id]);
    const r = await w.managerWest.api.GET('/api/v1/customers/{id}', { params: { path: { id: eastOne.id } } });
    expect(r.response.status).toBe(404);
  });

  it('lets admin, service and auditor read every customer', async () => {
    for (const actor of [w.admin, w.service, w.auditor]) {
      expect(await listIds(actor)).toEqual(sorted(eastOne.id, eastTwo.id, westOne.id));
    }
  });

  it('lets a filter narrow a list but never widen it', async () => {
    expect(await listIds(w.salesEast1, { ownerId: w.salesEast2.id })).toEqual([]);
    expect(await listIds(w.managerEast, { departmentId: w.west })).toEqual([]);
    expect(await listIds(w.managerEast, { ownerId: w.salesEast2.id })).toEqual([eastTwo.id]);
    expect(await listIds(w.admin, { departmentId: w.west })).toEqual([westOne.id]);
  });

  it('answers 404 on every route that takes the id of a customer the caller cannot see', async () => {
    const id = westOne.id;
    const api = w.salesEast1.api;
    const path = { params: { path: { id } } };
    const statuses = [
      (await api.GET('/api/v1/customers/{id}', path)).response.status,
      (await api.PATCH('/api/v1/customers/{id}', { ...path, body: { notes: 'x', version: 1 } })).response.status,
      (await api.GET('/api/v1/customers/{id}/history', path)).response.status,
      (await api.GET('/api/v1/customers/{id}/contacts', path)).response.status,
      (await api.POST('/api/v1/customers/{id}/contacts', { ...path, body: { name: '李四', mobile: '13911112222' } })).response.status,
      (await api.GET('/api/v1/customers/{id}/interactions', path)).response.status,
      (await api.POST('/api/v1/customers/{id}/interactions', {
        ...path,
        body: { occurredAt: '2026-11-20T10:00:00+08:00', channel: 'phone', summary: '电话试探，客户未接听' },
      })).response.status,
      (await api.POST('/api/v1/customers/{id}/consent', { ...path, body: { status: 'granted', channel: 'sms', evidence: 'x' } })).response.status,
      (await api.GET('/api/v1/customers/{id}/consents', path)).response.status,
      (await w.managerEast.api.POST('/api/v1/customers/{id}/reactivate', { ...path, body: { reason: 'x' } })).response.status,
    ];
    expect(statuses).toEqual(Array(statuses.length).fill(404));
    // Contacts of that customer are as invisible as the customer.
    const contactId = westOne.contacts[0].id;
    const patch = await api.PATCH('/api/v1/contacts/{id}', { params: { path: { id: contactId } }, body: { name: 'x', version: 1 } });
    expect(patch.response.status).toBe(404);
    const left = await api.POST('/api/v1/contacts/{id}/mark-left', { params: { path: { id: contactId } }, body: { reason: 'x' } });
    expect(left.response.status).toBe(404);
    // Nothing was written by any of those attempts.
    expect((await t.db.query(`SELECT count(*)::int AS n FROM contacts WHERE customer_id = $1`, [id])).rows[0].n).toBe(1);
  });

  it('lets an admin or a manager assign an owner within their scope only', async () => {
    const byManager = await w.managerEast.api.POST('/api/v1/customers', {
      body: { name: '分派测试有限公司', industry: '制造业', ownerId: w.salesEast2.id, contacts: [{ name: '王五', mobile: '13700001111' }] },
    });
    expect(byManager.data).toMatchObject({ ownerId: w.salesEast2.id, departmentId: w.east });
    const outside = await w.managerEast.api.POST('/api/v1/customers', {
      body: { name: '越权分派有限公司', industry: '制造业', ownerId: w.salesWest.id, contacts: [{ name: '王六', mobile: '13700002222' }] },
    });
    expect(outside.response.status).toBe(422);
    expect(outside.error).toMatchObject({ code: 'OWNER_INVALID', errors: [{ field: 'ownerId' }] });
    const bySales = await w.salesEast1.api.POST('/api/v1/customers', {
      body: { name: '代人建档有限公司', industry: '制造业', ownerId: w.salesEast2.id, contacts: [{ name: '王七', mobile: '13700003333' }] },
    });
    expect(bySales.response.status).toBe(403);
  });
});

describe('personal data by role', () => {
  it('shows the owner and their manager the real values, and service, marketing and auditors masked ones', async () => {
    const path = { params: { path: { id: eastOne.id } } };
    const owner = (await w.salesEast1.api.GET('/api/v1/customers/{id}', path)).data!;
    expect(owner.piiMasked).toBe(false);
    expect(owner.contacts[0]).toMatchObject({ mobile: '+8613800138000', email: 'zhang.san@example.com', wechatId: 'wxid_zhang12' });
    for (const actor of [w.service, w.auditor]) {
      const masked = (await actor.api.GET('/api/v1/customers/{id}', path)).data!;
      expect(masked.piiMasked).toBe(true);
      expect(masked.contacts[0]).toMatchObject({ mobile: '138****8000', email: 'z***@example.com', wechatId: 'wx****12' });
    }
    const contacts = (await w.service.api.GET('/api/v1/customers/{id}/contacts', path)).data!;
    expect(contacts[0].mobile).toBe('138****8000');
  });

  it('audits an unmasked read by anyone but the owner (pii.read), and not the owner\'s own reads', async () => {
    const count = async (actorId: string) =>
      (await chainQueuedReads(t), await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'pii.read' AND entity_id = $1 AND actor_id = $2`, [eastOne.id, actorId])).rows[0].n;
    const path = { params: { path: { id: eastOne.id } } };
    await w.salesEast1.api.GET('/api/v1/customers/{id}', path);
    await w.managerEast.api.GET('/api/v1/customers/{id}', path);
    await w.admin.api.GET('/api/v1/customers/{id}/contacts', path);
    await w.service.api.GET('/api/v1/customers/{id}', path);
    expect(await count(w.salesEast1.id)).toBe(0);
    expect(await count(w.managerEast.id)).toBe(1);
    expect(await count(w.admin.id)).toBe(1);
    expect(await count(w.service.id)).toBe(0); // masked: nothing personal was read
  });

  it('keeps no plaintext mobile, e-mail or WeChat id in any table, the audit log included', async () => {
    const { rows } = await t.db.query(
      `SELECT (SELECT string_agg(c::text, '|') FROM contacts c) AS contacts, (SELECT string_agg(a::text, '|') FROM audit_log a) AS audit`,
    );
    for (const text of [rows[0].contacts, rows[0].audit]) {
      expect(text).not.toContain('13800138000');
      expect(text.toLowerCase()).not.toContain('zhang.san@example.com');
      expect(text).not.toContain('wxid_zhang12');
    }
    // ... and exact lookup still works: the same mobile written differently is found.
    const check = await w.salesWest.api.POST('/api/v1/customers/duplicate-check', { body: { name: '完全不同的名字', mobiles: ['13800138000'] } });
    expect(check.data?.duplicates).toEqual([expect.objectContaining({ id: eastOne.id, matchedOn: 'mobile' })]);
  });
});

describe('marketing', () => {
  it('sees only customers who granted consent, always, and only masked', async () => {
    expect(await listIds(w.marketing)).toEqual([]);
    const granted = await w.salesWest.api.POST('/api/v1/customers/{id}/consent', {
      params: { path: { id: westOne.id } },
      body: { status: 'granted', channel: 'sms', evidence: '2026-11-20 电话确认' },
    });
    expect(granted.response.status).toBe(201);
    expect(await listIds(w.marketing)).toEqual([westOne.id]);
    expect(await listIds(w.marketing, { marketable: false })).toEqual([westOne.id]);
    expect(await listIds(w.admin, { marketable: true })).toEqual([westOne.id]);
    await w.salesWest.api.POST('/api/v1/customers/{id}/consent', {
      params: { path: { id: westOne.id } },
      body: { status: 'withdrawn', channel: 'sms', evidence: '客户来电要求退订' },
    });
    expect(await listIds(w.marketing)).toEqual([]);
    // Once withdrawn, the customer does not exist for marketing, by id either.
    const hidden = await w.marketing.api.GET('/api/v1/customers/{id}/consents', { params: { path: { id: westOne.id } } });
    expect(hidden.response.status).toBe(404);
    const history = await w.admin.api.GET('/api/v1/customers/{id}/consents', { params: { path: { id: westOne.id } } });
    expect(history.data?.map((c) => c.status)).toEqual(['withdrawn', 'granted']);
  });

  it('may not change customers', async () => {
    const path = { params: { path: { id: westOne.id } } };
    await w.salesWest.api.POST('/api/v1/customers/{id}/consent', { ...path, body: { status: 'granted', channel: 'sms', evidence: '再次同意' } });
    const r = await w.marketing.api.PATCH('/api/v1/customers/{id}', { ...path, body: { notes: 'x', version: 1 } });
    expect(r.response.status).toBe(403);
    expect(JSON.stringify(r.error)).not.toContain(westOne.name);
  });
});
