import { randomBytes } from 'node:crypto';
import { Transactions } from '../src/database/transactions';
import { startTestApp, TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** A use case's transaction on the real database: a department inserted, then `fault` on the chosen attempts. */
async function attempt(fault: string, failOn: number[], options?: { repeatable?: boolean }) {
  const transactions = t.app.get(Transactions);
  const name = `Retry ${randomBytes(4).toString('hex')}`;
  let attempts = 0;
  const outcome = await transactions
    .run(async () => {
      attempts += 1;
      await transactions.manager.query(`INSERT INTO departments (name) VALUES ($1)`, [name]);
      if (failOn.includes(attempts)) await transactions.manager.query(fault);
      return 'done';
    }, options)
    .catch((error: unknown) => error);
  const { rows } = await t.db.query('SELECT count(*)::int AS n FROM departments WHERE name = $1', [name]);
  return { outcome, attempts, stored: rows[0].n as number };
}

const SERIALIZATION_FAILURE = `DO $$ BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001'; END $$`;
const DEADLOCK = `DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$`;
// The server ends this very connection in the middle of the transaction, as a restart or failover would.
const CONNECTION_LOST = `SELECT pg_terminate_backend(pg_backend_pid())`;

describe('a transaction that fails with a transient error', () => {
  it('runs again after a serialization failure or a deadlock, and the change is stored once', async () => {
    expect(await attempt(SERIALIZATION_FAILURE, [1])).toEqual({ outcome: 'done', attempts: 2, stored: 1 });
    expect(await attempt(DEADLOCK, [1, 2])).toEqual({ outcome: 'done', attempts: 3, stored: 1 });
  });

  it('runs again when the connection was lost before COMMIT was sent', async () => {
    expect(await attempt(CONNECTION_LOST, [1])).toEqual({ outcome: 'done', attempts: 2, stored: 1 });
  });

  it('gives up after three attempts with 503 DATABASE_UNAVAILABLE (connection) and nothing stored', async () => {
    const lost = await attempt(CONNECTION_LOST, [1, 2, 3]);
    expect(lost).toMatchObject({ attempts: 3, stored: 0 });
    const conflict = await attempt(SERIALIZATION_FAILURE, [1, 2, 3]);
    expect(conflict).toMatchObject({ attempts: 3, stored: 0 });
  });

  it('is not run again when the use case is not repeatable, and changed nothing', async () => {
    expect(await attempt(SERIALIZATION_FAILURE, [1], { repeatable: false })).toMatchObject({ attempts: 1, stored: 0 });
  });

  it('is not run again for an error that is not transient', async () => {
    const refused = await attempt(`DO $$ BEGIN RAISE EXCEPTION 'no' USING ERRCODE = '23514'; END $$`, [1]);
    expect(refused).toMatchObject({ attempts: 1, stored: 0 });
  });
});

describe('the answer to a request whose database work failed transiently every time', () => {
  it('is 503 with Retry-After, never a 500', async () => {
    const admin = await t.admin();
    // Every statement on departments fails as a serialization failure would, for as long as the trigger exists.
    await t.db.query(`CREATE FUNCTION fail_serialization() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001'; END $$`);
    await t.db.query(`CREATE TRIGGER fail_serialization BEFORE INSERT ON departments FOR EACH ROW EXECUTE FUNCTION fail_serialization()`);
    try {
      const r = await admin.POST('/api/v1/departments', { body: { name: 'Never Serializable' } });
      expect(r.response.status).toBe(503);
      expect(r.response.headers.get('retry-after')).not.toBeNull();
      expect(r.error).toMatchObject({ code: 'BUSY' });
    } finally {
      await t.db.query(`DROP TRIGGER fail_serialization ON departments`);
      await t.db.query(`DROP FUNCTION fail_serialization()`);
    }
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM departments WHERE name = 'Never Serializable'`);
    expect(rows[0].n).toBe(0);
  });
});
