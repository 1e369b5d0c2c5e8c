import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, World } from './support/world';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const approve = (actor: Actor, id: string, comment = '同意') => actor.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id } }, body: { comment } });
const reject = (actor: Actor, id: string, comment = '不同意') => actor.api.POST('/api/v1/approvals/{id}/reject', { params: { path: { id } }, body: { comment } });
const ownerOf = async (id: string) => (await t.db.query(`SELECT owner_id FROM customers WHERE id = $1`, [id])).rows[0].owner_id as string;

describe('transfers (在职移交)', () => {
  it('moves customers, their open complaints and history once the department manager approves', async () => {
    const [a, b] = [await createCustomer(w.salesEast1), await createCustomer(w.salesEast1)];
    const complaint = (await w.service.api.POST('/api/v1/complaints', {
      body: { customerId: a.id, channel: 'phone', category: 'price', severity: 'general', title: '报价', description: '报价偏高', customerMood: 'calm', receivedAt: new Date().toISOString() },
    })).data!;
    await w.service.api.POST('/api/v1/complaints/{id}/assign', { params: { path: { id: complaint.id } }, body: { assigneeId: w.salesEast1.id } });
    const requested = await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [a.id, b.id], reason: '区域调整' } });
    expect(requested.response.status).toBe(202);
    expect(requested.data!.items.map((i) => i.outcome)).toEqual(['pending', 'pending']);
    const approvalId = requested.data!.approvalId;
    // Nobody decides their own request; the step is the East manager's.
    expect((await approve(w.salesEast1, approvalId)).error).toMatchObject({ code: 'SELF_APPROVAL' });
    expect((await approve(w.managerWest, approvalId)).response.status).toBe(404);
    const toDecide = (await w.managerEast.api.GET('/api/v1/approvals', { params: { query: { view: 'to-decide' } } })).data!.items.map((x) => x.id);
    expect(toDecide).toContain(approvalId);
    const decided = await approve(w.managerEast, approvalId, '同意交接');
    expect(decided.data).toMatchObject({ status: 'approved', steps: [{ status: 'approved', decidedBy: w.managerEast.id, comment: '同意交接' }] });
    expect(await ownerOf(a.id)).toBe(w.salesEast2.id);
    expect(await ownerOf(b.id)).toBe(w.salesEast2.id);
    const moved = (await w.service.api.GET('/api/v1/complaints/{id}', { params: { path: { id: complaint.id } } })).data!;
    expect(moved.assigneeId).toBe(w.salesEast2.id);
    const history = (await w.salesEast2.api.GET('/api/v1/customers/{id}/history', { params: { path: { id: a.id } } })).data!.items;
    expect(history[0]).toMatchObject({ action: 'customer.transfer', reason: '区域调整', before: { ownerId: w.salesEast1.id }, after: expect.objectContaining({ ownerId: w.salesEast2.id }) });
    const transfer = (await w.salesEast2.api.GET('/api/v1/transfers/{id}', { params: { path: { id: requested.data!.id } } })).data!;
    expect(transfer).toMatchObject({ status: 'completed', items: [expect.objectContaining({ outcome: 'moved' }), expect.objectContaining({ outcome: 'moved' })] });
    expect((await approve(w.managerEast, approvalId)).error).toMatchObject({ code: 'APPROVAL_DECIDED' });
  });

  it('refuses per customer (pending, limit, same owner, unseen), and the whole request when none can go', async () => {
    const seller = await t.userClient('sales', { departmentId: w.east });
    const [free, busy, hot] = [await createCustomer(seller), await createCustomer(seller), await createCustomer(seller)];
    // busy sits in a pending transfer
    await seller.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [busy.id], reason: '先转一个' } });
    // hot was transferred twice within 90 days (recorded history)
    for (let i = 0; i < 2; i += 1) {
      const r = await w.managerEast.api.POST('/api/v1/transfers', { body: { toUserId: i === 0 ? w.salesEast2.id : seller.id, customerIds: [hot.id], reason: `往返 ${i}` } });
      await approve(w.admin, r.data!.approvalId);
    }
    expect(await ownerOf(hot.id)).toBe(seller.id);
    const foreign = await createCustomer(w.salesWest);
    const r = await seller.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [free.id, busy.id, hot.id, foreign.id], reason: '批量' } });
    expect(r.response.status).toBe(202);
    const outcome = Object.fromEntries(r.data!.items.map((i) => [i.customerId, [i.outcome, i.reason]]));
    expect(outcome).toEqual({
      [free.id]: ['pending', null],
      [busy.id]: ['refused', 'TRANSFER_PENDING'],
      [hot.id]: ['refused', 'TRANSFER_LIMIT'],
      [foreign.id]: ['refused', 'NOT_FOUND'],
    });
    const none = await seller.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [busy.id, hot.id], reason: '不行' } });
    expect(none.response.status).toBe(422);
    expect(none.error).toMatchObject({ code: 'TRANSFER_REFUSED', items: [{ customerId: busy.id, reason: 'TRANSFER_PENDING' }, { customerId: hot.id, reason: 'TRANSFER_LIMIT' }] });
    const gone = await t.userClient('sales', { departmentId: w.east });
    await w.admin.api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id: gone.id } } });
    const inactive = await seller.api.POST('/api/v1/transfers', { body: { toUserId: gone.id, customerIds: [free.id], reason: 'x' } });
    expect(inactive.error).toMatchObject({ code: 'TARGET_INVALID', errors: [{ field: 'toUserId' }] });
  });

  it('asks the target department\'s manager too, and only the named decider may decide each step', async () => {
    const customer = await createCustomer(w.salesEast1);
    const r = await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesWest.id, customerIds: [customer.id], reason: '跨部门' } });
    const id = r.data!.approvalId;
    expect((await w.salesEast1.api.GET('/api/v1/approvals/{id}', { params: { path: { id } } })).data!.steps.map((s) => s.departmentId)).toEqual([w.east, w.west]);
    expect((await approve(w.admin, id)).error).toMatchObject({ code: 'NOT_YOUR_STEP' });
    await approve(w.managerEast, id);
    expect(await ownerOf(customer.id)).toBe(w.salesEast1.id); // one approval of two
    expect((await approve(w.managerEast, id)).error).toMatchObject({ code: 'APPROVAL_DECIDED' });
    await approve(w.managerWest, id);
    expect(await ownerOf(customer.id)).toBe(w.salesWest.id);
  });

  it('gives exactly one decision when two approvers decide the same step at once', async () => {
    const dept = await t.department('TwoManagers');
    const [m1, m2] = [await t.userClient('manager', { departmentId: dept }), await t.userClient('manager', { departmentId: dept })];
    const seller = await t.userClient('sales', { departmentId: dept });
    const target = await t.userClient('sales', { departmentId: dept });
    const customer = await createCustomer(seller);
    const r = await seller.api.POST('/api/v1/transfers', { body: { toUserId: target.id, customerIds: [customer.id], reason: '并发' } });
    const results = await Promise.all([approve(m1, r.data!.approvalId), reject(m2, r.data!.approvalId)]);
    expect(results.map((x) => x.response.status).sort()).toEqual([200, 409]);
    const steps = (await seller.api.GET('/api/v1/approvals/{id}', { params: { path: { id: r.data!.approvalId } } })).data!.steps;
    expect(steps).toHaveLength(1);
    expect(['approved', 'rejected']).toContain(steps[0].status);
  });

  it('ends failed, with nothing half-applied, when a customer changed owner before the approval', async () => {
    const [a, b] = [await createCustomer(w.salesEast1), await createCustomer(w.salesEast1)];
    const r = await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [a.id, b.id], reason: '将失败' } });
    await t.db.query(`UPDATE customers SET owner_id = $2 WHERE id = $1`, [b.id, w.managerEast.id]);
    const decided = await approve(w.managerEast, r.data!.approvalId);
    expect(decided.data).toMatchObject({ status: 'failed', failureReason: expect.stringContaining(b.id) });
    expect(await ownerOf(a.id)).toBe(w.salesEast1.id);
    const transfer = (await w.salesEast1.api.GET('/api/v1/transfers/{id}', { params: { path: { id: r.data!.id } } })).data!;
    expect(transfer.status).toBe('failed');
    expect(transfer.items.every((i) => i.outcome === 'failed')).toBe(true);
    // The pending lock is released.
    const again = await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [a.id], reason: '再来' } });
    expect(again.data!.items[0].outcome).toBe('pending');
    await w.salesEast1.api.POST('/api/v1/approvals/{id}/cancel', { params: { path: { id: again.data!.approvalId } } });
  });
});

