import { ReviewsService } from '../src/modules/reviews/reviews.service';
import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, World } from './support/world';

/** Issue 17, periodic reviews: rounds, the owner's confirmation, progress per owner, the due list, schedules. */

let t: TestApp;
let w: World;
let tiers: Record<string, string>;
const c: Record<string, string> = {};
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
const open = (actor: Actor, body: Record<string, unknown>) => actor.api.POST('/api/v1/reviews', { body: body as never });
const progress = (actor: Actor, id: string) => actor.api.GET('/api/v1/reviews/{id}', { params: { path: { id } } });
const confirm = (actor: Actor, id: string) => actor.api.POST('/api/v1/customers/{id}/review', { params: { path: { id } }, body: { confirmed: true } });

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  tiers = Object.fromEntries((await w.admin.api.GET('/api/v1/tiers')).data!.map((x) => [x.code, x.id]));
  c.a1 = (await createCustomer(w.salesEast1)).id;
  c.a2 = (await createCustomer(w.salesEast1)).id;
  await t.db.query(`UPDATE customers SET tier_id = $2 WHERE id = $1`, [c.a2, tiers.core]);
  c.b1 = (await createCustomer(w.salesEast2)).id;
  c.w1 = (await createCustomer(w.salesWest)).id;
});
afterAll(() => t.close());

let round: string;
let coreRound: string;

