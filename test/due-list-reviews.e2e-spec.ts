import { startTestApp, TestApp } from './support/test-app';
import { Actor, createCustomer } from './support/world';

/**
 * Issue 17: overdue review tasks appear in the owner's due list (GET /follow-ups/due) beside the
 * follow-ups, one list ordered by due time, then kind (follow-up first), customer and round, with
 * one cursor over both kinds; scoped as the follow-ups are.
 */

let t: TestApp;
let seller: Actor;
let seller2: Actor;
let manager: Actor;
let otherManager: Actor;
let otherSeller: Actor;
const c: Record<string, string> = {};
let round: string;
let later: string;
const DAY = 86_400_000;
const now = Date.now();
const T5 = new Date(now - 5 * DAY).toISOString();
const T3 = new Date(now - 3 * DAY).toISOString();
const T2 = new Date(now - 2 * DAY).toISOString();
const T1 = new Date(now - 1 * DAY).toISOString();

type Item = { kind: string; customerId: string; roundId: string | null; daysOverdue: number };
const show = (items: Item[]) => items.map((i) => `${i.kind}:${name(i.customerId)}${i.roundId === later ? '+' : ''}:${i.daysOverdue}`);
const name = (id: string) => Object.entries(c).find(([, v]) => v === id)?.[0] ?? id;
type Query = { scope?: 'mine' | 'department' | 'all'; limit?: number; cursor?: string; before?: string; status?: 'active' | 'dormant' };
const due = (actor: Actor, query: Query = {}) => actor.api.GET('/api/v1/follow-ups/due', { params: { query } });

/** Every page of the list, `limit` at a time. */
async function walk(actor: Actor, query: Query, limit: number): Promise<Item[][]> {
  const pages: Item[][] = [];
  let cursor: string | undefined;
  do {
    const r = await due(actor, { ...query, limit, cursor });
    expect(r.response.status).toBe(200);
    pages.push(r.data!.items);
    cursor = r.data!.nextCursor ?? undefined;
  } while (cursor && pages.length < 20);
  return pages;
}

beforeAll(async () => {
  t = await startTestApp();
  const department = await t.department('Due List');
  seller = await t.userClient('sales', { departmentId: department });
  seller2 = await t.userClient('sales', { departmentId: department });
  manager = await t.userClient('manager', { departmentId: department });
  const other = await t.department('Due List Other');
  otherManager = await t.userClient('manager', { departmentId: other });
  otherSeller = await t.userClient('sales', { departmentId: other });
  c.p = (await createCustomer(seller)).id;
  c.q = (await createCustomer(seller)).id;
  c.r = (await createCustomer(seller2)).id;
  c.x = (await createCustomer(otherSeller)).id;
  // Follow-ups: p five days overdue, r two, q and x not due for ten days.
  await t.db.query(`UPDATE customers SET next_follow_up_at = CASE id WHEN $1 THEN $4::timestamptz WHEN $2 THEN $5::timestamptz ELSE now() + interval '10 days' END WHERE id = ANY($3::uuid[])`, [
    c.p,
    c.r,
    [c.p, c.q, c.r, c.x],
    T5,
    T2,
  ]);
  const opened = await manager.api.POST('/api/v1/reviews', { body: { scope: 'all', dueAt: new Date(now + DAY).toISOString() } });
  expect(opened.data).toMatchObject({ tasks: 3 });
  round = opened.data!.id;
  // Review tasks: q's due exactly when p's follow-up was (a tie across kinds), p's three days ago, r's one day ago.
  await t.db.query(`UPDATE review_tasks SET due_at = CASE customer_id WHEN $2 THEN $4::timestamptz WHEN $3 THEN $5::timestamptz ELSE $6::timestamptz END WHERE round_id = $1`, [
    round,
    c.q,
    c.p,
    T5,
    T3,
    T1,
  ]);
  // A second round, due in a week: not in today's list.
  later = (await manager.api.POST('/api/v1/reviews', { body: { scope: 'all', dueAt: new Date(now + 7 * DAY).toISOString() } })).data!.id;
  // Another department's round with an overdue task.
  const theirs = (await otherManager.api.POST('/api/v1/reviews', { body: { scope: 'all', dueAt: new Date(now + DAY).toISOString() } })).data!.id;
  await t.db.query(`UPDATE review_tasks SET due_at = $2 WHERE round_id = $1`, [theirs, T5]);
});
afterAll(() => t.close());

