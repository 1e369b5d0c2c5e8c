import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, World } from './support/world';

/**
 * Issue 11, "two approvals means two people" and "pending approvals whose decider or requester
 * moved". The blocks run in order: the first one runs while the built-in admin is the only admin.
 */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const approve = (actor: Actor, id: string, comment = '同意') => actor.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id } }, body: { comment } });
const reject = (actor: Actor, id: string, comment = '不同意') => actor.api.POST('/api/v1/approvals/{id}/reject', { params: { path: { id } }, body: { comment } });
const cancel = (actor: Actor, id: string) => actor.api.POST('/api/v1/approvals/{id}/cancel', { params: { path: { id } } });
const requestDeletion = (actor: Actor, customerId: string, reason = '重复建档') =>
  actor.api.POST('/api/v1/customers/{id}/deletion-requests', { params: { path: { id: customerId } }, body: { reason } });
const requestMerge = (actor: Actor, survivorId: string, mergedIds: string[], reason = '同一客户') =>
  actor.api.POST('/api/v1/customers/merge-requests', { body: { survivorId, mergedIds, reason } });
const toDecide = async (actor: Actor) => (await actor.api.GET('/api/v1/approvals', { params: { query: { view: 'to-decide', limit: 100 } } })).data!.items.map((a) => a.id);
const approvalsBy = async (userId: string) => (await t.db.query(`SELECT count(*)::int AS n FROM approvals WHERE requester_id = $1`, [userId])).rows[0].n as number;
const customerStatus = async (id: string) => (await t.db.query(`SELECT status FROM customers WHERE id = $1`, [id])).rows[0].status as string;
const ownerOf = async (id: string) => (await t.db.query(`SELECT owner_id FROM customers WHERE id = $1`, [id])).rows[0].owner_id as string;

async function moveUser(userId: string, change: { departmentId?: string; role?: 'service' | 'sales' | 'manager' }) {
  const user = (await w.admin.api.GET('/api/v1/users/{id}', { params: { path: { id: userId } } })).data!;
  const moved = await w.admin.api.PATCH('/api/v1/users/{id}', { params: { path: { id: userId } }, body: { ...change, version: user.version } });
  expect(moved.response.status).toBe(200);
}

/** A department whose only manager is the one returned. */
async function soloDepartment(name: string) {
  const departmentId = await t.department(name);
  const manager = await t.userClient('manager', { departmentId });
  return { departmentId, manager };
}

let secondAdmin: Actor | undefined;
/** Created on first use, after the one-admin block (and by any test run alone that needs it). */
const otherAdmin = async (): Promise<Actor> => (secondAdmin ??= await t.userClient('admin', { departmentId: w.west }));

describe('with one admin only: a request no two people could decide is refused when made', () => {
  it('starts from one active admin', async () => {
    expect((await t.db.query(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND active`)).rows[0].n).toBe(1);
  });

  it('refuses the only manager\'s deletion request (the admin would decide both steps): 422, nothing created', async () => {
    const { manager } = await soloDepartment('Solo-A');
    const customer = await createCustomer(manager);
    const refused = await requestDeletion(manager, customer.id);
    expect(refused.response.status).toBe(422);
    expect(refused.error).toMatchObject({ code: 'NO_INDEPENDENT_APPROVER' });
    expect(await approvalsBy(manager.id)).toBe(0);
  });

  it('refuses a merge or a cross-department transfer that only the requesting admin could decide', async () => {
    const [a, b] = [await createCustomer(w.admin), await createCustomer(w.admin)];
    const merge = await requestMerge(w.admin, a.id, [b.id]);
    expect(merge.response.status).toBe(422);
    expect(merge.error).toMatchObject({ code: 'NO_INDEPENDENT_APPROVER' });
    // The only manager of Solo-T moves a customer to a department without a manager: both steps would fall to the one admin.
    const { manager } = await soloDepartment('Solo-T');
    const headless = await t.department('Headless-T');
    const heir = await t.userClient('sales', { departmentId: headless });
    const customer = await createCustomer(manager);
    const transfer = await manager.api.POST('/api/v1/transfers', { body: { toUserId: heir.id, customerIds: [customer.id], reason: '调岗' } });
    expect(transfer.response.status).toBe(422);
    expect(transfer.error).toMatchObject({ code: 'NO_INDEPENDENT_APPROVER' });
    expect(await approvalsBy(w.admin.id)).toBe(0);
    expect(await approvalsBy(manager.id)).toBe(0);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM transfer_items WHERE customer_id = $1`, [customer.id])).rows[0].n).toBe(0);
  });

  it('still accepts what two different people can decide: a seller\'s deletion (manager, then the admin)', async () => {
    const customer = await createCustomer(w.salesEast1);
    const requested = await requestDeletion(w.salesEast1, customer.id);
    expect(requested.response.status).toBe(202);
    await approve(w.managerEast, requested.data!.id);
    expect((await approve(w.admin, requested.data!.id)).data!.status).toBe('approved');
  });
});

