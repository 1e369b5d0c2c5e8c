import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, Customer, World } from './support/world';

let t: TestApp;
let w: World;
let eastCustomer: Customer; // owned by salesEast1, department East
let westCustomer: Customer; // owned by salesWest
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  eastCustomer = await createCustomer(w.salesEast1);
  westCustomer = await createCustomer(w.salesWest);
  for (const day of ['2030-10-01', '2030-10-02', '2030-10-03', '2030-10-04', '2030-10-07']) {
    await w.admin.api.PUT('/api/v1/calendar/days/{date}', { params: { path: { date: day } }, body: { kind: 'holiday', name: '国庆节' } });
  }
  await w.admin.api.PUT('/api/v1/calendar/days/{date}', { params: { path: { date: '2030-10-12' } }, body: { kind: 'workday', name: '国庆调休' } });
});
afterAll(() => t.close());

// A complaint may be received at most 90 days back, so deadlines are tested on weeks a month ago:
// `monday` is a Monday (Asia/Shanghai) 28 to 34 days back, and `at(k, clock)` is k days after it.
const DAY = 86_400_000;
const shanghaiDate = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const plusDays = (date: string, k: number) => new Date(Date.parse(`${date}T00:00:00Z`) + k * DAY).toISOString().slice(0, 10);
const monday = (() => {
  const d = shanghaiDate(Date.now() - 28 * DAY);
  return plusDays(d, -((new Date(`${d}T00:00:00Z`).getUTCDay() + 6) % 7));
})();
const at = (k: number, clock: string) => `${plusDays(monday, k)}T${clock}:00+08:00`;
const utc = (k: number, clock: string) => new Date(at(k, clock)).toISOString();

type Body = Record<string, unknown>;
const complaint = async (actor = w.service, overrides: Record<string, unknown> = {}) => {
  const r = await actor.api.POST('/api/v1/complaints', {
    body: {
      customerId: eastCustomer.id,
      channel: 'phone',
      category: 'delivery',
      severity: 'general',
      title: '到货延迟',
      description: '第二批货物晚到三天',
      customerMood: 'upset',
      receivedAt: at(1, '10:00'), // a Tuesday
      ...overrides,
    } as never,
  });
  if (!r.data) throw new Error(JSON.stringify(r.error));
  return r.data;
};
const step = (actor: { api: TestApp['anonymous'] }, id: string, action: 'assign' | 'start' | 'resolve' | 'verify' | 'close' | 'reopen' | 'escalate', body?: Body) =>
  actor.api.POST(`/api/v1/complaints/{id}/${action}` as '/api/v1/complaints/{id}/start', { params: { path: { id } }, body: body as never });

describe('the business calendar', () => {
  it('is kept as data, admin-only, and shows the year', async () => {
    const year = (await w.salesEast1.api.GET('/api/v1/calendar', { params: { query: { year: 2030 } } })).data!;
    expect(year.days).toEqual(expect.arrayContaining([{ date: '2030-10-01', kind: 'holiday', name: '国庆节' }, { date: '2030-10-12', kind: 'workday', name: '国庆调休' }]));
    expect(year.timeZone).toBe('Asia/Shanghai');
    expect(year.workingDays).toBe(261 - 5 + 1);
    const bySales = await w.salesEast1.api.PUT('/api/v1/calendar/days/{date}', { params: { path: { date: '2026-12-24' } }, body: { kind: 'holiday', name: 'x' } });
    expect(bySales.response.status).toBe(403);
    const bad = await w.admin.api.PUT('/api/v1/calendar/days/{date}', { params: { path: { date: '2026-02-30' } }, body: { kind: 'holiday', name: 'x' } });
    expect(bad.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'date' }] });
  });
});

