import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, World } from './support/world';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

describe('a customer\'s life in the audit log', () => {
  it('tells the whole story in order, with actors and reasons: create, edit, tag, tier, complaint, transfer', async () => {
    const customer = await createCustomer(w.salesEast1, { name: '生命周期测试有限公司' });
    const path = { params: { path: { id: customer.id } } };
    await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...path, body: { industry: '批发和零售业', version: 1 } });
    const group = (await w.admin.api.POST('/api/v1/tag-groups', { body: { name: '生命周期' } })).data!;
    const tag = (await w.admin.api.POST('/api/v1/tag-groups/{id}/tags', { params: { path: { id: group.id } }, body: { name: '重点跟进' } })).data!;
    await w.salesEast1.api.POST('/api/v1/customers/{id}/tags', { ...path, body: { add: [tag.id] } });
    const core = (await w.admin.api.GET('/api/v1/tiers')).data!.find((x) => x.code === 'core')!;
    await w.managerEast.api.PUT('/api/v1/customers/{id}/tier', { ...path, body: { tierId: core.id, reason: '采购额上升' } });
    const complaint = (await w.service.api.POST('/api/v1/complaints', {
      body: { customerId: customer.id, channel: 'phone', category: 'delivery', severity: 'general', title: '延迟', description: '延迟', customerMood: 'upset', receivedAt: new Date().toISOString() },
    })).data!;
    const transfer = (await w.salesEast1.api.POST('/api/v1/transfers', { body: { toUserId: w.salesEast2.id, customerIds: [customer.id], reason: '岗位调整' } })).data!;
    await w.managerEast.api.POST('/api/v1/approvals/{id}/approve', { params: { path: { id: transfer.approvalId } }, body: { comment: '同意' } });

    const { rows } = await t.db.query(
      `SELECT action, actor_id AS "actorId", actor_role AS "role", reason, changed_fields AS "changed"
         FROM audit_log
        WHERE (entity_type = 'customer' AND entity_id = $1) OR (entity_type = 'complaint' AND entity_id = $2)
           OR (entity_type = 'approval' AND entity_id = $3)
        ORDER BY id`,
      [customer.id, complaint.id, transfer.approvalId],
    );
    expect(rows.map((r) => [r.action, r.role])).toEqual([
      ['customer.create', 'sales'],
      ['customer.update', 'sales'],
      ['customer.tags', 'sales'],
      ['customer.tier', 'manager'],
      ['complaint.create', 'service'],
      ['approval.request', 'sales'],
      ['approval.approve', 'manager'],
      ['customer.transfer', 'manager'],
      ['approval.execute', 'manager'],
    ]);
    const byAction = Object.fromEntries(rows.map((r) => [r.action, r]));
    expect(byAction['customer.create'].actorId).toBe(w.salesEast1.id);
    expect(byAction['customer.update'].changed).toEqual(expect.arrayContaining(['industry']));
    expect(byAction['customer.tier']).toMatchObject({ actorId: w.managerEast.id, reason: '采购额上升' });
    expect(byAction['customer.transfer']).toMatchObject({ actorId: w.managerEast.id, reason: '岗位调整' });
    expect(byAction['approval.approve'].reason).toBe('同意');
    // ... and the chain over all of it verifies.
    expect((await w.auditor.api.GET('/api/v1/audit-logs/verify')).data).toMatchObject({ valid: true });
  });
});
