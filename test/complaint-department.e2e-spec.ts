import { startTestApp, TestApp } from './support/test-app';
import { Actor, buildWorld, createCustomer, Customer, World } from './support/world';

/**
 * Issue 14: a complaint carries its customer's department (complaints.department_id), which the
 * department manager's list reads instead of the customer. The database keeps it true on every
 * path that moves a customer or a complaint: a transfer, a succession, a merge, or plain SQL.
 * The manager's list keeps the visibility rules: the department's complaints, and those assigned
 * or escalated to the manager wherever they are.
 */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const DAY = 24 * 60 * 60 * 1000;
const at = (id: string) => ({ params: { path: { id } } });

let departments = 0;
/** Two fresh departments, each with a manager and a seller, so no other test's complaints show. */
async function twoDepartments() {
  departments += 1;
  const one = await t.department(`Complaint dept ${departments}A`);
  const two = await t.department(`Complaint dept ${departments}B`);
  return {
    one: { id: one, manager: await t.userClient('manager', { departmentId: one }), seller: await t.userClient('sales', { departmentId: one }) },
    two: { id: two, manager: await t.userClient('manager', { departmentId: two }), seller: await t.userClient('sales', { departmentId: two }) },
  };
}

/** An open complaint received a month ago: past its deadline. */
async function overdueComplaint(customer: Customer) {
  const r = await w.service.api.POST('/api/v1/complaints', {
    body: {
      customerId: customer.id,
      channel: 'phone',
      category: 'delivery',
      severity: 'general',
      title: '到货延迟',
      description: '第二批货物晚到三天',
      customerMood: 'upset',
      receivedAt: new Date(Date.now() - 30 * DAY).toISOString(),
    },
  });
  if (!r.data) throw new Error(JSON.stringify(r.error));
  return r.data;
}

async function overdueOf(manager: Actor): Promise<string[]> {
  const r = await manager.api.GET('/api/v1/complaints', { params: { query: { overdue: true, limit: 100 } } });
  expect(r.response.status).toBe(200);
  return r.data!.items.map((k) => k.id);
}

async function listOf(manager: Actor): Promise<string[]> {
  const r = await manager.api.GET('/api/v1/complaints', { params: { query: { limit: 100 } } });
  expect(r.response.status).toBe(200);
  return r.data!.items.map((k) => k.id);
}

const departmentOf = async (complaintId: string) => (await t.db.query(`SELECT department_id FROM complaints WHERE id = $1`, [complaintId])).rows[0].department_id as string;

async function approve(actor: Actor, approvalId: string) {
  const r = await actor.api.POST('/api/v1/approvals/{id}/approve', { ...at(approvalId), body: { comment: '同意' } });
  expect(r.response.status).toBe(200);
  return r.data!;
}

