import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, World } from './support/world';

/** Issue 16: activities (marketing events, promotions, visit plans) and who sees them. */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const at = (id: string) => ({ params: { path: { id } } });
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

async function plan(actor: Actor, customerIds: string[], overrides: Record<string, unknown> = {}) {
  const r = await actor.api.POST('/api/v1/activities', {
    body: { kind: 'marketing_event', title: '新品发布会', startsAt: inDays(10), endsAt: inDays(10.2), place: '上海', customerIds, plan: '介绍新产品线', ...overrides },
  });
  expect(r.response.status).toBe(201);
  return r.data!;
}

describe('activities', () => {
  it('a visit plan booked less than 3 days ahead is accepted with a warning; one booked in time has none', async () => {
    const customer = await createCustomer(w.salesEast1);
    const late = await plan(w.salesEast1, [customer.id], { kind: 'visit_plan', startsAt: inDays(1), endsAt: inDays(1.1) });
    expect(late.warnings).toEqual([expect.objectContaining({ code: 'VISIT_BOOKED_LATE' })]);
    const timely = await plan(w.salesEast1, [customer.id], { kind: 'visit_plan', startsAt: inDays(4), endsAt: inDays(4.1) });
    expect(timely.warnings).toEqual([]);
    const event = await plan(w.salesEast1, [customer.id], { startsAt: inDays(1), endsAt: inDays(1.1) });
    expect(event.warnings).toEqual([]);
  });

  it('refuses customers the creator cannot see (404 naming customerIds), an end before the start, and more than 500 customers', async () => {
    const theirs = await createCustomer(w.salesWest);
    const mine = await createCustomer(w.salesEast1);
    const hidden = await w.salesEast1.api.POST('/api/v1/activities', {
      body: { kind: 'promotion', title: '促销', startsAt: inDays(5), endsAt: inDays(6), customerIds: [mine.id, theirs.id], plan: '双十二促销' },
    });
    expect(hidden.response.status).toBe(404);
    expect(hidden.error).toMatchObject({ errors: [{ field: 'customerIds' }] });
    const backwards = await w.salesEast1.api.POST('/api/v1/activities', { body: { kind: 'promotion', title: '促销', startsAt: inDays(5), endsAt: inDays(4), customerIds: [mine.id], plan: '促销' } });
    expect(backwards.response.status).toBe(400);
    const many = await w.salesEast1.api.POST('/api/v1/activities', {
      body: { kind: 'promotion', title: '促销', startsAt: inDays(5), endsAt: inDays(6), customerIds: Array.from({ length: 501 }, () => mine.id), plan: '促销' },
    });
    expect(many.response.status).toBe(400);
    expect((await w.service.api.POST('/api/v1/activities', { body: { kind: 'promotion', title: '促销', startsAt: inDays(5), endsAt: inDays(6), customerIds: [], plan: '促销' } })).response.status).toBe(403);
  });

  it('is seen by its owner, their manager, admins, and whoever sees a linked customer, who sees only the customers they may see', async () => {
    const east = await createCustomer(w.salesEast1);
    const west = await createCustomer(w.salesWest);
    // an admin plans an event for both, owned by the East manager
    const event = await plan(w.admin, [east.id, west.id], { ownerId: w.managerEast.id });
    expect(event.customerIds.sort()).toEqual([east.id, west.id].sort());
    const view = async (a: Actor) => {
      const r = await a.api.GET('/api/v1/activities/{id}', at(event.id));
      return r.response.status === 200 ? r.data!.customerIds : r.response.status;
    };
    expect(await view(w.managerEast)).toEqual([east.id]);
    expect(await view(w.salesEast1)).toEqual([east.id]);
    expect(await view(w.salesWest)).toEqual([west.id]);
    expect(await view(w.managerWest)).toEqual([west.id]);
    expect(await view(w.salesEast2)).toBe(404);
    expect(await view(w.marketing)).toBe(404); // no consent on either customer
    expect((await view(w.service) as string[]).sort()).toEqual([east.id, west.id].sort());
    expect((await view(w.auditor) as string[]).length).toBe(2);

    // lists: the same rule in SQL
    const listed = async (a: Actor) => (await a.api.GET('/api/v1/activities', { params: { query: { limit: 100 } } })).data!.items.map((i) => i.id);
    expect(await listed(w.salesWest)).toContain(event.id);
    expect(await listed(w.salesEast2)).not.toContain(event.id);
    // on the customer
    const onCustomer = await w.salesWest.api.GET('/api/v1/customers/{id}/activities', { params: { path: { id: west.id }, query: {} } });
    expect(onCustomer.data!.items).toEqual([expect.objectContaining({ id: event.id, customerIds: [west.id] })]);
    expect((await w.salesEast2.api.GET('/api/v1/customers/{id}/activities', { params: { path: { id: west.id }, query: {} } })).response.status).toBe(404);
  });

  it('records how it went: by the owner, the department manager or an admin, audited', async () => {
    const customer = await createCustomer(w.salesEast1);
    const event = await plan(w.salesEast1, [customer.id]);
    const outcome = { happenedAt: new Date().toISOString(), summary: '客户对新产品线兴趣较高', evaluation: 4, feedbackSummary: '希望月底前收到报价' };
    expect((await w.service.api.POST('/api/v1/activities/{id}/outcome', { ...at(event.id), body: outcome })).response.status).toBe(403);
    expect((await w.managerWest.api.POST('/api/v1/activities/{id}/outcome', { ...at(event.id), body: outcome })).response.status).toBe(404);
    const bad = await w.salesEast1.api.POST('/api/v1/activities/{id}/outcome', { ...at(event.id), body: { ...outcome, evaluation: 6 } });
    expect(bad.response.status).toBe(400);
    const done = await w.salesEast1.api.POST('/api/v1/activities/{id}/outcome', { ...at(event.id), body: outcome });
    expect(done.response.status).toBe(201);
    expect(done.data).toMatchObject({ evaluation: 4, summary: outcome.summary, feedbackSummary: outcome.feedbackSummary });
    expect((await w.managerEast.api.POST('/api/v1/activities/{id}/outcome', { ...at(event.id), body: { ...outcome, evaluation: 5 } })).data).toMatchObject({ evaluation: 5 });
    const audit = (await w.auditor.api.GET('/api/v1/audit-logs', { params: { query: { entityType: 'activity', entityId: event.id } } })).data!.items;
    expect(audit.map((e) => e.action)).toEqual(['activity.outcome', 'activity.outcome', 'activity.create']);
  });

  it('material goes with the activity: whoever sees it downloads, others get 404', async () => {
    const event = await plan(w.marketing, [], { kind: 'promotion' });
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('活动反馈：客户满意\n')]), '活动反馈.txt');
    const login = async (a: Actor) => (await t.anonymous.POST('/api/v1/auth/login', { body: { username: a.username, password: `password-of-${a.username}` } })).data!.accessToken;
    const up = await fetch(`${t.baseUrl}/api/v1/activities/${event.id}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${await login(w.marketing)}` }, body: form });
    expect(up.status).toBe(201);
    const { id } = (await up.json()) as { id: string };
    const get = async (a: Actor) => (await fetch(`${t.baseUrl}/api/v1/activities/${event.id}/attachments/${id}`, { headers: { authorization: `Bearer ${await login(a)}` } })).status;
    expect(await get(w.marketing)).toBe(200);
    expect(await get(w.salesEast1)).toBe(404);
  });
});
