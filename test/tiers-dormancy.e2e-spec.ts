import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, World } from './support/world';

/** Issue 12: tiers set by hand stay, the dormant tier follows dormancy, activity counts, complaints keep a customer alive. */

let t: TestApp;
let w: World;
let tiers: Record<string, { id: string; version: number }>;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  const list = (await w.admin.api.GET('/api/v1/tiers')).data!;
  tiers = Object.fromEntries(list.map((x) => [x.code, x]));
});
afterAll(() => t.close());

const day = 86_400_000;
const yearsAgo = (n: number) => `${new Date().getUTCFullYear() - n}-01-01`;
const path = (id: string) => ({ params: { path: { id } } });

/** A department of its own (evaluation works on a manager's whole department), with a manager and a seller. */
async function team(name: string): Promise<{ manager: Actor; seller: Actor; departmentId: string }> {
  const departmentId = await t.department(name);
  return { departmentId, manager: await t.userClient('manager', { departmentId }), seller: await t.userClient('sales', { departmentId }) };
}

const evaluate = (actor: Actor, dryRun: boolean) => actor.api.POST('/api/v1/tiers/evaluate', { body: { dryRun } }).then((r) => r.data!);
const tierHistory = (actor: Actor, id: string) => actor.api.GET('/api/v1/customers/{id}/tier-history', path(id)).then((r) => r.data!);
const tierOf = async (id: string) => (await t.db.query(`SELECT t.code FROM customers c JOIN tiers t ON t.id = c.tier_id WHERE c.id = $1`, [id])).rows[0].code;

/** No interaction for 400 days (created 500 days ago), nothing planned: what the dormancy sweep archives. */
const makeStale = (ids: string[]) =>
  t.db.query(`UPDATE customers SET created_at = now() - interval '500 days', last_interaction_at = now() - interval '400 days' WHERE id = ANY($1)`, [ids]);
const sweep = async () => {
  const r = await w.admin.api.POST('/api/v1/customers/dormancy-sweep');
  expect(r.response.status).toBe(200);
  return r.data!;
};
const statusOf = async (id: string) => (await t.db.query(`SELECT status FROM customers WHERE id = $1`, [id])).rows[0].status;