describe('with two admins: one person never decides two steps of one request', () => {

  it('accepts the only manager\'s deletion request now, but the admin who took over the manager step may not decide the admin step', async () => {
    const secondAdmin = await otherAdmin();
    const { departmentId, manager } = await soloDepartment('Solo-B');
    const customer = await createCustomer(manager, { name: '独立审批测试有限公司' });
    const requested = await requestDeletion(manager, customer.id, '客户注销');
    expect(requested.response.status).toBe(202);
    const id = requested.data!.id;
    expect(await toDecide(w.admin)).toContain(id);
    const first = await approve(w.admin, id, '代部门负责人同意');
    expect(first.data).toMatchObject({ status: 'pending', steps: [{ status: 'approved', decidedBy: w.admin.id }, { status: 'pending' }] });
    // Not offered again to the one who decided the first step; offered to the other admin.
    expect(await toDecide(w.admin)).not.toContain(id);
    expect(await toDecide(secondAdmin)).toContain(id);
    for (const second of [await approve(w.admin, id, '再次同意'), await reject(w.admin, id)]) {
      expect(second.response.status).toBe(403);
      expect(second.error).toMatchObject({ code: 'SAME_APPROVER' });
    }
    expect(await customerStatus(customer.id)).toBe('active');
    const done = await approve(secondAdmin, id, '同意删除');
    expect(done.data).toMatchObject({ status: 'approved', steps: [{ decidedBy: w.admin.id }, { decidedBy: secondAdmin.id }] });
    expect(await customerStatus(customer.id)).toBe('deleted');
    const record = (await w.auditor.api.GET('/api/v1/deletion-records', { params: { query: { limit: 100 } } })).data!.items.find((r) => r.approvalId === id)!;
    expect(record).toMatchObject({
      approvedBy: [w.admin.id, secondAdmin.id],
      steps: [
        { stepNo: 1, deciderKind: 'department_manager', departmentId, decidedBy: w.admin.id, comment: '代部门负责人同意', decidedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) },
        { stepNo: 2, deciderKind: 'admin', departmentId: null, decidedBy: secondAdmin.id, comment: '同意删除', decidedAt: expect.stringMatching(/Z$/) },
      ],
    });
  });

  it('lets the other admin decide an admin\'s merge request', async () => {
    const secondAdmin = await otherAdmin();
    const [a, b] = [await createCustomer(w.admin), await createCustomer(w.admin)];
    const requested = await requestMerge(w.admin, a.id, [b.id]);
    expect(requested.response.status).toBe(202);
    expect((await approve(w.admin, requested.data!.id)).error).toMatchObject({ code: 'SELF_APPROVAL' });
    expect((await approve(secondAdmin, requested.data!.id)).data!.status).toBe('approved');
    expect(await customerStatus(b.id)).toBe('merged');
  });
});

