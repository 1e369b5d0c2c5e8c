import { startTestApp, TestApp } from './support/test-app';
import { Actor, createCustomer } from './support/world';

/**
 * Issue 17 at 1 M: the KPIs read kpi_daily, kept by triggers in the writing transaction and
 * credited to whoever held the customer when the event happened. Each test builds its own
 * customers and people, computes the figures by hand, and the last one recomputes the whole
 * rollup from the tables (the test that catches a write path the triggers miss).
 */

let t: TestApp;
let admin: Actor;
let east: string;
let west: string;
let s1: Actor;
let s2: Actor;
let eastManager: Actor;
let westManager: Actor;
let w1: Actor;
let service: Actor;

const DAY = 86_400_000;
const now = Date.now();
const ago = (days: number) => new Date(now - days * DAY).toISOString();
/** Midnight in the company's time zone (Asia/Shanghai, UTC+8 all year) of the day `ms` falls in. */
const midnight = (ms: number) => Math.floor((ms + 8 * 3_600_000) / DAY) * DAY - 8 * 3_600_000;
const period = { from: new Date(midnight(now) - 30 * DAY).toISOString(), to: new Date(midnight(now) + DAY).toISOString() };
const sql = (text: string, params: unknown[] = []) => t.db.query(text, params);

const interaction = async (actor: Actor, customerId: string, occurredAt: string, nextActionDueAt?: string): Promise<string> => {
  const r = await actor.api.POST('/api/v1/customers/{id}/interactions', {
    params: { path: { id: customerId } },
    body: { occurredAt, channel: 'phone', summary: '电话沟通采购计划', ...(nextActionDueAt ? { nextAction: '回访', nextActionDueAt } : {}) },
  });
  if (r.response.status !== 201) throw new Error(JSON.stringify(r.error));
  return r.data!.id;
};
const complaint = async (customerId: string, receivedAt: string): Promise<string> => {
  const r = await service.api.POST('/api/v1/complaints', {
    body: { customerId, channel: 'phone', category: 'delivery', severity: 'general', title: '到货延迟', description: '第二批货物晚到三天', customerMood: 'upset', receivedAt } as never,
  });
  if (!r.data) throw new Error(JSON.stringify(r.error));
  return r.data.id;
};
/** Requests a transfer and approves every step (each department's manager). */
const transfer = async (from: Actor, to: Actor, customerIds: string[]) => {
  const r = await from.api.POST('/api/v1/transfers', { body: { toUserId: to.id, customerIds, reason: '区域调整' } });
  if (!r.data) throw new Error(JSON.stringify(r.error));
  for (const approver of [eastManager, westManager]) {
    await approver.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id: r.data.approvalId } }, body: { comment: '同意' } });
  }
  const owners = await sql(`SELECT DISTINCT owner_id FROM customers WHERE id = ANY($1::uuid[])`, [customerIds]);
  expect(owners.rows).toEqual([{ owner_id: to.id }]);
};

const kpis = async (actor: Actor, query: Record<string, string> = {}) => {
  const r = await actor.api.GET('/api/v1/kpis', { params: { query: { ...period, ...query } as never } });
  expect(r.response.status).toBe(200);
  return r.data!.rows;
};
const rowOf = async (ownerId: string) => (await kpis(admin, { ownerId })).find((row) => row.ownerId === ownerId);

beforeAll(async () => {
  t = await startTestApp();
  admin = { api: await t.admin(), id: (await (await t.admin()).GET('/api/v1/auth/me')).data!.id, username: 'admin' };
  east = await t.department('Rollup East');
  west = await t.department('Rollup West');
  eastManager = await t.userClient('manager', { departmentId: east });
  westManager = await t.userClient('manager', { departmentId: west });
  service = await t.userClient('service', { departmentId: east });
});
afterAll(() => t.close());

beforeEach(async () => {
  // Fresh sellers for each test, so that each one's figures are its own.
  s1 = await t.userClient('sales', { departmentId: east });
  s2 = await t.userClient('sales', { departmentId: east });
  w1 = await t.userClient('sales', { departmentId: west });
});