describe('a tier set by hand is pinned', () => {
  it('is kept by rule evaluation, and the dry run lists it apart with the tier the rules would give', async () => {
    const { manager, seller } = await team('Pinned tiers');
    // Strategic by decision, before any revenue data exists: the rules alone would say ordinary.
    const chosen = await createCustomer(seller);
    const grown = await createCustomer(seller, { annualRevenue: 20_000_000, cooperationSince: yearsAgo(7), potentialScore: 90 });
    const set = await manager.api.PUT('/api/v1/customers/{id}/tier', { ...path(chosen.id), body: { tierId: tiers.strategic.id, reason: '集团战略合作，营收数据待补' } });
    expect(set.response.status).toBe(200);
    expect(set.data![0]).toMatchObject({ fromTier: 'ordinary', toTier: 'strategic', pinned: true, pinnedUntil: null, reason: '集团战略合作，营收数据待补' });

    const dry = await evaluate(manager, true);
    expect(dry.proposals.map((p) => p.customerId)).toEqual([grown.id]);
    expect(dry).toMatchObject({ total: 1, pinnedTotal: 1, pinned: [{ customerId: chosen.id, tier: 'strategic', rulesTier: 'ordinary', pinnedUntil: null }] });

    const real = await evaluate(manager, false);
    expect(real).toMatchObject({ applied: 1, pinnedTotal: 1, pinned: [{ customerId: chosen.id, tier: 'strategic', rulesTier: 'ordinary' }] });
    expect(await tierOf(chosen.id)).toBe('strategic');
    expect(await tierOf(grown.id)).toBe('strategic');
    expect((await tierHistory(seller, chosen.id)).map((h) => h.reason)).toEqual(['集团战略合作，营收数据待补']);
  });

  it('a tier set by hand with pinned: false is the rules\' again at the next evaluation', async () => {
    const { manager, seller } = await team('Unpinned hand tiers');
    const c = await createCustomer(seller);
    const set = await manager.api.PUT('/api/v1/customers/{id}/tier', { ...path(c.id), body: { tierId: tiers.core.id, pinned: false, reason: '临时调整' } });
    expect(set.data![0]).toMatchObject({ toTier: 'core', pinned: false });
    const dry = await evaluate(manager, true);
    expect(dry).toMatchObject({ pinnedTotal: 0, proposals: [{ customerId: c.id, fromTier: 'core', toTier: 'ordinary' }] });
  });

  it('is released only by the owner\'s manager or an admin, and evaluation then applies the rules', async () => {
    const { manager, seller } = await team('Pin release');
    const otherManager = await t.userClient('manager', { departmentId: w.west });
    const c = await createCustomer(seller);
    await manager.api.PUT('/api/v1/customers/{id}/tier', { ...path(c.id), body: { tierId: tiers.core.id, reason: '重点扶持' } });
    const release = { ...path(c.id), body: { pinned: false, reason: '扶持期结束' } };

    // The owner (sales), other roles, and a manager of another department may not.
    const bySeller = await seller.api.PUT('/api/v1/customers/{id}/tier', release);
    expect([bySeller.response.status, bySeller.error?.code]).toEqual([403, 'FORBIDDEN']);
    for (const other of [w.service, w.marketing, w.auditor]) {
      expect((await other.api.PUT('/api/v1/customers/{id}/tier', release)).response.status).toBe(403);
    }
    const byOtherManager = await otherManager.api.PUT('/api/v1/customers/{id}/tier', release);
    expect([byOtherManager.response.status, byOtherManager.error?.code]).toEqual([404, 'NOT_FOUND']);
    expect((await evaluate(manager, true)).pinned.map((p) => p.customerId)).toEqual([c.id]);

    // Nonsense is refused, naming the field.
    const nothing = await manager.api.PUT('/api/v1/customers/{id}/tier', { ...path(c.id), body: { reason: '无' } });
    expect(nothing.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'pinned' }] });
    const past = await manager.api.PUT('/api/v1/customers/{id}/tier', { ...path(c.id), body: { pinned: true, pinnedUntil: new Date(Date.now() - day).toISOString(), reason: '过期' } });
    expect(past.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'pinnedUntil' }] });
    const releaseWithEnd = await manager.api.PUT('/api/v1/customers/{id}/tier', {
      ...path(c.id),
      body: { pinned: false, pinnedUntil: new Date(Date.now() + day).toISOString(), reason: '矛盾' },
    });
    expect(releaseWithEnd.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'pinnedUntil' }] });

    // The department's manager releases: a history row, the tier unchanged until the rules speak.
    const released = await manager.api.PUT('/api/v1/customers/{id}/tier', release);
    expect(released.response.status).toBe(200);
    expect(released.data![0]).toMatchObject({ fromTier: 'core', toTier: 'core', pinned: false, reason: '扶持期结束', changedBy: manager.id });
    const audit = await t.db.query(`SELECT before, after, reason FROM audit_log WHERE action = 'customer.tier' AND entity_id = $1 ORDER BY id DESC LIMIT 1`, [c.id]);
    expect(audit.rows[0]).toMatchObject({ before: { tierPinned: true }, after: { tierPinned: false, tierCode: 'core' }, reason: '扶持期结束' });
    const real = await evaluate(manager, false);
    expect(real).toMatchObject({ pinnedTotal: 0, proposals: [{ customerId: c.id, fromTier: 'core', toTier: 'ordinary' }] });
    expect(await tierOf(c.id)).toBe('ordinary');

    // An admin may pin the current tier (no tierId) and release it too.
    const pinnedByAdmin = await w.admin.api.PUT('/api/v1/customers/{id}/tier', { ...path(c.id), body: { pinned: true, reason: '总部决定保持' } });
    expect(pinnedByAdmin.data![0]).toMatchObject({ fromTier: 'ordinary', toTier: 'ordinary', pinned: true, changedBy: w.admin.id });
    expect((await evaluate(manager, true)).pinned.map((p) => p.customerId)).toEqual([c.id]);
    expect((await w.admin.api.PUT('/api/v1/customers/{id}/tier', release)).data![0]).toMatchObject({ pinned: false, changedBy: w.admin.id });
    expect((await evaluate(manager, true)).pinnedTotal).toBe(0);
  });

  it('ends by itself at the expiry given when it was set', async () => {
    const { manager, seller } = await team('Pin expiry');
    const c = await createCustomer(seller);
    const until = new Date(Date.now() + 30 * day).toISOString();
    const set = await manager.api.PUT('/api/v1/customers/{id}/tier', { ...path(c.id), body: { tierId: tiers.core.id, pinnedUntil: until, reason: '季度重点' } });
    expect(set.data![0]).toMatchObject({ toTier: 'core', pinned: true, pinnedUntil: until });
    expect((await evaluate(manager, true)).pinned).toEqual([{ customerId: c.id, tier: 'core', rulesTier: 'ordinary', pinnedUntil: until }]);
    const tooFar = await manager.api.PUT('/api/v1/customers/{id}/tier', { ...path(c.id), body: { pinned: true, pinnedUntil: '2099-01-01T00:00:00Z', reason: '永久' } });
    expect(tooFar.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'pinnedUntil' }] });

    // Time passes (the clock cannot be moved through the API).
    await t.db.query(`UPDATE customers SET tier_pinned_until = now() - interval '1 second' WHERE id = $1`, [c.id]);
    const real = await evaluate(manager, false);
    expect(real).toMatchObject({ pinnedTotal: 0, proposals: [{ customerId: c.id, fromTier: 'core', toTier: 'ordinary' }] });
    expect((await tierHistory(seller, c.id))[0]).toMatchObject({ toTier: 'ordinary', pinned: false, pinnedUntil: null, reason: 'rule evaluation' });
  });
});

