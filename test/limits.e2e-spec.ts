import { LIMITS } from '../src/common/limits';
import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, World } from './support/world';

/**
 * The bounds the contract states on lists (maxItems) are kept by the server: creating one more
 * than the limit is 422 LIMIT_REACHED and writes nothing, neither the row nor an audit entry.
 */
let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});
afterAll(() => t.close());

const count = async (sql: string, params: unknown[]) => (await t.db.query<{ n: number }>(sql, params)).rows[0].n;

describe('contacts per customer', () => {
  it(`adds contacts up to ${LIMITS.contactsPerCustomer}, refuses the next one with 422 LIMIT_REACHED and writes nothing`, async () => {
    const customer = await createCustomer(w.salesEast1);
    const path = { params: { path: { id: customer.id } } };
    for (let i = 1; i < LIMITS.contactsPerCustomer; i += 1) {
      const added = await w.salesEast1.api.POST('/api/v1/customers/{id}/contacts', { ...path, body: { name: `对接人 ${i}` } });
      expect(added.response.status).toBe(201);
    }
    const listed = await w.salesEast1.api.GET('/api/v1/customers/{id}/contacts', path);
    expect(listed.data).toHaveLength(LIMITS.contactsPerCustomer);
    const auditBefore = await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'contact.create'`, []);

    const refused = await w.salesEast1.api.POST('/api/v1/customers/{id}/contacts', { ...path, body: { name: '第五十一位' } });
    expect(refused.response.status).toBe(422);
    expect(refused.error).toMatchObject({ code: 'LIMIT_REACHED' });
    expect(await count(`SELECT count(*)::int AS n FROM contacts WHERE customer_id = $1`, [customer.id])).toBe(LIMITS.contactsPerCustomer);
    expect(await count(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'contact.create'`, [])).toBe(auditBefore);
  });

  it('asks for a merge only when the survivor would keep within the limit', async () => {
    const fill = (id: string, n: number) =>
      t.db.query(`INSERT INTO contacts (customer_id, name) SELECT $1, 'filler ' || n FROM generate_series(1, $2::int) AS n`, [id, n]);
    const merge = (survivorId: string, mergedId: string) =>
      w.managerEast.api.POST('/api/v1/customers/merge-requests', { body: { survivorId, mergedIds: [mergedId], reason: '同一客户重复建档' } });
    // Each customer starts with one contact: 1 + 1 + 48 is exactly the limit. The manager asks, an admin decides.
    const [survivor, fits, tooMany] = [await createCustomer(w.salesEast1), await createCustomer(w.salesEast1), await createCustomer(w.salesEast1)];
    await fill(fits.id, LIMITS.contactsPerCustomer - 2);
    await fill(tooMany.id, LIMITS.contactsPerCustomer - 1);

    const refused = await merge(survivor.id, tooMany.id);
    expect(refused.response.status).toBe(422);
    expect(refused.error).toMatchObject({ code: 'LIMIT_REACHED' });
    expect(await count(`SELECT count(*)::int AS n FROM approvals WHERE type = 'customer.merge' AND payload->>'survivorId' = $1`, [survivor.id])).toBe(0);

    const asked = await merge(survivor.id, fits.id);
    expect(asked.response.status).toBe(202);
  });
});

describe('tag groups', () => {
  it(`refuses group number ${LIMITS.tagGroups + 1} with 422 LIMIT_REACHED, and creates below the limit`, async () => {
    const existing = await count(`SELECT count(*)::int AS n FROM tag_groups`, []);
    const created = await w.admin.api.POST('/api/v1/tag-groups', { body: { name: '容量测试' } });
    expect(created.response.status).toBe(201);
    await t.db.query(
      `INSERT INTO tag_groups (name, name_key) SELECT 'filler ' || n, 'filler ' || n FROM generate_series(1, $1::int) AS n`,
      [LIMITS.tagGroups - existing - 1],
    );
    const refused = await w.admin.api.POST('/api/v1/tag-groups', { body: { name: '一组太多' } });
    expect(refused.response.status).toBe(422);
    expect(refused.error).toMatchObject({ code: 'LIMIT_REACHED' });
    expect(await count(`SELECT count(*)::int AS n FROM tag_groups`, [])).toBe(LIMITS.tagGroups);
    const listed = await w.admin.api.GET('/api/v1/tag-groups');
    expect(listed.data).toHaveLength(LIMITS.tagGroups);
  });
});
