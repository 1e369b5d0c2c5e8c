import { startTestApp, TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('liveness and readiness', () => {
  it('are both 200 on a migrated database; liveness asks nothing of the database', async () => {
    expect(await (await fetch(`${t.baseUrl}/health/live`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', database: 'up' });
  });

  it('is not ready while the schema lacks a migration of this version (/health alike), and still alive', async () => {
    const { rows } = await t.db.query(`DELETE FROM schema_migrations WHERE id = (SELECT max(id) FROM schema_migrations) RETURNING *`);
    try {
      for (const path of ['/health/ready', '/health']) {
        const r = await fetch(`${t.baseUrl}${path}`);
        expect(r.status).toBe(503);
        expect(r.headers.get('retry-after')).not.toBeNull();
        expect(await r.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', detail: expect.stringContaining('lacks 1 migration') });
      }
      expect((await fetch(`${t.baseUrl}/health/live`)).status).toBe(200);
    } finally {
      await t.db.query(`INSERT INTO schema_migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [rows[0].id, rows[0].timestamp, rows[0].name]);
    }
    expect((await fetch(`${t.baseUrl}/health/ready`)).status).toBe(200);
  });
});