describe('the dormant tier follows dormancy', () => {
  it('the sweep moves archived customers to the dormant tier (its pin ends), reactivation to the tier the rules give', async () => {
    const { manager, seller } = await team('Dormant tier');
    const solid = await createCustomer(seller, { annualRevenue: 2_000_000, cooperationSince: yearsAgo(2), potentialScore: 60 });
    const pinned = await createCustomer(seller);
    await manager.api.PUT('/api/v1/customers/{id}/tier', { ...path(pinned.id), body: { tierId: tiers.strategic.id, reason: '战略' } });
    await makeStale([solid.id, pinned.id]);

    await sweep();
    for (const c of [solid, pinned]) {
      expect(await statusOf(c.id)).toBe('dormant');
      expect(await tierOf(c.id)).toBe('dormant');
    }
    const history = await tierHistory(manager, solid.id);
    expect(history[0]).toMatchObject({
      fromTier: 'ordinary',
      toTier: 'dormant',
      pinned: false,
      changedBy: null,
      reason: 'archived as dormant: no interaction for over 365 days and no follow-up planned',
    });
    expect((await tierHistory(manager, pinned.id))[0]).toMatchObject({ fromTier: 'strategic', toTier: 'dormant', pinned: false });
    const audit = await t.db.query(`SELECT before, after FROM audit_log WHERE action = 'customer.dormant' AND entity_id = $1`, [solid.id]);
    expect(audit.rows).toEqual([{ before: { status: 'active', tierId: tiers.ordinary.id }, after: expect.objectContaining({ status: 'dormant', tierId: tiers.dormant.id }) }]);
    // Archived: its tier is the archive's, not set by hand.
    const setArchived = await manager.api.PUT('/api/v1/customers/{id}/tier', { ...path(solid.id), body: { tierId: tiers.core.id, reason: '直接调级' } });
    expect([setArchived.response.status, setArchived.error?.code]).toEqual([409, 'CUSTOMER_ARCHIVED']);

    const back = await manager.api.POST('/api/v1/customers/{id}/reactivate', { ...path(solid.id), body: { reason: '客户重新询价' } });
    expect(back.data).toMatchObject({ status: 'active', tierId: tiers.core.id });
    expect((await tierHistory(manager, solid.id))[0]).toMatchObject({ fromTier: 'dormant', toTier: 'core', pinned: false, changedBy: manager.id, reason: expect.stringMatching(/reactivated/) });
    // The pin ended with the archiving: the rules decide, and evaluation has nothing to keep.
    const backPinned = await manager.api.POST('/api/v1/customers/{id}/reactivate', { ...path(pinned.id), body: { reason: '恢复合作' } });
    expect(backPinned.data).toMatchObject({ status: 'active', tierId: tiers.ordinary.id });
    expect(await evaluate(manager, true)).toMatchObject({ total: 0, pinnedTotal: 0 });
  });

  it('managers see their department\'s dormant customers due for a re-activation attempt, 90 days after the last attempt', async () => {
    const { departmentId, manager, seller } = await team('Reactivation due');
    const [justArchived, nothingSince, contactedSince, contactedRecently] = [
      await createCustomer(seller),
      await createCustomer(seller),
      await createCustomer(seller),
      await createCustomer(seller),
    ];
    const all = [justArchived, nothingSince, contactedSince, contactedRecently];
    await makeStale(all.map((c) => c.id));
    await sweep();
    const dueList = async (actor: Actor, query: Record<string, string> = {}) =>
      (await actor.api.GET('/api/v1/follow-ups/due', { params: { query: { scope: 'department', status: 'dormant', limit: 100, ...query } as never } })).data!.items;

    // Just archived: the first attempt is due 90 days after the archiving.
    const soon = await dueList(manager);
    expect(soon.map((x) => x.customerId)).toEqual([]);
    const in91 = await dueList(manager, { before: new Date(Date.now() + 91 * day).toISOString() });
    expect(in91.map((x) => x.customerId).sort()).toEqual(all.map((c) => c.id).sort());
    expect(in91[0]).toMatchObject({ tier: { code: 'dormant' } });
    expect((await dueList(manager, { before: new Date(Date.now() + 89 * day).toISOString() })).map((x) => x.customerId)).toEqual([]);

    // Archived 100 days ago; an attempt since the archiving restarts the 90 days, one before it does not.
    await t.db.query(`UPDATE customers SET archived_at = now() - interval '100 days' WHERE id = ANY($1)`, [[nothingSince.id, contactedSince.id, contactedRecently.id]]);
    const attempt = (id: string, daysAgo: number) =>
      manager.api.POST('/api/v1/customers/{id}/interactions', { ...path(id), body: { occurredAt: new Date(Date.now() - daysAgo * day).toISOString(), channel: 'email', summary: '发送激活优惠邮件' } });
    expect((await attempt(nothingSince.id, 120)).response.status).toBe(201); // before the archiving
    expect((await attempt(contactedSince.id, 95)).response.status).toBe(201);
    expect((await attempt(contactedRecently.id, 30)).response.status).toBe(201);
    const due = await dueList(manager);
    expect(due.map((x) => [x.customerId, x.daysOverdue])).toEqual([
      [nothingSince.id, 10],
      [contactedSince.id, 5],
    ]);
    expect(due[0]).toMatchObject({ departmentId, tier: { code: 'dormant' }, preferredChannel: 'email' });

    // Only for who sees the archive: the seller's list is empty, another department's manager sees none, an admin sees them.
    expect(await dueList(seller, { scope: 'mine' })).toEqual([]);
    expect((await dueList(w.managerWest)).map((x) => x.customerId)).toEqual([]);
    expect((await dueList(w.admin, { scope: 'all' })).map((x) => x.customerId)).toEqual(expect.arrayContaining([nothingSince.id, contactedSince.id]));
    // The ordinary due list never shows archived customers.
    const active = (await manager.api.GET('/api/v1/follow-ups/due', { params: { query: { scope: 'department', limit: 100 } } })).data!.items.map((x) => x.customerId);
    expect(active).not.toContain(nothingSince.id);
  });
});