describe('succession (离职继承)', () => {
  it('lists a departed user\'s customers for their manager and hands them on at once', async () => {
    const dept = await t.department('Succession');
    const manager = await t.userClient('manager', { departmentId: dept });
    const leaver = await t.userClient('sales', { departmentId: dept });
    const heir = await t.userClient('sales', { departmentId: dept });
    const customers = [await createCustomer(leaver), await createCustomer(leaver)];
    await t.db.query(`UPDATE customers SET next_follow_up_at = now() - interval '1 day' WHERE id = $1`, [customers[0].id]);
    await w.admin.api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id: leaver.id } } });
    const unassigned = (await manager.api.GET('/api/v1/transfers/unassigned')).data!.map((c) => c.customerId).sort();
    expect(unassigned).toEqual(customers.map((c) => c.id).sort());
    expect((await w.managerEast.api.GET('/api/v1/transfers/unassigned')).data!.map((c) => c.customerId)).not.toContain(customers[0].id);
    const due = (await manager.api.GET('/api/v1/follow-ups/due', { params: { query: { scope: 'department' } } })).data!.items.find((x) => x.customerId === customers[0].id);
    expect(due).toMatchObject({ unowned: true });
    const done = await manager.api.POST('/api/v1/transfers/succession', { body: { fromUserId: leaver.id, toUserId: heir.id, customerIds: customers.map((c) => c.id) } });
    expect(done.response.status).toBe(201);
    expect(done.data).toMatchObject({ kind: 'succession', status: 'completed' });
    for (const c of customers) expect(await ownerOf(c.id)).toBe(heir.id);
    expect((await manager.api.GET('/api/v1/transfers/unassigned')).data).toEqual([]);
    const approval = (await manager.api.GET('/api/v1/approvals/{id}', { params: { path: { id: done.data!.approvalId } } })).data!;
    expect(approval).toMatchObject({ status: 'approved', steps: [{ decidedBy: manager.id, status: 'approved' }] });
    const active = await manager.api.POST('/api/v1/transfers/succession', { body: { fromUserId: heir.id, toUserId: manager.id, customerIds: [customers[0].id] } });
    expect(active.error).toMatchObject({ code: 'TARGET_INVALID', errors: [{ field: 'fromUserId' }] });
  });
});

