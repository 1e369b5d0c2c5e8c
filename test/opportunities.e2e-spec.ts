import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, Customer, World } from './support/world';
import type { components } from './support/test-app';

/** Issue 16: sales opportunities, their stages and pipeline, and how they go with their customer. */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

type CreateOpportunity = components['schemas']['CreateOpportunityDto'];
const at = (id: string) => ({ params: { path: { id } } });
const approve = (actor: Actor, id: string) => actor.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id } }, body: { comment: '同意' } });

function body(overrides: Partial<CreateOpportunity> = {}): CreateOpportunity {
  return {
    title: '二期产线改造项目',
    source: 'referral',
    amount: 1_200_000,
    expectedCloseDate: '2027-03-31',
    stage: 'lead',
    strategy: '突出本地化服务与交付周期优势',
    competitors: [{ name: '某竞品公司', notes: '报价低 10%' }],
    ...overrides,
  };
}

async function open(actor: Actor, customer: Customer, overrides: Partial<CreateOpportunity> = {}) {
  const r = await actor.api.POST('/api/v1/customers/{id}/opportunities', { ...at(customer.id), body: body(overrides) });
  expect(r.response.status).toBe(201);
  return r.data!;
}

async function patch(actor: Actor, id: string, changes: Record<string, unknown>, ifMatch?: string) {
  const current = (await w.admin.api.GET('/api/v1/opportunities/{id}', at(id))).data!;
  return actor.api.PATCH('/api/v1/opportunities/{id}', {
    ...at(id),
    body: ifMatch ? changes : { version: current.version, ...changes },
    headers: ifMatch ? { 'if-match': ifMatch } : {},
  });
}

async function auditOf(entityType: string, entityId: string) {
  const r = await w.auditor.api.GET('/api/v1/audit-logs', { params: { query: { entityType, entityId, limit: 100 } } });
  return r.data!.items;
}