describe('the dormancy sweep skips customers with complaints', () => {
  const complaintFor = async (customerId: string) => {
    const r = await w.service.api.POST('/api/v1/complaints', {
      body: {
        customerId,
        channel: 'phone',
        category: 'delivery',
        severity: 'general',
        title: '到货延迟',
        description: '货物晚到三天',
        customerMood: 'upset',
        receivedAt: new Date(Date.now() - 60_000).toISOString(),
      } as never,
    });
    if (!r.data) throw new Error(JSON.stringify(r.error));
    return r.data;
  };
  const resolve = async (complaintId: string, manager: Actor) => {
    const step = (actor: Actor, action: 'assign' | 'start' | 'resolve', body?: Record<string, unknown>) =>
      actor.api.POST(`/api/v1/complaints/{id}/${action}` as '/api/v1/complaints/{id}/start', { ...path(complaintId), body: body as never });
    expect((await step(manager, 'assign', { assigneeId: w.service.id })).response.status).toBe(200);
    expect((await step(w.service, 'start')).response.status).toBe(200);
    expect((await step(w.service, 'resolve', { resolution: '补发并致歉' })).response.status).toBe(200);
  };

  it('an open complaint, or one resolved within 30 days, keeps the customer active; the others still go dormant', async () => {
    const [open, recentlyResolved, longResolved, plain] = [
      await createCustomer(w.salesEast1),
      await createCustomer(w.salesEast1),
      await createCustomer(w.salesEast1),
      await createCustomer(w.salesEast1),
    ];
    await complaintFor(open.id);
    const recent = await complaintFor(recentlyResolved.id);
    await resolve(recent.id, w.managerEast);
    const old = await complaintFor(longResolved.id);
    await resolve(old.id, w.managerEast);
    await t.db.query(`UPDATE complaints SET resolved_at = now() - interval '10 days' WHERE id = $1`, [recent.id]);
    await t.db.query(`UPDATE complaints SET received_at = now() - interval '45 days', resolved_at = now() - interval '40 days' WHERE id = $1`, [old.id]);
    await makeStale([open.id, recentlyResolved.id, longResolved.id, plain.id]);

    await sweep();
    expect(await statusOf(open.id)).toBe('active');
    expect(await statusOf(recentlyResolved.id)).toBe('active');
    expect(await statusOf(longResolved.id)).toBe('dormant');
    expect(await statusOf(plain.id)).toBe('dormant');
    expect(await tierOf(open.id)).toBe('ordinary');

    // Once the recent resolution is over 30 days old, that customer goes dormant too.
    await t.db.query(`UPDATE complaints SET received_at = now() - interval '35 days', resolved_at = now() - interval '31 days' WHERE id = $1`, [recent.id]);
    await sweep();
    expect(await statusOf(recentlyResolved.id)).toBe('dormant');
    expect(await statusOf(open.id)).toBe('active');
  });
});