describe('one pending deletion or merge per customer', () => {
  it('refuses a second deletion or merge naming a customer of a pending deletion (409 with its id), and accepts again once it ends', async () => {
    const [customer, other] = [await createCustomer(w.salesEast1), await createCustomer(w.salesEast1)];
    const first = await requestDeletion(w.salesEast1, customer.id);
    expect(first.response.status).toBe(202);
    const pendingId = first.data!.id;
    const attempts = [
      await requestDeletion(w.managerEast, customer.id, '再删一次'),
      await requestMerge(w.managerEast, other.id, [customer.id]),
      await requestMerge(w.managerEast, customer.id, [other.id]),
    ];
    for (const attempt of attempts) {
      expect(attempt.response.status).toBe(409);
      expect(attempt.error).toMatchObject({ code: 'REQUEST_PENDING', approvalId: pendingId });
    }
    expect((await t.db.query(`SELECT count(*)::int AS n FROM approvals WHERE status = 'pending' AND payload->>'customerId' = $1`, [customer.id])).rows[0].n).toBe(1);
    // A customer of no pending request is free; and once the request ends, so is this one.
    expect((await requestMerge(w.managerEast, other.id, [await createCustomer(w.salesEast1).then((c) => c.id)])).response.status).toBe(202);
    await cancel(w.salesEast1, pendingId);
    const again = await requestDeletion(w.managerEast, customer.id, '重新申请');
    expect(again.response.status).toBe(202);
  });

  it('refuses a deletion of a survivor or a merged customer of a pending merge', async () => {
    const [survivor, merged] = [await createCustomer(w.salesEast1), await createCustomer(w.salesEast1)];
    const merge = await requestMerge(w.managerEast, survivor.id, [merged.id]);
    expect(merge.response.status).toBe(202);
    for (const id of [survivor.id, merged.id]) {
      const attempt = await requestDeletion(w.salesEast1, id);
      expect(attempt.response.status).toBe(409);
      expect(attempt.error).toMatchObject({ code: 'REQUEST_PENDING', approvalId: merge.data!.id });
    }
    await reject(w.admin, merge.data!.id);
    expect((await requestDeletion(w.salesEast1, merged.id)).response.status).toBe(202);
  });

  it('gives exactly one pending request when two are made at once', async () => {
    await otherAdmin(); // the admin's merge requests need another admin to decide them
    const customer = await createCustomer(w.salesEast1);
    const results = await Promise.all([requestDeletion(w.salesEast1, customer.id), requestDeletion(w.managerEast, customer.id)]);
    expect(results.map((r) => r.response.status).sort()).toEqual([202, 409]);
    const winner = results.find((r) => r.response.status === 202)!.data!.id;
    expect(results.find((r) => r.response.status === 409)!.error).toMatchObject({ code: 'REQUEST_PENDING', approvalId: winner });
    // Two merges naming the same two customers the other way round: locked in id order, so no deadlock and one wins.
    for (let i = 0; i < 3; i += 1) {
      const [a, b] = [await createCustomer(w.salesEast1), await createCustomer(w.salesEast1)];
      const merges = await Promise.all([requestMerge(w.managerEast, a.id, [b.id]), requestMerge(w.admin, b.id, [a.id])]);
      expect(merges.map((r) => r.response.status).sort()).toEqual([202, 409]);
      // Not a deadlock victim (that would be a 409 CONFLICT): the loser waited and saw the winner's request.
      const mergeWinner = merges.find((r) => r.response.status === 202)!.data!.id;
      expect(merges.find((r) => r.response.status === 409)!.error).toMatchObject({ code: 'REQUEST_PENDING', approvalId: mergeWinner });
    }
  });
});