describe('opportunities: create, read, change', () => {
  it('records an opportunity owned by the customer\'s owner, with the stage\'s default probability and the first stage change', async () => {
    const customer = await createCustomer(w.salesEast1);
    const created = await open(w.salesEast1, customer, { contactIds: [customer.contacts[0].id] });
    expect(created).toMatchObject({ customerId: customer.id, ownerId: w.salesEast1.id, departmentId: w.east, stage: 'lead', outcome: 'open', probability: 10, amount: 1200000, version: 1 });
    const got = await w.salesEast1.api.GET('/api/v1/opportunities/{id}', at(created.id));
    expect(got.response.headers.get('etag')).toBe('"1"');
    expect(got.data!.stageChanges).toEqual([expect.objectContaining({ fromStage: null, toStage: 'lead', changedBy: w.salesEast1.id })]);
    expect((await auditOf('opportunity', created.id)).map((e) => e.action)).toEqual(['opportunity.create']);
  });

  it('refuses a stage that does not exist and contacts of another customer', async () => {
    const customer = await createCustomer(w.salesEast1);
    const other = await createCustomer(w.salesEast1);
    const badStage = await w.salesEast1.api.POST('/api/v1/customers/{id}/opportunities', { ...at(customer.id), body: body({ stage: 'nonsense' }) });
    expect(badStage.response.status).toBe(400);
    const badContact = await w.salesEast1.api.POST('/api/v1/customers/{id}/opportunities', { ...at(customer.id), body: body({ contactIds: [other.contacts[0].id] }) });
    expect(badContact.response.status).toBe(422);
  });

  it('only a manager (or admin) names another owner, a member of the customer\'s department', async () => {
    const customer = await createCustomer(w.salesEast1);
    const bySeller = await w.salesEast1.api.POST('/api/v1/customers/{id}/opportunities', { ...at(customer.id), body: body({ ownerId: w.salesEast2.id }) });
    expect(bySeller.response.status).toBe(422);
    expect(bySeller.error).toMatchObject({ code: 'OWNER_INVALID' });
    const outsider = await w.managerEast.api.POST('/api/v1/customers/{id}/opportunities', { ...at(customer.id), body: body({ ownerId: w.salesWest.id }) });
    expect(outsider.error).toMatchObject({ code: 'OWNER_INVALID' });
    const assigned = await open(w.managerEast, customer, { ownerId: w.salesEast2.id });
    expect(assigned.ownerId).toBe(w.salesEast2.id);
    // the named owner sees and works it without seeing the customer
    expect((await w.salesEast2.api.GET('/api/v1/customers/{id}', at(customer.id))).response.status).toBe(404);
    expect((await w.salesEast2.api.GET('/api/v1/opportunities/{id}', at(assigned.id))).response.status).toBe(200);
    expect((await patch(w.salesEast2, assigned.id, { stage: 'qualified' })).response.status).toBe(200);
    const list = (await w.salesEast2.api.GET('/api/v1/opportunities', { params: { query: { customerId: customer.id } } })).data!;
    expect(list.items.map((o) => o.id)).toEqual([assigned.id]);
  });

  it('writes need the version read: a stale one is 412, none 428', async () => {
    const customer = await createCustomer(w.salesEast1);
    const o = await open(w.salesEast1, customer);
    const ok = await patch(w.salesEast1, o.id, { amount: 1_300_000.5 }, '"1"');
    expect(ok.response.status).toBe(200);
    expect(ok.data).toMatchObject({ amount: 1300000.5, version: 2 });
    const stale = await patch(w.salesEast1, o.id, { amount: 1 }, '"1"');
    expect(stale.response.status).toBe(412);
    expect(stale.error).toMatchObject({ code: 'VERSION_CONFLICT' });
    const none = await w.salesEast1.api.PATCH('/api/v1/opportunities/{id}', { ...at(o.id), body: { amount: 1 } });
    expect(none.response.status).toBe(428);
    const history = (await w.salesEast1.api.GET('/api/v1/opportunities/{id}/history', { ...at(o.id), params: { path: { id: o.id }, query: {} } })).data!;
    expect(history.items.map((e) => e.action)).toEqual(['opportunity.update', 'opportunity.create']);
    expect(history.items[0]).toMatchObject({ changedFields: ['amount'], before: { amount: 1200000 }, after: { amount: 1300000.5 } });
  });
});

