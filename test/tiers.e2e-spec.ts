import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, World } from './support/world';

let t: TestApp;
let w: World;
let tiers: Record<string, { id: string; contactCadenceDays: number; version: number }>;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  const list = (await w.admin.api.GET('/api/v1/tiers')).data!;
  tiers = Object.fromEntries(list.map((x) => [x.code, x]));
});
afterAll(() => t.close());

const day = 86_400_000;

describe('tiers and cadence', () => {
  it('starts with the four default tiers, highest rank first, and new customers in the ordinary tier', async () => {
    const list = (await w.salesEast1.api.GET('/api/v1/tiers')).data!;
    expect(list.map((x) => [x.code, x.contactCadenceDays])).toEqual([
      ['strategic', 30],
      ['core', 14],
      ['ordinary', 30],
      ['dormant', 90],
    ]);
    const customer = await createCustomer(w.salesEast1);
    expect(customer.tierId).toBe(tiers.ordinary.id);
    // Never contacted: due one cadence after creation.
    expect(Date.parse(customer.nextFollowUpAt!) - Date.parse(customer.createdAt)).toBe(30 * day);
  });

  it('moves a customer by the manager, with a reason, and recomputes the follow-up date', async () => {
    const customer = await createCustomer(w.salesEast1);
    const path = { params: { path: { id: customer.id } } };
    expect((await w.salesEast1.api.PUT('/api/v1/customers/{id}/tier', { ...path, body: { tierId: tiers.core.id, reason: '升级' } })).response.status).toBe(403);
    const noReason = await w.managerEast.api.PUT('/api/v1/customers/{id}/tier', { ...path, body: { tierId: tiers.core.id } as never });
    expect(noReason.response.status).toBe(400);
    expect(noReason.error!.errors!.map((e) => e.field)).toContain('reason');
    expect((await w.managerWest.api.PUT('/api/v1/customers/{id}/tier', { ...path, body: { tierId: tiers.core.id, reason: 'x' } })).response.status).toBe(404);
    const moved = await w.managerEast.api.PUT('/api/v1/customers/{id}/tier', { ...path, body: { tierId: tiers.core.id, reason: '年采购额增长' } });
    expect(moved.data).toEqual([expect.objectContaining({ fromTier: 'ordinary', toTier: 'core', reason: '年采购额增长', changedBy: w.managerEast.id })]);
    const after = (await w.salesEast1.api.GET('/api/v1/customers/{id}', path)).data!;
    expect(after.tierId).toBe(tiers.core.id);
    expect(Date.parse(after.nextFollowUpAt!) - Date.parse(after.createdAt)).toBe(14 * day);
    const history = (await w.salesEast1.api.GET('/api/v1/customers/{id}/history', path)).data!.items;
    expect(history[0]).toMatchObject({ action: 'customer.tier', reason: '年采购额增长', after: expect.objectContaining({ tierCode: 'core' }) });
  });

  it('takes the earlier of cadence and the next action\'s due date', async () => {
    const customer = await createCustomer(w.salesEast1);
    const path = { params: { path: { id: customer.id } } };
    const at = new Date(Date.now() - 2 * day).toISOString();
    const soon = new Date(Date.now() + 3 * day).toISOString();
    await w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', { ...path, body: { occurredAt: at, channel: 'phone', summary: '首次电话，介绍公司产品', nextActionDueAt: soon } });
    expect((await w.salesEast1.api.GET('/api/v1/customers/{id}', path)).data!.nextFollowUpAt).toBe(soon);
    const later = new Date(Date.now() + 60 * day).toISOString();
    const at2 = new Date(Date.now() - day).toISOString();
    await w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', { ...path, body: { occurredAt: at2, channel: 'email', summary: '邮件发送报价单', nextActionDueAt: later } });
    expect((await w.salesEast1.api.GET('/api/v1/customers/{id}', path)).data!.nextFollowUpAt).toBe(new Date(Date.parse(at2) + 30 * day).toISOString());
  });

  it('lists due follow-ups, most overdue first, scoped by role', async () => {
    const seller = await t.userClient('sales', { departmentId: w.west });
    const other = await t.userClient('sales', { departmentId: w.west });
    const a = await createCustomer(seller);
    const b = await createCustomer(seller);
    const c = await createCustomer(other);
    await t.db.query(`UPDATE customers SET next_follow_up_at = now() - interval '5 days' WHERE id = $1`, [a.id]);
    await t.db.query(`UPDATE customers SET next_follow_up_at = now() - interval '1 day' WHERE id = $1`, [b.id]);
    await t.db.query(`UPDATE customers SET next_follow_up_at = now() - interval '3 days' WHERE id = $1`, [c.id]);
    const mine = (await seller.api.GET('/api/v1/follow-ups/due')).data!.items;
    expect(mine.map((x) => [x.customerId, x.daysOverdue])).toEqual([
      [a.id, 5],
      [b.id, 1],
    ]);
    expect(mine[0]).toMatchObject({ ownerId: seller.id, tier: { code: 'ordinary' }, preferredChannel: 'email' });
    // sales asking for the department still see only their own
    expect((await seller.api.GET('/api/v1/follow-ups/due', { params: { query: { scope: 'department' } } })).data!.items.map((x) => x.customerId)).toEqual([a.id, b.id]);
    const manager = (await w.managerWest.api.GET('/api/v1/follow-ups/due', { params: { query: { scope: 'department' } } })).data!.items.map((x) => x.customerId);
    expect(manager.filter((id) => [a.id, b.id, c.id].includes(id))).toEqual([a.id, c.id, b.id]);
    expect((await w.managerEast.api.GET('/api/v1/follow-ups/due', { params: { query: { scope: 'all' } } })).data!.items.map((x) => x.customerId)).not.toContain(a.id);
    const page1 = (await seller.api.GET('/api/v1/follow-ups/due', { params: { query: { limit: 1 } } })).data!;
    const page2 = (await seller.api.GET('/api/v1/follow-ups/due', { params: { query: { limit: 1, cursor: page1.nextCursor! } } })).data!;
    expect([...page1.items, ...page2.items].map((x) => x.customerId)).toEqual([a.id, b.id]);
    const dueOnly = (await seller.api.GET('/api/v1/customers', { params: { query: { followUpDue: true } } })).data!.items.map((x) => x.id);
    expect(dueOnly.sort()).toEqual([a.id, b.id].sort());
  });

  it('evaluates the criteria: a dry run changes nothing and the real run applies exactly what it proposed', async () => {
    const manager = await t.userClient('manager', { departmentId: await t.department('Evaluation') });
    const seller = await t.userClient('sales', { departmentId: await t.department('Evaluation') });
    const yearsAgo = (n: number) => `${new Date().getUTCFullYear() - n}-01-01`;
    const big = await createCustomer(seller, { annualRevenue: 20_000_000, cooperationSince: yearsAgo(7), potentialScore: 90 });
    const mid = await createCustomer(seller, { annualRevenue: 2_000_000, cooperationSince: yearsAgo(2), potentialScore: 60 });
    const small = await createCustomer(seller, { annualRevenue: 50_000 });
    const outside = await createCustomer(w.salesWest, { annualRevenue: 20_000_000, cooperationSince: yearsAgo(7), potentialScore: 90 });
    const dry = (await manager.api.POST('/api/v1/tiers/evaluate', { body: { dryRun: true } })).data!;
    expect(dry).toMatchObject({ dryRun: true, applied: 0, truncated: false });
    const proposals = [...dry.proposals].sort((x, y) => x.customerId.localeCompare(y.customerId));
    expect(proposals).toEqual(
      [
        { customerId: big.id, fromTier: 'ordinary', toTier: 'strategic', because: 'annualRevenue 20000000 ≥ 10000000; cooperationYears 7 ≥ 3; potentialScore 90 ≥ 80' },
        { customerId: mid.id, fromTier: 'ordinary', toTier: 'core', because: 'annualRevenue 2000000 ≥ 1000000; cooperationYears 2 ≥ 1; potentialScore 60 ≥ 50' },
      ].sort((x, y) => x.customerId.localeCompare(y.customerId)),
    );
    expect(proposals.map((p) => p.customerId)).not.toContain(outside.id);
    expect(proposals.map((p) => p.customerId)).not.toContain(small.id);
    const tiersNow = async () => (await t.db.query(`SELECT id, tier_id FROM customers WHERE id = ANY($1)`, [[big.id, mid.id]])).rows.map((r) => r.tier_id);
    expect(new Set(await tiersNow())).toEqual(new Set([tiers.ordinary.id]));

    const real = (await manager.api.POST('/api/v1/tiers/evaluate', { body: { dryRun: false } })).data!;
    expect([...real.proposals].sort((x, y) => x.customerId.localeCompare(y.customerId))).toEqual(proposals);
    expect(real.applied).toBe(2);
    const history = (await seller.api.GET('/api/v1/customers/{id}/tier-history', { params: { path: { id: big.id } } })).data!;
    expect(history).toEqual([expect.objectContaining({ fromTier: 'ordinary', toTier: 'strategic', reason: 'rule evaluation' })]);
    const audit = await t.db.query(`SELECT reason FROM audit_log WHERE action = 'customer.tier' AND entity_id = $1`, [mid.id]);
    expect(audit.rows).toEqual([{ reason: 'rule evaluation' }]);
    expect((await manager.api.POST('/api/v1/tiers/evaluate', { body: { dryRun: true } })).data!.total).toBe(0);
  });

  it('moves the follow-up dates of a tier\'s customers when its cadence changes', async () => {
    const customer = await createCustomer(w.salesWest);
    const core = (await w.admin.api.GET('/api/v1/tiers')).data!.find((x) => x.code === 'dormant')!;
    await w.admin.api.PUT('/api/v1/customers/{id}/tier', { params: { path: { id: customer.id } }, body: { tierId: core.id, reason: '长期无业务' } });
    const updated = await w.admin.api.PATCH('/api/v1/tiers/{id}', { params: { path: { id: core.id } }, body: { contactCadenceDays: 60, version: core.version } });
    expect(updated.data).toMatchObject({ contactCadenceDays: 60 });
    const after = (await w.salesWest.api.GET('/api/v1/customers/{id}', { params: { path: { id: customer.id } } })).data!;
    expect(Date.parse(after.nextFollowUpAt!) - Date.parse(after.createdAt)).toBe(60 * day);
    expect((await w.managerWest.api.PATCH('/api/v1/tiers/{id}', { params: { path: { id: core.id } }, body: { contactCadenceDays: 10, version: 2 } })).response.status).toBe(403);
  });
});