describe('a step is decided by whoever holds the post when it is decided', () => {
  it('takes the step from a manager moved to another department and gives it to the department\'s new manager', async () => {
    const { departmentId, manager: leaving } = await soloDepartment('Moving');
    const seller = await t.userClient('sales', { departmentId });
    const customer = await createCustomer(seller);
    const id = (await requestDeletion(seller, customer.id)).data!.id;
    expect(await toDecide(leaving)).toContain(id);
    await moveUser(leaving.id, { departmentId: await t.department('Moving-Elsewhere') });
    const refused = await approve(leaving, id);
    expect(refused.response.status).toBe(404);
    expect(refused.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(await toDecide(leaving)).not.toContain(id);
    const successor = await t.userClient('manager', { departmentId });
    expect(await toDecide(successor)).toContain(id);
    expect((await approve(successor, id)).data).toMatchObject({ status: 'pending', steps: [{ decidedBy: successor.id }, { status: 'pending' }] });
    expect((await approve(w.admin, id)).data!.status).toBe('approved');
  });
});

describe('the action re-checks at execution what was approved', () => {
  it('fails a deletion whose customer moved to another department after the request; nothing is deleted', async () => {
    const customer = await createCustomer(w.salesEast1);
    const deletion = (await requestDeletion(w.salesEast1, customer.id)).data!.id;
    const transfer = (await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesWest.id, customerIds: [customer.id], reason: '跨部门移交' } })).data!;
    await approve(w.managerEast, transfer.approvalId);
    expect((await approve(w.managerWest, transfer.approvalId)).data!.status).toBe('approved');
    // East's manager approved the deletion of an East customer; it is West's now.
    expect((await approve(w.managerEast, deletion)).response.status).toBe(200);
    const done = await approve(w.admin, deletion);
    expect(done.data).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('moved to another department') });
    expect(await customerStatus(customer.id)).toBe('active');
    expect((await w.salesWest.api.GET('/api/v1/customers/{id}', { params: { path: { id: customer.id } } })).response.status).toBe(200);
  });

  it('fails a transfer whose target moved department or took a role that cannot own customers', async () => {
    for (const change of [{ departmentId: w.west }, { role: 'service' as const }]) {
      const target = await t.userClient('sales', { departmentId: w.east });
      const customer = await createCustomer(w.salesEast1);
      const requested = (await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: target.id, customerIds: [customer.id], reason: '交接' } })).data!;
      await moveUser(target.id, change);
      const done = await approve(w.managerEast, requested.approvalId);
      expect(done.data).toMatchObject({ status: 'failed', failureReason: expect.stringMatching(change.role ? /role changed to service/ : /target user moved to another department/) });
      expect(await ownerOf(customer.id)).toBe(w.salesEast1.id);
      expect((await w.salesEast1.api.GET('/api/v1/transfers/{id}', { params: { path: { id: requested.id } } })).data!.status).toBe('failed');
    }
  });

  it('fails a transfer whose customer left the department whose manager approved it', async () => {
    const customer = await createCustomer(w.salesEast1);
    const requested = (await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [customer.id], reason: '交接' } })).data!;
    // No API moves a customer in a pending transfer; this stands for any way a customer's department changes underneath.
    await t.db.query(`UPDATE customers SET department_id = $2 WHERE id = $1`, [customer.id, w.west]);
    const done = await approve(w.managerEast, requested.approvalId);
    expect(done.data).toMatchObject({ status: 'failed', failureReason: expect.stringContaining(customer.id) });
    expect(await ownerOf(customer.id)).toBe(w.salesEast1.id);
  });

  it('carries out a transfer when nothing changed, and the request keeps the departments it was approved for', async () => {
    const customer = await createCustomer(w.salesEast1);
    const requested = (await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [customer.id], reason: '交接' } })).data!;
    const done = await approve(w.managerEast, requested.approvalId);
    expect(done.data).toMatchObject({ status: 'approved', payload: { targetDepartmentId: w.east, customerDepartments: { [customer.id]: w.east } } });
    expect(await ownerOf(customer.id)).toBe(w.salesEast2.id);
  });
});
