import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../migrations';
import { AuditLogForAuditors1795400000000 } from '../migrations/1795400000000-AuditLogForAuditors';
import { createDatabase, dropDatabase } from '../scripts/support/scratch-postgres';
import { JobScheduler } from '../src/common/jobs/job-scheduler';
import { dataSourceOptions } from '../src/database/data-source';
import { AuditLogService } from '../src/modules/audit/audit-log.service';
import { chainedEntryOf } from '../src/modules/audit/audit.repository';
import { type ChainedEntry, chainHash, ChainVerifier, GENESIS_HASH } from '../src/modules/audit/audit.rules';
import { startTestApp, TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** The partition of the UTC month `offset` months from now. */
function month(offset: number): { name: string; label: string; start: Date } {
  const start = new Date();
  start.setUTCHours(0, 0, 0, 0);
  start.setUTCDate(1);
  start.setUTCMonth(start.getUTCMonth() + offset);
  const label = `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
  return { name: `audit_log_${label.replace('-', '_')}`, label, start };
}

type Rows = (sql: string) => Promise<Record<string, unknown>[]>;
const testDb: Rows = async (sql) => (await t.db.query(sql)).rows;

async function partitions(query: Rows = testDb): Promise<{ name: string; bound: string }[]> {
  return (await query(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'audit_log'::regclass ORDER BY c.relname`,
  )) as { name: string; bound: string }[];
}

async function triggersOf(table: string): Promise<string[]> {
  const { rows } = await t.db.query(`SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal ORDER BY tgname`, [table]);
  return rows.map((r: { tgname: string }) => r.tgname);
}

describe('the audit log partitioned by month', () => {
  it('has this month and the next three ready, a default partition, and every one of them append-only', async () => {
    const names = (await partitions()).map((p) => p.name);
    for (const offset of [0, 1, 2, 3]) expect(names).toContain(month(offset).name);
    expect(names).toContain('audit_log_default');
    const current = (await partitions()).find((p) => p.name === month(0).name)!;
    expect(current.bound).toBe(
      `FOR VALUES FROM ('${month(0).start.toISOString().slice(0, 10)} 00:00:00+00') TO ('${month(1).start.toISOString().slice(0, 10)} 00:00:00+00')`,
    );
    for (const name of names) {
      expect(await triggersOf(name)).toEqual(['audit_log_no_truncate', 'audit_log_no_update_delete']);
      await expect(t.db.query(`TRUNCATE ${name}`)).rejects.toThrow(/audit_log is append-only: TRUNCATE/);
    }
    // Entries written today sit in this month's partition, where they cannot be changed either.
    const { rows } = await t.db.query(`SELECT DISTINCT tableoid::regclass::text AS partition FROM audit_log`);
    expect(rows).toEqual([{ partition: month(0).name }]);
    await expect(t.db.query(`UPDATE ${month(0).name} SET reason = 'edited'`)).rejects.toThrow(/append-only: UPDATE/);
    await expect(t.db.query(`DELETE FROM ${month(0).name}`)).rejects.toThrow(/append-only: DELETE/);
    // Moving a row to another partition is a delete there: refused too.
    await expect(t.db.query(`UPDATE audit_log SET occurred_at = occurred_at + interval '40 days' WHERE id = 1`)).rejects.toThrow(/append-only/);
  });

  it('gets the coming months from a daily job that runs once across instances', async () => {
    const furthest = month(3);
    await t.db.query(`DROP TABLE ${furthest.name}`); // empty, as the months ahead are
    const instances = [t.app, await t.anotherInstance()];
    const ran = (await Promise.all(instances.map((app) => app.get(JobScheduler).tick()))).flat();
    expect(ran.filter((name) => name === 'audit.partitions-ahead')).toHaveLength(1);
    expect((await partitions()).map((p) => p.name)).toContain(furthest.name);
    expect(await triggersOf(furthest.name)).toEqual(['audit_log_no_truncate', 'audit_log_no_update_delete']);
    const { rows } = await t.db.query(`SELECT last_result FROM scheduled_jobs WHERE name = 'audit.partitions-ahead'`);
    expect(rows).toEqual([{ last_result: { created: [furthest.label], blocked: [] } }]);
    // The new partition has the parent's indexes.
    const indexes = await t.db.query(`SELECT count(*)::int AS n FROM pg_index WHERE indrelid = $1::regclass`, [furthest.name]);
    expect(indexes.rows[0].n).toBe(6);
  });

  it('takes an entry beyond the prepared months into the default partition, so no append can fail', async () => {
    const far = month(5);
    const at = new Date(far.start.getTime() + 86_400_000).toISOString();
    await t.db.query(
      `INSERT INTO audit_log (id, occurred_at, action, entity_type, prev_hash, hash) VALUES (1000000000, $1, 'probe.far', 'probe', repeat('0', 64), repeat('0', 64))`,
      [at],
    );
    const { rows } = await t.db.query(`SELECT tableoid::regclass::text AS partition FROM audit_log WHERE id = 1000000000`);
    expect(rows).toEqual([{ partition: 'audit_log_default' }]);
    // That month stays in the default partition (moving the entry would mean deleting it); the others get theirs.
    const outcome = await t.app.get(AuditLogService).preparePartitions(6);
    expect(outcome).toEqual({ created: [month(4).label, month(6).label], blocked: [far.label] });
    await expect(t.db.query(`TRUNCATE audit_log_default`)).rejects.toThrow(/append-only/);
  });
});

