import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, Customer, World } from './support/world';

/**
 * Issue 12, complaints: receipt times that keep the record true, who leads a serious complaint and
 * who hears of a major one, "the customer was told" as a step of its own, and complaints of
 * archived customers that stay with those who handle them.
 */

let t: TestApp;
let w: World;
let customer: Customer; // owned by salesEast1, department East
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  customer = await createCustomer(w.salesEast1);
});
afterAll(() => t.close());

const DAY = 86_400_000;
type Api = TestApp['anonymous'];
type Body = Record<string, unknown>;

const body = (overrides: Body = {}) =>
  ({
    customerId: customer.id,
    channel: 'phone',
    category: 'product_quality',
    severity: 'general',
    title: '产品故障',
    description: '设备运行两周后出现异常停机',
    customerMood: 'angry',
    receivedAt: new Date().toISOString(),
    ...overrides,
  }) as never;
const file = (actor: { api: Api }, overrides: Body = {}) => actor.api.POST('/api/v1/complaints', { body: body(overrides) });
const complaint = async (actor: { api: Api }, overrides: Body = {}) => {
  const r = await file(actor, overrides);
  if (!r.data) throw new Error(JSON.stringify(r.error));
  return r.data;
};
const get = (actor: { api: Api }, id: string) => actor.api.GET('/api/v1/complaints/{id}', { params: { path: { id } } });
const step = (actor: { api: Api }, id: string, action: 'assign' | 'start' | 'resolve' | 'verify' | 'close' | 'reopen' | 'escalate' | 'notify-customer', b?: Body) =>
  actor.api.POST(`/api/v1/complaints/{id}/${action}` as '/api/v1/complaints/{id}/start', { params: { path: { id } }, body: b as never });
const notify = (actor: { api: Api }, id: string, b: Body = { channel: 'phone', summary: '已电话告知客户处理进展' }) =>
  actor.api.POST('/api/v1/complaints/{id}/notify-customer', { params: { path: { id } }, body: b as never });
const countFor = async (customerId: string) => (await t.db.query(`SELECT count(*)::int AS n FROM complaints WHERE customer_id = $1`, [customerId])).rows[0].n as number;

describe('receivedAt', () => {
  it.each([
    ['ten minutes ahead of the server clock', () => new Date(Date.now() + 10 * 60_000).toISOString()],
    ['in the year 2099', () => '2099-01-01T10:00:00+08:00'],
    ['91 days back', () => new Date(Date.now() - 91 * DAY).toISOString()],
    ['in the year 1000', () => '1000-01-01T10:00:00+08:00'],
  ])('is refused %s: 400 VALIDATION_FAILED naming receivedAt, nothing recorded', async (_, receivedAt) => {
    const before = await countFor(customer.id);
    const started = Date.now();
    const r = await file(w.service, { receivedAt: receivedAt() });
    expect(r.response.status).toBe(400);
    expect(r.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'receivedAt' }] });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await countFor(customer.id)).toBe(before);
  });

  it('accepts a little clock skew and anything in the last 90 days', async () => {
    expect((await file(w.service, { receivedAt: new Date(Date.now() + 4 * 60_000).toISOString() })).response.status).toBe(201);
    expect((await file(w.service, { receivedAt: new Date(Date.now() - 89 * DAY).toISOString() })).response.status).toBe(201);
  });

  it('resolves a complaint recorded before the check with a centuries-old receipt at once, without measuring its working time', async () => {
    const k = await complaint(w.service);
    await t.db.query(`UPDATE complaints SET received_at = '1000-01-01T02:00:00Z' WHERE id = $1`, [k.id]);
    await step(w.service, k.id, 'assign', { assigneeId: w.service.id });
    await step(w.service, k.id, 'start');
    const started = Date.now();
    const resolved = await step(w.service, k.id, 'resolve', { resolution: '已更换设备' });
    expect(resolved.response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    const row = await t.db.query(`SELECT resolution_working_minutes FROM complaints WHERE id = $1`, [k.id]);
    expect(row.rows[0].resolution_working_minutes).toBeNull();
  });
});

