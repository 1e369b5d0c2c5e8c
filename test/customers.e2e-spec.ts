import { chainQueuedReads } from './support/audit-queue';
import { creditCodeCheckChar } from '../src/modules/customers/customer.rules';
import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, newCustomer, World } from './support/world';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp({ DORMANCY_DAYS: '365' });
  w = await buildWorld(t);
});
afterAll(() => t.close());

const count = async (sql: string, params: unknown[] = []) => Number((await t.db.query(sql, params)).rows[0].count);

describe('creating customers', () => {
  it('makes the creator the owner and returns the customer with its contacts', async () => {
    const r = await w.salesEast1.api.POST('/api/v1/customers', {
      body: newCustomer({ name: '  杭州云帆科技有限公司 ', importance: 4, needs: { purchaseIntent: '年内采购', productPreferences: ['存储'] } }),
    });
    expect(r.response.status).toBe(201);
    expect(r.data).toMatchObject({
      name: '杭州云帆科技有限公司',
      ownerId: w.salesEast1.id,
      departmentId: w.east,
      status: 'active',
      version: 1,
      importance: 4,
      needs: { purchaseIntent: '年内采购', productPreferences: ['存储'] },
    });
    expect(r.data!.contacts).toHaveLength(1);
    expect(r.data!.contacts[0]).toMatchObject({ isPrimary: true, status: 'active' });
    const audit = await t.db.query(`SELECT action FROM audit_log WHERE entity_id IN ($1, $2) ORDER BY id`, [r.data!.id, r.data!.contacts[0].id]);
    expect(audit.rows.map((row) => row.action)).toEqual(['customer.create', 'contact.create']);
  });

  it.each([
    ['no contact with a mobile', { contacts: [{ name: '无手机', email: 'nomobile@example.com' }] }, 'contacts'],
    ['no contacts at all', { contacts: [] }, 'contacts'],
    ['a malformed mobile', { contacts: [{ name: '错号', mobile: '12345' }] }, 'contacts.0.mobile'],
    ['a malformed e-mail', { contacts: [{ name: '错邮', mobile: '13600000001', email: 'not-an-email' }] }, 'contacts.0.email'],
    ['a credit code with a wrong check character', { creditCode: '91350100M000100Y44' }, 'creditCode'],
    ['a one-letter name', { name: 'X' }, 'name'],
    ['importance 6', { importance: 6 }, 'importance'],
    ['an unknown stage', { stage: 'vip' }, 'stage'],
    ['an unknown field', { vip: true }, 'vip'],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_, overrides, field) => {
    const before = await count(`SELECT count(*) FROM customers`);
    const r = await w.salesEast1.api.POST('/api/v1/customers', { body: newCustomer(overrides as never) });
    expect(r.response.status).toBe(400);
    expect(r.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(r.error!.errors!.map((e) => e.field)).toContain(field);
    expect(await count(`SELECT count(*) FROM customers`)).toBe(before);
  });

  it('accepts a valid unified social credit code', async () => {
    const first17 = '91110108MA01ABCD1';
    const code = first17 + creditCodeCheckChar(first17)!;
    const r = await w.salesEast1.api.POST('/api/v1/customers', { body: newCustomer({ creditCode: code.toLowerCase() }) });
    expect(r.response.status).toBe(201);
    expect(r.data!.creditCode).toBe(code);
  });
});

describe('duplicates (避免重复建档)', () => {
  it('refuses the same name written differently, whoever asks, and says only who owns the match', async () => {
    const original = await createCustomer(w.salesEast1, { name: '深圳华强电子有限公司' });
    const r = await w.salesWest.api.POST('/api/v1/customers', { body: newCustomer({ name: ' 深圳华强电子（有限公司） ' }) });
    expect(r.response.status).toBe(409);
    expect(r.error).toMatchObject({ code: 'CUSTOMER_DUPLICATE' });
    const duplicates = (r.error as unknown as { duplicates: object[] }).duplicates;
    expect(duplicates).toEqual([
      { id: original.id, name: '深圳华强电子有限公司', ownerId: w.salesEast1.id, ownerName: w.salesEast1.username, matchedOn: 'name' },
    ]);
    const latin = await createCustomer(w.salesEast1, { name: 'Acme Trading Co., Ltd.' });
    const fullWidth = await w.salesWest.api.POST('/api/v1/customers', { body: newCustomer({ name: 'ＡＣＭＥ  trading co ltd' }) });
    expect((fullWidth.error as unknown as { duplicates: { id: string }[] }).duplicates[0].id).toBe(latin.id);
  });

  it('refuses a contact mobile written another way, and an e-mail in another case', async () => {
    const original = await createCustomer(w.salesEast1, { contacts: [{ name: '赵一', mobile: '13800138001', email: 'Buyer.Zhao@Example.com' }] });
    const byMobile = await w.salesWest.api.POST('/api/v1/customers', { body: newCustomer({ contacts: [{ name: '赵二', mobile: '+86 138-0013-8001' }] }) });
    expect(byMobile.response.status).toBe(409);
    expect(byMobile.error).toMatchObject({ duplicates: [{ id: original.id, matchedOn: 'mobile' }] });
    const byEmail = await w.salesWest.api.POST('/api/v1/customers', {
      body: newCustomer({ contacts: [{ name: '赵三', mobile: '13600000099', email: 'buyer.zhao@example.COM' }] }),
    });
    expect(byEmail.error).toMatchObject({ duplicates: [{ id: original.id, matchedOn: 'email' }] });
  });

  it('lets exactly one of two simultaneous identical creations through', async () => {
    const body = newCustomer({ name: '并发测试贸易有限公司' });
    const results = await Promise.all([1, 2, 3].map(() => w.salesEast1.api.POST('/api/v1/customers', { body })));
    expect(results.map((r) => r.response.status).sort()).toEqual([201, 409, 409]);
    expect(await count(`SELECT count(*) FROM customers WHERE name = '并发测试贸易有限公司'`)).toBe(1);
  });

  it('lists exact matches and similar names in a duplicate check', async () => {
    const original = await createCustomer(w.salesEast1, { name: '北京星辰信息技术有限公司' });
    const r = await w.salesWest.api.POST('/api/v1/customers/duplicate-check', { body: { name: '北京星辰信息技术股份有限公司' } });
    expect(r.data!.duplicates).toEqual([]);
    expect(r.data!.similar).toEqual([expect.objectContaining({ id: original.id, name: '北京星辰信息技术有限公司', similarity: expect.any(Number) })]);
    expect(r.data!.similar[0].similarity).toBeGreaterThanOrEqual(0.5);
  });
});

describe('editing customers', () => {
  it('needs the version: a stale one gets 412 and changes nothing; none gets 428', async () => {
    const c = await createCustomer(w.salesEast1);
    const path = { params: { path: { id: c.id } } };
    const first = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...path, body: { industry: '信息传输、软件和信息技术服务业' }, headers: { 'if-match': '"1"' } });
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('etag')).toBe('"2"');
    const stale = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...path, body: { industry: '批发和零售业', version: 1 } });
    expect(stale.response.status).toBe(412);
    expect(stale.error).toMatchObject({ code: 'VERSION_CONFLICT' });
    const none = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...path, body: { industry: '批发和零售业' } });
    expect(none.response.status).toBe(428);
    const current = await w.salesEast1.api.GET('/api/v1/customers/{id}', path);
    expect(current.data).toMatchObject({ industry: '信息传输、软件和信息技术服务业', version: 2 });
    expect(current.response.headers.get('etag')).toBe('"2"');
  });

  it('requires a reason for a strategic customer, and the history shows it', async () => {
    const c = await createCustomer(w.salesEast1, { stage: 'customer' });
    const path = { params: { path: { id: c.id } } };
    const noReason = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...path, body: { stage: 'strategic', version: 1 } });
    expect(noReason.response.status).toBe(422);
    expect(noReason.error).toMatchObject({ code: 'REASON_REQUIRED', errors: [{ field: 'reason' }] });
    const promoted = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { ...path, body: { stage: 'strategic', reason: '年度框架协议签署', version: 1 } });
    expect(promoted.data).toMatchObject({ stage: 'strategic', version: 2 });

    const history = await w.managerEast.api.GET('/api/v1/customers/{id}/history', path);
    const entries = history.data!.items;
    expect(entries.map((e) => e.action)).toEqual(['customer.update', 'contact.create', 'customer.create']);
    expect(entries[0]).toMatchObject({
      actorId: w.salesEast1.id,
      actorName: w.salesEast1.username,
      reason: '年度框架协议签署',
      before: expect.objectContaining({ stage: 'customer' }),
      after: expect.objectContaining({ stage: 'strategic' }),
    });
    expect(entries[0].changedFields).toEqual(expect.arrayContaining(['stage', 'version']));
  });

  it('refuses a rename onto another customer\'s name', async () => {
    const a = await createCustomer(w.salesEast1, { name: '重名甲有限公司' });
    const b = await createCustomer(w.salesEast1, { name: '重名乙有限公司' });
    const r = await w.salesEast1.api.PATCH('/api/v1/customers/{id}', { params: { path: { id: b.id } }, body: { name: '重名甲有限公司', version: 1 } });
    expect(r.response.status).toBe(409);
    expect(r.error).toMatchObject({ code: 'CUSTOMER_DUPLICATE', duplicates: [{ id: a.id, matchedOn: 'name' }] });
  });
});

