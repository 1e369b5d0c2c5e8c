import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { JobScheduler } from '../src/common/jobs/job-scheduler';
import { runInRequestContext } from '../src/common/request-context';
import { AuditService } from '../src/modules/audit';
import { chainedEntryOf, type StoredRow } from '../src/modules/audit/audit.repository';
import { chainHash } from '../src/modules/audit/audit.rules';
import { startTestApp, TestApp } from './support/test-app';
import type { Api } from './support/test-app';

let t: TestApp;
let auditor: Api;
let admin: Api;
beforeAll(async () => {
  t = await startTestApp();
  auditor = (await t.userClient('auditor')).api;
  admin = await t.admin();
});
afterAll(() => t.close());

let probes = 0;
/** Appends a few entries, so the chain head moves. */
async function moveHead(count = 3): Promise<void> {
  probes += 1;
  await runInRequestContext({ requestId: `checkpoint-probe-${probes}` }, () =>
    t.app.get(AuditService).recordMany(Array.from({ length: count }, (_, i) => ({ action: 'probe.checkpoint', entityType: 'probe', entityId: `${probes}-${i}` }))),
  );
}

async function checkpointNow(api: Api = auditor) {
  const r = await api.POST('/api/v1/audit-logs/checkpoints');
  if (!r.data) throw new Error(JSON.stringify(r.error));
  expect(r.response.status).toBe(201);
  return r.data;
}

const verifyChain = async () => {
  const r = await auditor.GET('/api/v1/audit-logs/verify');
  if (!r.data) throw new Error(JSON.stringify(r.error));
  return r.data;
};

const head = async () => (await t.db.query(`SELECT last_id::text AS "lastId", last_hash AS "lastHash" FROM audit_chain_head`)).rows[0] as { lastId: string; lastHash: string };

describe('signed checkpoints of the audit chain', () => {
  it('signs the chain head on demand, and anyone can check the signature with node:crypto and the published key alone', async () => {
    await moveHead();
    const checkpoint = await checkpointNow();
    expect(checkpoint).toEqual({ lastId: (await head()).lastId, hash: (await head()).lastHash, occurredAt: expect.any(String), signature: expect.any(String), keyId: expect.any(String) });
    expect(typeof checkpoint.lastId).toBe('string');

    // Everything below uses only the API's answers and node:crypto.
    const key = await t.anonymous.GET('/api/v1/audit-logs/public-key');
    expect(key.data).toMatchObject({ algorithm: 'Ed25519', keyId: checkpoint.keyId });
    const publicKey = createPublicKey(key.data!.publicKey);
    expect(publicKey.asymmetricKeyType).toBe('ed25519');
    // RFC 8785 for three string members: keys sorted, JSON.stringify's string escaping.
    const signed = Buffer.from(JSON.stringify({ hash: checkpoint.hash, lastId: checkpoint.lastId, occurredAt: checkpoint.occurredAt }), 'utf8');
    expect(verifySignature(null, signed, publicKey, Buffer.from(checkpoint.signature, 'base64'))).toBe(true);
    const altered = Buffer.from(JSON.stringify({ hash: checkpoint.hash, lastId: String(Number(checkpoint.lastId) - 1), occurredAt: checkpoint.occurredAt }), 'utf8');
    expect(verifySignature(null, altered, publicKey, Buffer.from(checkpoint.signature, 'base64'))).toBe(false);
  });

  it('answers the same checkpoint while the head has not moved, and a new one once it has', async () => {
    await moveHead();
    const first = await checkpointNow(admin);
    expect(await checkpointNow()).toEqual(first);
    await moveHead();
    const next = await checkpointNow();
    expect(BigInt(next.lastId)).toBe(BigInt(first.lastId) + 3n);
  });

  it('lists the checkpoints newest first, a page at a time', async () => {
    const all = await auditor.GET('/api/v1/audit-logs/checkpoints', { params: { query: { limit: 100 } } });
    const ids = all.data!.items.map((c) => BigInt(c.lastId));
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect([...ids].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))).toEqual(ids);
    const page1 = await auditor.GET('/api/v1/audit-logs/checkpoints', { params: { query: { limit: 2 } } });
    const page2 = await auditor.GET('/api/v1/audit-logs/checkpoints', { params: { query: { limit: 2, cursor: page1.data!.nextCursor! } } });
    expect([...page1.data!.items, ...page2.data!.items].map((c) => c.lastId)).toEqual(all.data!.items.slice(0, 4).map((c) => c.lastId));
  });

  it('lets only auditors and admins sign or read checkpoints; the public key is public', async () => {
    for (const role of ['sales', 'manager', 'service', 'marketing'] as const) {
      const { api } = await t.userClient(role);
      const post = await api.POST('/api/v1/audit-logs/checkpoints');
      expect([post.response.status, post.error?.code]).toEqual([403, 'FORBIDDEN']);
      const list = await api.GET('/api/v1/audit-logs/checkpoints');
      expect([list.response.status, list.error?.code]).toEqual([403, 'FORBIDDEN']);
    }
    const anonymous = await t.anonymous.POST('/api/v1/audit-logs/checkpoints');
    expect([anonymous.response.status, anonymous.error?.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await t.anonymous.GET('/api/v1/audit-logs/public-key')).response.status).toBe(200);
  });

  it('signs the head hourly, once across instances', async () => {
    await moveHead();
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM audit_checkpoints`)).rows[0].n as number;
    const other = await t.anotherInstance();
    await t.db.query(`DELETE FROM scheduled_jobs WHERE name = 'audit.checkpoint'`);
    const ran = (await Promise.all([t.app, other].map((app) => app.get(JobScheduler).tick()))).flat();
    expect(ran.filter((name) => name === 'audit.checkpoint')).toHaveLength(1);
    const { rows } = await t.db.query(`SELECT last_id::text AS "lastId" FROM audit_checkpoints ORDER BY last_id DESC LIMIT 1`);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM audit_checkpoints`)).rows[0].n).toBe(before + 1);
    expect(rows[0].lastId).toBe((await head()).lastId);
  });

  it('checks every stored checkpoint when verifying the chain', async () => {
    const result = await verifyChain();
    const stored = (await t.db.query(`SELECT count(*)::int AS n FROM audit_checkpoints`)).rows[0].n as number;
    expect(result).toMatchObject({ valid: true, firstBrokenId: null, checkpointsChecked: stored, checkpointMismatch: null });
  });

  it('keeps checkpoints append-only for the service', async () => {
    await expect(t.db.query(`UPDATE audit_checkpoints SET hash = repeat('0', 64)`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`DELETE FROM audit_checkpoints`)).rejects.toThrow(/append-only/);
  });
});