describe('a serious complaint is led by the department manager', () => {
  it('goes to the customer\'s department manager when nobody else is named', async () => {
    const k = await complaint(w.service, { severity: 'serious' });
    expect(k).toMatchObject({ status: 'assigned', assigneeId: w.managerEast.id });
    const detail = (await get(w.service, k.id)).data!;
    expect(detail.timeline.map((e) => [e.event, e.fromStatus, e.toStatus, e.actorId])).toEqual([
      ['received', null, 'received', w.service.id],
      ['assigned', 'received', 'assigned', w.service.id],
    ]);
    expect(detail.timeline[1].detail).toMatchObject({ assigneeId: w.managerEast.id, reason: expect.stringContaining('department manager') });
  });

  it('refuses another assignee without a reason: 400 naming assignmentReason, nothing recorded', async () => {
    const before = await countFor(customer.id);
    const r = await file(w.service, { severity: 'serious', assigneeId: w.service.id });
    expect(r.response.status).toBe(400);
    expect(r.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'assignmentReason' }] });
    expect(await countFor(customer.id)).toBe(before);
  });

  it('takes another assignee with a reason, and keeps the reason in the timeline and the audit log', async () => {
    const k = await complaint(w.service, { severity: 'serious', assigneeId: w.service.id, assignmentReason: '部门负责人出差，由客服主管牵头' });
    expect(k).toMatchObject({ status: 'assigned', assigneeId: w.service.id });
    const assigned = (await get(w.service, k.id)).data!.timeline.find((e) => e.event === 'assigned')!;
    expect(assigned.detail).toMatchObject({ assigneeId: w.service.id, reason: '部门负责人出差，由客服主管牵头', departmentManagerId: w.managerEast.id });
    const audit = await t.db.query(`SELECT reason FROM audit_log WHERE action = 'complaint.create' AND entity_id = $1`, [k.id]);
    expect(audit.rows[0].reason).toBe('部门负责人出差，由客服主管牵头');
  });

  it('refuses an assignee who does not handle complaints: 422 naming assigneeId', async () => {
    const r = await file(w.service, { severity: 'serious', assigneeId: w.marketing.id, assignmentReason: '市场部跟进' });
    expect(r.response.status).toBe(422);
    expect(r.error).toMatchObject({ code: 'UNPROCESSABLE', errors: [{ field: 'assigneeId' }] });
  });

  it('leaves a general complaint with service, unassigned', async () => {
    const k = await complaint(w.service);
    expect(k).toMatchObject({ status: 'received', assigneeId: null, escalatedToIds: [] });
  });

  it('with no active manager in the department: stays unassigned and goes to management, in the timeline', async () => {
    const department = await t.department('No Manager');
    const seller = await t.userClient('sales', { departmentId: department });
    const managerless = await createCustomer(seller);
    const gone = await t.userClient('manager', { departmentId: department });
    await w.admin.api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id: gone.id } } });
    const k = await complaint(w.service, { customerId: managerless.id, severity: 'serious' });
    expect(k).toMatchObject({ status: 'received', assigneeId: null, escalatedToId: null, escalatedAt: expect.any(String) });
    expect(k.escalatedToIds).toEqual([w.admin.id]);
    const escalated = (await get(w.admin, k.id)).data!.timeline.find((e) => e.event === 'escalated')!;
    expect(escalated.detail).toMatchObject({ recipients: [w.admin.id], reason: expect.stringContaining('no active manager') });
  });
});

