import { startTestApp, TestApp, tokenFor } from './support/test-app';
import { Actor, createCustomer } from './support/world';

/**
 * Issue 17, KPIs: a constructed month of work for two sellers of one department and one of
 * another, every figure hand-computed, read by each role.
 */

let t: TestApp;
let admin: Actor;
let east: string;
let west: string;
let s1: Actor;
let s2: Actor;
let manager: Actor;
let westSeller: Actor;
let auditor: Actor;
let service: Actor;
const ids: Record<string, string> = {};

const DAY = 86_400_000;
const now = Date.now();
const ago = (days: number) => new Date(now - days * DAY).toISOString();
/** Midnight in the company's time zone (Asia/Shanghai, UTC+8 all year) of the day `ms` falls in: periods are whole days. */
const midnight = (ms: number) => Math.floor((ms + 8 * 3_600_000) / DAY) * DAY - 8 * 3_600_000;
const period = { from: new Date(midnight(now) - 30 * DAY).toISOString(), to: new Date(midnight(now) + DAY).toISOString() };
const sql = (text: string, params: unknown[] = []) => t.db.query(text, params);

const interaction = async (actor: Actor, customerId: string, occurredAt: string, nextActionDueAt?: string) => {
  const r = await actor.api.POST('/api/v1/customers/{id}/interactions', {
    params: { path: { id: customerId } },
    body: { occurredAt, channel: 'phone', summary: '电话沟通采购计划', ...(nextActionDueAt ? { nextAction: '回访', nextActionDueAt } : {}) },
  });
  if (r.response.status !== 201) throw new Error(JSON.stringify(r.error));
};
/** A complaint received within the period, then resolved (and verified) as given, written past the API's clocks. */
const complaint = async (customerId: string, resolved: { resolvedAt: string; dueAt: string; minutes: number; satisfaction: number }) => {
  const r = await service.api.POST('/api/v1/complaints', {
    body: { customerId, channel: 'phone', category: 'delivery', severity: 'general', title: '到货延迟', description: '第二批货物晚到三天', customerMood: 'upset', receivedAt: ago(5) } as never,
  });
  if (!r.data) throw new Error(JSON.stringify(r.error));
  await sql(
    `UPDATE complaints SET status = 'verified', resolved_at = $2, due_at = $3, resolution_working_minutes = $4, satisfaction = $5, verified_at = $2::timestamptz + interval '1 hour' WHERE id = $1`,
    [r.data.id, resolved.resolvedAt, resolved.dueAt, resolved.minutes, resolved.satisfaction],
  );
};