describe('deadlines', () => {
  beforeAll(async () => {
    // A holiday Thursday, Friday and Monday in the third week, a make-up Saturday in the second.
    for (const k of [17, 18, 21]) {
      await w.admin.api.PUT('/api/v1/calendar/days/{date}', { params: { path: { date: plusDays(monday, k) } }, body: { kind: 'holiday', name: '假日' } });
    }
    await w.admin.api.PUT('/api/v1/calendar/days/{date}', { params: { path: { date: plusDays(monday, 12) } }, body: { kind: 'workday', name: '调休' } });
  });

  it.each([
    ['Tuesday 10:00, general', () => at(1, '10:00'), 'general', () => utc(2, '10:00')],
    ['Sunday 11:00 counts from Monday 09:00', () => at(6, '11:00'), 'general', () => utc(8, '09:00')],
    ['the eve of a holiday waits it out', () => at(16, '10:00'), 'general', () => utc(22, '10:00')],
    ['a make-up Saturday counts', () => at(11, '15:00'), 'general', () => utc(12, '15:00')],
    ['serious: 2 working days over a weekend', () => at(4, '10:00'), 'serious', () => utc(8, '10:00')],
  ])('%s', async (_, receivedAt, severity, dueAt) => {
    const k = await complaint(w.service, { receivedAt: receivedAt(), severity });
    expect(k.dueAt).toBe(dueAt());
  });

  it('keeps the deadline of an open complaint when the policy changes', async () => {
    const before = await complaint();
    const policy = (await w.admin.api.GET('/api/v1/complaints/sla-policy')).data!;
    const changed = policy.severities.map((s) => (s.severity === 'general' ? { ...s, resolveWorkingDays: 5 } : s));
    expect((await w.admin.api.PUT('/api/v1/complaints/sla-policy', { body: { severities: changed } })).response.status).toBe(200);
    const after = await complaint();
    expect((await w.service.api.GET('/api/v1/complaints/{id}', { params: { path: { id: before.id } } })).data!.dueAt).toBe(utc(2, '10:00'));
    expect(after.dueAt).toBe(utc(8, '10:00'));
    await w.admin.api.PUT('/api/v1/complaints/sla-policy', { body: { severities: policy.severities } });
  });

  it('sends a major complaint to the department manager and to management at once', async () => {
    const k = await complaint(w.service, { severity: 'major' });
    expect(k).toMatchObject({ escalatedToId: w.managerEast.id, escalatedAt: expect.any(String), assigneeId: w.managerEast.id });
    expect(k.escalatedToIds).toEqual([w.managerEast.id, w.admin.id]);
  });
});

