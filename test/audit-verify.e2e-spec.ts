import { runInRequestContext } from '../src/common/request-context';
import { AuditService } from '../src/modules/audit';
import { startTestApp, TestApp } from './support/test-app';
import type { Api } from './support/test-app';

let t: TestApp;
let auditor: Api;
beforeAll(async () => {
  t = await startTestApp();
  auditor = (await t.userClient('auditor')).api;
});
afterAll(() => t.close());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Appends `count` entries in one request context and returns their ids, oldest first. */
async function phase(name: string, count: number): Promise<string[]> {
  await runInRequestContext({ requestId: name }, () =>
    t.app.get(AuditService).recordMany(Array.from({ length: count }, (_, i) => ({ action: 'probe.verify', entityType: 'probe', entityId: `${name}-${i}` }))),
  );
  const { rows } = await t.db.query(`SELECT a.id::text AS id FROM audit_log a WHERE a.request_id = $1 ORDER BY a.id`, [name]);
  return rows.map((r: { id: string }) => r.id);
}

/** A moment strictly between what was written before and what is written after. */
async function mark(): Promise<string> {
  await pause(3);
  const at = new Date().toISOString();
  await pause(3);
  return at;
}

/** What only someone with the database owner's rights could do behind the application's back. */
async function tamper(sql: string, params: unknown[]): Promise<void> {
  await t.db.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`);
  try {
    await t.db.query(sql, params);
  } finally {
    await t.db.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete`);
  }
}

const verify = async (query: { from?: string; to?: string } = {}) => {
  const r = await auditor.GET('/api/v1/audit-logs/verify', { params: { query } });
  if (!r.data) throw new Error(JSON.stringify(r.error));
  return r.data;
};

describe('verifying the chain over a time range', () => {
  let t0: string, t1: string, t2: string;
  let a: string[], b: string[];

  beforeAll(async () => {
    t0 = await mark();
    a = await phase('phase-a', 30);
    t1 = await mark();
    b = await phase('phase-b', 40);
    t2 = await mark();
    await phase('phase-c', 20);
  });

  it('checks exactly the entries of the range, starting from the hash of the entry before it', async () => {
    expect(await verify({ from: t1, to: t2 })).toMatchObject({ valid: true, checked: 40, firstBrokenId: null });
    expect(await verify({ from: t0, to: t1 })).toMatchObject({ valid: true, checked: 30, firstBrokenId: null });
    const total = Number((await t.db.query(`SELECT count(*) FROM audit_log`)).rows[0].count);
    expect(await verify({ from: t0 })).toMatchObject({ valid: true, checked: 90, firstBrokenId: null });
    expect(await verify({ to: t1 })).toMatchObject({ valid: true, checked: total - 60, firstBrokenId: null });
    expect(await verify()).toMatchObject({ valid: true, checked: total, firstBrokenId: null });
    expect(await verify({ from: new Date(Date.now() + 60_000).toISOString() })).toMatchObject({ valid: true, checked: 0, firstBrokenId: null });
    const backwards = await auditor.GET('/api/v1/audit-logs/verify', { params: { query: { from: t2, to: t1 } } });
    expect(backwards.error).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'to' }] });
  });

  it('names the first altered entry of the range, and does not blame a range for what happened outside it', async () => {
    const victim = a[12];
    await tamper(`UPDATE audit_log SET reason = 'quietly edited' WHERE id = $1`, [victim]);
    expect(await verify({ from: t0, to: t1 })).toMatchObject({ valid: false, checked: 13, firstBrokenId: victim });
    expect(await verify({ from: t1, to: t2 })).toMatchObject({ valid: true, checked: 40, firstBrokenId: null });
    expect((await verify()).firstBrokenId).toBe(victim);
  });

  it('notices an entry removed just before the range: the first entry no longer follows the one before it', async () => {
    await tamper(`DELETE FROM audit_log WHERE id = $1`, [a[a.length - 1]]);
    expect(await verify({ from: t1, to: t2 })).toMatchObject({ valid: false, checked: 1, firstBrokenId: b[0] });
  });

  it('notices entries removed from the end of the chain', async () => {
    const t3 = await mark();
    const d = await phase('phase-d', 10);
    expect(await verify({ from: t3 })).toMatchObject({ valid: true, checked: 10, firstBrokenId: null });
    await tamper(`DELETE FROM audit_log WHERE id = ANY($1::bigint[])`, [d.slice(-2)]);
    expect(await verify({ from: t3 })).toMatchObject({ valid: false, checked: 8, firstBrokenId: d[8] });
  });
});