describe('stage rules', () => {
  it('lost needs a reason, won the final amount, reopening a reason; each change is kept with its time', async () => {
    const customer = await createCustomer(w.salesEast1);
    const o = await open(w.salesEast1, customer);
    expect((await patch(w.salesEast1, o.id, { stage: 'proposal' })).data).toMatchObject({ stage: 'proposal', probability: 50 });

    const lostNoReason = await patch(w.salesEast1, o.id, { stage: 'lost' });
    expect(lostNoReason.response.status).toBe(422);
    expect(lostNoReason.error).toMatchObject({ code: 'REASON_REQUIRED', errors: [{ field: 'reason' }] });
    const lost = await patch(w.salesEast1, o.id, { stage: 'lost', reason: '价格高于竞品' });
    expect(lost.data).toMatchObject({ stage: 'lost', outcome: 'lost', probability: 0, lostReason: '价格高于竞品' });
    expect(lost.data!.closedAt).not.toBeNull();

    const reopenNoReason = await patch(w.salesEast1, o.id, { stage: 'negotiation' });
    expect(reopenNoReason.error).toMatchObject({ code: 'REASON_REQUIRED' });
    const reopened = await patch(w.salesEast1, o.id, { stage: 'negotiation', reason: '客户重新询价' });
    expect(reopened.data).toMatchObject({ stage: 'negotiation', outcome: 'open', closedAt: null, lostReason: null, probability: 75 });

    const wonNoAmount = await patch(w.salesEast1, o.id, { stage: 'won' });
    expect(wonNoAmount.response.status).toBe(422);
    expect(wonNoAmount.error).toMatchObject({ code: 'FINAL_AMOUNT_REQUIRED' });
    const won = await patch(w.salesEast1, o.id, { stage: 'won', finalAmount: 1_150_000 });
    expect(won.data).toMatchObject({ stage: 'won', outcome: 'won', finalAmount: 1150000, probability: 100 });

    const detail = (await w.salesEast1.api.GET('/api/v1/opportunities/{id}', at(o.id))).data!;
    expect(detail.stageChanges.map((c) => [c.fromStage, c.toStage])).toEqual([
      [null, 'lead'], ['lead', 'proposal'], ['proposal', 'lost'], ['lost', 'negotiation'], ['negotiation', 'won'],
    ]);
    expect(detail.stageChanges[2].reason).toBe('价格高于竞品');
    expect(detail.stageChanges[1].secondsInPreviousStage).toBeGreaterThanOrEqual(0);
    const actions = (await auditOf('opportunity', o.id)).map((e) => e.action);
    expect(actions.filter((a) => a === 'opportunity.stage_change')).toHaveLength(4);
  });

  it('stages are data: admins replace them, a stage in use cannot be dropped, others may not', async () => {
    const stages = (await w.salesEast1.api.GET('/api/v1/opportunity-stages')).data!;
    expect(stages.map((s) => s.code)).toEqual(['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost']);
    expect(stages.map((s) => s.name)).toEqual(['线索', '需求确认', '方案报价', '商务谈判', '赢单', '输单']);
    const next = stages.map(({ code, name, defaultProbability, outcome }) => ({ code, name, defaultProbability, outcome }));
    expect((await w.managerEast.api.PUT('/api/v1/opportunity-stages', { body: { stages: next } })).response.status).toBe(403);
    const withoutLead = next.filter((s) => s.code !== 'lead');
    const inUse = await w.admin.api.PUT('/api/v1/opportunity-stages', { body: { stages: withoutLead } });
    expect(inUse.response.status).toBe(409);
    expect(inUse.error).toMatchObject({ code: 'IN_USE' });
    const noWon = await w.admin.api.PUT('/api/v1/opportunity-stages', { body: { stages: next.filter((s) => s.outcome !== 'won') } });
    expect(noWon.response.status).toBe(400);
    const renamed = await w.admin.api.PUT('/api/v1/opportunity-stages', { body: { stages: next.map((s) => (s.code === 'qualified' ? { ...s, defaultProbability: 30 } : s)) } });
    expect(renamed.response.status).toBe(200);
    expect(renamed.data!.find((s) => s.code === 'qualified')).toMatchObject({ defaultProbability: 30, position: 2 });
    await w.admin.api.PUT('/api/v1/opportunity-stages', { body: { stages: next } });
  });
});