beforeAll(async () => {
  t = await startTestApp();
  admin = { api: await t.admin(), id: (await (await t.admin()).GET('/api/v1/auth/me')).data!.id, username: 'admin' };
  east = await t.department('@KPI 华东');
  west = await t.department('KPI 华西');
  s1 = await t.userClient('sales', { departmentId: east });
  s2 = await t.userClient('sales', { departmentId: east });
  manager = await t.userClient('manager', { departmentId: east });
  westSeller = await t.userClient('sales', { departmentId: west });
  auditor = await t.userClient('auditor', { departmentId: west });
  service = await t.userClient('service', { departmentId: east });

  // s1: A new in the period; B created 100 days ago and missing its industry.
  ids.A = (await createCustomer(s1)).id;
  ids.B = (await createCustomer(s1)).id;
  await sql(`UPDATE customers SET created_at = now() - interval '100 days', industry = NULL WHERE id = $1`, [ids.B]);
  // On A: a next action due 5 days ago, met by the call 6 days ago; that call's own next action (2 days ago) was missed.
  await interaction(s1, ids.A, ago(10), ago(5));
  await interaction(s1, ids.A, ago(6), ago(2));
  // On B: before the period, and due before it: counts nowhere.
  await interaction(s1, ids.B, ago(40), ago(35));
  // On B: one complaint resolved on time (120 working minutes, satisfaction 4), one late (300, satisfaction 2).
  await complaint(ids.B, { resolvedAt: ago(2), dueAt: ago(1), minutes: 120, satisfaction: 4 });
  await complaint(ids.B, { resolvedAt: ago(2), dueAt: ago(3), minutes: 300, satisfaction: 2 });

  // s2: C new; D archived as dormant yesterday; E back from the archive 3 days ago; F moved to s2 from s1 by transfer.
  ids.C = (await createCustomer(s2)).id;
  ids.D = (await createCustomer(s2)).id;
  await sql(`UPDATE customers SET status = 'dormant', archived_at = now() - interval '1 day' WHERE id = $1`, [ids.D]);
  ids.E = (await createCustomer(s2)).id;
  await sql(`UPDATE customers SET reactivated_at = now() - interval '3 days' WHERE id = $1`, [ids.E]);
  ids.F = (await createCustomer(s1)).id;
  const transfer = await s1.api.POST('/api/v1/transfers', { body: { toUserId: s2.id, customerIds: [ids.F], reason: '区域调整' } });
  await manager.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id: transfer.data!.approvalId } }, body: { comment: '同意' } });

  // West: one customer, nothing else.
  ids.W = (await createCustomer(westSeller)).id;

  // Review tasks of s1 due yesterday: one confirmed the day before, one still open.
  const round = await sql(`INSERT INTO review_rounds (department_id, scope, due_at) VALUES ($1, 'all', now() - interval '1 day') RETURNING id`, [east]);
  await sql(
    `INSERT INTO review_tasks (round_id, customer_id, owner_id, department_id, due_at, done_at) VALUES
       ($1, $2, $4, $5, now() - interval '1 day', now() - interval '2 days'), ($1, $3, $4, $5, now() - interval '1 day', NULL)`,
    [round.rows[0].id, ids.A, ids.B, s1.id, east],
  );
  await admin.api.POST('/api/v1/data-quality/recompute', { body: { full: true } });
});
afterAll(() => t.close());

const kpis = (actor: Actor, query: Record<string, string> = {}) => actor.api.GET('/api/v1/kpis', { params: { query: { ...period, ...query } as never } });
const rowOf = async (actor: Actor, ownerId: string, query: Record<string, string> = {}) => {
  const r = await kpis(actor, query);
  expect(r.response.status).toBe(200);
  return r.data!.rows.find((row) => row.ownerId === ownerId);
};