describe('a major complaint is reported to management at once', () => {
  let secondAdmin: Actor;
  beforeAll(async () => {
    secondAdmin = await t.userClient('admin', { departmentId: w.west });
  });
  afterAll(async () => {
    await w.admin.api.PUT('/api/v1/complaints/escalation-contacts', { body: { userIds: [] } });
  });

  it('goes to the department manager and every active admin, recorded on the complaint and in the timeline', async () => {
    const k = await complaint(w.service, { severity: 'major' });
    expect(k).toMatchObject({ assigneeId: w.managerEast.id, escalatedToId: w.managerEast.id });
    expect(k.escalatedToIds).toEqual([w.managerEast.id, w.admin.id, secondAdmin.id]);
    const escalated = (await get(w.service, k.id)).data!.timeline.find((e) => e.event === 'escalated')!;
    expect(escalated).toMatchObject({ actorId: null, detail: { to: w.managerEast.id, recipients: [w.managerEast.id, w.admin.id, secondAdmin.id] } });
  });

  it('keeps the escalation list as data: admin only, active admins and managers only', async () => {
    expect((await w.admin.api.GET('/api/v1/complaints/escalation-contacts')).data).toEqual({ userIds: [] });
    for (const actor of [w.managerEast, w.service, w.auditor]) {
      expect((await actor.api.PUT('/api/v1/complaints/escalation-contacts', { body: { userIds: [actor.id] } })).response.status).toBe(403);
      expect((await actor.api.GET('/api/v1/complaints/escalation-contacts')).response.status).toBe(403);
    }
    const bySales = await w.admin.api.PUT('/api/v1/complaints/escalation-contacts', { body: { userIds: [w.salesEast1.id] } });
    expect(bySales.response.status).toBe(422);
    expect(bySales.error).toMatchObject({ code: 'UNPROCESSABLE', errors: [{ field: 'userIds' }] });
    const notUuid = await w.admin.api.PUT('/api/v1/complaints/escalation-contacts', { body: { userIds: ['nobody'] } });
    expect(notUuid.response.status).toBe(400);
    expect((await w.admin.api.GET('/api/v1/complaints/escalation-contacts')).data).toEqual({ userIds: [] });
  });

  it('goes to the list when it names someone: a manager of another department then sees the complaint', async () => {
    const set = await w.admin.api.PUT('/api/v1/complaints/escalation-contacts', { body: { userIds: [w.managerWest.id, secondAdmin.id] } });
    expect(set.data).toEqual({ userIds: [w.managerWest.id, secondAdmin.id] });
    expect((await w.admin.api.GET('/api/v1/complaints/escalation-contacts')).data).toEqual({ userIds: [w.managerWest.id, secondAdmin.id] });
    const audit = await t.db.query(`SELECT after FROM audit_log WHERE action = 'complaint_escalation_contacts.update' ORDER BY id DESC LIMIT 1`);
    expect(audit.rows[0].after).toEqual({ userIds: [w.managerWest.id, secondAdmin.id] });

    const k = await complaint(w.service, { severity: 'major' });
    expect(k.escalatedToIds).toEqual([w.managerEast.id, w.managerWest.id, secondAdmin.id]);
    expect((await get(w.managerWest, k.id)).response.status).toBe(200);
    const listed = (await w.managerWest.api.GET('/api/v1/complaints', { params: { query: { limit: 100 } } })).data!.items.map((x) => x.id);
    expect(listed).toContain(k.id);
    // A complaint of the same customer that was not escalated to them stays out of their view.
    const other = await complaint(w.service);
    expect((await get(w.managerWest, other.id)).response.status).toBe(404);
    expect(listed).not.toContain(other.id);
  });
});