describe('who sees an opportunity', () => {
  it('as its customer: 404 for whoever cannot see it, 403 for roles without the commercial record', async () => {
    const customer = await createCustomer(w.salesEast1);
    const o = await open(w.salesEast1, customer);
    const status = async (a: Actor) => (await a.api.GET('/api/v1/opportunities/{id}', at(o.id))).response.status;
    expect(await status(w.salesEast1)).toBe(200);
    expect(await status(w.managerEast)).toBe(200);
    expect(await status(w.admin)).toBe(200);
    expect(await status(w.auditor)).toBe(200);
    expect(await status(w.salesEast2)).toBe(404);
    expect(await status(w.salesWest)).toBe(404);
    expect(await status(w.managerWest)).toBe(404);
    expect(await status(w.service)).toBe(403);
    expect(await status(w.marketing)).toBe(403);
    // writes: the auditor reads only; someone who cannot see it gets 404
    expect((await patch(w.auditor, o.id, { title: '改名' })).response.status).toBe(403);
    expect((await patch(w.salesWest, o.id, { title: '改名' })).response.status).toBe(404);
    expect((await w.salesWest.api.POST('/api/v1/customers/{id}/opportunities', { ...at(customer.id), body: body() })).response.status).toBe(404);
    // lists apply the same scope
    const seen = async (a: Actor) => (await a.api.GET('/api/v1/opportunities', { params: { query: { customerId: customer.id } } })).data!.items.map((i) => i.id);
    expect(await seen(w.managerEast)).toEqual([o.id]);
    expect(await seen(w.managerWest)).toEqual([]);
    expect(await seen(w.salesEast2)).toEqual([]);
  });

  it('lists filter by stage, owner, closing date and title, keyset-paginated with signed cursors', async () => {
    const customer = await createCustomer(w.salesEast1);
    const marker = `标记${Date.now()}`;
    for (let i = 0; i < 3; i++) await open(w.salesEast1, customer, { title: `${marker} ${i}`, expectedCloseDate: `2027-0${i + 1}-15` });
    const page1 = (await w.salesEast1.api.GET('/api/v1/opportunities', { params: { query: { q: marker, limit: 2 } } })).data!;
    expect(page1.items.map((o) => o.title)).toEqual([`${marker} 2`, `${marker} 1`]);
    const page2 = (await w.salesEast1.api.GET('/api/v1/opportunities', { params: { query: { q: marker, limit: 2, cursor: page1.nextCursor! } } })).data!;
    expect(page2.items.map((o) => o.title)).toEqual([`${marker} 0`]);
    expect(page2.nextCursor).toBeNull();
    const closing = (await w.salesEast1.api.GET('/api/v1/opportunities', { params: { query: { q: marker, closingBefore: '2027-02-01' } } })).data!;
    expect(closing.items.map((o) => o.title)).toEqual([`${marker} 0`]);
    const forged = await w.salesEast1.api.GET('/api/v1/opportunities', { params: { query: { cursor: 'abc.def' } } });
    expect(forged.error).toMatchObject({ code: 'INVALID_CURSOR' });
  });
});

describe('pipeline', () => {
  it('per stage count, total and weighted amount, won and lost in the period, conversion, on a known data set', async () => {
    // A department of its own, so that nothing else is counted.
    const dept = await t.department(`Pipeline ${Date.now()}`);
    const seller = await t.userClient('sales', { departmentId: dept });
    const manager = await t.userClient('manager', { departmentId: dept });
    const customer = await createCustomer(seller);
    const from = new Date(Date.now() - 60_000).toISOString();
    // four leads of 100 000; two go on to proposal (one then to negotiation and won at 90 000), one lost from lead
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await open(seller, customer, { amount: 100_000, stage: 'lead' })).id);
    await patch(seller, ids[0], { stage: 'proposal' });
    await patch(seller, ids[1], { stage: 'proposal', probability: 60 });
    await patch(seller, ids[0], { stage: 'negotiation' });
    await patch(seller, ids[0], { stage: 'won', finalAmount: 90_000 });
    await patch(seller, ids[2], { stage: 'lost', reason: '预算取消' });
    const to = new Date(Date.now() + 60_000).toISOString();

    const r = await manager.api.GET('/api/v1/opportunities/pipeline', { params: { query: { from, to } } });
    expect(r.response.status).toBe(200);
    const p = r.data!;
    const row = (code: string) => p.stages.find((s) => s.stage === code)!;
    expect(row('lead')).toMatchObject({ count: 1, total: 100000, weighted: 10000, reached: 4, conversionFromPrevious: null });
    expect(row('qualified')).toMatchObject({ count: 0, total: 0, weighted: 0, reached: 2, conversionFromPrevious: 0.5 });
    expect(row('proposal')).toMatchObject({ count: 1, total: 100000, weighted: 60000, reached: 2, conversionFromPrevious: 1 });
    expect(row('negotiation')).toMatchObject({ count: 0, reached: 1, conversionFromPrevious: 0.5 });
    expect(row('won')).toMatchObject({ count: 1, total: 90000, weighted: 90000, reached: 1, conversionFromPrevious: 1 });
    expect(row('lost')).toMatchObject({ count: 1, total: 100000, weighted: 0, conversionFromPrevious: null });
    expect(p).toMatchObject({ wonCount: 1, wonAmount: 90000, lostCount: 1, lostAmount: 100000 });

    // A period before any of it: nothing won or lost, nothing reached.
    const before = (await manager.api.GET('/api/v1/opportunities/pipeline', { params: { query: { to: from } } })).data!;
    expect(before).toMatchObject({ wonCount: 0, lostCount: 0 });
    expect(before.stages.every((s) => s.reached === 0)).toBe(true);
    // Scoped: another department's manager sees none of it.
    const west = (await w.managerWest.api.GET('/api/v1/opportunities/pipeline', { params: { query: { from, to } } })).data!;
    expect(west.wonCount).toBe(0);
    expect((await w.service.api.GET('/api/v1/opportunities/pipeline', { params: { query: {} } })).response.status).toBe(403);
  });
});