describe('the due list with review tasks', () => {
  it('the owner\'s own list: follow-ups and overdue review tasks in one order, follow-up first at equal times; a review item says its round', async () => {
    const r = await due(seller);
    expect(r.response.status).toBe(200);
    expect(show(r.data!.items)).toEqual(['follow_up:p:5', 'review:q:5', 'review:p:3']);
    expect(r.data!.items[1]).toMatchObject({ kind: 'review', roundId: round, customerId: c.q, ownerId: seller.id, dueAt: T5, unowned: false });
    expect(r.data!.items[0]).toMatchObject({ kind: 'follow_up', roundId: null, dueAt: T5, nextFollowUpAt: T5 });
    expect(Date.parse(r.data!.items[1].nextFollowUpAt!)).toBeGreaterThan(now + 9 * DAY);
    expect(r.data!.nextCursor).toBeNull();
  });

  it('pages of one cross the kinds and the tie exactly (the cursor carries the kind)', async () => {
    const pages = await walk(seller, {}, 1);
    expect(pages.map(show)).toEqual([['follow_up:p:5'], ['review:q:5'], ['review:p:3']]);
  });

  it('the manager\'s department list holds every owner\'s items of the department, paged by two, and nothing of another department', async () => {
    const pages = await walk(manager, { scope: 'department' }, 2);
    expect(pages.map(show)).toEqual([['follow_up:p:5', 'review:q:5'], ['review:p:3', 'follow_up:r:2'], ['review:r:1']]);
    const all = (await due(manager, { scope: 'all' })).data!.items;
    expect(show(all)).toEqual(['follow_up:p:5', 'review:q:5', 'review:p:3', 'follow_up:r:2', 'review:r:1']);
  });

  it('a seller asking for the department still sees only their own; another seller and department see theirs only', async () => {
    expect(show((await due(seller, { scope: 'department' })).data!.items)).toEqual(['follow_up:p:5', 'review:q:5', 'review:p:3']);
    expect(show((await due(seller2)).data!.items)).toEqual(['follow_up:r:2', 'review:r:1']);
    expect(show((await due(otherManager, { scope: 'department' })).data!.items)).toEqual(['review:x:5']);
    expect(show((await due(otherSeller, { scope: 'all' })).data!.items)).toEqual(['review:x:5']);
  });

  it('before= takes what falls due by then, of both kinds (the second round\'s tasks in a week)', async () => {
    const items = (await due(seller, { before: new Date(now + 8 * DAY).toISOString() })).data!.items;
    // The two tasks of the later round fall due together: by customer id.
    const laterTasks = [c.p, c.q].sort().map((id) => `review:${name(id)}+:0`);
    expect(show(items)).toEqual(['follow_up:p:5', 'review:q:5', 'review:p:3', ...laterTasks]);
  });

  it('status=dormant lists the archive\'s follow-ups only: no review item', async () => {
    const items = (await due(manager, { scope: 'department', status: 'dormant' })).data!.items;
    expect(items.filter((i) => i.kind === 'review')).toEqual([]);
  });

  it('a review done leaves the list; a follow-up stays until contact', async () => {
    expect((await seller.api.POST('/api/v1/customers/{id}/review', { params: { path: { id: c.p } }, body: { confirmed: true } })).data).toMatchObject({ tasksDone: 2 });
    expect(show((await due(seller)).data!.items)).toEqual(['follow_up:p:5', 'review:q:5']);
  });

  it('refuses a forged cursor and one of another list (400 INVALID_CURSOR)', async () => {
    const forged = await due(seller, { cursor: 'eyJmb3JnZWQiOnRydWV9.abc' });
    expect([forged.response.status, forged.error?.code]).toEqual([400, 'INVALID_CURSOR']);
    const reviews = (await manager.api.GET('/api/v1/reviews/due', { params: { query: { scope: 'department', limit: 1 } } })).data!;
    expect(reviews.nextCursor).toEqual(expect.any(String));
    const foreign = await due(manager, { scope: 'department', cursor: reviews.nextCursor! });
    expect([foreign.response.status, foreign.error?.code]).toEqual([400, 'INVALID_CURSOR']);
  });
});
