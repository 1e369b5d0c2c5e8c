import { chainQueuedReads } from './support/audit-queue';
import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, World } from './support/world';

/**
 * Issue 11's side doors around ownership and visibility: each test tries the way around the rule
 * as the role in question and checks that the legitimate path still works.
 */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const row = async (id: string) => (await t.db.query(`SELECT owner_id, department_id, version FROM customers WHERE id = $1`, [id])).rows[0];
const auditCount = async (action: string, entityId: string) =>
  (await chainQueuedReads(t), await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = $1 AND entity_id = $2`, [action, entityId])).rows[0].n as number;
const get = (actor: Actor, id: string) => actor.api.GET('/api/v1/customers/{id}', { params: { path: { id } } });
const userVersion = async (id: string) => (await t.db.query(`SELECT version FROM users WHERE id = $1`, [id])).rows[0].version as number;

describe('ownership changes only through a transfer', () => {
  it('refuses ownerId in a PATCH with 422 naming the transfer route, for a manager and for an admin across departments; nothing is written', async () => {
    const c = await createCustomer(w.salesEast1);
    const before = await row(c.id);
    for (const [actor, ownerId] of [
      [w.managerEast, w.salesEast2.id],
      [w.admin, w.salesWest.id],
    ] as const) {
      const r = await actor.api.PATCH('/api/v1/customers/{id}', { params: { path: { id: c.id } }, body: { ownerId, notes: '顺便改备注', version: 1, reason: '区域调整' } });
      expect(r.response.status).toBe(422);
      expect(r.error).toMatchObject({ code: 'OWNER_CHANGE_NEEDS_TRANSFER', transferRoute: '/api/v1/transfers', errors: [{ field: 'ownerId' }] });
    }
    expect(await row(c.id)).toEqual(before);
    expect(await auditCount('customer.update', c.id)).toBe(0);
    // The current owner may be sent back unchanged (a client echoing what it read), and the owner still changes by transfer.
    const same = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { params: { path: { id: c.id } }, body: { ownerId: w.salesEast1.id, notes: '备注', version: 1 } });
    expect(same.data).toMatchObject({ ownerId: w.salesEast1.id, notes: '备注', version: 2 });
    const transfer = await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [c.id], reason: '区域调整' } });
    await w.managerEast.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id: transfer.data!.approvalId } }, body: { comment: '同意' } });
    expect((await row(c.id)).owner_id).toBe(w.salesEast2.id);
  });

  it('still lets a manager name the owner at creation', async () => {
    const c = await createCustomer(w.managerEast, { ownerId: w.salesEast2.id });
    expect(c.ownerId).toBe(w.salesEast2.id);
  });
});

describe('people who move keep nothing they should not have', () => {
  const move = async (user: Actor, changes: { departmentId?: string; role?: 'service' | 'auditor' | 'marketing' }) => {
    const r = await w.admin.api.PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { ...changes, version: await userVersion(user.id) } });
    expect(r.response.status).toBe(200);
  };
  const unassigned = async (actor: Actor) => (await actor.api.GET('/api/v1/transfers/unassigned')).data!;

  it('a seller moved to another department loses their customers at once; the old department lists them as moved until a successor takes them', async () => {
    const mover = await t.userClient('sales', { departmentId: w.east });
    const [a, b] = [await createCustomer(mover), await createCustomer(mover)];
    await t.db.query(`UPDATE customers SET next_follow_up_at = now() - interval '1 day' WHERE id = $1`, [a.id]);
    expect((await get(mover, a.id)).response.status).toBe(200);
    await move(mover, { departmentId: w.west });

    // The mover: nothing by id, in lists, in their due list, nor by asking to transfer it away.
    expect((await get(mover, a.id)).response.status).toBe(404);
    expect((await mover.api.GET('/api/v1/customers')).data!.items).toEqual([]);
    expect((await mover.api.GET('/api/v1/follow-ups/due')).data!.items).toEqual([]);
    const away = await mover.api.POST('/api/v1/transfers', { body: { toUserId: w.salesWest.id, customerIds: [a.id], reason: '带走' } });
    expect(away.error).toMatchObject({ code: 'TRANSFER_REFUSED', items: [{ customerId: a.id, reason: 'NOT_FOUND' }] });
    const edit = await mover.api.PATCH('/api/v1/customers/{id}', { params: { path: { id: a.id } }, body: { notes: 'x', version: 1 } });
    expect(edit.response.status).toBe(404);
    // The new manager does not get them; the old one sees them as awaiting a successor.
    expect((await get(w.managerWest, a.id)).response.status).toBe(404);
    expect((await unassigned(w.managerWest)).map((u) => u.customerId)).not.toContain(a.id);
    const listed = (await unassigned(w.managerEast)).filter((u) => u.ownerId === mover.id);
    expect(listed.map((u) => [u.customerId, u.reason]).sort()).toEqual([[a.id, 'moved'], [b.id, 'moved']].sort());
    const due = (await w.managerEast.api.GET('/api/v1/follow-ups/due', { params: { query: { scope: 'department' } } })).data!.items.find((x) => x.customerId === a.id);
    expect(due).toMatchObject({ unowned: true });

    // A manager of another department cannot hand them on; the old department's manager can.
    const foreign = await w.managerWest.api.POST('/api/v1/transfers/succession', { body: { fromUserId: mover.id, toUserId: w.salesWest.id, customerIds: [a.id] } });
    expect(foreign.error).toMatchObject({ code: 'TRANSFER_REFUSED', items: [{ customerId: a.id, reason: 'NOT_FOUND' }] });
    const done = await w.managerEast.api.POST('/api/v1/transfers/succession', { body: { fromUserId: mover.id, toUserId: w.salesEast2.id, customerIds: [a.id, b.id] } });
    expect(done.response.status).toBe(201);
    expect(done.data).toMatchObject({ kind: 'succession', status: 'completed', reason: '离职继承: the previous owner was moved' });
    expect((await row(a.id)).owner_id).toBe(w.salesEast2.id);
    expect((await unassigned(w.managerEast)).filter((u) => u.ownerId === mover.id)).toEqual([]);
    // Both the user's move and each succession are in the audit log.
    expect(await auditCount('user.update', mover.id)).toBe(1);
    expect(await auditCount('customer.succession', a.id)).toBe(1);
    expect(await auditCount('customer.succession', b.id)).toBe(1);
  });

  it('a seller who takes a role that cannot own customers loses them too, and sees only what the new role sees', async () => {
    const changer = await t.userClient('sales', { departmentId: w.east });
    const c = await createCustomer(changer, { notes: '底价八折', contacts: [{ name: '王芳', mobile: '13811112222' }] });
    await move(changer, { role: 'service' });
    const asService = await get(changer, c.id);
    expect(asService.response.status).toBe(200);
    expect(asService.data!.contacts[0].mobile).toBe('138****2222');
    expect(asService.data).not.toHaveProperty('notes');
    const edit = await changer.api.PATCH('/api/v1/customers/{id}', { params: { path: { id: c.id } }, body: { notes: 'x', version: 1 } });
    expect(edit.response.status).toBe(403);
    expect((await unassigned(w.managerEast)).find((u) => u.customerId === c.id)).toMatchObject({ ownerId: changer.id, reason: 'role changed' });
    const done = await w.managerEast.api.POST('/api/v1/transfers/succession', { body: { fromUserId: changer.id, toUserId: w.salesEast1.id, customerIds: [c.id] } });
    expect(done.data).toMatchObject({ status: 'completed', reason: '离职继承: the previous owner was role changed' });
  });

  it('lists deactivated owners with their reason, and refuses succession from someone who still holds the customer', async () => {
    const leaver = await t.userClient('sales', { departmentId: w.east });
    const c = await createCustomer(leaver);
    const early = await w.managerEast.api.POST('/api/v1/transfers/succession', { body: { fromUserId: leaver.id, toUserId: w.salesEast2.id, customerIds: [c.id] } });
    expect(early.error).toMatchObject({ code: 'TARGET_INVALID', errors: [{ field: 'fromUserId' }] });
    expect((await row(c.id)).owner_id).toBe(leaver.id);
    await w.admin.api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id: leaver.id } } });
    expect((await unassigned(w.managerEast)).find((u) => u.customerId === c.id)).toMatchObject({ reason: 'deactivated', ownerDeactivatedAt: expect.any(String) });
  });
});

describe('what each role sees, by id as well as in lists', () => {
  it('marketing: a customer without consent does not exist, on every route single and bulk; with consent it does', async () => {
    const g = (await w.admin.api.POST('/api/v1/tag-groups', { body: { name: '营销活动' } })).data!.id;
    const tag = (await w.admin.api.POST('/api/v1/tag-groups/{id}/tags', { params: { path: { id: g } }, body: { name: '双十一' } })).data!.id;
    const c = await createCustomer(w.salesEast1);
    const path = { params: { path: { id: c.id } } };
    const statuses = async () => [
      (await w.marketing.api.GET('/api/v1/customers/{id}', path)).response.status,
      (await w.marketing.api.GET('/api/v1/customers/{id}/contacts', path)).response.status,
      (await w.marketing.api.GET('/api/v1/customers/{id}/consents', path)).response.status,
      (await w.marketing.api.POST('/api/v1/customers/{id}/tags', { ...path, body: { add: [tag] } })).response.status,
    ];
    expect(await statuses()).toEqual([404, 404, 404, 404]);
    // Routes that are not for marketing at all answer 403 whatever the id: that says nothing about the customer.
    for (const id of [c.id, '00000000-0000-4000-8000-000000000000']) {
      expect((await w.marketing.api.GET('/api/v1/customers/{id}/history', { params: { path: { id } } })).response.status).toBe(403);
    }
    const bulk = await w.marketing.api.POST('/api/v1/customers/tags/bulk', { body: { customerIds: [c.id], add: [tag] } });
    expect(bulk.data).toMatchObject({ results: [{ customerId: c.id, result: 'not_found' }], updated: 0 });
    expect(await auditCount('customer.tags', c.id)).toBe(0);

    await w.salesEast1.api.POST('/api/v1/customers/{id}/consent', { ...path, body: { status: 'granted', channel: 'sms', evidence: '短信回复同意' } });
    expect(await statuses()).toEqual([200, 200, 200, 200]);
    const seen = (await w.marketing.api.GET('/api/v1/customers/{id}', path)).data!;
    expect(seen.contacts[0].mobile).toMatch(/\*{4}/);
    // A withdrawal hides it again at once.
    await w.salesEast1.api.POST('/api/v1/customers/{id}/consent', { ...path, body: { status: 'withdrawn', channel: 'phone', evidence: '来电退订' } });
    expect((await w.marketing.api.GET('/api/v1/customers/{id}', path)).response.status).toBe(404);
  });

  it('service: identity, contacts masked, tier, tags and interactions, but not the commercial record, by id and in lists', async () => {
    const c = await createCustomer(w.salesEast1, {
      name: '客服视图测试有限公司',
      notes: '老板喜欢打高尔夫',
      needs: { purchaseIntent: '200 台服务器', budgetRange: '100–200 万元' },
      creditCode: '91350100M000100Y43',
      annualRevenue: 1200000,
      cooperationSince: '2021-03-01',
      potentialScore: 80,
    });
    const path = { params: { path: { id: c.id } } };
    await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...path, body: { notes: '底价八折', stage: 'customer', version: 1 } });
    const commercial = ['needs', 'notes', 'annualRevenue', 'creditCode', 'cooperationSince', 'potentialScore'];
    const one = (await w.service.api.GET('/api/v1/customers/{id}', path)).data!;
    for (const field of commercial) expect(one).not.toHaveProperty(field);
    expect(one).toMatchObject({ id: c.id, name: '客服视图测试有限公司', stage: 'customer', piiMasked: true });
    const listed = (await w.service.api.GET('/api/v1/customers', { params: { query: { q: '客服视图测试' } } })).data!.items;
    expect(listed).toHaveLength(1);
    for (const field of commercial) expect(listed[0]).not.toHaveProperty(field);
    // The change history (which holds the commercial record's old values) is not a service route.
    expect((await w.service.api.GET('/api/v1/customers/{id}/history', path)).response.status).toBe(403);
    // The owner, the manager and an auditor receive the commercial record.
    for (const actor of [w.salesEast1, w.managerEast, w.auditor]) {
      expect((await actor.api.GET('/api/v1/customers/{id}', path)).data).toMatchObject({ notes: '底价八折', creditCode: '91350100M000100Y43', annualRevenue: 1200000 });
    }
    expect(JSON.stringify((await w.managerEast.api.GET('/api/v1/customers/{id}/history', path)).data!.items)).toContain('高尔夫');
  });

  it('audits unmasked personal data returned by a contact change to anyone but the owner', async () => {
    const c = await createCustomer(w.salesEast1, { contacts: [{ name: '甲', mobile: '13700001111' }, { name: '乙', mobile: '13700002222' }] });
    const [first, second] = c.contacts;
    const pii = () => auditCount('pii.read', c.id);
    expect((await w.salesEast1.api.PATCH('/api/v1/contacts/{id}', { params: { path: { id: second.id } }, body: { position: '采购', version: 1 } })).data!.mobile).toBe('+8613700002222');
    expect(await pii()).toBe(0);
    const byManager = await w.managerEast.api.PATCH('/api/v1/contacts/{id}', { params: { path: { id: second.id } }, body: { position: '采购主管', version: 2 } });
    expect(byManager.data!.mobile).toBe('+8613700002222');
    expect(await pii()).toBe(1);
    const left = await w.managerEast.api.POST('/api/v1/contacts/{id}/mark-left', { params: { path: { id: first.id } }, body: { reason: '离职', newPrimaryContactId: second.id } });
    expect(left.data!.mobile).toBe('+8613700001111');
    expect(await pii()).toBe(2);
    await chainQueuedReads(t);
    const entry = (await t.db.query(`SELECT actor_id, after FROM audit_log WHERE action = 'pii.read' AND entity_id = $1 ORDER BY id DESC LIMIT 1`, [c.id])).rows[0];
    expect(entry).toMatchObject({ actor_id: w.managerEast.id, after: { contactIds: [first.id] } });
  });

  it('personal tags are their creator\'s: others see in the history that one changed, not its name', async () => {
    const g = (await w.admin.api.POST('/api/v1/tag-groups', { body: { name: '个人备忘', allowPersonal: true } })).data!.id;
    const mine = (await w.salesEast1.api.POST('/api/v1/tag-groups/{id}/tags', { params: { path: { id: g } }, body: { name: '难缠客户' } })).data!.id;
    const c = await createCustomer(w.salesEast1);
    const path = { params: { path: { id: c.id } } };
    await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { ...path, body: { add: [mine] } });
    await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { ...path, body: { remove: [mine] } });
    const tagEntries = async (actor: Actor) => (await actor.api.GET('/api/v1/customers/{id}/history', path)).data!.items.filter((e) => e.action === 'customer.tags');
    const own = await tagEntries(w.salesEast1);
    expect(own).toHaveLength(2);
    expect(JSON.stringify(own)).toContain('难缠客户');
    for (const other of [w.managerEast, w.admin, w.auditor]) {
      const theirs = await tagEntries(other);
      expect(theirs).toHaveLength(2);
      expect(JSON.stringify(theirs)).not.toContain('难缠客户');
      expect(theirs[1].after).toEqual({ tags: [expect.objectContaining({ id: mine, name: null, personal: true })] });
    }
  });
});