describe('activity is a tier criterion', () => {
  it('minInteractions90d counts the interactions of the last 90 days, set-based in evaluation', async () => {
    const { manager, seller } = await team('Activity');
    const created = await w.admin.api.POST('/api/v1/tiers', {
      body: { code: 'engaged', name: '活跃客户', rank: 25, contactCadenceDays: 21, preferredChannel: 'phone', responseTargetMinutes: 240, criteria: { minInteractions90d: 2 } },
    });
    expect(created.response.status).toBe(201);
    expect(created.data!.criteria).toEqual({ minInteractions90d: 2 });
    const bad = await w.admin.api.PATCH('/api/v1/tiers/{id}', { ...path(created.data!.id), body: { criteria: { minInteractions90d: -1 }, version: created.data!.version } });
    expect(bad.error).toMatchObject({ code: 'VALIDATION_FAILED' });

    const [lively, lapsed, once] = [await createCustomer(seller), await createCustomer(seller), await createCustomer(seller)];
    await t.db.query(`UPDATE customers SET created_at = now() - interval '300 days' WHERE id = ANY($1)`, [[lively.id, lapsed.id, once.id]]);
    const interact = (id: string, daysAgo: number) =>
      seller.api.POST('/api/v1/customers/{id}/interactions', { ...path(id), body: { occurredAt: new Date(Date.now() - daysAgo * day).toISOString(), channel: 'phone', summary: '电话沟通采购计划' } });
    for (const [id, daysAgo] of [
      [lively.id, 10],
      [lively.id, 80],
      [lapsed.id, 100],
      [lapsed.id, 120],
      [once.id, 5],
    ] as const) {
      expect((await interact(id, daysAgo)).response.status).toBe(201);
    }
    const dry = await evaluate(manager, true);
    expect(dry.proposals).toEqual([{ customerId: lively.id, fromTier: 'ordinary', toTier: 'engaged', because: 'interactions90d 2 ≥ 2' }]);
    expect((await evaluate(manager, false)).applied).toBe(1);
    expect(await tierOf(lively.id)).toBe('engaged');
    expect(await tierOf(lapsed.id)).toBe('ordinary');
  });
});