describe('opportunities go with their customer', () => {
  it('on a transfer: moved to the new owner, audited on each opportunity, counted on the customer', async () => {
    const customer = await createCustomer(w.salesEast1);
    const mine = await open(w.salesEast1, customer);
    const requested = await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [customer.id], reason: '区域调整' } });
    expect(requested.response.status).toBe(202);
    const done = await approve(w.managerEast, requested.data!.approvalId);
    expect(done.data).toMatchObject({ status: 'approved' });
    const moved = (await w.salesEast2.api.GET('/api/v1/opportunities/{id}', at(mine.id))).data!;
    expect(moved).toMatchObject({ ownerId: w.salesEast2.id, departmentId: w.east });
    expect((await w.salesEast1.api.GET('/api/v1/opportunities/{id}', at(mine.id))).response.status).toBe(404);
    const [entry] = (await auditOf('opportunity', mine.id)).filter((e) => e.action === 'opportunity.transfer_moved');
    expect(entry).toMatchObject({ before: { ownerId: w.salesEast1.id }, after: { ownerId: w.salesEast2.id, transferId: requested.data!.id } });
    const [transfer] = (await auditOf('customer', customer.id)).filter((e) => e.action === 'customer.transfer');
    expect(transfer.after).toMatchObject({ opportunitiesMoved: 1 });
  });

  it('on a merge: moved to the survivor, audited, and counted before and after', async () => {
    const survivor = await createCustomer(w.salesEast1);
    const dup = await createCustomer(w.salesEast1);
    const o = await open(w.salesEast1, dup);
    const preview = await w.managerEast.api.POST('/api/v1/customers/merge-preview', { body: { survivorId: survivor.id, mergedIds: [dup.id] } });
    expect(preview.data!.moves).toMatchObject({ opportunities: 1 });
    const requested = await w.managerEast.api.POST('/api/v1/customers/merge-requests', { body: { survivorId: survivor.id, mergedIds: [dup.id], reason: '同一客户重复建档' } });
    const done = await approve(w.admin, requested.data!.id);
    expect(done.data).toMatchObject({ status: 'approved', result: { movedFromMerged: expect.objectContaining({ opportunities: 1 }) } });
    expect((await w.salesEast1.api.GET('/api/v1/opportunities/{id}', at(o.id))).data).toMatchObject({ customerId: survivor.id });
    const [entry] = (await auditOf('opportunity', o.id)).filter((e) => e.action === 'opportunity.merge_moved');
    expect(entry).toMatchObject({ before: { customerId: dup.id }, after: { customerId: survivor.id } });
    const listed = (await w.salesEast1.api.GET('/api/v1/opportunities', { params: { query: { customerId: survivor.id } } })).data!;
    expect(listed.items.map((i) => i.id)).toEqual([o.id]);
  });
});