describe("a complaint's department follows its customer", () => {
  it('is the customer\'s department when filed', async () => {
    const { one } = await twoDepartments();
    const complaint = await overdueComplaint(await createCustomer(one.seller));
    expect(await departmentOf(complaint.id)).toBe(one.id);
    expect(await overdueOf(one.manager)).toEqual([complaint.id]);
  });

  it('through a transfer to another department: the old manager stops seeing it, the new one sees it', async () => {
    const { one, two } = await twoDepartments();
    const customer = await createCustomer(one.seller);
    const complaint = await overdueComplaint(customer);
    expect(await overdueOf(one.manager)).toEqual([complaint.id]);
    expect(await overdueOf(two.manager)).toEqual([]);

    const transfer = await one.seller.api.POST('/api/v1/transfers', { body: { toUserId: two.seller.id, customerIds: [customer.id], reason: '跨部门移交' } });
    expect(transfer.response.status).toBe(202);
    await approve(one.manager, transfer.data!.approvalId);
    expect((await approve(two.manager, transfer.data!.approvalId)).status).toBe('approved');

    expect(await departmentOf(complaint.id)).toBe(two.id);
    expect(await overdueOf(one.manager)).toEqual([]);
    expect(await listOf(one.manager)).toEqual([]);
    expect((await one.manager.api.GET('/api/v1/complaints/{id}', at(complaint.id))).response.status).toBe(404);
    expect(await overdueOf(two.manager)).toEqual([complaint.id]);
    expect(await listOf(two.manager)).toEqual([complaint.id]);
  });

  it('through a succession to a seller of another department', async () => {
    const { one, two } = await twoDepartments();
    const leaver = await t.userClient('sales', { departmentId: one.id });
    const customer = await createCustomer(leaver);
    const complaint = await overdueComplaint(customer);
    await w.admin.api.POST('/api/v1/users/{id}/deactivate', at(leaver.id));

    const done = await one.manager.api.POST('/api/v1/transfers/succession', { body: { fromUserId: leaver.id, toUserId: two.seller.id, customerIds: [customer.id] } });
    expect(done.response.status).toBe(201);
    expect(done.data).toMatchObject({ kind: 'succession', status: 'completed' });

    expect(await departmentOf(complaint.id)).toBe(two.id);
    expect(await overdueOf(one.manager)).toEqual([]);
    expect(await overdueOf(two.manager)).toEqual([complaint.id]);
  });

  it('through a merge into a customer of another department', async () => {
    const { one, two } = await twoDepartments();
    const survivor = await createCustomer(two.seller);
    const duplicate = await createCustomer(one.seller);
    const complaint = await overdueComplaint(duplicate);
    expect(await overdueOf(one.manager)).toEqual([complaint.id]);

    // Across departments only an admin sees both; another admin decides.
    const secondAdmin = await t.userClient('admin', { departmentId: w.east });
    const requested = await w.admin.api.POST('/api/v1/customers/merge-requests', { body: { survivorId: survivor.id, mergedIds: [duplicate.id], reason: '同一客户重复建档' } });
    expect({ status: requested.response.status, error: requested.error }).toEqual({ status: 202, error: undefined });
    expect((await approve(secondAdmin, requested.data!.id)).status).toBe('approved');

    const moved = (await t.db.query(`SELECT customer_id, department_id FROM complaints WHERE id = $1`, [complaint.id])).rows[0];
    expect(moved).toEqual({ customer_id: survivor.id, department_id: two.id });
    expect(await overdueOf(one.manager)).toEqual([]);
    expect(await overdueOf(two.manager)).toEqual([complaint.id]);
  });

  it('through a plain SQL update of the customer: the database keeps it, not the service', async () => {
    const { one, two } = await twoDepartments();
    const customer = await createCustomer(one.seller);
    const complaint = await overdueComplaint(customer);
    await t.db.query(`UPDATE customers SET department_id = $2 WHERE id = $1`, [customer.id, two.id]);
    expect(await departmentOf(complaint.id)).toBe(two.id);
    expect(await overdueOf(one.manager)).toEqual([]);
    expect(await overdueOf(two.manager)).toEqual([complaint.id]);
  });

  it('cannot be set apart from the customer\'s, by SQL on the complaint either', async () => {
    const { one, two } = await twoDepartments();
    const complaint = await overdueComplaint(await createCustomer(one.seller));
    await t.db.query(`UPDATE complaints SET department_id = $2 WHERE id = $1`, [complaint.id, two.id]);
    expect(await departmentOf(complaint.id)).toBe(one.id);
    expect(await overdueOf(two.manager)).toEqual([]);
    // A complaint moved to another customer by SQL takes that customer's department.
    const other = await createCustomer(two.seller);
    await t.db.query(`UPDATE complaints SET customer_id = $2 WHERE id = $1`, [complaint.id, other.id]);
    expect(await departmentOf(complaint.id)).toBe(two.id);
    // A customer that does not exist is still the customer's foreign key's refusal (mapped), not a missing department.
    const missing = await t.db.query(`UPDATE complaints SET customer_id = gen_random_uuid() WHERE id = $1`, [complaint.id]).catch((e: { code: string; constraint: string }) => e);
    expect(missing).toMatchObject({ code: '23503', constraint: 'fk_complaints_customer' });
    // Nor can the list of people outside the department be written: it is recomputed.
    await t.db.query(`UPDATE complaints SET reach_elsewhere = ARRAY[$2::uuid] WHERE id = $1`, [complaint.id, one.manager.id]);
    expect(await overdueOf(one.manager)).toEqual([]);
    // And no complaint anywhere disagrees with its customer.
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM complaints k JOIN customers c ON c.id = k.customer_id WHERE k.department_id <> c.department_id`);
    expect(rows[0].n).toBe(0);
  });
});

describe("the manager's list: the department's complaints, and those addressed to the manager elsewhere", () => {
  it('an escalated complaint stays with the manager it was escalated to after its customer moves away', async () => {
    const { one, two } = await twoDepartments();
    const customer = await createCustomer(one.seller);
    const complaint = await overdueComplaint(customer);
    const swept = await w.admin.api.POST('/api/v1/complaints/escalation-sweep');
    expect(swept.data!.breached).toContain(complaint.id);
    expect((await one.manager.api.GET('/api/v1/complaints/{id}', at(complaint.id))).data).toMatchObject({ escalatedToIds: [one.manager.id] });

    await t.db.query(`UPDATE customers SET department_id = $2 WHERE id = $1`, [customer.id, two.id]);
    // Both see it: the old manager because it was escalated to them, the new one as the department's.
    expect(await overdueOf(one.manager)).toEqual([complaint.id]);
    expect(await listOf(one.manager)).toEqual([complaint.id]);
    expect(await overdueOf(two.manager)).toEqual([complaint.id]);
  });

  it('a manager who moves to another department keeps the complaints escalated to them, and gets the new department\'s', async () => {
    const { one, two } = await twoDepartments();
    const escalated = await overdueComplaint(await createCustomer(one.seller));
    const swept = await w.admin.api.POST('/api/v1/complaints/escalation-sweep');
    expect(swept.data!.breached).toContain(escalated.id);
    const theirs = await overdueComplaint(await createCustomer(two.seller));
    const user = (await w.admin.api.GET('/api/v1/users/{id}', at(one.manager.id))).data!;
    const moved = await w.admin.api.PATCH('/api/v1/users/{id}', { ...at(one.manager.id), body: { departmentId: two.id, version: user.version } });
    expect(moved.response.status).toBe(200);
    expect((await overdueOf(one.manager)).sort()).toEqual([escalated.id, theirs.id].sort());
    // Moved back, the escalated one is the department's again: listed once.
    const again = (await w.admin.api.GET('/api/v1/users/{id}', at(one.manager.id))).data!;
    await w.admin.api.PATCH('/api/v1/users/{id}', { ...at(one.manager.id), body: { departmentId: one.id, version: again.version } });
    expect(await overdueOf(one.manager)).toEqual([escalated.id]);
  });

  it('a complaint of another department assigned to the manager is listed, once; the department\'s own are listed once too', async () => {
    const { one, two } = await twoDepartments();
    const own = await overdueComplaint(await createCustomer(one.seller));
    const foreign = await overdueComplaint(await createCustomer(two.seller));
    const inOwn = await overdueComplaint(await createCustomer(one.seller));
    for (const id of [foreign.id, inOwn.id]) {
      const r = await w.service.api.POST('/api/v1/complaints/{id}/assign', { ...at(id), body: { assigneeId: one.manager.id } });
      expect(r.response.status).toBe(200);
    }
    expect((await overdueOf(one.manager)).sort()).toEqual([own.id, foreign.id, inOwn.id].sort());
    expect(await overdueOf(two.manager)).toEqual([foreign.id]);
    // An archived customer's complaint still shows to the department's manager; a deleted one's to nobody, the assignee included.
    await t.db.query(`UPDATE customers SET status = 'archived' WHERE id = (SELECT customer_id FROM complaints WHERE id = $1)`, [own.id]);
    await t.db.query(`UPDATE customers SET status = 'deleted', removed_at = now() WHERE id = (SELECT customer_id FROM complaints WHERE id = $1)`, [foreign.id]);
    expect((await overdueOf(one.manager)).sort()).toEqual([own.id, inOwn.id].sort());
    expect(await overdueOf(two.manager)).toEqual([]);
  });

  it('pages through the union newest first, with no complaint twice and none lost', async () => {
    const { one, two } = await twoDepartments();
    const mine = [];
    for (let i = 0; i < 4; i += 1) mine.push(await overdueComplaint(await createCustomer(one.seller)));
    const foreign = [];
    for (let i = 0; i < 3; i += 1) {
      const k = await overdueComplaint(await createCustomer(two.seller));
      await w.service.api.POST('/api/v1/complaints/{id}/assign', { ...at(k.id), body: { assigneeId: one.manager.id } });
      foreign.push(k);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const r = await one.manager.api.GET('/api/v1/complaints', { params: { query: { overdue: true, limit: 2, ...(cursor ? { cursor } : {}) } } });
      expect(r.response.status).toBe(200);
      seen.push(...r.data!.items.map((k) => k.id));
      cursor = r.data!.nextCursor ?? undefined;
      if (!cursor) break;
    }
    const expected = [...mine, ...foreign].sort((a, b) => (a.receivedAt === b.receivedAt ? (a.id < b.id ? 1 : -1) : a.receivedAt < b.receivedAt ? 1 : -1)).map((k) => k.id);
    expect(seen).toEqual(expected);
  });
});

describe("a complaint's copy of its customer's status follows the customer (the lists read it instead of the customer)", () => {
  const copyOf = async (complaintId: string) =>
    (await t.db.query(`SELECT customer_status FROM complaints WHERE id = $1`, [complaintId])).rows[0].customer_status as string;
  const statusOf = async (customerId: string) => (await t.db.query(`SELECT status FROM customers WHERE id = $1`, [customerId])).rows[0].status as string;
  const adminSees = async (complaintId: string) => {
    const r = await w.admin.api.GET('/api/v1/complaints', { params: { query: { overdue: true, limit: 100 } } });
    expect(r.response.status).toBe(200);
    return r.data!.items.some((k) => k.id === complaintId);
  };

  it('through the API: archived, reactivated and deleted customers, the manager\'s and the admin\'s overdue lists follow', async () => {
    const { one } = await twoDepartments();
    const customer = await createCustomer(one.seller);
    const complaint = await overdueComplaint(customer);
    expect(await copyOf(complaint.id)).toBe('active');

    // Archived (no route archives; the sweep's own UPDATE is plain SQL too), then 重新激活 through the API.
    await t.db.query(`UPDATE customers SET status = 'archived', archived_at = now(), version = version + 1 WHERE id = $1`, [customer.id]);
    expect(await copyOf(complaint.id)).toBe('archived');
    expect(await overdueOf(one.manager)).toEqual([complaint.id]);
    const reactivated = await one.manager.api.POST('/api/v1/customers/{id}/reactivate', { ...at(customer.id), body: { reason: '客户重新询价' } });
    expect(reactivated.response.status).toBe(200);
    expect(await copyOf(complaint.id)).toBe('active');
    expect(await overdueOf(one.manager)).toEqual([complaint.id]);
    expect(await adminSees(complaint.id)).toBe(true);

    // Deleted through the approval flow: the complaint is nobody's any more.
    const requested = await one.seller.api.POST('/api/v1/customers/{id}/deletion-requests', { ...at(customer.id), body: { reason: '重复建档' } });
    expect(requested.response.status).toBe(202);
    await approve(one.manager, requested.data!.id);
    expect((await approve(w.admin, requested.data!.id)).status).toBe('approved');
    expect(await statusOf(customer.id)).toBe('deleted');
    expect(await copyOf(complaint.id)).toBe('deleted');
    expect(await overdueOf(one.manager)).toEqual([]);
    expect(await listOf(one.manager)).toEqual([]);
    expect(await adminSees(complaint.id)).toBe(false);
  });

  it('through plain SQL on customers: deleted, merged and back to active', async () => {
    const { one } = await twoDepartments();
    const customer = await createCustomer(one.seller);
    const complaint = await overdueComplaint(customer);
    await t.db.query(`UPDATE customers SET status = 'deleted', removed_at = now() WHERE id = $1`, [customer.id]);
    expect(await copyOf(complaint.id)).toBe('deleted');
    expect(await overdueOf(one.manager)).toEqual([]);
    expect(await adminSees(complaint.id)).toBe(false);
    await t.db.query(`UPDATE customers SET status = 'merged' WHERE id = $1`, [customer.id]);
    expect(await copyOf(complaint.id)).toBe('merged');
    expect(await overdueOf(one.manager)).toEqual([]);
    await t.db.query(`UPDATE customers SET status = 'active', removed_at = NULL WHERE id = $1`, [customer.id]);
    expect(await copyOf(complaint.id)).toBe('active');
    expect(await overdueOf(one.manager)).toEqual([complaint.id]);
    expect(await adminSees(complaint.id)).toBe(true);
  });

  it('cannot be written apart from the customer: a direct write of the copy is reset', async () => {
    const { one } = await twoDepartments();
    const live = await overdueComplaint(await createCustomer(one.seller));
    // Marking a live customer's complaint deleted would hide it: the database puts the customer's status back.
    await t.db.query(`UPDATE complaints SET customer_status = 'deleted' WHERE id = $1`, [live.id]);
    expect(await copyOf(live.id)).toBe('active');
    expect(await overdueOf(one.manager)).toEqual([live.id]);
    // Marking a deleted customer's complaint active would show it: reset too.
    const gone = await createCustomer(one.seller);
    const hidden = await overdueComplaint(gone);
    await t.db.query(`UPDATE customers SET status = 'deleted', removed_at = now() WHERE id = $1`, [gone.id]);
    await t.db.query(`UPDATE complaints SET customer_status = 'active' WHERE id = $1`, [hidden.id]);
    expect(await copyOf(hidden.id)).toBe('deleted');
    expect(await overdueOf(one.manager)).toEqual([live.id]);
    expect(await adminSees(hidden.id)).toBe(false);
    // And no complaint anywhere disagrees with its customer.
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM complaints k JOIN customers c ON c.id = k.customer_id WHERE k.customer_status <> c.status`);
    expect(rows[0].n).toBe(0);
  });
});