describe('a chain rewritten with full database rights', () => {
  it('still recomputes, but no longer fits the checkpoints signed before: verify names the oldest one', async () => {
    await moveHead(5);
    const kept = await checkpointNow();
    await moveHead(5);
    const later = await checkpointNow();
    const victim = (BigInt(kept.lastId) - 2n).toString();

    // Someone with the owner's (or a superuser's) rights edits an entry before the checkpoint and
    // recomputes every later hash and the chain head, so the chain itself holds together again.
    await t.db.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`);
    try {
      await t.db.query(`UPDATE audit_log SET reason = 'quietly edited' WHERE id = $1::bigint`, [victim]);
      const { rows } = await t.db.query(
        `SELECT a.id::text AS id, a.occurred_at AS "occurredAt", a.actor_id AS "actorId", a.actor_role AS "actorRole", a.action,
                a.entity_type AS "entityType", a.entity_id AS "entityId", a.before, a.after, a.changed_fields AS "changedFields",
                a.reason, a.request_id AS "requestId", a.ip, a.user_agent AS "userAgent", a.prev_hash AS "prevHash", a.hash
           FROM audit_log a WHERE a.id >= $1::bigint ORDER BY a.id`,
        [victim],
      );
      let prevHash = (rows[0] as StoredRow).prevHash;
      for (const row of rows as StoredRow[]) {
        const hash = chainHash(prevHash, chainedEntryOf(row));
        await t.db.query(`UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE id = $1::bigint`, [row.id, prevHash, hash]);
        prevHash = hash;
      }
      await t.db.query(`UPDATE audit_chain_head SET last_hash = $1`, [prevHash]);
    } finally {
      await t.db.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete`);
    }

    const result = await verifyChain();
    expect(result.firstBrokenId).toBeNull(); // the hash chain alone no longer shows anything
    expect(result.valid).toBe(false);
    expect(result.checkpointMismatch).toEqual({ lastId: kept.lastId, problem: 'hash-differs' });

    // The auditor's own copy tells the same, without the service: the entry's hash is no longer the signed one.
    const entry = await auditor.GET('/api/v1/audit-logs', { params: { query: { requestId: `checkpoint-probe-${probes - 1}`, order: 'oldest', limit: 10 } } });
    const signedEntry = entry.data!.items.find((e) => e.id === kept.lastId)!;
    expect(signedEntry.hash).not.toBe(kept.hash);
    expect(later.lastId).not.toBe(kept.lastId);
  });

  it('also notices checkpoints edited to match the rewritten chain: their signatures no longer fit', async () => {
    await t.db.query(`ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update_delete`);
    try {
      await t.db.query(`UPDATE audit_checkpoints c SET hash = a.hash FROM audit_log a WHERE a.id = c.last_id AND c.hash <> a.hash`);
    } finally {
      await t.db.query(`ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update_delete`);
    }
    const result = await verifyChain();
    expect(result.valid).toBe(false);
    expect(result.checkpointMismatch?.problem).toBe('signature-invalid');
  });
});
