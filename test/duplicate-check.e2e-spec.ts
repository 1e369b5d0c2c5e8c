import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, Customer, World } from './support/world';

/** Issue 13: the duplicate check reads across every customer, so it is bounded and sees active customers only. */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const at = (id: string) => ({ params: { path: { id } } });
const approve = (actor: Actor, id: string) => actor.api.POST('/api/v1/approvals/{id}/approve', { ...at(id), body: { comment: '同意' } });
const check = (actor: Actor, body: { name: string; mobiles?: string[]; emails?: string[] }) => actor.api.POST('/api/v1/customers/duplicate-check', { body });

/** What the check reports of `customer`, probing by its name, its mobile and its e-mail. */
async function reported(actor: Actor, customer: Customer, contact = customer.contacts[0]) {
  const r = await check(actor, { name: customer.name, mobiles: contact.mobile ? [contact.mobile] : [], emails: contact.email ? [contact.email] : [] });
  expect(r.response.status).toBe(200);
  return [...r.data!.duplicates, ...r.data!.similar].filter((d) => d.id === customer.id);
}

describe('bounded input', () => {
  it('refuses a sixth mobile or e-mail with 400 naming the field; five of each pass', async () => {
    const mobiles = Array.from({ length: 6 }, (_, i) => `1390000000${i}`);
    const emails = Array.from({ length: 6 }, (_, i) => `probe.${i}@example.com`);
    const tooManyMobiles = await check(w.managerWest, { name: '边界测试有限公司', mobiles });
    expect(tooManyMobiles.response.status).toBe(400);
    expect(tooManyMobiles.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'mobiles' }] });
    const tooManyEmails = await check(w.managerWest, { name: '边界测试有限公司', emails });
    expect(tooManyEmails.response.status).toBe(400);
    expect(tooManyEmails.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'emails' }] });
    const five = await check(w.managerWest, { name: '边界测试有限公司', mobiles: mobiles.slice(0, 5), emails: emails.slice(0, 5) });
    expect(five.response.status).toBe(200);
  });
});

describe('only active customers are answered', () => {
  it('finds an active customer by name, mobile and e-mail (the control)', async () => {
    const customer = await createCustomer(w.salesEast1);
    const matches = await reported(w.salesEast2, customer);
    expect(matches.map((m) => ('matchedOn' in m ? m.matchedOn : 'similar')).sort()).toEqual(['email', 'mobile', 'name']);
  });

  it('leaves out a customer the dormancy sweep archived, and one in the archived status', async () => {
    const swept = await createCustomer(w.salesEast1);
    const archived = await createCustomer(w.salesEast1);
    await t.db.query(`UPDATE customers SET created_at = now() - interval '500 days', last_interaction_at = now() - interval '400 days' WHERE id = $1`, [swept.id]);
    expect((await w.admin.api.POST('/api/v1/customers/dormancy-sweep')).data).toEqual({ changed: 1 });
    await t.db.query(`UPDATE customers SET status = 'archived', archived_at = now() WHERE id = $1`, [archived.id]);
    expect(await reported(w.salesEast2, swept)).toEqual([]);
    expect(await reported(w.salesEast2, archived)).toEqual([]);
    // The archive still holds the name and numbers: creating the same customer is refused, naming it.
    const again = await w.salesEast2.api.POST('/api/v1/customers', {
      body: { name: swept.name, kind: 'organization', source: 'exhibition', stage: 'prospect', industry: '制造业', contacts: [{ name: '李四', mobile: '13912345670' }] },
    });
    expect(again.response.status).toBe(409);
  });

  it('leaves out a deleted customer', async () => {
    const customer = await createCustomer(w.salesEast1);
    const requested = await w.salesEast1.api.POST('/api/v1/customers/{id}/deletion-requests', { ...at(customer.id), body: { reason: '测试数据' } });
    expect(requested.response.status).toBe(202);
    await approve(w.managerEast, requested.data!.id);
    expect((await approve(w.admin, requested.data!.id)).data).toMatchObject({ status: 'approved' });
    expect(await reported(w.salesEast2, customer)).toEqual([]);
  });

  it('leaves out a customer merged into another (the survivor is found instead)', async () => {
    const survivor = await createCustomer(w.salesEast1);
    const merged = await createCustomer(w.salesEast1);
    const requested = await w.managerEast.api.POST('/api/v1/customers/merge-requests', { body: { survivorId: survivor.id, mergedIds: [merged.id], reason: '重复建档' } });
    expect(requested.response.status).toBe(202);
    expect((await approve(w.admin, requested.data!.id)).data).toMatchObject({ status: 'approved' });
    expect(await reported(w.salesEast2, merged)).toEqual([]);
    expect((await reported(w.salesEast2, survivor)).length).toBeGreaterThan(0);
  });
});

describe('per-user rate', () => {
  it('answers the 31st check within a minute with 429 RATE_LIMITED and Retry-After; other users are not affected', async () => {
    const prober = await t.userClient('sales', { departmentId: w.east });
    for (let i = 0; i < 30; i++) {
      expect((await check(prober, { name: `探测 ${i} 有限公司` })).response.status).toBe(200);
    }
    const refused = await check(prober, { name: '探测 31 有限公司' });
    expect(refused.response.status).toBe(429);
    expect(refused.error).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    const retryAfter = Number(refused.response.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await check(w.salesEast2, { name: '另一个用户 有限公司' })).response.status).toBe(200);
  });
});