describe('credit goes to whoever held the customer when it happened', () => {
  it('an interaction and a complaint, then a transfer: the earlier owner keeps them; the new owner gets what follows', async () => {
    const g = (await createCustomer(s1)).id;
    await interaction(s1, g, ago(3));
    await complaint(g, ago(2));
    await transfer(s1, s2, [g]);
    await interaction(s2, g, new Date().toISOString()); // after the transfer (a call dated before it would be s1's)
    // Before the rollup, "as customers belong now" gave s1 nothing and s2 both calls and the complaint.
    expect(await rowOf(s1.id)).toMatchObject({ customersOwned: 0, interactions: 1, complaintsReceived: 1, transfersOut: 1, transfersIn: 0 });
    expect(await rowOf(s2.id)).toMatchObject({ customersOwned: 1, newCustomers: 1, interactions: 1, complaintsReceived: 0, transfersIn: 1, transfersOut: 0 });
  });

  it('a back-dated interaction counts for the holder of its date, and meets the follow-up it falls within', async () => {
    const h = (await createCustomer(s1)).id;
    await interaction(s1, h, ago(10), ago(5)); // planned: due 5 days ago
    expect(await rowOf(s1.id)).toMatchObject({ interactions: 1, followUpsDue: 1, followUpsOnTime: 0, followUpOnTimeRate: 0 });
    await transfer(s1, s2, [h]);
    // s2 writes down, after the transfer, a call s1 made 7 days ago: it is s1's work, and it met s1's follow-up in time.
    await interaction(s2, h, ago(7));
    expect(await rowOf(s1.id)).toMatchObject({ interactions: 2, followUpsDue: 1, followUpsOnTime: 1, followUpOnTimeRate: 100, transfersOut: 1 });
    expect(await rowOf(s2.id)).toMatchObject({ interactions: 0, followUpsDue: 0, transfersIn: 1 });
    const met = await sql(`SELECT follow_up_met_at FROM interactions WHERE customer_id = $1 AND next_action_due_at IS NOT NULL`, [h]);
    expect(new Date(met.rows[0].follow_up_met_at).toISOString()).toBe(ago(7));
  });

  it('a complaint resolved late, by the holder of the resolution day', async () => {
    const k = (await createCustomer(s1)).id;
    const id = await complaint(k, ago(6));
    await transfer(s1, s2, [k]);
    // Resolved after the transfer (now: a time before it would be s1's), a day past its deadline; verified with satisfaction 2.
    await sql(
      `UPDATE complaints SET status = 'verified', resolved_at = now(), due_at = now() - interval '1 day', resolution_working_minutes = 540,
              satisfaction = 2, verified_at = now() WHERE id = $1`,
      [id],
    );
    expect(await rowOf(s1.id)).toMatchObject({ complaintsReceived: 1, complaintsResolved: 0, satisfactionAverage: null });
    expect(await rowOf(s2.id)).toMatchObject({
      complaintsReceived: 0,
      complaintsResolved: 1,
      complaintsResolvedOnTime: 0,
      complaintOnTimeRate: 0,
      meanResolutionWorkingMinutes: 540,
      satisfactionAverage: 2,
    });
  });

  it('a bulk transfer across departments: every customer counts, for the people and for both departments', async () => {
    const moving = [(await createCustomer(s1)).id, (await createCustomer(s1)).id, (await createCustomer(s1)).id];
    await interaction(s1, moving[0], ago(1));
    const eastBefore = (await kpis(admin, { groupBy: 'department', departmentId: east }))[0];
    const westBefore = (await kpis(admin, { groupBy: 'department', departmentId: west }))[0];
    await transfer(s1, w1, moving);
    expect(await rowOf(s1.id)).toMatchObject({ transfersOut: 3, interactions: 1, customersOwned: 0 });
    expect(await rowOf(w1.id)).toMatchObject({ transfersIn: 3, interactions: 0, customersOwned: 3 });
    const eastAfter = (await kpis(admin, { groupBy: 'department', departmentId: east }))[0];
    const westAfter = (await kpis(admin, { groupBy: 'department', departmentId: west }))[0];
    expect(eastAfter.transfersOut - eastBefore.transfersOut).toBe(3);
    expect(eastAfter.interactions - eastBefore.interactions).toBe(0); // the call stays the east's
    expect(westAfter.transfersIn - (westBefore?.transfersIn ?? 0)).toBe(3);
    // The east manager still sees s1's transfers out; the west manager sees w1's in.
    expect((await kpis(eastManager)).find((r) => r.ownerId === s1.id)).toMatchObject({ transfersOut: 3 });
    expect((await kpis(westManager)).find((r) => r.ownerId === w1.id)).toMatchObject({ transfersIn: 3 });
  });

  it('a succession moves every customer of the leaver at once, each counted', async () => {
    const customers = [(await createCustomer(s1)).id, (await createCustomer(s1)).id];
    await admin.api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id: s1.id } } });
    const done = await eastManager.api.POST('/api/v1/transfers/succession', { body: { fromUserId: s1.id, toUserId: s2.id, customerIds: customers } });
    expect(done.response.status).toBe(201);
    expect(await rowOf(s1.id)).toMatchObject({ transfersOut: 2 });
    expect(await rowOf(s2.id)).toMatchObject({ transfersIn: 2, customersOwned: 2 });
  });
});

