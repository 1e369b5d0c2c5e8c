import { normalizeCustomerName } from '../src/modules/customers/customer.rules';
import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, World } from './support/world';

/**
 * Issue 17, what was left of periodic reviews: the owner's review may carry changes (PATCH's own
 * rules, one transaction); an owner's edit while they have an open review task counts as the
 * review, nobody else's; open tasks follow their customer through a transfer.
 */

let t: TestApp;
let w: World;
const c: Record<string, string> = {};
let round: string;
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
const at = (id: string) => ({ params: { path: { id } } });
const review = (actor: Actor, id: string, body: Record<string, unknown>, ifMatch?: string) =>
  actor.api.POST('/api/v1/customers/{id}/review', { params: { path: { id }, ...(ifMatch ? { header: { 'If-Match': ifMatch } } : {}) }, body: body as never });
const patch = (actor: Actor, id: string, body: Record<string, unknown>) => actor.api.PATCH('/api/v1/customers/{id}', { params: { path: { id } }, body: body as never });
const approve = (actor: Actor, id: string) => actor.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id } }, body: { comment: '同意' } });

async function state(customerId: string) {
  const customer = (await t.db.query(`SELECT version, stage, short_name, reviewed_at FROM customers WHERE id = $1`, [customerId])).rows[0];
  const tasks = (await t.db.query(`SELECT owner_id, department_id, done_at, done_by FROM review_tasks WHERE round_id = $1 AND customer_id = $2`, [round, customerId])).rows;
  return { ...customer, task: tasks[0] };
}
const reviewsOf = async (customerId: string) =>
  (await t.db.query(`SELECT actor_id, after FROM audit_log WHERE action = 'customer.review' AND entity_id = $1 ORDER BY id`, [customerId])).rows;
const actionsOf = async (customerId: string) => (await t.db.query(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, [customerId])).rows.map((r) => r.action);

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
  for (const name of ['a1', 'a2', 'a3', 'a4', 'a5']) c[name] = (await createCustomer(w.salesEast1)).id;
  c.b1 = (await createCustomer(w.salesEast2)).id;
  c.m1 = (await createCustomer(w.managerEast)).id;
  c.w1 = (await createCustomer(w.salesWest)).id;
  const opened = await w.managerEast.api.POST('/api/v1/reviews', { body: { scope: 'all', dueAt: inDays(7) } });
  expect(opened.data).toMatchObject({ tasks: 7 }); // a1–a5, b1, m1: East's active customers
  round = opened.data!.id;
});
afterAll(() => t.close());