describe('the flow', () => {
  it('walks received → assigned → in_progress → resolved → verified → closed, with a timeline', async () => {
    const k = await complaint();
    const assignee = await t.userClient('service', { departmentId: w.east });
    expect((await step(w.managerEast, k.id, 'assign', { assigneeId: assignee.id })).data).toMatchObject({ status: 'assigned', assigneeId: assignee.id });
    expect((await step(assignee, k.id, 'start')).data!.status).toBe('in_progress');
    const resolved = (await step(assignee, k.id, 'resolve', { resolution: '补发运费并更换物流' })).data!;
    expect(resolved).toMatchObject({ status: 'resolved', resolution: '补发运费并更换物流' });
    expect(Date.parse(resolved.followUpDueAt!) - Date.parse(resolved.resolvedAt!)).toBe(48 * 3_600_000);
    expect((await step(w.service, k.id, 'verify', { satisfaction: 4, comment: '满意' })).data).toMatchObject({ status: 'verified', satisfaction: 4 });
    const closed = (await step(w.service, k.id, 'close')).data!;
    expect(closed.status).toBe('closed');
    expect(closed.timeline.map((e) => [e.event, e.fromStatus, e.toStatus])).toEqual([
      ['received', null, 'received'],
      ['assigned', 'received', 'assigned'],
      ['started', 'assigned', 'in_progress'],
      ['resolved', 'in_progress', 'resolved'],
      ['verified', 'resolved', 'verified'],
      ['closed', 'verified', 'closed'],
    ]);
    expect(closed.timeline[1]).toMatchObject({ actorId: w.managerEast.id, actorName: w.managerEast.username });
    const reopened = (await step(w.managerEast, k.id, 'reopen', { reason: '问题复现' })).data!;
    expect(reopened).toMatchObject({ status: 'in_progress', resolvedAt: null, satisfaction: null });
    const audit = await t.db.query(`SELECT action, reason FROM audit_log WHERE entity_id = $1 ORDER BY id`, [k.id]);
    expect(audit.rows.map((r) => r.action)).toEqual([
      'complaint.create', 'complaint.assign', 'complaint.start', 'complaint.resolve', 'complaint.verify', 'complaint.close', 'complaint.reopen',
    ]);
    expect(audit.rows[6].reason).toBe('问题复现');
  });

  it.each([
    ['start', 'received'],
    ['resolve', 'received'],
    ['verify', 'received'],
    ['close', 'received'],
    ['reopen', 'received'],
  ] as const)('refuses %s on a %s complaint with 409 INVALID_TRANSITION and changes nothing', async (action, status) => {
    const k = await complaint();
    const body = action === 'reopen' ? { reason: 'x' } : action === 'resolve' ? { resolution: 'x' } : action === 'verify' ? { satisfaction: 3 } : undefined;
    const r = await step(w.managerEast, k.id, action, body);
    expect(r.response.status).toBe(409);
    expect(r.error).toMatchObject({ code: 'INVALID_TRANSITION' });
    const after = (await w.service.api.GET('/api/v1/complaints/{id}', { params: { path: { id: k.id } } })).data!;
    expect(after).toMatchObject({ status, version: 1 });
    expect(after.timeline).toHaveLength(1);
  });

  it('lets the assignee work on it but not assign it, and keeps auditors read-only', async () => {
    const k = await complaint();
    await step(w.service, k.id, 'assign', { assigneeId: w.salesEast1.id });
    expect((await step(w.salesEast1, k.id, 'start')).response.status).toBe(200);
    expect((await step(w.salesEast1, k.id, 'assign', { assigneeId: w.salesEast1.id })).response.status).toBe(403);
    expect((await step(w.auditor, k.id, 'escalate', { reason: 'x' })).response.status).toBe(403);
    expect((await w.auditor.api.GET('/api/v1/complaints/{id}', { params: { path: { id: k.id } } })).response.status).toBe(200);
  });
});

describe('visibility', () => {
  it('follows the customer: sales see their customers\' complaints only, 404 for the others', async () => {
    const west = await complaint(w.service, { customerId: westCustomer.id });
    const east = await complaint(w.service);
    expect((await w.salesEast1.api.GET('/api/v1/complaints/{id}', { params: { path: { id: west.id } } })).response.status).toBe(404);
    expect((await step(w.salesEast1, west.id, 'escalate', { reason: 'x' })).response.status).toBe(404);
    const listed = (await w.salesEast1.api.GET('/api/v1/complaints', { params: { query: { limit: 100 } } })).data!.items.map((x) => x.id);
    expect(listed).toContain(east.id);
    expect(listed).not.toContain(west.id);
    expect((await w.managerWest.api.GET('/api/v1/complaints', { params: { query: { limit: 100 } } })).data!.items.map((x) => x.id)).not.toContain(east.id);
    expect((await w.marketing.api.GET('/api/v1/complaints')).response.status).toBe(403);
    const refused = await w.salesEast1.api.POST('/api/v1/complaints', {
      body: { customerId: westCustomer.id, channel: 'phone', category: 'price', severity: 'general', title: 'x', description: 'x', customerMood: 'calm', receivedAt: new Date().toISOString() },
    });
    expect(refused.response.status).toBe(404);
    expect(refused.error).toMatchObject({ errors: [{ field: 'customerId' }] });
  });
});