describe('the customer was told', () => {
  const started = async () => {
    const k = await complaint(w.service);
    await step(w.service, k.id, 'assign', { assigneeId: w.salesEast1.id });
    await step(w.salesEast1, k.id, 'start');
    return k;
  };

  it('is a step of its own, in the timeline and the audit log, by the assignee or a handler', async () => {
    const k = await started();
    const told = await notify(w.salesEast1, k.id, { channel: 'wecom', summary: '已告知客户更换设备的安排' });
    expect(told.response.status).toBe(200);
    expect(told.data).toMatchObject({ status: 'in_progress', customerNotifiedAt: expect.any(String) });
    const entry = told.data!.timeline.at(-1)!;
    expect(entry).toMatchObject({ event: 'customer_notified', fromStatus: 'in_progress', toStatus: 'in_progress', actorId: w.salesEast1.id, detail: { channel: 'wecom', summary: '已告知客户更换设备的安排' } });
    expect((await notify(w.service, k.id)).response.status).toBe(200);
    const audit = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'complaint.notify' AND entity_id = $1`, [k.id]);
    expect(audit.rows[0].n).toBe(2);
    const resolved = (await step(w.salesEast1, k.id, 'resolve', { resolution: '已更换设备' })).data!;
    expect(resolved.customerNotInformed).toBe(false);
  });

  it('is refused to those who may not act (403), who do not see it (404), on a closed complaint (409) and without a channel or summary (400)', async () => {
    const k = await started();
    expect((await notify(w.auditor, k.id)).response.status).toBe(403);
    expect((await notify(w.marketing, k.id)).response.status).toBe(403);
    expect((await notify(w.salesEast2, k.id)).response.status).toBe(404);
    expect((await notify(w.salesWest, k.id)).response.status).toBe(404);
    const noChannel = await notify(w.service, k.id, { channel: 'pigeon', summary: '已告知' });
    expect(noChannel.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'channel' }] });
    const blank = await notify(w.service, k.id, { channel: 'phone', summary: '   ' });
    expect(blank.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'summary' }] });
    expect((await get(w.service, k.id)).data!.timeline.filter((e) => e.event === 'customer_notified')).toHaveLength(0);

    await step(w.salesEast1, k.id, 'resolve', { resolution: 'ok' });
    await step(w.service, k.id, 'verify', { satisfaction: 4 });
    await step(w.service, k.id, 'close');
    const closed = await notify(w.service, k.id);
    expect(closed.response.status).toBe(409);
    expect(closed.error).toMatchObject({ code: 'INVALID_TRANSITION' });
  });

  it('flags a resolution without a notification since the last status change, counts it in the metrics, and starts over on reopen', async () => {
    const department = await t.department('Notify Metrics');
    const seller = await t.userClient('sales', { departmentId: department });
    const own = await createCustomer(seller);
    const run = async (tellBeforeStart: boolean, tellAfterStart: boolean) => {
      const k = await complaint(w.service, { customerId: own.id });
      await step(w.service, k.id, 'assign', { assigneeId: w.service.id });
      if (tellBeforeStart) await notify(w.service, k.id);
      await step(w.service, k.id, 'start');
      if (tellAfterStart) await notify(w.service, k.id);
      await step(w.service, k.id, 'escalate', { reason: '客户要求主管介入' }); // no status change
      return (await step(w.service, k.id, 'resolve', { resolution: '已处理' })).data!;
    };
    const silent = await run(false, false);
    const toldTooEarly = await run(true, false);
    const told = await run(false, true);
    expect([silent.customerNotInformed, toldTooEarly.customerNotInformed, told.customerNotInformed]).toEqual([true, true, false]);
    expect(silent.timeline.find((e) => e.event === 'resolved')!.detail).toMatchObject({ customerInformed: false });

    const metrics = async () => (await w.admin.api.GET('/api/v1/complaints/metrics', { params: { query: { departmentId: department } } })).data!;
    expect(await metrics()).toMatchObject({ total: 3, customerNotInformed: 2 });

    const reopened = (await step(w.service, silent.id, 'reopen', { reason: '客户反馈问题复现' })).data!;
    expect(reopened.customerNotInformed).toBe(false);
    await notify(w.service, silent.id, { channel: 'phone', summary: '已告知客户重新处理' });
    expect((await step(w.service, silent.id, 'resolve', { resolution: '已再次处理' })).data!.customerNotInformed).toBe(false);
    expect(await metrics()).toMatchObject({ customerNotInformed: 1 });
  });
});

describe('complaints of archived customers', () => {
  const archive = (id: string, status: 'dormant' | 'archived' = 'dormant') =>
    t.db.query(`UPDATE customers SET status = $2, archived_at = now(), version = version + 1 WHERE id = $1`, [id, status]);
  const statusOf = async (id: string) => (await t.db.query(`SELECT status FROM customers WHERE id = $1`, [id])).rows[0].status as string;

  it.each(['dormant', 'archived'] as const)('stay visible to service and to the assignee (%s), and they can work on them', async (status) => {
    const archived = await createCustomer(w.salesEast1);
    const k = await complaint(w.service, { customerId: archived.id });
    await step(w.service, k.id, 'assign', { assigneeId: w.salesEast2.id }); // not the owner
    await archive(archived.id, status);

    const otherService = await t.userClient('service', { departmentId: w.west });
    for (const reader of [w.service, otherService, w.salesEast2, w.managerEast, w.admin]) {
      expect([reader.username, (await get(reader, k.id)).response.status]).toEqual([reader.username, 200]);
      const listed = (await reader.api.GET('/api/v1/complaints', { params: { query: { customerId: archived.id } } })).data!.items.map((x) => x.id);
      expect([reader.username, listed]).toEqual([reader.username, [k.id]]);
    }
    expect((await step(w.salesEast2, k.id, 'start')).response.status).toBe(200);
    expect((await notify(w.service, k.id)).response.status).toBe(200);
  });

  it('stay hidden from everyone else as before: the owner in sales, other sales, other managers, auditors (404), marketing (its route refusal)', async () => {
    const archived = await createCustomer(w.salesEast1);
    const k = await complaint(w.service, { customerId: archived.id });
    await archive(archived.id);
    for (const reader of [w.salesEast1, w.salesWest, w.managerWest, w.auditor]) {
      expect([reader.username, (await get(reader, k.id)).response.status]).toEqual([reader.username, 404]);
      const listed = (await reader.api.GET('/api/v1/complaints', { params: { query: { limit: 100 } } })).data!.items.map((x) => x.id);
      expect(listed).not.toContain(k.id);
    }
    // Marketing may not read complaints at all: the same answer as for a complaint that does not exist.
    const byMarketing = await get(w.marketing, k.id);
    const nowhere = await get(w.marketing, '00000000-0000-4000-8000-000000000000');
    expect([byMarketing.response.status, (byMarketing.error as { code?: string }).code]).toEqual([nowhere.response.status, (nowhere.error as { code?: string }).code]);
    expect((await w.marketing.api.GET('/api/v1/customers/{id}', { params: { path: { id: archived.id } } })).response.status).toBe(404);
    // Nor can the owner in sales file one for the archived customer.
    expect((await file(w.salesEast1, { customerId: archived.id })).response.status).toBe(404);
    expect(await statusOf(archived.id)).toBe('dormant');
  });

  it('service may file one for an archived customer: it is active again, audited "complaint received", in the same transaction', async () => {
    const archived = await createCustomer(w.salesEast1);
    await archive(archived.id);
    // Archived as the sweep does it: in the dormant tier.
    await t.db.query(`UPDATE customers SET tier_id = (SELECT id FROM tiers WHERE code = 'dormant') WHERE id = $1`, [archived.id]);

    // A creation that fails inside the transaction leaves the customer in the archive.
    const refused = await file(w.service, { customerId: archived.id, severity: 'serious', assigneeId: w.marketing.id, assignmentReason: 'x' });
    expect(refused.response.status).toBe(422);
    expect(await statusOf(archived.id)).toBe('dormant');

    const k = await complaint(w.service, { customerId: archived.id });
    expect(k.customerId).toBe(archived.id);
    expect(await statusOf(archived.id)).toBe('active');
    const audit = await t.db.query(`SELECT actor_id, reason, before, after FROM audit_log WHERE action = 'customer.reactivate' AND entity_id = $1`, [archived.id]);
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ actor_id: w.service.id, reason: 'complaint received', before: { status: 'dormant' }, after: { status: 'active' } });
    // Out of the dormant tier, into the one the rules give, as any reactivation.
    const tier = await t.db.query(`SELECT t.code, (SELECT reason FROM customer_tier_changes WHERE customer_id = $1 ORDER BY changed_at DESC LIMIT 1) AS reason FROM customers c JOIN tiers t ON t.id = c.tier_id WHERE c.id = $1`, [archived.id]);
    expect(tier.rows[0]).toMatchObject({ code: 'ordinary', reason: 'reactivated: complaint received; tier by rule evaluation' });
    // Back in everyone's daily view.
    expect((await w.salesEast1.api.GET('/api/v1/customers/{id}', { params: { path: { id: archived.id } } })).response.status).toBe(200);
  });
});
