import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, Customer, World } from './support/world';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

describe('contacts', () => {
  let customer: Customer;
  beforeAll(async () => {
    customer = await createCustomer(w.salesEast1, { contacts: [{ name: '原对接人', mobile: '13500000001', isPrimary: true }] });
  });
  const path = () => ({ params: { path: { id: customer.id } } });

  it('adds a contact, and a new primary replaces the old one (one primary, enforced by the database)', async () => {
    const added = await w.salesEast1.api.POST('/api/v1/customers/{id}/contacts', {
      ...path(),
      body: { name: '新对接人', mobile: '13500000002', email: 'New.Contact@Example.com', isPrimary: true },
    });
    expect(added.response.status).toBe(201);
    expect(added.data).toMatchObject({ isPrimary: true, email: 'new.contact@example.com', mobile: '+8613500000002' });
    const contacts = (await w.salesEast1.api.GET('/api/v1/customers/{id}/contacts', path())).data!;
    expect(contacts.filter((c) => c.isPrimary).map((c) => c.name)).toEqual(['新对接人']);
    await expect(t.db.query(`UPDATE contacts SET is_primary = true WHERE customer_id = $1`, [customer.id])).rejects.toThrow(/uq_contacts_primary/);
  });

  it('refuses a mobile another customer\'s contact has', async () => {
    const other = await createCustomer(w.salesWest, { contacts: [{ name: '别家', mobile: '13500000009' }] });
    const r = await w.salesEast1.api.POST('/api/v1/customers/{id}/contacts', { ...path(), body: { name: '撞号', mobile: '+86 135 0000 0009' } });
    expect(r.response.status).toBe(409);
    expect(r.error).toMatchObject({ code: 'CUSTOMER_DUPLICATE', duplicates: [{ id: other.id, matchedOn: 'mobile' }] });
  });

  it('needs the new primary when the primary leaves, keeps the record, and logs it with the reason', async () => {
    const contacts = (await w.salesEast1.api.GET('/api/v1/customers/{id}/contacts', path())).data!;
    const primary = contacts.find((c) => c.isPrimary)!;
    const other = contacts.find((c) => !c.isPrimary)!;
    const refused = await w.salesEast1.api.POST('/api/v1/contacts/{id}/mark-left', { params: { path: { id: primary.id } }, body: { reason: '离职' } });
    expect(refused.response.status).toBe(422);
    expect(refused.error).toMatchObject({ code: 'PRIMARY_CONTACT_REQUIRED', errors: [{ field: 'newPrimaryContactId' }] });
    const left = await w.salesEast1.api.POST('/api/v1/contacts/{id}/mark-left', {
      params: { path: { id: primary.id } },
      body: { reason: '原对接人离职', newPrimaryContactId: other.id },
    });
    expect(left.data).toMatchObject({ status: 'left', isPrimary: false, leftAt: expect.any(String) });
    const after = (await w.salesEast1.api.GET('/api/v1/customers/{id}/contacts', path())).data!;
    expect(after.map((c) => [c.name, c.isPrimary, c.status])).toEqual([
      [other.name, true, 'active'],
      [primary.name, false, 'left'],
    ]);
    const history = (await w.managerEast.api.GET('/api/v1/customers/{id}/history', path())).data!.items;
    expect(history[0]).toMatchObject({ action: 'contact.update', entityId: other.id, reason: '原对接人离职', after: expect.objectContaining({ isPrimary: true }) });
    expect(history.find((h) => h.action === 'contact.left')).toMatchObject({ entityId: primary.id, reason: '原对接人离职' });
    const again = await w.salesEast1.api.POST('/api/v1/contacts/{id}/mark-left', { params: { path: { id: primary.id } }, body: { reason: 'x' } });
    expect(again.error).toMatchObject({ code: 'CONTACT_ALREADY_LEFT' });
  });

  it('updates a contact with its version and shows the change masked in the history', async () => {
    const contact = (await w.salesEast1.api.GET('/api/v1/customers/{id}/contacts', path())).data!.find((c) => c.status === 'active')!;
    const r = await w.salesEast1.api.PATCH('/api/v1/contacts/{id}', {
      params: { path: { id: contact.id } },
      body: { mobile: '13500000003', position: '总经理', version: contact.version },
    });
    expect(r.data).toMatchObject({ mobile: '+8613500000003', position: '总经理', version: contact.version + 1 });
    const stale = await w.salesEast1.api.PATCH('/api/v1/contacts/{id}', { params: { path: { id: contact.id } }, body: { position: 'x', version: contact.version } });
    expect(stale.response.status).toBe(412);
    const entry = (await w.salesEast1.api.GET('/api/v1/customers/{id}/history', path())).data!.items[0];
    expect(entry).toMatchObject({ action: 'contact.update', before: expect.objectContaining({ mobile: '135****0001' }), after: expect.objectContaining({ mobile: '135****0003' }) });
  });
});