describe('dormancy (休眠) and the archive', () => {
  it('archives exactly the stale customers, hides them, and reactivation brings them back', async () => {
    const stale = await createCustomer(w.salesEast1, { name: '休眠候选有限公司' });
    const planned = await createCustomer(w.salesEast1, { name: '有计划跟进有限公司' });
    const fresh = await createCustomer(w.salesEast1, { name: '新近联系有限公司' });
    // Age them: 400 days without interaction; one has a follow-up planned next week.
    await t.db.query(`UPDATE customers SET created_at = now() - interval '500 days', last_interaction_at = now() - interval '400 days' WHERE id = ANY($1)`, [
      [stale.id, planned.id],
    ]);
    await t.db.query(`UPDATE customers SET next_action_due_at = now() + interval '7 days' WHERE id = $1`, [planned.id]);
    await t.db.query(`UPDATE customers SET created_at = now() - interval '500 days', last_interaction_at = now() - interval '10 days' WHERE id = $1`, [fresh.id]);

    expect((await w.salesEast1.api.POST('/api/v1/customers/dormancy-sweep')).response.status).toBe(403);
    const sweep = await w.admin.api.POST('/api/v1/customers/dormancy-sweep');
    expect(sweep.data).toEqual({ changed: 1 });
    expect((await w.admin.api.POST('/api/v1/customers/dormancy-sweep')).data).toEqual({ changed: 0 });

    const path = { params: { path: { id: stale.id } } };
    const salesList = await w.salesEast1.api.GET('/api/v1/customers', { params: { query: { limit: 100 } } });
    expect(salesList.data!.items.map((c) => c.id)).not.toContain(stale.id);
    expect(salesList.data!.items.map((c) => c.id)).toEqual(expect.arrayContaining([planned.id, fresh.id]));
    expect((await w.salesEast1.api.GET('/api/v1/customers/{id}', path)).response.status).toBe(404);
    expect((await w.service.api.GET('/api/v1/customers/{id}', path)).response.status).toBe(404);
    expect((await w.salesEast1.api.GET('/api/v1/customers', { params: { query: { status: 'dormant' } } })).data!.items).toEqual([]);

    const archive = await w.managerEast.api.GET('/api/v1/customers', { params: { query: { status: 'dormant' } } });
    expect(archive.data!.items.map((c) => c.id)).toEqual([stale.id]);
    expect((await w.managerWest.api.GET('/api/v1/customers', { params: { query: { status: 'dormant' } } })).data!.items).toEqual([]);
    const kept = await w.managerEast.api.GET('/api/v1/customers/{id}', path);
    expect(kept.data).toMatchObject({ status: 'dormant', archivedAt: expect.any(String), contacts: [expect.objectContaining({ name: '张伟' })] });

    const noReason = await w.managerEast.api.POST('/api/v1/customers/{id}/reactivate', { ...path, body: {} as never });
    expect(noReason.response.status).toBe(400);
    const back = await w.managerEast.api.POST('/api/v1/customers/{id}/reactivate', { ...path, body: { reason: '客户重新询价' } });
    expect(back.data).toMatchObject({ status: 'active', archivedAt: null });
    expect((await w.salesEast1.api.GET('/api/v1/customers/{id}', path)).response.status).toBe(200);
    // Reactivation restarts the clock: the next sweep leaves it alone.
    expect((await w.admin.api.POST('/api/v1/customers/dormancy-sweep')).data).toEqual({ changed: 0 });

    await chainQueuedReads(t);
    const trail = await t.db.query(`SELECT action, actor_role, reason FROM audit_log WHERE entity_id = $1 ORDER BY id`, [stale.id]);
    expect(trail.rows).toEqual([
      { action: 'customer.create', actor_role: 'sales', reason: null },
      { action: 'customer.dormant', actor_role: 'system', reason: 'no interaction for over 365 days and no follow-up planned' },
      { action: 'pii.read', actor_role: 'manager', reason: null },
      { action: 'customer.reactivate', actor_role: 'manager', reason: '客户重新询价' },
      { action: 'pii.read', actor_role: 'manager', reason: null },
    ]);
  });
});