describe('the rollup against a recomputation from the tables', () => {
  it('after a mixed scenario (API writes, corrections, plain SQL, a merge of rows, deletions), kpi_daily equals a GROUP BY over the raw rows', async () => {
    const a = (await createCustomer(s1)).id;
    const b = (await createCustomer(s1)).id;
    const c = (await createCustomer(s2)).id;
    const planned = await interaction(s1, a, ago(9), ago(4));
    await interaction(s1, a, ago(8), ago(1));
    await interaction(s1, b, ago(2));
    await complaint(b, ago(3));
    await transfer(s1, w1, [a]);
    await interaction(w1, a, ago(6)); // back-dated before the transfer: meets the first follow-up
    // A correction (plain SQL, as the PATCH's UPDATE) moves the planning call 12 hours later.
    await sql(`UPDATE interactions SET occurred_at = occurred_at + interval '12 hours' WHERE id = $1`, [planned]);
    // Plain SQL: a resolution, a deleted call, interactions moved to another customer (as a merge does).
    const k = await complaint(c, ago(4));
    await sql(`UPDATE complaints SET resolved_at = now() - interval '2 days', due_at = now() - interval '3 days', resolution_working_minutes = 90 WHERE id = $1`, [k]);
    const gone = await interaction(s2, c, ago(5), ago(3));
    await interaction(s2, c, ago(4));
    await sql(`DELETE FROM interaction_versions WHERE interaction_id = $1`, [gone]);
    await sql(`DELETE FROM interactions WHERE id = $1`, [gone]);
    await sql(`UPDATE interactions SET customer_id = $1 WHERE customer_id = $2`, [c, b]);
    await sql(`UPDATE complaints SET customer_id = $1 WHERE customer_id = $2`, [c, b]);

    const counters = [
      'interactions', 'follow_ups_due', 'follow_ups_on_time', 'complaints_received', 'complaints_resolved', 'complaints_resolved_on_time',
      'resolution_minutes_sum', 'resolution_minutes_count', 'satisfaction_sum', 'satisfaction_count', 'transfers_in', 'transfers_out',
      'department_transfers_in', 'department_transfers_out',
    ];
    const zero = counters.map(() => '0');
    const facts = (values: Record<string, string>) => counters.map((c) => `${values[c] ?? '0'}::bigint AS ${c}`).join(', ');
    // From the definitions, not from the triggers' helpers: on time is "another interaction after it and no later than its due time".
    const recomputed = await sql(`
      WITH f AS (
        SELECT h.owner_id, h.department_id, kpi_day(i.occurred_at) AS day, ${facts({ interactions: '1' })}
          FROM interactions i, kpi_holder(i.customer_id, i.occurred_at) h
        UNION ALL
        SELECT h.owner_id, h.department_id, kpi_day(i.next_action_due_at), ${facts({
          follow_ups_due: '1',
          follow_ups_on_time: `(EXISTS (SELECT 1 FROM interactions n WHERE n.customer_id = i.customer_id AND n.id <> i.id AND n.occurred_at > i.occurred_at AND n.occurred_at <= i.next_action_due_at))::int`,
        })}
          FROM interactions i, kpi_holder(i.customer_id, i.occurred_at) h WHERE i.next_action_due_at IS NOT NULL
        UNION ALL
        SELECT h.owner_id, h.department_id, kpi_day(k.received_at), ${facts({ complaints_received: '1' })}
          FROM complaints k, kpi_holder(k.customer_id, k.received_at) h
        UNION ALL
        SELECT h.owner_id, h.department_id, kpi_day(k.resolved_at), ${facts({
          complaints_resolved: '1',
          complaints_resolved_on_time: '(k.resolved_at <= k.due_at)::int',
          resolution_minutes_sum: 'coalesce(k.resolution_working_minutes, 0)',
          resolution_minutes_count: '(k.resolution_working_minutes IS NOT NULL)::int',
        })}
          FROM complaints k, kpi_holder(k.customer_id, k.resolved_at) h WHERE k.resolved_at IS NOT NULL
        UNION ALL
        SELECT h.owner_id, h.department_id, kpi_day(k.verified_at), ${facts({ satisfaction_sum: 'k.satisfaction', satisfaction_count: '1' })}
          FROM complaints k, kpi_holder(k.customer_id, k.verified_at) h WHERE k.verified_at IS NOT NULL AND k.satisfaction IS NOT NULL
        UNION ALL
        SELECT i.from_owner_id, b.department_id, kpi_day(i.moved_at), ${facts({ transfers_out: '(i.from_owner_id <> t.to_user_id)::int', department_transfers_out: '(b.department_id <> a.department_id)::int' })}
          FROM transfer_items i JOIN transfers t ON t.id = i.transfer_id, kpi_holder(i.customer_id, i.moved_at - interval '1 microsecond') b, kpi_holder(i.customer_id, i.moved_at) a
         WHERE i.outcome = 'moved'
        UNION ALL
        SELECT t.to_user_id, a.department_id, kpi_day(i.moved_at), ${facts({ transfers_in: '(i.from_owner_id <> t.to_user_id)::int', department_transfers_in: '(b.department_id <> a.department_id)::int' })}
          FROM transfer_items i JOIN transfers t ON t.id = i.transfer_id, kpi_holder(i.customer_id, i.moved_at - interval '1 microsecond') b, kpi_holder(i.customer_id, i.moved_at) a
         WHERE i.outcome = 'moved'
      )
      SELECT owner_id, department_id, day::text AS day, ${counters.map((c) => `sum(${c})::bigint AS ${c}`).join(', ')}
        FROM f GROUP BY 1, 2, 3 HAVING ${counters.map((c) => `sum(${c}) <> 0`).join(' OR ')} ORDER BY 1, 2, 3`);
    const rollup = await sql(`
      SELECT owner_id, department_id, day::text AS day, ${counters.map((c) => `${c}::bigint AS ${c}`).join(', ')}
        FROM kpi_daily WHERE (${counters.join(', ')}) <> (${zero.join(', ')}) ORDER BY 1, 2, 3`);
    expect(rollup.rows.length).toBeGreaterThan(5);
    expect(rollup.rows).toEqual(recomputed.rows);
    // By hand, for s1: a's two calls and the back-dated one (s1 held a on its date); b's call and complaint moved to c, which s2 always held.
    // Both of a's follow-ups were met: the call 8 days ago within the first (planned 8.5 days ago, due 4 days ago), the back-dated one 6 days ago within the second.
    expect(await rowOf(s1.id)).toMatchObject({ interactions: 3, followUpsDue: 2, followUpsOnTime: 2, transfersOut: 1, complaintsReceived: 0 });
    expect(await rowOf(s2.id)).toMatchObject({ interactions: 2, followUpsDue: 0, complaintsReceived: 2, complaintsResolved: 1, complaintsResolvedOnTime: 0 });
  });
});