describe('deletion (two approvals)', () => {
  it('deletes only after the manager and then an admin approve, keeping a record', async () => {
    const customer = await createCustomer(w.salesEast1, { name: '待删除贸易有限公司' });
    const path = { params: { path: { id: customer.id } } };
    const direct = await w.admin.api.DELETE('/api/v1/customers/{id}', path);
    expect(direct.response.status).toBe(405);
    expect(direct.error).toMatchObject({ code: 'DELETE_NEEDS_APPROVAL' });
    const requested = await w.salesEast1.api.POST('/api/v1/customers/{id}/deletion-requests', { ...path, body: { reason: '重复建档' } });
    expect(requested.response.status).toBe(202);
    const id = requested.data!.id;
    expect((await approve(w.admin, id)).error).toMatchObject({ code: 'NOT_YOUR_STEP' });
    await approve(w.managerEast, id);
    expect((await w.salesEast1.api.GET('/api/v1/customers/{id}', path)).response.status).toBe(200);
    const done = await approve(w.admin, id);
    expect(done.data).toMatchObject({ status: 'approved', result: { deletionRecordId: expect.any(String) } });
    for (const actor of [w.salesEast1, w.managerEast, w.admin, w.auditor]) {
      expect((await actor.api.GET('/api/v1/customers/{id}', path)).response.status).toBe(404);
    }
    const records = (await w.auditor.api.GET('/api/v1/deletion-records')).data!.items;
    expect(records[0]).toMatchObject({ customerId: customer.id, reason: '重复建档', approvedBy: [w.managerEast.id, w.admin.id], snapshot: { customer: expect.objectContaining({ name: '待删除贸易有限公司' }) } });
    expect((await w.salesEast1.api.GET('/api/v1/deletion-records')).response.status).toBe(403);
    // Out of the duplicate checks: the name and mobile can be used again.
    const again = await w.salesEast2.api.POST('/api/v1/customers', { body: { name: '待删除贸易有限公司', industry: '批发和零售业', contacts: [{ name: '新', mobile: customer.contacts[0].mobile! }] } });
    expect(again.response.status).toBe(201);
  });
});