describe('figures per owner (hand-computed)', () => {
  it('s1: customers, follow-ups on time, complaints, transfers out, reviews, completeness', async () => {
    expect(await rowOf(manager, s1.id)).toEqual({
      departmentId: east,
      departmentName: '@KPI 华东',
      ownerId: s1.id,
      ownerName: s1.username,
      customersOwned: 2, // A, B (F left by transfer)
      newCustomers: 1, // A
      interactions: 2, // the two calls on A in the period
      followUpsDue: 2,
      followUpsOnTime: 1,
      followUpOnTimeRate: 50,
      wentDormant: 0,
      reactivated: 0,
      complaintsReceived: 2,
      complaintsResolved: 2,
      complaintsResolvedOnTime: 1,
      complaintOnTimeRate: 50,
      meanResolutionWorkingMinutes: 210, // (120 + 300) / 2
      satisfactionAverage: 3, // (4 + 2) / 2
      transfersIn: 0,
      transfersOut: 1,
      dataQualityCompleteness: 50, // B has no industry
      reviewTasksDue: 2,
      reviewTasksDone: 1,
      reviewCompletionRate: 50,
    });
  });

  it('s2: new customers, dormancy, re-activation, a transfer in', async () => {
    expect(await rowOf(manager, s2.id)).toMatchObject({
      customersOwned: 4, // C, D, E, F
      newCustomers: 4,
      wentDormant: 1,
      reactivated: 1,
      transfersIn: 1,
      transfersOut: 0,
      interactions: 0,
      followUpsDue: 0,
      followUpOnTimeRate: null,
      complaintOnTimeRate: null,
      meanResolutionWorkingMinutes: null,
      satisfactionAverage: null,
      dataQualityCompleteness: 100, // C, E, F active and complete (D is in the archive)
      reviewTasksDue: 0,
      reviewCompletionRate: null,
    });
  });

  it('by department: the sums, and a move inside the department is no transfer of the department', async () => {
    const r = await kpis(admin, { groupBy: 'department', departmentId: east });
    expect(r.data!.rows).toEqual([
      expect.objectContaining({ departmentId: east, ownerId: null, customersOwned: 6, newCustomers: 5, interactions: 2, complaintsResolved: 2, transfersIn: 0, transfersOut: 0, dataQualityCompleteness: 80 }),
    ]);
  });

  it('a bound that is not midnight in the company\'s time zone is 400 naming it', async () => {
    const inside = await kpis(manager, { to: new Date(now + 3_600_000).toISOString() });
    expect([inside.response.status, inside.error?.code, inside.error?.errors?.[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'to']);
    const utcMidnight = await kpis(manager, { from: new Date(Math.floor(now / DAY) * DAY - 10 * DAY).toISOString() });
    expect([utcMidnight.response.status, utcMidnight.error?.errors?.[0]?.field]).toEqual([400, 'from']);
    // the same instant written at +08:00 is accepted
    const local = new Date(midnight(now) - 10 * DAY + 8 * 3_600_000).toISOString().slice(0, 10);
    expect((await kpis(manager, { from: `${local}T00:00:00+08:00` })).response.status).toBe(200);
  });

  it('a period that does not run forwards, or runs over 400 days, is 400', async () => {
    const backwards = await kpis(manager, { from: period.to, to: period.from });
    expect([backwards.response.status, backwards.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const long = await kpis(manager, { from: ago(500) });
    expect([long.response.status, long.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

describe('visibility', () => {
  it('a seller sees their own row only; a manager their department; admin and auditor everyone', async () => {
    expect((await kpis(s1)).data!.rows.map((r) => r.ownerId)).toEqual([s1.id]);
    expect((await kpis(manager)).data!.rows.map((r) => r.ownerId).sort()).toEqual([s1.id, s2.id].sort());
    for (const actor of [admin, auditor]) {
      const owners = (await kpis(actor)).data!.rows.map((r) => r.ownerId);
      expect(owners).toEqual(expect.arrayContaining([s1.id, s2.id, westSeller.id]));
    }
  });

  it('another department\'s or person\'s ids are 404; service may not ask', async () => {
    const dept = await kpis(manager, { departmentId: west });
    expect([dept.response.status, dept.error?.code]).toEqual([404, 'NOT_FOUND']);
    const person = await kpis(manager, { ownerId: westSeller.id });
    expect([person.response.status, person.error?.code]).toEqual([404, 'NOT_FOUND']);
    const colleague = await kpis(s1, { ownerId: s2.id });
    expect([colleague.response.status, colleague.error?.code]).toEqual([404, 'NOT_FOUND']);
    const refused = await kpis(service);
    expect([refused.response.status, refused.error?.code]).toEqual([403, 'FORBIDDEN']);
    // the legitimate narrowing
    expect((await kpis(manager, { ownerId: s2.id })).data!.rows.map((r) => r.ownerId)).toEqual([s2.id]);
  });
});

describe('CSV export', () => {
  it('streams the same figures with a BOM, a header row, and formula-looking cells guarded', async () => {
    const token = await tokenFor(t, s1.username, `password-of-${s1.username}`);
    const query = new URLSearchParams({ ...period, format: 'csv' });
    const res = await fetch(`${t.baseUrl}/api/v1/kpis/export?${query}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, row, ...rest] = bytes.subarray(3).toString('utf8').trim().split('\n');
    expect(rest).toEqual([]);
    expect(header.split(',').slice(0, 8)).toEqual(['departmentId', 'departmentName', 'ownerId', 'ownerName', 'customersOwned', 'newCustomers', 'interactions', 'followUpsDue']);
    expect(row.split(',').slice(0, 8)).toEqual([east, "'@KPI 华东", s1.id, s1.username, '2', '1', '2', '2']);
  });

  it('refuses another department the same way', async () => {
    const token = await tokenFor(t, manager.username, `password-of-${manager.username}`);
    const res = await fetch(`${t.baseUrl}/api/v1/kpis/export?${new URLSearchParams({ ...period, departmentId: west })}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
  });
});