describe('interaction records', () => {
  it('updates the customer\'s last interaction and next follow-up', async () => {
    const customer = await createCustomer(w.salesEast1);
    const r = await w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', {
      params: { path: { id: customer.id } },
      body: {
        occurredAt: '2026-11-20T10:00:00+08:00',
        channel: 'visit',
        contactId: customer.contacts[0].id,
        summary: '上门拜访，介绍新品',
        feedback: '对价格敏感',
        agreements: '下周报价',
        nextAction: '发送报价单',
        nextActionDueAt: '2026-11-27T09:00:00+08:00',
      },
    });
    expect(r.response.status).toBe(201);
    expect(r.data).toMatchObject({ authorId: w.salesEast1.id, channel: 'visit', version: 1 });
    const after = (await w.salesEast1.api.GET('/api/v1/customers/{id}', { params: { path: { id: customer.id } } })).data!;
    expect(after.lastInteractionAt).toBe('2026-11-20T02:00:00.000Z');
    expect(after.nextFollowUpAt).toBe('2026-11-27T01:00:00.000Z');
    expect(after.version).toBe(1); // bookkeeping, not an edit: concurrent editors are not disturbed
    // An older record, entered late, does not move them back.
    await w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', {
      params: { path: { id: customer.id } },
      body: { occurredAt: '2026-11-01T10:00:00+08:00', channel: 'phone', summary: '补录：电话', nextActionDueAt: '2026-11-05T10:00:00+08:00' },
    });
    const still = (await w.salesEast1.api.GET('/api/v1/customers/{id}', { params: { path: { id: customer.id } } })).data!;
    expect(still).toMatchObject({ lastInteractionAt: '2026-11-20T02:00:00.000Z', nextFollowUpAt: '2026-11-27T01:00:00.000Z' });
  });

  it('lets service record on any customer, refuses auditors, and refuses a contact of another customer', async () => {
    const customer = await createCustomer(w.salesWest);
    const body = { occurredAt: '2026-11-21T15:00:00+08:00', channel: 'online' as const, summary: '在线客服咨询' };
    const byService = await w.service.api.POST('/api/v1/customers/{id}/interactions', { params: { path: { id: customer.id } }, body });
    expect(byService.response.status).toBe(201);
    const byAuditor = await w.auditor.api.POST('/api/v1/customers/{id}/interactions', { params: { path: { id: customer.id } }, body });
    expect(byAuditor.response.status).toBe(403);
    const stranger = await createCustomer(w.salesWest);
    const wrongContact = await w.salesWest.api.POST('/api/v1/customers/{id}/interactions', {
      params: { path: { id: customer.id } },
      body: { ...body, contactId: stranger.contacts[0].id },
    });
    expect(wrongContact.response.status).toBe(422);
    expect(wrongContact.error).toMatchObject({ errors: [{ field: 'contactId' }] });
  });

  it('lets only the author correct a record, keeping the old text in the audit log', async () => {
    const customer = await createCustomer(w.salesEast1);
    const created = (await w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', {
      params: { path: { id: customer.id } },
      body: { occurredAt: '2026-11-21T09:00:00+08:00', channel: 'phone', summary: '客户关注交付周期' },
    })).data!;
    const byManager = await w.managerEast.api.PATCH('/api/v1/interactions/{id}', { params: { path: { id: created.id } }, body: { summary: '经理改写：客户关注付款周期', version: 1 } });
    expect(byManager.response.status).toBe(403);
    expect(byManager.error).toMatchObject({ code: 'NOT_AUTHOR' });
    const corrected = await w.salesEast1.api.PATCH('/api/v1/interactions/{id}', {
      params: { path: { id: created.id } },
      body: { summary: '客户关注付款周期（更正）', version: 1 },
    });
    expect(corrected.data).toMatchObject({ summary: '客户关注付款周期（更正）', version: 2 });
    const { rows } = await t.db.query(`SELECT before->>'summary' AS old, after->>'summary' AS new FROM audit_log WHERE action = 'interaction.correct' AND entity_id = $1`, [
      created.id,
    ]);
    expect(rows).toEqual([{ old: '客户关注交付周期', new: '客户关注付款周期（更正）' }]);
  });

  it('lists records within the caller\'s scope, newest first, by time range', async () => {
    const mine = await createCustomer(w.salesWest);
    const theirs = await createCustomer(w.salesEast2);
    for (const [actor, customer, at] of [
      [w.salesWest, mine, '2026-10-01T10:00:00Z'],
      [w.salesWest, mine, '2026-10-02T10:00:00Z'],
      [w.salesEast2, theirs, '2026-10-01T12:00:00Z'],
    ] as const) {
      await actor.api.POST('/api/v1/customers/{id}/interactions', { params: { path: { id: customer.id } }, body: { occurredAt: at, channel: 'email', summary: '邮件发送产品目录' } });
    }
    const range = { from: '2026-10-01T00:00:00Z', to: '2026-10-03T00:00:00Z' };
    const west = (await w.salesWest.api.GET('/api/v1/interactions', { params: { query: range } })).data!.items;
    expect(west.map((i) => [i.customerId, i.occurredAt])).toEqual([
      [mine.id, '2026-10-02T10:00:00.000Z'],
      [mine.id, '2026-10-01T10:00:00.000Z'],
    ]);
    const all = (await w.admin.api.GET('/api/v1/interactions', { params: { query: { ...range, limit: 2 } } })).data!;
    expect(all.items).toHaveLength(2);
    const rest = (await w.admin.api.GET('/api/v1/interactions', { params: { query: { ...range, limit: 2, cursor: all.nextCursor! } } })).data!;
    expect([...all.items, ...rest.items].map((i) => i.occurredAt)).toEqual(['2026-10-02T10:00:00.000Z', '2026-10-01T12:00:00.000Z', '2026-10-01T10:00:00.000Z']);
    expect((await w.salesWest.api.GET('/api/v1/interactions', { params: { query: { ...range, ownerId: w.salesEast2.id } } })).data!.items).toEqual([]);
  });
});