describe('merging duplicates', () => {
  it('previews, then on approval moves every record to the survivor; the merged answer 410', async () => {
    const survivor = await createCustomer(w.salesEast1, { name: '合并主档有限公司' });
    // A survivor filed before industry was required: the merge fills the gap from the duplicate.
    await t.db.query(`UPDATE customers SET industry = NULL WHERE id = $1`, [survivor.id]);
    const dup = await createCustomer(w.salesEast1, { name: '合并副档有限公司', industry: '批发和零售业', notes: '老客户' });
    await w.salesEast1.api.POST('/api/v1/customers/{id}/interactions', { params: { path: { id: dup.id } }, body: { occurredAt: new Date().toISOString(), channel: 'phone', summary: '副档联系：电话确认地址' } });
    await w.service.api.POST('/api/v1/complaints', {
      body: { customerId: dup.id, channel: 'phone', category: 'other', severity: 'general', title: 'x', description: 'x', customerMood: 'calm', receivedAt: new Date().toISOString() },
    });
    const body = { survivorId: survivor.id, mergedIds: [dup.id] };
    const preview = (await w.managerEast.api.POST('/api/v1/customers/merge-preview', { body })).data!;
    expect(preview.result).toMatchObject({ id: survivor.id, name: '合并主档有限公司', industry: '批发和零售业' });
    expect(preview.sources).toMatchObject({ industry: dup.id });
    expect(preview.moves).toMatchObject({ contacts: 1, interactions: 1, complaints: 1 });
    const before = (await t.db.query(
      `SELECT (SELECT count(*) FROM contacts WHERE customer_id = ANY($1))::int AS contacts, (SELECT count(*) FROM interactions WHERE customer_id = ANY($1))::int AS interactions, (SELECT count(*) FROM complaints WHERE customer_id = ANY($1))::int AS complaints`,
      [[survivor.id, dup.id]],
    )).rows[0];
    const requested = await w.managerEast.api.POST('/api/v1/customers/merge-requests', { body: { ...body, reason: '同一客户' } });
    expect(requested.response.status).toBe(202);
    const done = await approve(w.admin, requested.data!.id);
    expect(done.data!.status).toBe('approved');
    const after = (await t.db.query(
      `SELECT (SELECT count(*) FROM contacts WHERE customer_id = $1)::int AS contacts, (SELECT count(*) FROM interactions WHERE customer_id = $1)::int AS interactions, (SELECT count(*) FROM complaints WHERE customer_id = $1)::int AS complaints`,
      [survivor.id],
    )).rows[0];
    expect(after).toEqual(before);
    const gone = await w.salesEast1.api.GET('/api/v1/customers/{id}', { params: { path: { id: dup.id } } });
    expect(gone.response.status).toBe(410);
    expect(gone.error).toMatchObject({ code: 'CUSTOMER_MERGED', mergedInto: survivor.id });
    const kept = (await w.salesEast1.api.GET('/api/v1/customers/{id}', { params: { path: { id: survivor.id } } })).data!;
    expect(kept).toMatchObject({ industry: '批发和零售业', notes: '老客户' });
    expect(kept.contacts.filter((c) => c.isPrimary)).toHaveLength(1);
    const history = (await w.salesEast1.api.GET('/api/v1/customers/{id}/history', { params: { path: { id: survivor.id }, query: { limit: 100 } } })).data!.items;
    expect(history.map((h) => h.entityId)).toContain(dup.id); // the merged customer's history came along
    expect(history[0]).toMatchObject({ reason: '同一客户' });
    // The merged name is free again.
    expect((await w.salesEast2.api.POST('/api/v1/customers/duplicate-check', { body: { name: '合并副档有限公司' } })).data!.duplicates).toEqual([]);
  });
});
