import { AuditService } from '../src/modules/audit';
import { Transactions } from '../src/database/transactions';
import { runInRequestContext } from '../src/common/request-context';
import { startTestApp, TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const count = async (sql: string, params: unknown[] = []) => Number((await t.db.query(sql, params)).rows[0].count);

describe('the audit log', () => {
  it('records who changed what, with the request id, address and changed fields', async () => {
    const admin = await t.admin();
    const created = await admin.POST('/api/v1/departments', { body: { name: 'Key Accounts' }, headers: { 'x-request-id': 'trace-create-1' } });
    expect(created.response.status).toBe(201);
    expect(created.response.headers.get('x-request-id')).toBe('trace-create-1');
    const id = created.data!.id;
    await admin.PATCH('/api/v1/departments/{id}', { params: { path: { id } }, body: { name: 'Strategic Accounts', version: 1 } });
    const adminId = (await admin.GET('/api/v1/auth/me')).data!.id;
    const { rows } = await t.db.query(
      `SELECT action, actor_id, actor_role, before, after, changed_fields, request_id, ip
         FROM audit_log WHERE entity_type = 'department' AND entity_id = $1 ORDER BY id`,
      [id],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      action: 'department.create',
      actor_id: adminId,
      actor_role: 'admin',
      before: null,
      after: expect.objectContaining({ id, name: 'Key Accounts', version: 1 }),
      request_id: 'trace-create-1',
      ip: '127.0.0.1',
    });
    expect(rows[1]).toMatchObject({
      action: 'department.update',
      before: { name: 'Key Accounts', version: 1, updatedAt: expect.any(String) },
      after: { name: 'Strategic Accounts', version: 2, updatedAt: expect.any(String) },
      changed_fields: ['name', 'updatedAt', 'version'],
    });
  });

  it('never holds a password or its hash', async () => {
    const { id } = await t.userClient('sales');
    const { rows } = await t.db.query(`SELECT after::text AS after FROM audit_log WHERE action = 'user.create' AND entity_id = $1`, [id]);
    expect(rows[0].after).toContain('"username"');
    expect(rows[0].after).not.toMatch(/password|argon2/i);
  });

  it.each([
    ['UPDATE', `UPDATE audit_log SET reason = 'edited' WHERE id = 1`],
    ['DELETE', `DELETE FROM audit_log WHERE id = 1`],
    ['TRUNCATE', `TRUNCATE audit_log`],
  ])('refuses %s, even to the database owner', async (_, sql) => {
    await expect(t.db.query(sql)).rejects.toThrow(/audit_log is append-only/);
  });

  it('rolls back with the change it records', async () => {
    const transactions = t.app.get(Transactions);
    const audit = t.app.get(AuditService);
    const before = await count(`SELECT count(*) FROM audit_log`);
    await expect(
      transactions.run(async () => {
        await transactions.manager.query(`INSERT INTO departments (name) VALUES ('Doomed')`);
        await audit.record({ action: 'department.create', entityType: 'department', after: { name: 'Doomed' } });
        throw new Error('the use case fails after writing');
      }),
    ).rejects.toThrow('the use case fails after writing');
    expect(await count(`SELECT count(*) FROM audit_log`)).toBe(before);
    expect(await count(`SELECT count(*) FROM departments WHERE name = 'Doomed'`)).toBe(0);
  });

  it('fails the change when its record cannot be written', async () => {
    // Make the audit insert itself fail (a check the application does not know about).
    await t.db.query(`ALTER TABLE audit_log ADD CONSTRAINT ck_test_no_marketing CHECK (entity_id IS DISTINCT FROM 'block-me')`);
    try {
      const transactions = t.app.get(Transactions);
      const audit = t.app.get(AuditService);
      await expect(
        transactions.run(async () => {
          await transactions.manager.query(`INSERT INTO departments (name) VALUES ('Unrecorded')`);
          await audit.record({ action: 'department.create', entityType: 'department', entityId: 'block-me' });
        }),
      ).rejects.toThrow(/ck_test_no_marketing/);
      expect(await count(`SELECT count(*) FROM departments WHERE name = 'Unrecorded'`)).toBe(0);
    } finally {
      await t.db.query(`ALTER TABLE audit_log DROP CONSTRAINT ck_test_no_marketing`);
    }
  });

  it('keeps an unbroken chain under concurrent writers, and names the first altered row', async () => {
    const admin = await t.admin();
    const auditor = (await t.userClient('auditor')).api;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => admin.POST('/api/v1/departments', { body: { name: `Concurrent ${i}` } })),
    );
    expect(results.map((r) => r.response.status)).toEqual(Array(40).fill(201));
    // Writers outside HTTP too, several rows per transaction.
    const audit = t.app.get(AuditService);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        runInRequestContext({ requestId: `batch-${i}` }, () =>
          audit.recordMany([
            { action: 'test.batch', entityType: 'test', entityId: `${i}-a` },
            { action: 'test.batch', entityType: 'test', entityId: `${i}-b` },
          ]),
        ),
      ),
    );
    // Enough rows that verification has to page through the chain.
    await audit.recordMany(Array.from({ length: 2100 }, (_, i) => ({ action: 'test.bulk', entityType: 'test', entityId: String(i) })));
    const total = await count(`SELECT count(*) FROM audit_log`);
    expect(total).toBeGreaterThan(2100);
    const ids = (await t.db.query(`SELECT min(id)::int AS min, max(id)::int AS max FROM audit_log`)).rows[0];
    expect(ids).toEqual({ min: 1, max: total }); // gapless: ids are handed out under the chain lock

    const intact = await auditor.GET('/api/v1/audit-logs/verify');
    expect(intact.data).toMatchObject({ valid: true, checked: total, firstBrokenId: null });

    const victim = Math.floor(total / 2);
    await t.db.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`);
    await t.db.query(`UPDATE audit_log SET reason = 'quietly edited' WHERE id = $1`, [victim]);
    await t.db.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete`);
    const broken = await auditor.GET('/api/v1/audit-logs/verify');
    expect(broken.data).toMatchObject({ valid: false, checked: victim, firstBrokenId: String(victim) });
  });

  it('is readable by auditors and admins only', async () => {
    const sales = (await t.userClient('sales')).api;
    const r = await sales.GET('/api/v1/audit-logs/verify');
    expect(r.response.status).toBe(403);
    expect(r.error).toMatchObject({ code: 'FORBIDDEN' });
  });
});
