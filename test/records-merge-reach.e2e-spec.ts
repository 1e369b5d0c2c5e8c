import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, Customer, newCustomer, World } from './support/world';

/** Issue 12: merges lose nothing (consent included), moved rows say how they got there, a customer keeps a way to be reached, industry from a list. */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const approve = (actor: Actor, id: string) => actor.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id } }, body: { comment: '同意' } });
const at = (id: string) => ({ params: { path: { id } } });

async function consent(customer: Customer, status: 'granted' | 'withdrawn', evidence: string) {
  const r = await w.salesEast1.api.POST('/api/v1/customers/{id}/consent', { ...at(customer.id), body: { status, channel: 'phone', evidence } });
  expect(r.response.status).toBe(201);
  return r.data!;
}

/** Requested by the East manager, approved by an admin; returns the approval's result. */
async function merge(survivor: Customer, merged: Customer[], reason = '同一客户重复建档') {
  const requested = await w.managerEast.api.POST('/api/v1/customers/merge-requests', { body: { survivorId: survivor.id, mergedIds: merged.map((m) => m.id), reason } });
  expect(requested.response.status).toBe(202);
  const done = await approve(w.admin, requested.data!.id);
  expect(done.data).toMatchObject({ status: 'approved' });
  return done.data!;
}

async function auditOf(entityType: string, entityId: string) {
  const r = await w.auditor.api.GET('/api/v1/audit-logs', { params: { query: { entityType, entityId, limit: 100 } } });
  expect(r.response.status).toBe(200);
  return r.data!.items;
}

const marketingSees = async (id: string) => (await w.marketing.api.GET('/api/v1/customers/{id}', at(id))).response.status;

describe('merge consent: the most restrictive of the merged records', () => {
  it('a withdrawal on the merged duplicate wins over the survivor\'s grant, and marketing loses the customer', async () => {
    const survivor = await createCustomer(w.salesEast1);
    const dup = await createCustomer(w.salesEast1);
    const grant = await consent(survivor, 'granted', '2026-11-01 电话同意');
    const withdrawal = await consent(dup, 'withdrawn', '2026-11-02 短信退订');
    const later = await consent(survivor, 'granted', '2026-11-03 再次确认'); // the newest record is a grant, on the survivor
    expect(await marketingSees(survivor.id)).toBe(200);

    const approval = await merge(survivor, [dup]);
    expect(approval.result).toMatchObject({ marketingConsent: 'withdrawn' });
    const kept = (await w.salesEast1.api.GET('/api/v1/customers/{id}', at(survivor.id))).data!;
    expect(kept.marketingConsent).toBe('withdrawn');
    expect(await marketingSees(survivor.id)).toBe(404);
    // Every record of both customers, newest first.
    const history = (await w.salesEast1.api.GET('/api/v1/customers/{id}/consents', at(survivor.id))).data!;
    expect(history.map((c) => c.id)).toEqual([later.id, withdrawal.id, grant.id]);
    // The merge's own audit entry says the flag changed.
    const [mergeEntry] = (await auditOf('customer', survivor.id)).filter((e) => e.action === 'customer.merge');
    expect(mergeEntry).toMatchObject({ before: expect.objectContaining({ marketingConsent: 'granted' }), after: expect.objectContaining({ marketingConsent: 'withdrawn' }) });
  });

  it('a withdrawal on the survivor stands against a duplicate\'s later grant; a grant is not lost to "unknown"', async () => {
    const survivor = await createCustomer(w.salesEast1);
    const dup = await createCustomer(w.salesEast1);
    await consent(survivor, 'withdrawn', '退订');
    await consent(dup, 'granted', '展会登记同意');
    await merge(survivor, [dup]);
    expect((await w.salesEast1.api.GET('/api/v1/customers/{id}', at(survivor.id))).data!.marketingConsent).toBe('withdrawn');

    const unknown = await createCustomer(w.salesEast1);
    const granted = await createCustomer(w.salesEast1);
    await consent(granted, 'granted', '书面同意');
    await merge(unknown, [granted]);
    expect((await w.salesEast1.api.GET('/api/v1/customers/{id}', at(unknown.id))).data!.marketingConsent).toBe('granted');
    expect(await marketingSees(unknown.id)).toBe(200);
  });
});

