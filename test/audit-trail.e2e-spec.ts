import type { components } from './support/test-app';
import { ADMIN_PASSWORD, startTestApp, TestApp, tokenFor } from './support/test-app';
import { buildWorld, createCustomer, World } from './support/world';

type Entry = components['schemas']['AuditLogEntryDto'];

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

/** Everything recorded since `from`, oldest first, as the auditor reads it. */
async function since(from: string, query: Record<string, string> = {}): Promise<Entry[]> {
  const items: Entry[] = [];
  let cursor: string | undefined;
  do {
    const page = await w.auditor.api.GET('/api/v1/audit-logs', { params: { query: { from, order: 'oldest', limit: 500, cursor, ...query } } });
    if (!page.data) throw new Error(JSON.stringify(page.error));
    items.push(...page.data.items);
    cursor = page.data.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

const ok = <T>(r: { data?: T; error?: unknown }): T => {
  if (r.data === undefined) throw new Error(JSON.stringify(r.error));
  return r.data;
};

describe("a customer's audit trail", () => {
  it('tells its whole life in order, with who acted and why: create, edit, contacts, tag, tier, interaction, consent, complaint, transfer, a refused owner change, dormancy and return', async () => {
    const from = new Date().toISOString();
    const [sales, newOwner, manager, admin] = [w.salesEast1, w.salesEast2, w.managerEast, w.admin];

    // 建档: the customer and its first contact.
    const customer = await createCustomer(sales, { stage: 'prospect', importance: 3 });
    const path = { params: { path: { id: customer.id } } };
    const first = customer.contacts[0];
    // 编辑: becoming important needs a reason.
    ok(await sales.api.PATCH('/api/v1/customers/{id}', { ...path, body: { stage: 'customer', importance: 5, version: 1, reason: '签订年度框架协议' } }));
    // 联系人变更: a new contact, corrected, then the first one leaves and the new one takes over.
    const second = ok(await sales.api.POST('/api/v1/customers/{id}/contacts', { ...path, body: { name: '李娜', position: '采购专员', mobile: '13700001111' } }));
    ok(await sales.api.PATCH('/api/v1/contacts/{id}', { params: { path: { id: second.id } }, body: { position: '采购主管', version: 1 } }));
    ok(await sales.api.POST('/api/v1/contacts/{id}/mark-left', { params: { path: { id: first.id } }, body: { reason: '原对接人离职', newPrimaryContactId: second.id } }));
    // 标签 and 分层.
    const group = ok(await admin.api.POST('/api/v1/tag-groups', { body: { name: '采购意向' } }));
    const tag = ok(await admin.api.POST('/api/v1/tag-groups/{id}/tags', { params: { path: { id: group.id } }, body: { name: '高意向' } }));
    ok(await sales.api.POST('/api/v1/customers/{id}/tags', { ...path, body: { add: [tag.id] } }));
    const core = ok(await admin.api.GET('/api/v1/tiers')).find((tier) => tier.code === 'core')!;
    ok(await manager.api.PUT('/api/v1/customers/{id}/tier', { ...path, body: { tierId: core.id, reason: '年采购额增长' } }));
    // 联系记录, corrected by its author.
    const interaction = ok(
      await sales.api.POST('/api/v1/customers/{id}/interactions', { ...path, body: { occurredAt: new Date().toISOString(), channel: 'visit', summary: '拜访客户，了解年度需求' } }),
    );
    ok(await sales.api.PATCH('/api/v1/interactions/{id}', { params: { path: { id: interaction.id } }, body: { feedback: '对交付周期有顾虑', version: 1 } }));
    // 营销同意.
    ok(await sales.api.POST('/api/v1/customers/{id}/consent', { ...path, body: { status: 'granted', channel: 'sms', evidence: '2026-11-20 电话确认，录音编号 A-1093' } }));
    // 投诉, taken by customer service.
    const complaint = ok(
      await w.service.api.POST('/api/v1/complaints', {
        body: { customerId: customer.id, channel: 'phone', category: 'delivery', severity: 'general', title: '到货延迟', description: '第二批货物晚到三天', customerMood: 'upset', receivedAt: new Date().toISOString() },
      }),
    );
    // 在职移交: the owner asks, the department manager approves, the customer moves.
    const transfer = ok(await sales.api.POST('/api/v1/transfers', { body: { toUserId: newOwner.id, customerIds: [customer.id], reason: '区域调整' } }));
    ok(await manager.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id: transfer.approvalId } }, body: { comment: '同意交接' } }));
    // 负责人变更 by editing the customer is refused, and leaves no trace: the owner changes only through a transfer.
    // (The version straight from the database: reading it through the API would itself be recorded.)
    const { version } = (await t.db.query(`SELECT version FROM customers WHERE id = $1`, [customer.id])).rows[0];
    const handedBack = await manager.api.PATCH('/api/v1/customers/{id}', { ...path, body: { ownerId: sales.id, version, reason: '新负责人休长假，交回原负责人' } });
    expect(handedBack.error).toMatchObject({ code: 'OWNER_CHANGE_NEEDS_TRANSFER', errors: [{ field: 'ownerId' }] });
    // 休眠 after a year of silence, then 重新激活.
    await t.db.query(
      `UPDATE customers SET created_at = now() - interval '500 days', last_interaction_at = now() - interval '400 days', next_action_due_at = NULL WHERE id = $1`,
      [customer.id],
    );
    // A year on, its complaint was long settled (an open one, or one resolved within 30 days, would keep it out of the archive).
    await t.db.query(
      `UPDATE complaints SET status = 'closed', received_at = now() - interval '420 days', resolved_at = now() - interval '419 days', closed_at = now() - interval '410 days' WHERE id = $1`,
      [complaint.id],
    );
    expect(ok(await admin.api.POST('/api/v1/customers/dormancy-sweep'))).toEqual({ changed: 1 });
    ok(await manager.api.POST('/api/v1/customers/{id}/reactivate', { ...path, body: { reason: '客户重新询价' } }));

    const ours = new Set([customer.id, first.id, second.id, interaction.id, complaint.id, transfer.approvalId]);
    const trail = (await since(from)).filter((e) => e.entityId !== null && ours.has(e.entityId));
    const story = trail.map((e) => [e.action, e.actorId, e.actorRole, e.reason]);
    expect(story).toEqual([
      ['customer.create', sales.id, 'sales', null],
      ['contact.create', sales.id, 'sales', null],
      ['customer.update', sales.id, 'sales', '签订年度框架协议'],
      ['contact.create', sales.id, 'sales', null],
      ['contact.update', sales.id, 'sales', null],
      ['contact.left', sales.id, 'sales', '原对接人离职'],
      ['contact.update', sales.id, 'sales', '原对接人离职'],
      ['customer.tags', sales.id, 'sales', null],
      ['customer.tier', manager.id, 'manager', '年采购额增长'],
      ['interaction.create', sales.id, 'sales', null],
      ['interaction.correct', sales.id, 'sales', null],
      ['customer.consent', sales.id, 'sales', null],
      ['complaint.create', w.service.id, 'service', null],
      ['approval.request', sales.id, 'sales', '区域调整'],
      ['approval.approve', manager.id, 'manager', '同意交接'],
      ['customer.transfer', manager.id, 'manager', '区域调整'],
      ['approval.execute', manager.id, 'manager', null],
      ['customer.dormant', null, 'system', 'no interaction for over 365 days and no follow-up planned'],
      ['customer.reactivate', manager.id, 'manager', '客户重新询价'],
      ['pii.read', manager.id, 'manager', null],
    ]);
    // What changed, as the auditor sees it.
    const byAction = (action: string, n = 0) => trail.filter((e) => e.action === action)[n];
    expect(byAction('customer.update')).toMatchObject({ before: { stage: 'prospect', importance: 3 }, after: { stage: 'customer', importance: 5 } });
    expect(byAction('customer.transfer')).toMatchObject({ before: { ownerId: sales.id }, after: expect.objectContaining({ ownerId: newOwner.id }) });
    expect(trail.filter((e) => e.action === 'customer.update')).toHaveLength(1);
    expect(byAction('contact.update')).toMatchObject({ before: { position: '采购专员' }, after: { position: '采购主管' } });
    expect(byAction('contact.left')).toMatchObject({ before: { status: 'active' }, after: { status: 'left' } });
    expect(byAction('customer.tags')).toMatchObject({ after: { tags: [{ id: tag.id, name: '高意向', group: '采购意向' }] } });
    expect(byAction('customer.tier')).toMatchObject({ after: { tierCode: 'core' } });
    expect(byAction('interaction.correct')).toMatchObject({ before: { feedback: null }, after: { feedback: '对交付周期有顾虑' } });
    expect(byAction('customer.consent')).toMatchObject({ before: { marketingConsent: 'unknown' }, after: { marketingConsent: 'granted', channel: 'sms' } });
    expect(byAction('customer.dormant')).toMatchObject({ before: { status: 'active' }, after: { status: 'dormant' } });
    expect(byAction('customer.reactivate')).toMatchObject({ before: { status: 'dormant' }, after: { status: 'active' } });
    expect(byAction('pii.read')).toMatchObject({ entityType: 'customer', after: { fields: ['mobile', 'email', 'wechatId'] } });
    // One request, one id: the first contact was created with the customer.
    expect(trail[1].requestId).toBe(trail[0].requestId);
    // In chain order, and never back in time.
    const ids = trail.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const times = trail.map((e) => Date.parse(e.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // The manager's view of the same customer: its changes (reads left out), corrections of its interaction records included, newest first.
    const history = ok(await manager.api.GET('/api/v1/customers/{id}/history', { ...path, params: { ...path.params, query: { limit: 100 } } }));
    expect(history.items.map((e) => e.action)).toEqual(
      story
        .map(([action]) => String(action))
        .filter((a) => a.startsWith('customer.') || a.startsWith('contact.') || a === 'interaction.correct')
        .reverse(),
    );
  });
});