describe('keyset pagination', () => {
  it('returns every row exactly once, in order, while rows are inserted between pages', async () => {
    const seller = await t.userClient('sales', { departmentId: w.west });
    const seller2 = { ...seller };
    for (let i = 0; i < 12; i += 1) await createCustomer(seller2, { name: `分页客户 ${String(i).padStart(2, '0')} 有限公司` });
    for (const sort of ['name', '-createdAt', 'lastInteractionAt'] as const) {
      const before = (await seller.api.GET('/api/v1/customers', { params: { query: { limit: 100, sort } } })).data!.items.map((c) => c.id);
      expect(before.length).toBeGreaterThanOrEqual(12);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await seller.api.GET('/api/v1/customers', { params: { query: { limit: 5, sort, cursor } } });
        expect(page.response.status).toBe(200);
        seen.push(...page.data!.items.map((c) => c.id));
        cursor = page.data!.nextCursor ?? undefined;
        pages += 1;
        await createCustomer(seller2, { name: `分页插入 ${sort} ${pages} 有限公司` }); // a new row while paging
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length); // no row twice
      expect(seen.filter((id) => before.includes(id))).toEqual(before); // every old row, in order
    }
    const mixed = await seller.api.GET('/api/v1/customers', { params: { query: { limit: 5, sort: 'name' } } });
    const wrongSort = await seller.api.GET('/api/v1/customers', { params: { query: { sort: '-updatedAt', cursor: mixed.data!.nextCursor! } } });
    expect(wrongSort.error).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ field: 'cursor' }] });
  });

  it('filters by stage, importance, fuzzy name and updatedSince', async () => {
    const seller = await t.userClient('sales', { departmentId: w.west });
    const hit = await createCustomer(seller, { name: '苏州精密机械制造有限公司', stage: 'customer', importance: 5 });
    await createCustomer(seller, { name: '无锡纺织有限公司', stage: 'potential', importance: 2 });
    const ids = async (query: Record<string, unknown>) =>
      (await seller.api.GET('/api/v1/customers', { params: { query } })).data!.items.map((c) => c.id);
    expect(await ids({ stage: 'customer' })).toEqual([hit.id]);
    expect(await ids({ importance: 5 })).toEqual([hit.id]);
    expect(await ids({ q: '精密机械' })).toEqual([hit.id]);
    const latin = await createCustomer(seller, { name: 'Suzhou Precision Machinery Co., Ltd.' });
    expect(await ids({ q: 'suzhou precisoin' })).toEqual([latin.id]); // a typo still finds it
    expect(await ids({ q: '精密机械' })).toEqual([hit.id]);
    expect(await ids({ updatedSince: new Date(Date.now() + 60_000).toISOString() })).toEqual([]);
  });
});