describe('rows moved by a merge, a deletion or a transfer say how they got there', () => {
  it('every row a merge moves has an entry on its own entity, counted in the merge\'s entry; the survivor\'s history shows the contacts', async () => {
    const survivor = await createCustomer(w.salesEast1);
    const dup = await createCustomer(w.salesEast1);
    const contactId = dup.contacts[0].id;
    const interaction = (await w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', {
      ...at(dup.id),
      body: { occurredAt: new Date(Date.now() - 60_000).toISOString(), channel: 'phone', summary: '副档客户电话沟通采购计划' },
    })).data!;
    const complaint = (await w.service.api.POST('/api/v1/complaints', {
      body: { customerId: dup.id, channel: 'phone', category: 'other', severity: 'general', title: '交付延迟', description: '交付延迟两天', customerMood: 'calm', receivedAt: new Date(Date.now() - 60_000).toISOString() },
    })).data!;
    const consentRow = await consent(dup, 'granted', '电话同意');
    const group = (await w.admin.api.POST('/api/v1/tag-groups', { body: { name: '合并来源' } })).data!;
    const tag = (await w.admin.api.POST('/api/v1/tag-groups/{id}/tags', { ...at(group.id), body: { name: '展会客户' } })).data!;
    expect((await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { ...at(dup.id), body: { add: [tag.id] } })).response.status).toBe(200);
    const core = (await w.admin.api.GET('/api/v1/tiers')).data!.find((x) => x.code === 'core')!;
    expect((await w.managerEast.api.PUT('/api/v1/customers/{id}/tier', { ...at(dup.id), body: { tierId: core.id, reason: '年采购额达标' } })).response.status).toBe(200);
    const tierChangeIds = (await t.db.query(`SELECT id FROM customer_tier_changes WHERE customer_id = $1`, [dup.id])).rows.map((r) => r.id as string);
    expect(tierChangeIds.length).toBeGreaterThan(0);

    const approval = await merge(survivor, [dup], '合并重复档案');
    expect(approval.result).toMatchObject({ movedFromMerged: { contacts: 1, interactions: 1, complaints: 1, consents: 1, tags: 1, tierChanges: tierChangeIds.length } });

    const expectMoved = async (entityType: string, entityId: string) => {
      const entries = (await auditOf(entityType, entityId)).filter((e) => e.action === `${entityType}.merge_moved`);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ before: { customerId: dup.id }, after: { customerId: survivor.id, mergeApprovalId: approval.id }, reason: '合并重复档案', actorId: w.admin.id });
    };
    await expectMoved('contact', contactId);
    await expectMoved('interaction', interaction.id);
    await expectMoved('complaint', complaint.id);
    await expectMoved('consent', consentRow.id);
    await expectMoved('tag', tag.id);
    for (const id of tierChangeIds) await expectMoved('tier_change', id);
    // The contact's whole story, oldest first: created on the duplicate, then moved.
    expect((await auditOf('contact', contactId)).map((e) => e.action).reverse()).toEqual(['contact.create', 'contact.merge_moved']);
    const [mergeEntry] = (await auditOf('customer', survivor.id)).filter((e) => e.action === 'customer.merge');
    expect(mergeEntry.after).toMatchObject({ moved: { contacts: 1, interactions: 1, complaints: 1, consents: 1, tags: 1, tierChanges: tierChangeIds.length } });
    // The owner (no audit-log access) reads it in the survivor's history.
    const history = (await w.salesEast1.api.GET('/api/v1/customers/{id}/history', { ...at(survivor.id), params: { ...at(survivor.id).params, query: { limit: 100 } } })).data!.items;
    expect(history.find((h) => h.entityId === contactId && h.action === 'contact.merge_moved')).toMatchObject({ before: { customerId: dup.id } });
  });

  it('a deletion leaves an entry on every contact it removes, counted in the deletion\'s entry', async () => {
    const customer = await createCustomer(w.salesEast1, {
      contacts: [
        { name: '删一', mobile: '13312340001' },
        { name: '删二', mobile: '13312340002' },
      ],
    });
    const requested = await w.salesEast1.api.POST('/api/v1/customers/{id}/deletion-requests', { ...at(customer.id), body: { reason: '测试数据' } });
    await approve(w.managerEast, requested.data!.id);
    const done = await approve(w.admin, requested.data!.id);
    expect(done.data).toMatchObject({ status: 'approved', result: { contactsRemoved: 2 } });
    for (const contact of customer.contacts) {
      const removed = (await auditOf('contact', contact.id)).filter((e) => e.action === 'contact.removed');
      expect(removed).toHaveLength(1);
      expect(removed[0]).toMatchObject({ before: { status: 'active' }, after: { status: 'removed', customerId: customer.id }, reason: '测试数据' });
    }
    const [deletion] = (await auditOf('customer', customer.id)).filter((e) => e.action === 'customer.delete');
    expect(deletion.after).toMatchObject({ status: 'deleted', contactsRemoved: 2 });
  });

  it('a complaint reassigned by a transfer says so in its own history, counted in the customer\'s transfer entry', async () => {
    const customer = await createCustomer(w.salesEast1);
    const complaint = (await w.service.api.POST('/api/v1/complaints', {
      body: { customerId: customer.id, channel: 'phone', category: 'price', severity: 'general', title: '报价', description: '报价偏高', customerMood: 'calm', receivedAt: new Date(Date.now() - 60_000).toISOString() },
    })).data!;
    await w.service.api.POST('/api/v1/complaints/{id}/assign', { ...at(complaint.id), body: { assigneeId: w.salesEast1.id } });
    const requested = await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [customer.id], reason: '区域调整' } });
    await approve(w.managerEast, requested.data!.approvalId);
    const reassigned = (await auditOf('complaint', complaint.id)).filter((e) => e.action === 'complaint.transfer_reassigned');
    expect(reassigned).toHaveLength(1);
    expect(reassigned[0]).toMatchObject({ before: { assigneeId: w.salesEast1.id }, after: { assigneeId: w.salesEast2.id, customerId: customer.id, transferId: requested.data!.id }, reason: '区域调整' });
    const [transfer] = (await auditOf('customer', customer.id)).filter((e) => e.action === 'customer.transfer');
    expect(transfer.after).toMatchObject({ complaintsReassigned: 1 });
  });
});