describe('opening a round', () => {
  it('a manager opens one for their department: one task per active customer, for its owner; audited', async () => {
    const r = await open(w.managerEast, { scope: 'all', dueAt: inDays(7) });
    expect(r.response.status).toBe(201);
    expect(r.data).toMatchObject({ departmentId: w.east, scope: 'all', tasks: 3 });
    round = r.data!.id;
    const tasks = await t.db.query(`SELECT customer_id, owner_id FROM review_tasks WHERE round_id = $1 ORDER BY customer_id`, [round]);
    expect(tasks.rows.map((x) => [x.customer_id, x.owner_id]).sort()).toEqual(
      [
        [c.a1, w.salesEast1.id],
        [c.a2, w.salesEast1.id],
        [c.b1, w.salesEast2.id],
      ].sort(),
    );
    const audit = await t.db.query(`SELECT action, actor_id FROM audit_log WHERE entity_type = 'review_round' AND entity_id = $1`, [round]);
    expect(audit.rows).toEqual([{ action: 'review_round.create', actor_id: w.managerEast.id }]);
  });

  it('scope tier takes only that tier\'s customers; an admin\'s round without a department takes every department', async () => {
    const core = await open(w.managerEast, { scope: 'tier', tierId: tiers.core, dueAt: inDays(3) });
    expect(core.data).toMatchObject({ scope: 'tier', tierId: tiers.core, tasks: 1 });
    coreRound = core.data!.id;
    const all = await open(w.admin, { scope: 'all', dueAt: inDays(30) });
    expect(all.data).toMatchObject({ departmentId: null, tasks: 4 });
  });

  it('refuses another department (404), a seller (403), a scope without its id or a past due time (400)', async () => {
    const other = await open(w.managerEast, { scope: 'all', departmentId: w.west, dueAt: inDays(7) });
    expect([other.response.status, other.error?.code]).toEqual([404, 'NOT_FOUND']);
    const seller = await open(w.salesEast1, { scope: 'all', dueAt: inDays(7) });
    expect([seller.response.status, seller.error?.code]).toEqual([403, 'FORBIDDEN']);
    const noTier = await open(w.managerEast, { scope: 'tier', dueAt: inDays(7) });
    expect([noTier.response.status, noTier.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const past = await open(w.managerEast, { scope: 'all', dueAt: inDays(-1) });
    expect([past.response.status, past.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

describe('the owner confirms', () => {
  it('stamps reviewedAt, completes the customer\'s open tasks in every round, bumps the version; audited', async () => {
    const r = await confirm(w.salesEast1, c.a2);
    expect(r.response.status).toBe(200);
    expect(r.data).toMatchObject({ customerId: c.a2, tasksDone: 3, version: 2 }); // the East round, the core round, the admin's round
    const row = await t.db.query(`SELECT reviewed_at FROM customers WHERE id = $1`, [c.a2]);
    expect(row.rows[0].reviewed_at.toISOString()).toBe(r.data!.reviewedAt);
    const audit = await t.db.query(`SELECT actor_id FROM audit_log WHERE action = 'customer.review' AND entity_id = $1`, [c.a2]);
    expect(audit.rows).toEqual([{ actor_id: w.salesEast1.id }]);
  });

  it('nobody else: the manager who sees it is 403, a colleague who does not is 404', async () => {
    const manager = await confirm(w.managerEast, c.a1);
    expect([manager.response.status, manager.error?.code]).toEqual([403, 'FORBIDDEN']);
    const colleague = await confirm(w.salesEast2, c.a1);
    expect([colleague.response.status, colleague.error?.code]).toEqual([404, 'NOT_FOUND']);
    const unconfirmed = await w.salesEast1.api.POST('/api/v1/customers/{id}/review', { params: { path: { id: c.a1 } }, body: { confirmed: false as never } });
    expect([unconfirmed.response.status, unconfirmed.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

describe('progress and the due list', () => {
  it('done / overdue / open per owner, for the manager; overdue once the due time passed', async () => {
    await t.db.query(`UPDATE review_tasks SET due_at = now() - interval '1 hour' WHERE round_id = $1 AND customer_id = $2`, [round, c.b1]);
    const r = await progress(w.managerEast, round);
    expect(r.response.status).toBe(200);
    expect(r.data).toMatchObject({ tasks: 3, done: 1, overdue: 1, open: 1 });
    expect(r.data!.owners.map((o) => [o.ownerId, o.done, o.overdue, o.open]).sort()).toEqual(
      [
        [w.salesEast1.id, 1, 0, 1],
        [w.salesEast2.id, 0, 1, 0],
      ].sort(),
    );
  });

  it('a seller sees their own row only; another department\'s manager and sellers without tasks get 404', async () => {
    const own = await progress(w.salesEast2, round);
    expect(own.data!.owners.map((o) => o.ownerId)).toEqual([w.salesEast2.id]);
    for (const actor of [w.managerWest, w.salesWest]) {
      const r = await progress(actor, round);
      expect([r.response.status, r.error?.code]).toEqual([404, 'NOT_FOUND']);
    }
    const auditor = await progress(w.auditor, round);
    expect(auditor.data!.owners).toHaveLength(2);
    const service = await progress(w.service, round);
    expect(service.response.status).toBe(403);
  });

  it('the owner\'s due list holds their open tasks, overdue first', async () => {
    const mine = (await w.salesEast2.api.GET('/api/v1/reviews/due')).data!;
    expect(mine.items.map((i) => [i.customerId, i.overdue])).toEqual([
      [c.b1, true],
      [c.b1, false],
    ]);
    const department = (await w.managerEast.api.GET('/api/v1/reviews/due', { params: { query: { scope: 'department' } } })).data!;
    expect(department.items.map((i) => i.customerId).sort()).toEqual([c.a1, c.a1, c.b1, c.b1].sort());
    expect(department.items.every((i) => i.customerId !== c.w1)).toBe(true);
    const page = (await w.managerEast.api.GET('/api/v1/reviews/due', { params: { query: { scope: 'department', limit: 3 } } })).data!;
    const rest = (await w.managerEast.api.GET('/api/v1/reviews/due', { params: { query: { scope: 'department', limit: 3, cursor: page.nextCursor! } } })).data!;
    expect([...page.items, ...rest.items]).toHaveLength(4);
    void coreRound;
  });
});

describe('scheduled rounds', () => {
  it('a manager sets their department\'s schedule (not another\'s); the job opens one round per period even when two runs race', async () => {
    const other = await w.managerEast.api.PUT('/api/v1/reviews/schedules/{departmentId}', { params: { path: { departmentId: w.west } }, body: { cadence: 'weekly', dueDays: 5 } });
    expect([other.response.status, other.error?.code]).toEqual([404, 'NOT_FOUND']);
    const set = await w.managerEast.api.PUT('/api/v1/reviews/schedules/{departmentId}', { params: { path: { departmentId: w.east } }, body: { cadence: 'weekly', dueDays: 5 } });
    expect(set.response.status).toBe(200);
    const before = Number((await t.db.query(`SELECT count(*) FROM review_rounds WHERE department_id = $1`, [w.east])).rows[0].count);

    const second = await t.anotherInstance();
    await second.init();
    const runs = await Promise.all([t.app.get(ReviewsService).runSchedules(), second.get(ReviewsService).runSchedules()]);
    expect(runs.map((r) => r.rounds).sort()).toEqual([0, 1]);

    const rounds = await t.db.query(`SELECT r.due_at, r.created_by, (SELECT count(*)::int FROM review_tasks k WHERE k.round_id = r.id) AS tasks FROM review_rounds r WHERE department_id = $1 ORDER BY created_at`, [w.east]);
    expect(rounds.rows).toHaveLength(before + 1);
    expect(rounds.rows[before]).toMatchObject({ created_by: null, tasks: 3 });
    const schedule = await t.db.query(`SELECT next_run_at FROM review_schedules WHERE department_id = $1`, [w.east]);
    const next = schedule.rows[0].next_run_at.getTime();
    expect(Math.abs(next - (new Date(set.data!.nextRunAt).getTime() + 7 * 86_400_000))).toBeLessThan(1000);
    // nothing more until the next period
    expect(await t.app.get(ReviewsService).runSchedules()).toEqual({ rounds: 0 });
  });
});
