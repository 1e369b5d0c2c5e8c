import type { PoolClient } from 'pg';
import { CONSTRAINT_ERRORS, constraintMapping } from '../src/common/errors/constraint-errors';
import { ERROR_CATALOG } from '../src/common/errors/error-codes';
import { startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, World } from './support/world';

/**
 * Every integrity rule the database holds answers 409/422 with a stable code, never 500: the
 * mapping table covers each constraint and unique index of the migrated schema, and the races
 * that reach them (two requests at once) come back as problems.
 */
let t: TestApp;
let w: World;

beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t);
});

afterAll(async () => {
  await t.close();
});

/** Waits until `count` other sessions of this database wait on a lock (the requests reached the held one). */
async function waitForLockWaiters(count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0].n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} requests ever waited on the held lock`);
}

async function withTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await t.db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    return result;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

describe('the mapping table', () => {
  it('maps every unique, primary-key, foreign-key, check and exclusion constraint and every unique index of the schema', async () => {
    const { rows: constraints } = await t.db.query<{ name: string; kind: string; tbl: string }>(
      `SELECT c.conname AS name, c.contype AS kind, c.conrelid::regclass::text AS tbl
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = 'public' AND c.contype IN ('u', 'p', 'f', 'c', 'x')`,
    );
    const { rows: indexes } = await t.db.query<{ name: string; tbl: string }>(
      `SELECT ic.relname AS name, tc.relname AS tbl
         FROM pg_index i
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_class tc ON tc.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = tc.relnamespace
        WHERE n.nspname = 'public' AND i.indisunique
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
    );
    expect(constraints.length).toBeGreaterThan(50);
    expect(indexes.map((i) => i.name)).toContain('uq_transfer_items_pending');
    const all = [...constraints.map((c) => ({ ...c, kind: `constraint ${c.kind}` })), ...indexes.map((i) => ({ ...i, kind: 'unique index' }))];
    const unmapped = all.filter((c) => constraintMapping(c.name) === undefined).map((c) => `${c.name} (${c.kind} on ${c.tbl})`);
    expect(unmapped).toEqual([]);
  });

  it('answers each mapping with a 409 or 422 whose status agrees with the error catalogue', () => {
    const wrong = Object.entries(CONSTRAINT_ERRORS).flatMap(([name, m]) =>
      [m, ...(m.whenReferenced ? [m.whenReferenced] : [])]
        .filter((p) => ![409, 422].includes(p.status) || ERROR_CATALOG[p.code].status !== p.status)
        .map((p) => `${name}: ${p.code} ${p.status}`),
    );
    expect(wrong).toEqual([]);
  });

  it('names no constraint that the schema does not have (a renamed one would go unmapped)', async () => {
    const { rows } = await t.db.query<{ name: string }>(
      `SELECT conname AS name FROM pg_constraint UNION SELECT relname FROM pg_class WHERE relkind = 'i'`,
    );
    const existing = new Set(rows.map((r) => r.name));
    expect(Object.keys(CONSTRAINT_ERRORS).filter((name) => !existing.has(name))).toEqual([]);
  });
});

describe('races answered, not crashed', () => {
  it('two transfer requests for one customer at once: one 202, the other 409 REQUEST_PENDING', async () => {
    const customer = await createCustomer(w.salesEast1);
    const body = { toUserId: w.salesEast2.id, customerIds: [customer.id], reason: '区域调整' };
    const answers = await withTransaction(async (client) => {
      // Both requests pass the pending check, then wait at their INSERT into transfers behind this lock.
      await client.query('LOCK TABLE transfers IN SHARE MODE');
      const both = Promise.all([
        w.salesEast1.api.POST('/api/v1/transfers', { body }),
        w.salesEast1.api.POST('/api/v1/transfers', { body }),
      ]);
      await waitForLockWaiters(2);
      await client.query('COMMIT');
      return both;
    });
    const statuses = answers.map((a) => a.response.status).sort();
    expect(statuses).toEqual([202, 409]);
    const refused = answers.find((a) => a.response.status === 409)!;
    expect(refused.error).toMatchObject({ code: 'REQUEST_PENDING', status: 409, errors: [{ field: 'customerIds' }] });
    const { rows } = await t.db.query(`SELECT 1 FROM transfer_items WHERE customer_id = $1 AND outcome = 'pending'`, [customer.id]);
    expect(rows).toHaveLength(1);
  });

  it('a burst of transfer requests for one customer: exactly one is accepted, none is a 5xx', async () => {
    const customer = await createCustomer(w.salesEast1);
    const body = { toUserId: w.salesEast2.id, customerIds: [customer.id], reason: '区域调整' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => w.salesEast1.api.POST('/api/v1/transfers', { body })));
    const statuses = answers.map((a) => a.response.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    for (const a of answers.filter((x) => x.response.status !== 202)) {
      // Either the pending check saw the winner (422, refused per customer) or the index did (409).
      expect(['REQUEST_PENDING', 'TRANSFER_REFUSED']).toContain((a.error as { code: string }).code);
    }
  });

  it('a tag created in a group deleted meanwhile: 422 REFERENCE_NOT_FOUND naming groupId (the foreign key), not 500', async () => {
    const admin = await t.admin();
    const group = (await admin.POST('/api/v1/tag-groups', { body: { name: `临时组 ${Date.now()}` } })).data!;
    const answer = await withTransaction(async (client) => {
      // A concurrent deletion of the (empty) group, not yet committed: the tag's insert waits on it.
      await client.query('DELETE FROM tag_groups WHERE id = $1', [group.id]);
      const created = admin.POST('/api/v1/tag-groups/{id}/tags', { params: { path: { id: group.id } }, body: { name: '迟到的标签' } });
      await waitForLockWaiters(1);
      await client.query('COMMIT');
      return created;
    });
    expect(answer.response.status).toBe(422);
    expect(answer.error).toMatchObject({ code: 'REFERENCE_NOT_FOUND', errors: [{ field: 'groupId' }] });
    const { rows } = await t.db.query(`SELECT 1 FROM tags WHERE group_id = $1`, [group.id]);
    expect(rows).toHaveLength(0);
  });

  it('deleting a group that gained a tag meanwhile: 409 TAG_GROUP_NOT_EMPTY (the foreign key, other way round)', async () => {
    const admin = await t.admin();
    const group = (await admin.POST('/api/v1/tag-groups', { body: { name: `将删组 ${Date.now()}` } })).data!;
    const answer = await withTransaction(async (client) => {
      // A concurrent creation of a tag in the group, not yet committed: the group's delete waits on it.
      await client.query(`INSERT INTO tags (group_id, name, name_key, sort_order) VALUES ($1, '抢先', '抢先', 0)`, [group.id]);
      const deleted = admin.DELETE('/api/v1/tag-groups/{id}', { params: { path: { id: group.id } } });
      await waitForLockWaiters(1);
      await client.query('COMMIT');
      return deleted;
    });
    expect(answer.response.status).toBe(409);
    expect(answer.error).toMatchObject({ code: 'TAG_GROUP_NOT_EMPTY' });
  });
});