describe('a customer keeps a way to be reached', () => {
  it('refuses to mark the last active contact with a mobile as left', async () => {
    const customer = await createCustomer(w.salesEast1);
    const only = customer.contacts[0];
    // A second contact without a mobile does not make the customer reachable by phone.
    const noMobile = (await w.salesEast1.api.POST('/api/v1/customers/{id}/contacts', { ...at(customer.id), body: { name: '只有邮箱', email: `only.mail.${Date.now()}@example.com` } })).data!;
    const refused = await w.salesEast1.api.POST('/api/v1/contacts/{id}/mark-left', { ...at(only.id), body: { reason: '离职', newPrimaryContactId: noMobile.id } });
    expect(refused.response.status).toBe(422);
    expect(refused.error).toMatchObject({ code: 'LAST_REACHABLE_CONTACT' });
    const contacts = (await w.salesEast1.api.GET('/api/v1/customers/{id}/contacts', at(customer.id))).data!;
    expect(contacts.find((c) => c.id === only.id)).toMatchObject({ status: 'active', isPrimary: true });
  });

  it('lets the contact leave once another active contact has a mobile', async () => {
    const customer = await createCustomer(w.salesEast1);
    const first = customer.contacts[0];
    const second = (await w.salesEast1.api.POST('/api/v1/customers/{id}/contacts', { ...at(customer.id), body: { name: '接任者', mobile: '13312349999' } })).data!;
    const left = await w.salesEast1.api.POST('/api/v1/contacts/{id}/mark-left', { ...at(first.id), body: { reason: '原对接人离职', newPrimaryContactId: second.id } });
    expect(left.response.status).toBe(200);
    expect(left.data).toMatchObject({ status: 'left' });
    // And now the successor is the last one with a mobile.
    const refused = await w.salesEast1.api.POST('/api/v1/contacts/{id}/mark-left', { ...at(second.id), body: { reason: '也离职了' } });
    expect(refused.error).toMatchObject({ code: 'LAST_REACHABLE_CONTACT' });
  });
});