describe('the review with changes', () => {
  it('applies the changes as PATCH does and stamps the review in the same transaction: one new version, both audited', async () => {
    const r = await review(w.salesEast1, c.a1, { confirmed: true, changes: { stage: 'customer', shortName: '华东一号', version: 1 } });
    expect(r.response.status).toBe(200);
    expect(r.data).toMatchObject({ customerId: c.a1, version: 2, tasksDone: 1 });
    const s = await state(c.a1);
    expect(s).toMatchObject({ version: 2, stage: 'customer', short_name: '华东一号' });
    expect(s.reviewed_at.toISOString()).toBe(r.data!.reviewedAt);
    expect(s.task).toMatchObject({ done_by: w.salesEast1.id });
    expect(s.task.done_at.toISOString()).toBe(r.data!.reviewedAt);
    expect(await actionsOf(c.a1)).toEqual(['customer.create', 'customer.update', 'customer.review']);
    const [entry] = await reviewsOf(c.a1);
    expect(entry).toMatchObject({ actor_id: w.salesEast1.id, after: { version: 2, tasksDone: 1, by: 'review_with_changes' } });
    // the ETag the client now holds works for the next edit
    expect((await patch(w.salesEast1, c.a1, { shortName: '华东一号甲', version: 2 })).response.status).toBe(200);
  });

  it('keeps PATCH\'s version rule: 428 without a version, 412 when stale (If-Match), 400 when If-Match and version disagree; nothing is stamped', async () => {
    const none = await review(w.salesEast1, c.a2, { confirmed: true, changes: { stage: 'customer' } });
    expect([none.response.status, none.error?.code]).toEqual([428, 'PRECONDITION_REQUIRED']);
    const stale = await review(w.salesEast1, c.a2, { confirmed: true, changes: { stage: 'customer' } }, '"7"');
    expect([stale.response.status, stale.error?.code]).toEqual([412, 'VERSION_CONFLICT']);
    const both = await review(w.salesEast1, c.a2, { confirmed: true, changes: { stage: 'customer', version: 1 } }, '"2"');
    expect([both.response.status, both.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    // A bare confirmation needs no version, but an If-Match sent is held to.
    const bareStale = await review(w.salesEast1, c.a2, { confirmed: true }, '"5"');
    expect([bareStale.response.status, bareStale.error?.code]).toEqual([412, 'VERSION_CONFLICT']);
    const malformed = await review(w.salesEast1, c.a2, { confirmed: true }, 'x'.repeat(65));
    expect([malformed.response.status, malformed.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await state(c.a2)).toMatchObject({ version: 1, stage: 'prospect', reviewed_at: null, task: { done_at: null } });
    expect(await reviewsOf(c.a2)).toEqual([]);
  });

  it('validates the changes as PATCH does (400), refuses an owner change (422), with nothing applied or stamped', async () => {
    const short = await review(w.salesEast1, c.a2, { confirmed: true, changes: { name: 'x', version: 1 } });
    expect([short.response.status, short.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const unknown = await review(w.salesEast1, c.a2, { confirmed: true, changes: { reviewedAt: inDays(0), version: 1 } });
    expect([unknown.response.status, unknown.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const owner = await review(w.salesEast1, c.a2, { confirmed: true, changes: { ownerId: w.salesEast2.id, version: 1 } });
    expect([owner.response.status, owner.error?.code]).toEqual([422, 'OWNER_CHANGE_NEEDS_TRANSFER']);
    const ok = await review(w.salesEast1, c.a2, { confirmed: true, changes: { stage: 'customer' } }, '"1"');
    expect(ok.data).toMatchObject({ version: 2, tasksDone: 1 });
  });

  it('nobody but the owner: the department manager is 403, a colleague and another department are 404, and nothing changes', async () => {
    for (const [actor, status, code] of [
      [w.managerEast, 403, 'FORBIDDEN'],
      [w.salesEast2, 404, 'NOT_FOUND'],
      [w.managerWest, 404, 'NOT_FOUND'],
      [w.salesWest, 404, 'NOT_FOUND'],
    ] as const) {
      const r = await review(actor, c.a3, { confirmed: true, changes: { stage: 'customer', version: 1 } });
      expect([r.response.status, r.error?.code]).toEqual([status, code]);
    }
    const admin = await review(w.admin, c.a3, { confirmed: true });
    expect([admin.response.status, admin.error?.code]).toEqual([403, 'FORBIDDEN']);
    expect(await state(c.a3)).toMatchObject({ version: 1, stage: 'prospect', reviewed_at: null, task: { done_at: null } });
  });
});

describe('an edit by the owner counts as the review', () => {
  it('the owner\'s PATCH completes their open task and stamps reviewedAt, keeping the edit\'s one version (ETag still good); audited', async () => {
    const r = await patch(w.salesEast1, c.a4, { shortName: '华东四号', version: 1 });
    expect(r.response.status).toBe(200);
    expect([r.data!.version, r.response.headers.get('etag')]).toEqual([2, '"2"']);
    const s = await state(c.a4);
    expect(s).toMatchObject({ version: 2, task: { done_by: w.salesEast1.id } });
    expect(s.reviewed_at).not.toBeNull();
    expect(s.task.done_at.getTime()).toBe(s.reviewed_at.getTime());
    expect(await actionsOf(c.a4)).toEqual(expect.arrayContaining(['customer.update', 'customer.review']));
    expect(await reviewsOf(c.a4)).toEqual([{ actor_id: w.salesEast1.id, after: { reviewedAt: s.reviewed_at.toISOString(), version: 2, tasksDone: 1, by: 'edit' } }]);
    expect((await w.salesEast1.api.GET('/api/v1/customers/{id}', at(c.a4))).response.headers.get('etag')).toBe('"2"');
  });

  it('a manager\'s or an admin\'s edit of someone else\'s customer does not', async () => {
    expect((await patch(w.managerEast, c.a5, { shortName: '经理改的', version: 1 })).response.status).toBe(200);
    expect((await patch(w.admin, c.b1, { shortName: '管理员改的', version: 1 })).response.status).toBe(200);
    for (const id of [c.a5, c.b1]) {
      expect(await state(id)).toMatchObject({ version: 2, reviewed_at: null, task: { done_at: null, done_by: null } });
      expect(await reviewsOf(id)).toEqual([]);
    }
  });

  it('a manager editing a customer they own themselves is its owner', async () => {
    expect((await patch(w.managerEast, c.m1, { shortName: '经理自己的', version: 1 })).response.status).toBe(200);
    expect(await state(c.m1)).toMatchObject({ version: 2, task: { done_by: w.managerEast.id } });
  });

  it('without an open task an owner\'s edit stamps nothing, and a done task is not reopened or redone', async () => {
    const before = await state(c.a4);
    expect((await patch(w.salesEast1, c.a4, { shortName: '华东四号乙', version: 2 })).response.status).toBe(200);
    const after = await state(c.a4);
    expect(after.version).toBe(3);
    expect(after.reviewed_at.getTime()).toBe(before.reviewed_at.getTime());
    expect(after.task).toEqual(before.task);
    expect(await reviewsOf(c.a4)).toHaveLength(1);
  });

  it('an explicit confirmation after the edit is still one (a new version, no task left to complete)', async () => {
    const r = await review(w.salesEast1, c.a4, { confirmed: true });
    expect(r.data).toMatchObject({ version: 4, tasksDone: 0 });
    expect((await state(c.a4)).task.done_at).not.toBeNull();
  });
});

describe('a transfer', () => {
  it('moves the open review tasks with the customer (counted in its entry), leaves done ones, and completes none', async () => {
    // a3: open task; a1: done by its owner above
    const requested = await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [c.a3, c.a1], reason: '区域调整' } });
    expect(requested.response.status).toBe(202);
    expect((await approve(w.managerEast, requested.data!.approvalId)).data).toMatchObject({ status: 'approved' });
    expect((await state(c.a3)).task).toMatchObject({ owner_id: w.salesEast2.id, department_id: w.east, done_at: null });
    expect((await state(c.a1)).task).toMatchObject({ owner_id: w.salesEast1.id, done_by: w.salesEast1.id });
    const entries = (await t.db.query(`SELECT entity_id, after FROM audit_log WHERE action = 'customer.transfer' AND entity_id = ANY($1::text[])`, [[c.a3, c.a1]])).rows;
    expect(Object.fromEntries(entries.map((e) => [e.entity_id, e.after.reviewTasksMoved]))).toEqual({ [c.a3]: 1, [c.a1]: 0 });
  });

  it('the former owner can no longer review it (404); the new owner\'s due list has it, and the new owner\'s edit completes it', async () => {
    const former = await review(w.salesEast1, c.a3, { confirmed: true });
    expect([former.response.status, former.error?.code]).toEqual([404, 'NOT_FOUND']);
    await t.db.query(`UPDATE review_tasks SET due_at = now() - interval '1 day' WHERE round_id = $1 AND customer_id = $2`, [round, c.a3]);
    const kinds = async (actor: Actor) => (await actor.api.GET('/api/v1/follow-ups/due')).data!.items.filter((i) => i.kind === 'review').map((i) => i.customerId);
    expect(await kinds(w.salesEast2)).toContain(c.a3);
    expect(await kinds(w.salesEast1)).not.toContain(c.a3);
    const version = (await state(c.a3)).version;
    expect((await patch(w.salesEast2, c.a3, { shortName: '新主人', version })).response.status).toBe(200);
    expect((await state(c.a3)).task).toMatchObject({ owner_id: w.salesEast2.id, done_by: w.salesEast2.id });
    expect(await kinds(w.salesEast2)).not.toContain(c.a3);
  });
});

describe('a review with changes that collide with a concurrent create', () => {
  /** Waits until `count` other sessions of this database wait on a lock (the request reached the held one). */
  async function waitForLockWaiters(count: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
      if (rows[0].n >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`fewer than ${count} requests ever waited on the held lock`);
  }

  /**
   * Sends `request` while another session has inserted, uncommitted, a customer named `name`: the
   * request's pre-check cannot see it, its write waits on the unique index, and the insert commits
   * first, so the write meets the unique violation. Answers the response and the rival's id.
   */
  async function racingCreate<R>(name: string, request: () => Promise<R>): Promise<{ answer: R; rivalId: string }> {
    const client = await t.db.connect();
    try {
      await client.query('BEGIN');
      // A copy of another customer under the colliding name: a concurrent create, as far as the indexes can tell.
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO customers SELECT (jsonb_populate_record(NULL::customers, to_jsonb(c) || jsonb_build_object('id', gen_random_uuid(), 'name', $2::text, 'name_normalized', $3::text, 'credit_code', NULL, 'version', 1))).*
           FROM customers c WHERE c.id = $1 RETURNING id`,
        [c.w1, name, normalizeCustomerName(name)],
      );
      const pending = request();
      await waitForLockWaiters(1);
      await client.query('COMMIT');
      return { answer: await pending, rivalId: rows[0].id };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  it('answers 409 CUSTOMER_DUPLICATE with the rival, as PATCH does, and writes nothing: no update, no review, no stamp', async () => {
    const id = (await createCustomer(w.salesEast1)).id;
    const name = `竞速重名贸易有限公司 ${Date.now()}`;
    const { answer, rivalId } = await racingCreate(name, () => review(w.salesEast1, id, { confirmed: true, changes: { name, version: 1 } }));
    expect([answer.response.status, answer.error?.code]).toEqual([409, 'CUSTOMER_DUPLICATE']);
    expect(answer.error).toMatchObject({ duplicates: [expect.objectContaining({ id: rivalId, matchedOn: 'name' })] });
    const after = (await t.db.query(`SELECT version, name, reviewed_at FROM customers WHERE id = $1`, [id])).rows[0];
    expect(after).toMatchObject({ version: 1, reviewed_at: null });
    expect(after.name).not.toBe(name);
    expect(await actionsOf(id)).toEqual(['customer.create']);
  });

  it('PATCH meeting the same race answers the same 409', async () => {
    const id = (await createCustomer(w.salesEast1)).id;
    const name = `竞速重名商贸有限公司 ${Date.now()}`;
    const { answer, rivalId } = await racingCreate(name, () => patch(w.salesEast1, id, { name, version: 1 }));
    expect([answer.response.status, answer.error?.code]).toEqual([409, 'CUSTOMER_DUPLICATE']);
    expect(answer.error).toMatchObject({ duplicates: [expect.objectContaining({ id: rivalId, matchedOn: 'name' })] });
    expect(await actionsOf(id)).toEqual(['customer.create']);
  });

  it('without a rival the same review with a new name goes through', async () => {
    const id = (await createCustomer(w.salesEast1)).id;
    const name = `无人重名实业有限公司 ${Date.now()}`;
    const r = await review(w.salesEast1, id, { confirmed: true, changes: { name, version: 1 } });
    expect(r.response.status).toBe(200);
    expect(r.data).toMatchObject({ customerId: id, version: 2 });
    expect(await actionsOf(id)).toEqual(['customer.create', 'customer.update', 'customer.review']);
  });
});
