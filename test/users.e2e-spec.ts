import { startTestApp, TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const count = async (sql: string, params: unknown[] = []) => Number((await t.db.query(sql, params)).rows[0].count);

describe('users and departments', () => {
  it('lets an admin create a user who can then log in; the username is case-insensitive', async () => {
    const admin = await t.admin();
    const departmentId = await t.department('North');
    const created = await admin.POST('/api/v1/users', {
      body: { username: '  Wang.Fang ', displayName: '王芳', password: 'a-long-enough-password', role: 'sales', departmentId },
    });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ username: 'wang.fang', displayName: '王芳', role: 'sales', departmentId, active: true, version: 1 });
    expect(created.data).not.toHaveProperty('password');
    expect(created.data).not.toHaveProperty('passwordHash');
    const me = await (await t.login('WANG.FANG', 'a-long-enough-password')).GET('/api/v1/auth/me');
    expect(me.data?.username).toBe('wang.fang');
  });

  it('refuses a taken username with 409 naming the field, and writes nothing', async () => {
    const admin = await t.admin();
    const departmentId = await t.department('North');
    const body = { username: 'dup.user', displayName: 'A', password: 'a-long-enough-password', role: 'sales' as const, departmentId };
    expect((await admin.POST('/api/v1/users', { body })).response.status).toBe(201);
    const auditRows = await count(`SELECT count(*) FROM audit_log`);
    const again = await admin.POST('/api/v1/users', { body: { ...body, username: 'DUP.user' } });
    expect(again.response.status).toBe(409);
    expect(again.error).toMatchObject({ code: 'USERNAME_TAKEN', errors: [{ field: 'username' }] });
    expect(await count(`SELECT count(*) FROM users WHERE username = 'dup.user'`)).toBe(1);
    expect(await count(`SELECT count(*) FROM audit_log`)).toBe(auditRows);
  });

  it('refuses malformed input naming each field, and writes nothing', async () => {
    const admin = await t.admin();
    const users = await count(`SELECT count(*) FROM users`);
    const r = await admin.POST('/api/v1/users', {
      body: { username: 'x', displayName: '', password: 'short', role: 'boss', departmentId: 'not-a-uuid', isAdmin: true } as never,
    });
    expect(r.response.status).toBe(400);
    expect(r.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(new Set(r.error!.errors!.map((e) => e.field))).toEqual(
      new Set(['username', 'displayName', 'password', 'role', 'departmentId', 'isAdmin']),
    );
    expect(await count(`SELECT count(*) FROM users`)).toBe(users);
  });

  it('refuses an unknown department with 422 naming the field', async () => {
    const r = await (await t.admin()).POST('/api/v1/users', {
      body: { username: 'lost.soul', displayName: 'L', password: 'a-long-enough-password', role: 'sales', departmentId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(r.response.status).toBe(422);
    expect(r.error).toMatchObject({ code: 'DEPARTMENT_NOT_FOUND', errors: [{ field: 'departmentId' }] });
  });

  it.each(['sales', 'manager', 'service', 'marketing', 'auditor'] as const)('answers 403 when %s calls an admin route', async (role) => {
    const { api } = await t.userClient(role);
    const r = await api.POST('/api/v1/departments', { body: { name: `Made by ${role}` } });
    expect(r.response.status).toBe(403);
    expect(r.error).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(await count(`SELECT count(*) FROM departments WHERE name = $1`, [`Made by ${role}`])).toBe(0);
  });

  it('shows a manager the users of their own department only, and 404 for the others', async () => {
    const east = await t.department('East');
    const west = await t.department('West');
    const manager = await t.userClient('manager', { departmentId: east });
    const colleague = await t.userClient('sales', { departmentId: east });
    const stranger = await t.userClient('sales', { departmentId: west });

    const listed = await manager.api.GET('/api/v1/users', { params: { query: { limit: 100 } } });
    const ids = listed.data!.items.map((u) => u.id);
    expect(ids).toEqual(expect.arrayContaining([manager.id, colleague.id]));
    expect(ids).not.toContain(stranger.id);
    expect(listed.data!.items.every((u) => u.departmentId === east)).toBe(true);

    // A filter narrows, never widens.
    const widened = await manager.api.GET('/api/v1/users', { params: { query: { departmentId: west } } });
    expect(widened.data).toEqual({ items: [], nextCursor: null });

    expect((await manager.api.GET('/api/v1/users/{id}', { params: { path: { id: colleague.id } } })).response.status).toBe(200);
    const hidden = await manager.api.GET('/api/v1/users/{id}', { params: { path: { id: stranger.id } } });
    expect(hidden.response.status).toBe(404);
    expect(hidden.error).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('pages through users with an opaque cursor, each user exactly once', async () => {
    const admin = await t.admin();
    for (let i = 0; i < 5; i += 1) await t.userClient('service');
    const all = (await admin.GET('/api/v1/users', { params: { query: { limit: 100 } } })).data!.items;
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.GET('/api/v1/users', { params: { query: { limit: 2, cursor } } });
      expect(page.data!.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.data!.items.map((u) => u.id));
      cursor = page.data!.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.map((u) => u.id));
    const forged = await admin.GET('/api/v1/users', { params: { query: { cursor: 'forged!' } } });
    expect(forged.error).toMatchObject({ code: 'INVALID_CURSOR', errors: [{ field: 'cursor' }] });
  });

  it('refuses a stale version with 412 and keeps the newer write', async () => {
    const admin = await t.admin();
    const { id } = await t.userClient('sales');
    const first = await admin.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body: { displayName: 'First', version: 1 } });
    expect(first.data).toMatchObject({ displayName: 'First', version: 2 });
    const stale = await admin.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body: { displayName: 'Second', version: 1 } });
    expect(stale.response.status).toBe(412);
    expect(stale.error).toMatchObject({ code: 'VERSION_CONFLICT' });
    expect((await admin.GET('/api/v1/users/{id}', { params: { path: { id } } })).data).toMatchObject({ displayName: 'First', version: 2 });
  });

  it('resets a password: the old one stops working, and the audit row says so without the password', async () => {
    const admin = await t.admin();
    const { id, username } = await t.userClient('sales');
    const r = await admin.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body: { password: 'brand-new-password-1', version: 1 } });
    expect(r.response.status).toBe(200);
    expect((await t.anonymous.POST('/api/v1/auth/login', { body: { username, password: `password-of-${username}` } })).response.status).toBe(401);
    expect((await t.anonymous.POST('/api/v1/auth/login', { body: { username, password: 'brand-new-password-1' } })).response.status).toBe(200);
    const { rows } = await t.db.query(`SELECT before::text || after::text AS diff FROM audit_log WHERE action = 'user.update_with_password_reset' AND entity_id = $1`, [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].diff).not.toMatch(/brand-new-password|argon2/);
  });

  it('does not let an admin deactivate themselves', async () => {
    const admin = await t.admin();
    const me = (await admin.GET('/api/v1/auth/me')).data!;
    const r = await admin.POST('/api/v1/users/{id}/deactivate', { params: { path: { id: me.id } } });
    expect(r.response.status).toBe(422);
    expect(r.error).toMatchObject({ code: 'CANNOT_DEACTIVATE_SELF' });
  });

  it('answers 400 naming the parameter for an id that is not a UUID', async () => {
    const r = await (await t.admin()).GET('/api/v1/users/{id}', { params: { path: { id: 'abc' } } });
    expect(r.response.status).toBe(400);
    expect(r.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'id' }] });
  });

  it('renames a department with its version, and refuses a name another department has', async () => {
    const admin = await t.admin();
    const id = await t.department('Renamable');
    await t.department('Taken Name');
    const taken = await admin.PATCH('/api/v1/departments/{id}', { params: { path: { id } }, body: { name: 'taken name', version: 1 } });
    expect(taken.response.status).toBe(409);
    expect(taken.error).toMatchObject({ code: 'DEPARTMENT_NAME_TAKEN', errors: [{ field: 'name' }] });
    const renamed = await admin.PATCH('/api/v1/departments/{id}', { params: { path: { id } }, body: { name: 'Renamed', version: 1 } });
    expect(renamed.data).toMatchObject({ name: 'Renamed', version: 2 });
  });
});
