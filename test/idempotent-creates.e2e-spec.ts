import { startTestApp, TestApp } from './support/test-app';
import { newCustomer } from './support/world';

describe('Idempotency-Key on creating POSTs beyond requests (issue 18)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('customers: a retry with the same key and body creates nothing and replays; another body is 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const sales = (await t.userClient('sales')).api;
    const body = newCustomer();
    const headers = { 'idempotency-key': 'customer-retry-1' };
    const first = await sales.POST('/api/v1/customers', { body, headers });
    expect(first.response.status).toBe(201);
    const retry = await sales.POST('/api/v1/customers', { body, headers });
    expect(retry.response.status).toBe(201);
    expect(retry.response.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.data!.id).toBe(first.data!.id);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM customers WHERE name = $1`, [body.name]);
    expect(rows[0].n).toBe(1);
    const other = await sales.POST('/api/v1/customers', { body: newCustomer(), headers });
    expect(other.response.status).toBe(422);
    expect(other.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    // without the header, nothing changes
    expect((await sales.POST('/api/v1/customers', { body: newCustomer() })).response.status).toBe(201);
  });

  it('departments (admin): the same key twice gives the first answer, not a 409 duplicate', async () => {
    const admin = await t.admin();
    const headers = { 'idempotency-key': 'dept-retry-1' };
    const first = await admin.POST('/api/v1/departments', { body: { name: 'Integrations' }, headers });
    expect(first.response.status).toBe(201);
    const retry = await admin.POST('/api/v1/departments', { body: { name: 'Integrations' }, headers });
    expect(retry.response.status).toBe(201);
    expect(retry.response.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.data!.id).toBe(first.data!.id);
    const duplicate = await admin.POST('/api/v1/departments', { body: { name: 'Integrations' } });
    expect(duplicate.response.status).toBe(409);
  });
});