describe('what else is always recorded', () => {
  it('every login and failed login, with the reason it failed', async () => {
    const from = new Date().toISOString();
    await tokenFor(t, 'admin', ADMIN_PASSWORD);
    expect((await t.anonymous.POST('/api/v1/auth/login', { body: { username: 'admin', password: 'not-the-password' } })).response.status).toBe(401);
    expect((await t.anonymous.POST('/api/v1/auth/login', { body: { username: 'nobody.here', password: 'whatever-it-is' } })).response.status).toBe(401);
    const logins = await since(from, { action: 'auth.' });
    expect(logins.map((e) => [e.action, e.actorId, e.reason, e.after])).toEqual([
      ['auth.login', w.admin.id, null, { username: 'admin' }],
      ['auth.login_failed', w.admin.id, 'wrong password', { username: 'admin', failures: 1 }],
      // A typed name that names no user is kept only as a keyed fingerprint.
      ['auth.login_failed', null, 'unknown username', { usernameFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), failures: 1 }],
    ]);
    expect(logins.every((e) => e.ip === '127.0.0.1' && e.requestId !== null)).toBe(true);
  });

  it('every unmasked read of personal data by someone other than the owner, and no other read', async () => {
    const customer = await createCustomer(w.salesEast1);
    const path = { params: { path: { id: customer.id } } };
    const from = new Date().toISOString();
    ok(await w.salesEast1.api.GET('/api/v1/customers/{id}', path)); // the owner
    ok(await w.service.api.GET('/api/v1/customers/{id}', path)); // masked
    ok(await w.auditor.api.GET('/api/v1/customers/{id}', path)); // masked
    ok(await w.managerEast.api.GET('/api/v1/customers/{id}', path));
    ok(await w.managerEast.api.GET('/api/v1/customers/{id}/contacts', path));
    ok(await w.admin.api.GET('/api/v1/customers/{id}', path));
    const reads = await since(from, { action: 'pii.read', entityType: 'customer', entityId: customer.id });
    expect(reads.map((e) => e.actorId)).toEqual([w.managerEast.id, w.managerEast.id, w.admin.id]);
  });

  it('every create, update and state change of users and departments', async () => {
    const from = new Date().toISOString();
    const dept = ok(await w.admin.api.POST('/api/v1/departments', { body: { name: '审计部' } }));
    ok(await w.admin.api.PATCH('/api/v1/departments/{id}', { params: { path: { id: dept.id } }, body: { name: '内审部', version: 1 } }));
    const user = ok(
      await w.admin.api.POST('/api/v1/users', { body: { username: 'trail.user', displayName: '王芳', password: 'a-long-enough-password', role: 'sales', departmentId: dept.id } }),
    );
    const userPath = { params: { path: { id: user.id } } };
    ok(await w.admin.api.PATCH('/api/v1/users/{id}', { ...userPath, body: { role: 'service', version: 1 } }));
    ok(await w.admin.api.POST('/api/v1/users/{id}/deactivate', userPath));
    ok(await w.admin.api.POST('/api/v1/users/{id}/activate', userPath));
    const entries = (await since(from)).filter((e) => e.entityId === dept.id || e.entityId === user.id);
    expect(entries.map((e) => [e.action, e.actorId])).toEqual(
      ['department.create', 'department.update', 'user.create', 'user.update', 'user.deactivate', 'user.activate'].map((a) => [a, w.admin.id]),
    );
    expect(entries[3]).toMatchObject({ before: { role: 'sales' }, after: { role: 'service' } });
    expect(entries[4]).toMatchObject({ before: { active: true }, after: { active: false } });
  });

  it('every export download, with its filters', async () => {
    const from = new Date().toISOString();
    const token = await tokenFor(t, 'admin', ADMIN_PASSWORD);
    const response = await fetch(`${t.baseUrl}/api/v1/audit-logs/export?format=ndjson&action=customer.&order=newest`, { headers: { authorization: `Bearer ${token}` } });
    await response.text();
    const exports = await since(from, { action: 'audit.export' });
    expect(exports.map((e) => [e.actorId, e.after])).toEqual([[w.admin.id, { format: 'ndjson', action: 'customer.', order: 'newest' }]]);
  });
});