describe('industry from a list kept as data', () => {
  it('lists the GB/T 4754-2017 sections to every role; only an admin replaces the list, audited', async () => {
    for (const actor of [w.salesEast1, w.service, w.marketing, w.auditor]) {
      const list = await actor.api.GET('/api/v1/industries');
      expect(list.response.status).toBe(200);
      expect(list.data).toHaveLength(20);
      expect(list.data!.slice(0, 3)).toEqual([
        { code: 'A', name: '农、林、牧、渔业' },
        { code: 'B', name: '采矿业' },
        { code: 'C', name: '制造业' },
      ]);
      expect(list.data!.find((i) => i.code === 'I')).toEqual({ code: 'I', name: '信息传输、软件和信息技术服务业' });
      expect(list.data![19]).toEqual({ code: 'T', name: '国际组织' });
    }
    const original = (await w.admin.api.GET('/api/v1/industries')).data!;
    const replacement = [...original, { code: 'X1', name: '跨境电商' }];
    for (const actor of [w.managerEast, w.salesEast1, w.auditor]) {
      expect((await actor.api.PUT('/api/v1/industries', { body: { industries: replacement } })).response.status).toBe(403);
    }
    const twice = await w.admin.api.PUT('/api/v1/industries', { body: { industries: [...original, { code: 'c', name: '重复' }] } });
    expect(twice.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'industries' }] });
    const replaced = await w.admin.api.PUT('/api/v1/industries', { body: { industries: replacement, reason: '新增行业' } });
    expect(replaced.response.status).toBe(200);
    expect(replaced.data).toHaveLength(21);
    expect((await createCustomer(w.salesEast1, { industry: '跨境电商' })).industry).toBe('跨境电商');
    const [entry] = await auditOf('industry_list', 'default');
    expect(entry).toMatchObject({ action: 'industry_list.replace', actorId: w.admin.id, reason: '新增行业' });
    expect((entry.after as { industries: unknown[] }).industries).toHaveLength(21);
    // Back to the national list for the other tests.
    expect((await w.admin.api.PUT('/api/v1/industries', { body: { industries: original } })).response.status).toBe(200);
  });

  it('requires an industry of the list on creation, and takes a section code as its name', async () => {
    const missing = await w.salesEast1.api.POST('/api/v1/customers', { body: { ...newCustomer(), industry: undefined as never } });
    expect(missing.response.status).toBe(400);
    expect(missing.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: expect.arrayContaining([expect.objectContaining({ field: 'industry' })]) });
    const unlisted = await w.salesEast1.api.POST('/api/v1/customers', { body: newCustomer({ industry: '通信设备' }) });
    expect(unlisted.response.status).toBe(400);
    expect(unlisted.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'industry' }] });
    const byName = await w.salesEast1.api.POST('/api/v1/customers', { body: newCustomer({ industry: '金融业' }) });
    expect(byName.response.status).toBe(201);
    expect(byName.data!.industry).toBe('金融业');
    const byCode = await w.salesEast1.api.POST('/api/v1/customers', { body: newCustomer({ industry: 'i' }) });
    expect(byCode.data!.industry).toBe('信息传输、软件和信息技术服务业');
  });

  it('checks a changed industry on update, and does not refuse unrelated edits of a customer filed without one', async () => {
    const customer = await createCustomer(w.salesEast1);
    const refused = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...at(customer.id), body: { industry: '电子', version: 1 } });
    expect(refused.response.status).toBe(400);
    expect(refused.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'industry' }] });
    const changed = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...at(customer.id), body: { industry: '建筑业', version: 1 } });
    expect(changed.data).toMatchObject({ industry: '建筑业', version: 2 });

    // Filed before the list: no industry, or one the list does not have.
    const legacy = await createCustomer(w.salesEast1);
    await t.db.query(`UPDATE customers SET industry = NULL WHERE id = $1`, [legacy.id]);
    const edited = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...at(legacy.id), body: { notes: '补充备注', version: 1 } });
    expect(edited.response.status).toBe(200);
    const old = await createCustomer(w.salesEast1);
    await t.db.query(`UPDATE customers SET industry = '通信设备' WHERE id = $1`, [old.id]);
    // Sent back unchanged with an edit (a client echoing the record): accepted.
    const echoed = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...at(old.id), body: { industry: '通信设备', stage: 'customer', version: 1 } });
    expect(echoed.data).toMatchObject({ industry: '通信设备', stage: 'customer' });
  });
});