describe('escalation sweep', () => {
  it('escalates exactly the overdue open complaints to the right manager, once even when two sweeps run at once', async () => {
    const customer = await createCustomer(w.salesWest);
    const monthAgo = new Date(Date.now() - 30 * DAY).toISOString();
    const overdue = await complaint(w.service, { customerId: customer.id, receivedAt: monthAgo });
    const resolvedLate = await complaint(w.service, { customerId: customer.id, receivedAt: monthAgo });
    const current = await complaint(w.service, { customerId: customer.id, receivedAt: new Date().toISOString() });
    await step(w.service, resolvedLate.id, 'assign', { assigneeId: w.service.id });
    await step(w.service, resolvedLate.id, 'start');
    await step(w.service, resolvedLate.id, 'resolve', { resolution: '已处理' });
    await t.db.query(`UPDATE complaints SET follow_up_due_at = now() - interval '1 hour' WHERE id = $1`, [resolvedLate.id]);

    const [first, second] = await Promise.all([w.admin.api.POST('/api/v1/complaints/escalation-sweep'), w.admin.api.POST('/api/v1/complaints/escalation-sweep')]);
    const breached = [...first.data!.breached, ...second.data!.breached];
    const mine = breached.filter((id) => [overdue.id, resolvedLate.id, current.id].includes(id));
    expect(mine).toEqual([overdue.id]);
    expect([...first.data!.followUpOverdue, ...second.data!.followUpOverdue]).toContain(resolvedLate.id);
    const after = (await w.managerWest.api.GET('/api/v1/complaints/{id}', { params: { path: { id: overdue.id } } })).data!;
    expect(after).toMatchObject({ breached: true, escalatedToId: w.managerWest.id, escalatedToIds: [w.managerWest.id] });
    expect(after.timeline.filter((e) => e.event === 'breached')).toHaveLength(1);
    expect((await w.admin.api.GET('/api/v1/complaints/{id}', { params: { path: { id: resolvedLate.id } } })).data!.followUpOverdue).toBe(true);
    const overdueList = (await w.managerWest.api.GET('/api/v1/complaints', { params: { query: { overdue: true } } })).data!.items.map((x) => x.id);
    expect(overdueList).toContain(overdue.id);
    expect(overdueList).not.toContain(current.id);
    const audited = await t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'complaint.breach' AND entity_id = $1`, [overdue.id]);
    expect(audited.rows[0].n).toBe(1);
  });
});

describe('metrics', () => {
  it('computes counts, on-time rate, working hours to resolve and satisfaction on a known set', async () => {
    const department = await t.department('Metrics');
    const seller = await t.userClient('sales', { departmentId: department });
    const customer = await createCustomer(seller);
    const ids = [];
    for (const category of ['delivery', 'delivery', 'price']) {
      ids.push((await complaint(w.service, { customerId: customer.id, category, receivedAt: new Date(Date.now() - 3_600_000).toISOString() })).id);
    }
    // Two resolved: one on time, one after its deadline; one verified with satisfaction 5.
    for (const id of ids.slice(0, 2)) {
      await step(w.service, id, 'assign', { assigneeId: w.service.id });
      await step(w.service, id, 'start');
      await step(w.service, id, 'resolve', { resolution: 'ok' });
    }
    await t.db.query(`UPDATE complaints SET due_at = resolved_at - interval '1 hour' WHERE id = $1`, [ids[1]]);
    await t.db.query(`UPDATE complaints SET resolution_working_minutes = 120 WHERE id = $1`, [ids[0]]);
    await t.db.query(`UPDATE complaints SET resolution_working_minutes = 360 WHERE id = $1`, [ids[1]]);
    await step(w.service, ids[0], 'verify', { satisfaction: 5 });
    const metrics = (await w.admin.api.GET('/api/v1/complaints/metrics', { params: { query: { departmentId: department } } })).data!;
    expect(metrics).toEqual({
      total: 3,
      byCategory: { delivery: 2, price: 1 },
      bySeverity: { general: 3 },
      onTimeRate: 0.5,
      meanResolveWorkingHours: 4,
      followUpOnTimeRate: 1,
      meanSatisfaction: 5,
      customerNotInformed: 2,
    });
  });
});