describe('the migration to partitions', () => {
  it('moves existing entries into their months with the chain intact, and back again', async () => {
    const serverUrl = process.env.CRM_TEST_SERVER_URL!;
    const name = `crm_migration_${randomBytes(4).toString('hex')}`;
    const url = await createDatabase(serverUrl, name);
    const upTo = MIGRATIONS.indexOf(AuditLogForAuditors1795400000000);
    const migrate = async (count: number, work: (ds: DataSource) => Promise<void> = async () => undefined) => {
      const ds = new DataSource({ ...dataSourceOptions(url, 2), migrations: MIGRATIONS.slice(0, count) });
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'all' });
        await work(ds);
      } finally {
        await ds.destroy();
      }
    };
    try {
      // Before: the plain table, holding a chain over three past months (none in the month between).
      const times = [month(-4), month(-4), month(-2), month(-1), month(-1), month(-1)].map((m, i) => new Date(m.start.getTime() + (i + 1) * 3_600_000).toISOString());
      const entries: (ChainedEntry & { prevHash: string; hash: string })[] = [];
      let prevHash = GENESIS_HASH;
      times.forEach((occurredAt, i) => {
        const entry: ChainedEntry = {
          id: String(i + 1),
          occurredAt,
          actorId: null,
          actorRole: 'system',
          action: 'probe.old',
          entityType: 'probe',
          entityId: `old-${i}`,
          before: null,
          after: { n: i, 名称: '旧记录' },
          changedFields: ['n', '名称'],
          reason: null,
          requestId: null,
          ip: null,
          userAgent: null,
        };
        const hash = chainHash(prevHash, entry);
        entries.push({ ...entry, prevHash, hash });
        prevHash = hash;
      });
      await migrate(upTo, async (ds) => {
        for (const e of entries) {
          await ds.query(
            `INSERT INTO audit_log (id, occurred_at, actor_role, action, entity_type, entity_id, after, changed_fields, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [e.id, e.occurredAt, e.actorRole, e.action, e.entityType, e.entityId, e.after, e.changedFields, e.prevHash, e.hash],
          );
        }
        await ds.query(`UPDATE audit_chain_head SET last_id = $1, last_hash = $2`, [entries.length, prevHash]);
      });

      await migrate(upTo + 1, async (ds) => {
        const located = await ds.query(`SELECT id::int AS id, tableoid::regclass::text AS partition FROM audit_log ORDER BY audit_log.id`);
        expect(located.map((r: { partition: string }) => r.partition)).toEqual([4, 4, 2, 1, 1, 1].map((back) => month(-back).name));
        const names = (await partitions((sql) => ds.query(sql))).map((p) => p.name);
        for (let offset = -4; offset <= 3; offset += 1) expect(names).toContain(month(offset).name);
        const rows = await ds.query(
          `SELECT id::text AS id, occurred_at AS "occurredAt", actor_id AS "actorId", actor_role AS "actorRole", action, entity_type AS "entityType",
                  entity_id AS "entityId", before, after, changed_fields AS "changedFields", reason, request_id AS "requestId", ip,
                  user_agent AS "userAgent", prev_hash AS "prevHash", hash
             FROM audit_log ORDER BY audit_log.id`,
        );
        const verifier = new ChainVerifier();
        for (const row of rows) verifier.accept(chainedEntryOf(row), row);
        verifier.expectEnd(String(entries.length), prevHash);
        expect({ valid: verifier.valid, checked: verifier.checked }).toEqual({ valid: true, checked: entries.length });
        const [head] = await ds.query(`SELECT last_occurred_at AS at FROM audit_chain_head`);
        expect(head.at.toISOString()).toBe(times[times.length - 1]);
        await ds.undoLastMigration({ transaction: 'all' });
        const [plain] = await ds.query(`SELECT relkind, (SELECT count(*)::int FROM audit_log) AS n FROM pg_class WHERE relname = 'audit_log'`);
        expect(plain).toEqual({ relkind: 'r', n: entries.length });
        await expect(ds.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
      });
    } finally {
      await dropDatabase(serverUrl, name);
    }
  }, 60_000);
});
