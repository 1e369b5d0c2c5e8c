import { chainQueuedReads } from './support/audit-queue';
import { createHmac } from 'node:crypto';
import { clientFor, JWT_SECRET, startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, World } from './support/world';

/**
 * GET /customers/:id checks the user in the same statement as the customer (issue 14): every
 * token check of the guard still applies, and a change to the user (deactivation, another
 * department) counts from the very next request.
 */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
function signToken(payload: object, secret = JWT_SECRET, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const claims = (sub: string, extra: object = {}) => ({ sub, iss: 'crm-api', aud: 'crm-api-clients', iat: now(), exp: now() + 600, ...extra });

describe('GET /customers/:id in one statement', () => {
  let customerId: string;
  let ownerId: string;
  beforeAll(async () => {
    customerId = (await createCustomer(w.salesEast1, { name: '一次往返测试有限公司' })).id;
    ownerId = w.salesEast1.id;
  });
  const read = (token: string) => clientFor(t.baseUrl, token).GET('/api/v1/customers/{id}', { params: { path: { id: customerId } } });

  it('serves the owner with contacts, tags and the ETag (the control case for the ones below)', async () => {
    const r = await read(signToken(claims(ownerId)));
    expect(r.response.status).toBe(200);
    expect(r.data).toMatchObject({ id: customerId, ownerId, version: 1 });
    expect(r.data!.contacts.length).toBeGreaterThan(0);
    expect(r.response.headers.get('etag')).toBe('"1"');
  });

  it.each([
    ['no token at all', () => ''],
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims(ownerId))}.`],
    ['a bad signature', () => signToken(claims(ownerId), 'another-secret-that-is-at-least-32-bytes')],
    ['an expired token', () => signToken(claims(ownerId, { iat: now() - 7200, exp: now() - 3600 }))],
    ['a wrong issuer', () => signToken(claims(ownerId, { iss: 'someone-else' }))],
    ['a wrong audience', () => signToken(claims(ownerId, { aud: 'another-app' }))],
    ['HS512 instead of HS256', () => signToken(claims(ownerId), JWT_SECRET, { alg: 'HS512', typ: 'JWT' })],
    ['an unknown subject', () => signToken(claims('00000000-0000-4000-8000-000000000000'))],
    ['a subject that is no id', () => signToken(claims('admin'))],
    ['garbage', () => 'not.a.token'],
  ])('answers 401 for %s', async (_, token) => {
    const r = await read(token());
    expect([r.response.status, r.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
  });

  it('shows each contact exactly as the contacts route does (one read row carries them as JSON)', async () => {
    const owner = w.salesEast1.api;
    const path = { params: { path: { id: (await createCustomer(w.salesEast1, { name: '联系人对照有限公司' })).id } } };
    // A second contact with no e-mail, and a third who left (leftAt set): every field and null case.
    const second = await owner.POST('/api/v1/customers/{id}/contacts', { ...path, body: { name: '王芳', mobile: '13900001111', wechatId: 'wx_wangfang' } });
    const third = await owner.POST('/api/v1/customers/{id}/contacts', { ...path, body: { name: '李雷', email: 'lilei@example.com', position: '财务' } });
    expect([second.response.status, third.response.status]).toEqual([201, 201]);
    expect((await owner.POST('/api/v1/contacts/{id}/mark-left', { params: { path: { id: third.data!.id } }, body: { reason: '离职' } as never })).response.status).toBe(200);
    for (const api of [owner, w.managerEast.api, w.service.api]) {
      const read = await api.GET('/api/v1/customers/{id}', path);
      const listed = await api.GET('/api/v1/customers/{id}/contacts', path);
      expect(read.response.status).toBe(200);
      expect(read.data!.contacts).toHaveLength(3);
      expect(read.data!.contacts).toEqual(listed.data);
    }
    const left = (await owner.GET('/api/v1/customers/{id}', path)).data!.contacts.find((c) => c.id === third.data!.id)!;
    expect(left).toMatchObject({ status: 'left', email: 'lilei@example.com', mobile: null });
    expect(Date.parse(left.leftAt!)).toBeGreaterThan(0);
  });

  it('shows the customer as the entity TypeORM loads: every field set, as PATCH answers it and as the list shows it', async () => {
    const owner = w.salesEast1.api;
    const created = await createCustomer(w.salesEast1, { name: '字段对照有限公司' });
    const path = { params: { path: { id: created.id } } };
    const patched = await owner.PATCH('/api/v1/customers/{id}', {
      ...path,
      body: {
        version: created.version,
        shortName: '对照',
        kind: 'organization',
        scale: '50-199人',
        region: '上海',
        landline: '02162345678',
        source: 'referral',
        stage: 'prospect',
        importance: 4,
        needs: { purchaseIntent: '年内采购', productPreferences: ['企业版'], budgetRange: '50-200万' },
        notes: '对照',
        annualRevenue: 1234567.89,
        cooperationSince: '2019-03-01',
        potentialScore: 77,
      },
    });
    expect(patched.response.status).toBe(200); // answered from findById (TypeORM's own hydration)
    const read = await owner.GET('/api/v1/customers/{id}', path); // readAsUser (Transactions.hydrate)
    expect(read.data).toEqual(patched.data);
    expect(read.data).toMatchObject({ cooperationSince: '2019-03-01', annualRevenue: 1234567.89, needs: { budgetRange: '50-200万' } });
    const listed = await owner.GET('/api/v1/customers', { params: { query: { q: '字段对照' } } }); // a prepared list (Transactions.hydrate)
    const { contacts: _c, needs: _n, notes: _o, creditCode: _r, archivedAt: _a, piiMasked: _p, ...summary } = read.data!;
    expect(listed.data!.items).toEqual([summary]);
  });

  it('answers 404 to another department, and follows a user moved there from the next request on', async () => {
    const { api, id } = await t.userClient('manager', { departmentId: w.west });
    const r = await api.GET('/api/v1/customers/{id}', { params: { path: { id: customerId } } });
    expect([r.response.status, r.error?.code]).toEqual([404, 'NOT_FOUND']);
    const user = (await w.admin.api.GET('/api/v1/users/{id}', { params: { path: { id } } })).data!;
    expect((await w.admin.api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body: { departmentId: w.east, version: user.version } })).response.status).toBe(200);
    const moved = await api.GET('/api/v1/customers/{id}', { params: { path: { id: customerId } } });
    expect(moved.response.status).toBe(200);
    // The manager's unmasked read of someone else's customer is audited, with the manager as actor.
    await chainQueuedReads(t);
    const audited = await t.db.query(`SELECT actor_id::text, actor_role FROM audit_log WHERE action = 'pii.read' AND entity_id = $1`, [customerId]);
    expect(audited.rows).toEqual([{ actor_id: id, actor_role: 'manager' }]);
  });

  it('stops serving a user once deactivated, on the next request', async () => {
    const seller = await t.userClient('sales', { departmentId: w.east });
    const { api, id } = seller;
    const mine = (await createCustomer(seller, { name: '停用测试有限公司' })).id;
    expect((await api.GET('/api/v1/customers/{id}', { params: { path: { id: mine } } })).response.status).toBe(200);
    await w.admin.api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id } } });
    const r = await api.GET('/api/v1/customers/{id}', { params: { path: { id: mine } } });
    expect([r.response.status, r.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
  });
});
