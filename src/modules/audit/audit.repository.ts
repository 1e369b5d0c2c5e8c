import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import QueryStream from 'pg-query-stream';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../common/auth/roles';
import { Metrics } from '../../common/metrics/metrics';
import { Transactions } from '../../database/transactions';
import { AuditFilter, AuditOrder, AuditPosition, isEntityPage, likePrefix } from './audit-log.rules';
import { ChainedEntry, chainHash } from './audit.rules';
import { integratorEvent, OutboxPii, outboxPiiPlace } from './outbox.rules';
import { PiiCipher } from '../../common/crypto/pii-cipher';

/** An entry as the caller describes it; id and occurredAt are assigned under the chain lock. */

/** Bounds of a long read's own connection, in milliseconds (LongReadSlots carries them). */
export interface LongReadBounds {
  statementTimeoutMs: number;
  idleTimeoutMs: number;
}

export type PendingEntry = Omit<ChainedEntry, 'id' | 'occurredAt'> & {
  /** Unmasked personal fields for the outbox event only: sealed there, never hashed or logged. */
  outboxPii?: OutboxPii | null;
};

export interface EntityRefs {
  entityType: string;
  entityIds: string[];
  /** Only these actions of those entities (all when absent). */
  actions?: string[];
}

export interface HistoryRow {
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  changedFields: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
}

export interface StoredEntry extends ChainedEntry {
  prevHash: string;
  hash: string;
}

/** A row as the driver returns it (timestamps as Date). */
export type StoredRow = Omit<StoredEntry, 'occurredAt'> & { occurredAt: Date };

/**
 * Exactly the hashed fields of a stored row. Built field by field: copies made with rest and
 * spread syntax outlived young-generation collections, and verifying 200,000 entries grew the
 * heap by over 100 MB.
 */
export function chainedEntryOf(row: StoredRow): ChainedEntry {
  return {
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    actorId: row.actorId,
    actorRole: row.actorRole,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    before: row.before,
    after: row.after,
    changedFields: row.changedFields,
    reason: row.reason,
    requestId: row.requestId,
    ip: row.ip,
    userAgent: row.userAgent,
  };
}

/** A stored row with the actor's current display name, for auditors. */
export type AuditLogRow = StoredRow & { actorName: string | null };

export interface ChainHead {
  lastId: string;
  lastHash: string;
}

const SELECT_CHAINED = `
  a.id::text AS id, a.occurred_at AS "occurredAt", a.actor_id AS "actorId", a.actor_role AS "actorRole", a.action,
  a.entity_type AS "entityType", a.entity_id AS "entityId", a.before, a.after, a.changed_fields AS "changedFields",
  a.reason, a.request_id AS "requestId", a.ip, a.user_agent AS "userAgent", a.prev_hash AS "prevHash", a.hash`;

/** Keys audit_entries_at (migration 1796690000001) reads at most: a larger page takes the planned path. */
const ENTRIES_AT_MAX = 64;

/** A page of entries, and whether reads waited in audit_queue when it was read (then chain them and ask again). */
export interface AuditPage {
  queued: boolean;
  rows: AuditLogRow[];
}

// A scalar subquery rather than a join: it cannot change the plan's row order, which streams rely on.
const SELECT_WITH_ACTOR = `${SELECT_CHAINED},
  (SELECT u.display_name FROM users u WHERE u.id = a.actor_id) AS "actorName"`;

/** Rows fetched from the server per round trip while streaming. */
const STREAM_BATCH = 100;

/**
 * The (occurred_at, audit_id) keys of a page by entity from audit_entity_index, its parameters
 * numbered after `offset` others: the entity type and id come first.
 */
function entityPageQuery(
  filter: AuditFilter,
  order: AuditOrder,
  after: AuditPosition | undefined,
  limit: number,
  offset: number,
): { sql: string; params: unknown[]; direction: 'ASC' | 'DESC' } {
  const params: unknown[] = [filter.entityType, filter.entityId];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length + offset}`;
  };
  const where = [`x.entity_type = $${offset + 1}`, `x.entity_id = $${offset + 2}`];
  if (filter.action !== undefined) where.push(`x.action = ${param(filter.action)}`);
  if (filter.actionPrefix !== undefined) where.push(`x.action LIKE ${param(likePrefix(filter.actionPrefix))}`);
  if (filter.from !== undefined) where.push(`x.occurred_at >= ${param(filter.from)}::timestamptz`);
  if (filter.to !== undefined) where.push(`x.occurred_at < ${param(filter.to)}::timestamptz`);
  if (after !== undefined) {
    where.push(`(x.occurred_at, x.audit_id) ${order === 'newest' ? '<' : '>'} (${param(after.occurredAt)}::timestamptz, ${param(after.id)}::bigint)`);
  }
  const direction = order === 'newest' ? 'DESC' : 'ASC';
  const sql = `SELECT x.occurred_at, x.audit_id FROM audit_entity_index x WHERE ${where.join(' AND ')}
          ORDER BY x.occurred_at ${direction}, x.audit_id ${direction} LIMIT ${param(limit)}`;
  return { sql, params, direction };
}

/**
 * The auditor's query: the filters, then (occurred_at, id) in the chosen direction, which every
 * filter index ends with. occurred_at bounds also prune the monthly partitions.
 */
export function auditEntriesQuery(
  filter: AuditFilter,
  order: AuditOrder,
  after: AuditPosition | undefined,
  limit?: number,
): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (filter.entityType !== undefined) where.push(`a.entity_type = ${param(filter.entityType)}`);
  if (filter.entityId !== undefined) where.push(`a.entity_id = ${param(filter.entityId)}`);
  if (filter.actorId !== undefined) where.push(`a.actor_id = ${param(filter.actorId)}::uuid`);
  if (filter.action !== undefined) where.push(`a.action = ${param(filter.action)}`);
  if (filter.actionPrefix !== undefined) where.push(`a.action LIKE ${param(likePrefix(filter.actionPrefix))}`);
  if (filter.requestId !== undefined) where.push(`a.request_id = ${param(filter.requestId)}`);
  if (filter.from !== undefined) where.push(`a.occurred_at >= ${param(filter.from)}::timestamptz`);
  if (filter.to !== undefined) where.push(`a.occurred_at < ${param(filter.to)}::timestamptz`);
  const direction = order === 'newest' ? 'DESC' : 'ASC';
  if (after !== undefined) {
    where.push(`(a.occurred_at, a.id) ${order === 'newest' ? '<' : '>'} (${param(after.occurredAt)}::timestamptz, ${param(after.id)}::bigint)`);
  }
  const sql =
    `SELECT ${SELECT_WITH_ACTOR} FROM audit_log a` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY a.occurred_at ${direction}, a.id ${direction}` +
    (limit !== undefined ? ` LIMIT ${param(limit)}` : '');
  return { sql, params };
}

@Injectable()
export class AuditRepository {
  constructor(
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
    private readonly metrics: Metrics,
    private readonly cipher: PiiCipher,
  ) {}

  /**
   * Appends entries to the chain. Must run inside the caller's transaction: the chain-head row
   * lock is held until commit, so ids (and hashes) follow commit order even with many writers.
   * occurred_at is taken under the same lock from the database clock, never earlier than the
   * previous entry's: a time range of the log is an id range of the chain.
   * The outbox events of the actions integrators hear of (outbox.rules.ts) are written by the same statement.
   */
  async append(entries: PendingEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.chain(entries);
  }

  /**
   * Chains the reads waiting in audit_queue (see AuditQueueEntity), if any. Returns how many.
   * Inside the caller's transaction, like append.
   */
  async chainQueued(): Promise<number> {
    return this.chain([]);
  }

  /** Whether any read waits in audit_queue: one cheap probe, no lock. */
  async hasQueued(): Promise<boolean> {
    const [row]: { queued: boolean }[] = await this.transactions.manager.query(`SELECT EXISTS (SELECT 1 FROM audit_queue) AS queued`);
    return row.queued;
  }

  /** Records reads outside the chain, in one statement and without its lock; the next append chains them. */
  async enqueue(entries: PendingEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.transactions.manager.query(`INSERT INTO audit_queue (entry) SELECT e FROM jsonb_array_elements($1::jsonb) AS e`, [JSON.stringify(entries)]);
  }

  /**
   * The waiting reads are taken off the queue by the statement that locks the chain head (so they
   * cost a write no extra round trip) and chained first, in their order, then `entries`.
   */
  private async chain(entries: PendingEntry[]): Promise<number> {
    const em = this.transactions.manager;
    const lockStarted = performance.now();
    const [head]: { lastId: string; lastHash: string; occurredAt: Date; queued: PendingEntry[] }[] = await em.query(
      `WITH queued AS (DELETE FROM audit_queue RETURNING id, entry)
       SELECT h.last_id::text AS "lastId", h.last_hash AS "lastHash",
              greatest(h.last_occurred_at, date_trunc('milliseconds', clock_timestamp())) AS "occurredAt",
              (SELECT coalesce(jsonb_agg(q.entry ORDER BY q.id), '[]'::jsonb) FROM queued q) AS queued
         FROM audit_chain_head h WHERE h.id = 1 FOR UPDATE OF h`,
    );
    this.metrics.observeChainLockWait((performance.now() - lockStarted) / 1000);
    const all = head.queued.length === 0 ? entries : [...head.queued, ...entries];
    if (all.length === 0) return 0;
    const occurredAt = head.occurredAt.toISOString();
    let id = BigInt(head.lastId);
    let prevHash = head.lastHash;
    const rows = all.map(({ outboxPii, ...entry }) => {
      id += 1n;
      const chained: ChainedEntry = { id: id.toString(), occurredAt, ...entry };
      const hash = chainHash(prevHash, chained);
      // The outbox fields ride along, outside the hashed entry; personal data only sealed.
      const event = integratorEvent(entry.action);
      const eventId = event === null ? null : randomUUID();
      const piiEnc = eventId !== null && outboxPii ? this.cipher.encrypt(JSON.stringify(outboxPii), outboxPiiPlace(eventId)) : null;
      const row = { ...chained, prevHash, hash, event, eventId, piiEnc };
      prevHash = hash;
      return row;
    });
    await em.query(
      `WITH appended AS (
         INSERT INTO audit_log (id, occurred_at, actor_id, actor_role, action, entity_type, entity_id, before, after,
                                changed_fields, reason, request_id, ip, user_agent, prev_hash, hash)
         SELECT r.id, r."occurredAt", r."actorId", r."actorRole", r.action, r."entityType", r."entityId", r.before,
                r.after, r."changedFields", r.reason, r."requestId", r.ip, r."userAgent", r."prevHash", r.hash
         FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, "occurredAt" timestamptz, "actorId" uuid, "actorRole" text,
              action text, "entityType" text, "entityId" text, before jsonb, after jsonb, "changedFields" text[],
              reason text, "requestId" text, ip text, "userAgent" text, "prevHash" text, hash text)
         RETURNING id, occurred_at, entity_type, entity_id, action),
       indexed AS (
         INSERT INTO audit_entity_index (entity_type, entity_id, occurred_at, audit_id, action)
         SELECT entity_type, entity_id, occurred_at, id, action FROM appended WHERE entity_id IS NOT NULL),
       announced AS (
         INSERT INTO outbox_events (id, audit_id, event, entity_type, entity_id, occurred_at, payload, pii_enc)
         SELECT e."eventId", e.id, e.event, e."entityType", e."entityId", e."occurredAt",
                jsonb_build_object('entityType', e."entityType", 'entityId', e."entityId", 'actorId', e."actorId",
                                   'changedFields', to_jsonb(e."changedFields"), 'before', e.before, 'after', e.after, 'reason', e.reason),
                e."piiEnc"
         FROM jsonb_to_recordset($1::jsonb) AS e(id bigint, "occurredAt" timestamptz, "eventId" uuid, event text, "entityType" text,
              "entityId" text, "actorId" uuid, "changedFields" text[], before jsonb, after jsonb, reason text, "piiEnc" text)
         WHERE e.event IS NOT NULL)
       UPDATE audit_chain_head SET last_id = $2, last_hash = $3, last_occurred_at = $4 WHERE id = 1`,
      [JSON.stringify(rows), id.toString(), prevHash, occurredAt],
    );
    this.metrics.auditEntriesAppended(rows.length);
    return head.queued.length;
  }

  /**
   * Changes (not reads) recorded for the given entities, newest first, with the actor's name.
   * The page is found in audit_entity_index (one probe per entity, whatever the number of
   * partitions), then read from audit_log by primary key and checked against the same entities.
   */
  async changesOf(refs: EntityRefs[], beforeId: string | undefined, limit: number): Promise<HistoryRow[]> {
    const params: unknown[] = [];
    const clauses = refs
      .filter((ref) => ref.entityIds.length > 0)
      .map((ref) => {
        params.push(ref.entityType, ref.entityIds);
        const clause = `{a}.entity_type = $${params.length - 1} AND {a}.entity_id = ANY($${params.length}::text[])`;
        if (!ref.actions) return `(${clause})`;
        params.push(ref.actions);
        return `(${clause} AND {a}.action = ANY($${params.length}::text[]))`;
      });
    if (clauses.length === 0) return [];
    const entities = (alias: string) => `(${clauses.join(' OR ')})`.replaceAll('{a}', alias);
    const refParams = params.length;
    const page: { at: string; id: string }[] = await this.transactions.manager.query(
      `SELECT x.occurred_at::text AS at, x.audit_id::text AS id FROM audit_entity_index x
        WHERE ${entities('x')} AND x.action NOT LIKE 'pii.%'
          AND ($${refParams + 1}::bigint IS NULL OR x.audit_id < $${refParams + 1}::bigint)
        ORDER BY x.audit_id DESC
        LIMIT $${refParams + 2}`,
      [...params, beforeId ?? null, limit],
    );
    if (page.length === 0) return [];
    const rows: (Omit<HistoryRow, 'occurredAt'> & { occurredAt: Date })[] = await this.transactions.manager.query(
      `SELECT a.id::text AS id, a.occurred_at AS "occurredAt", a.actor_id AS "actorId", u.display_name AS "actorName",
              a.action, a.entity_type AS "entityType", a.entity_id AS "entityId", a.changed_fields AS "changedFields",
              a.before, a.after, a.reason
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
        WHERE a.occurred_at = ANY($${refParams + 1}::timestamptz[]) AND a.id = ANY($${refParams + 2}::bigint[])
          AND ${entities('a')} AND a.action NOT LIKE 'pii.%'
        ORDER BY a.id DESC`,
      [...params, page.map((k) => k.at), page.map((k) => k.id)],
    );
    return rows.map((row) => ({ ...row, occurredAt: row.occurredAt.toISOString() }));
  }

  /**
   * Whether entityPageAsUser reads this page (with the caller, in one statement): a page by one
   * entity that audit_entries_at holds. Any other page is read by `search`, after the caller's check.
   */
  static readsInOneStatement(filter: AuditFilter, limit: number): boolean {
    return isEntityPage(filter) && limit <= ENTRIES_AT_MAX;
  }

  /**
   * A page filtered by one entity (readsInOneStatement), in one statement and one snapshot: the
   * token's user (active; undefined when not), whether reads wait in audit_queue (then the rows may
   * miss them: chain them and ask again), the page's keys in audit_entity_index, and the entries at
   * those keys (audit_entries_at: a generic plan that prunes to their partitions when it starts),
   * checked against the entity asked for. The caller decides on the user before using the rows.
   */
  async entityPageAsUser(
    userId: string,
    filter: AuditFilter,
    order: AuditOrder,
    after: AuditPosition | undefined,
    limit: number,
  ): Promise<AuditPage & { caller: AuthUser | undefined }> {
    const { sql: pageSql, params, direction } = entityPageQuery(filter, order, after, limit, 1);
    const rows = await this.transactions.prepared<AuditLogRow & { queued: boolean; me_id: string | null } & Record<string, unknown>>(
      `WITH page AS (${pageSql})
       SELECT me.id AS me_id, me.username AS me_username, me.role AS me_role, me.department_id AS me_department_id, q.queued, ${SELECT_WITH_ACTOR}
         FROM (SELECT EXISTS (SELECT 1 FROM audit_queue) AS queued) q
         LEFT JOIN users me ON me.id = $1::uuid AND me.active
         LEFT JOIN LATERAL (
           SELECT e.* FROM audit_entries_at(ARRAY(SELECT DISTINCT p.occurred_at FROM page p), ARRAY(SELECT p.audit_id FROM page p)) e
            WHERE e.entity_type = $2 AND e.entity_id = $3
         ) a ON true
        ORDER BY a.occurred_at ${direction}, a.id ${direction}`,
      [userId, ...params],
    );
    const [first] = rows;
    const caller = first.me_id === null ? undefined : ({ id: first.me_id, username: first.me_username, role: first.me_role, departmentId: first.me_department_id } as AuthUser);
    return {
      caller,
      queued: first.queued,
      rows: rows.filter((row) => row.id !== null).map(({ queued: _q, me_id: _i, me_username: _u, me_role: _r, me_department_id: _d, ...row }) => row as AuditLogRow),
    };
  }

  /**
   * One page for an auditor that is not read in one statement. Filtered by one entity (a page
   * larger than audit_entries_at takes), the page is found in audit_entity_index and then read by
   * primary key, which prunes audit_log to the partitions of those entries; otherwise one query
   * over audit_log. Also says whether reads wait in audit_queue (then chain them and ask again).
   */
  async search(filter: AuditFilter, order: AuditOrder, after: AuditPosition | undefined, limit: number): Promise<AuditPage> {
    // The probe first: reads it does not see waiting were chained before the page is read.
    if (await this.hasQueued()) return { queued: true, rows: [] };
    if (isEntityPage(filter)) {
      const { sql: pageSql, params, direction } = entityPageQuery(filter, order, after, limit, 0);
      const page = await this.transactions.prepared<{ at: string; id: string }>(
        `SELECT p.occurred_at::text AS at, p.audit_id::text AS id FROM (${pageSql}) p ORDER BY p.occurred_at ${direction}, p.audit_id ${direction}`,
        params,
      );
      return { queued: false, rows: await this.entriesAt(page, filter.entityType!, filter.entityId!, order) };
    }
    const { sql, params } = auditEntriesQuery(filter, order, after, limit);
    return { queued: false, rows: await this.transactions.manager.query(sql, params) };
  }

  /**
   * The entries at these (occurred_at, id) keys that name the given entity, in `order`. The
   * planner keeps only the keys' partitions (planning anew on every call: a page larger than
   * audit_entries_at takes).
   */
  private async entriesAt(keys: { at: string; id: string }[], entityType: string, entityId: string, order: AuditOrder): Promise<AuditLogRow[]> {
    if (keys.length === 0) return [];
    const direction = order === 'newest' ? 'DESC' : 'ASC';
    return this.transactions.prepared(
      `SELECT ${SELECT_WITH_ACTOR} FROM audit_log a
        WHERE a.occurred_at = ANY($1::timestamptz[]) AND a.id = ANY($2::bigint[]) AND a.entity_type = $3 AND a.entity_id = $4
        ORDER BY a.occurred_at ${direction}, a.id ${direction}`,
      [keys.map((k) => k.at), keys.map((k) => k.id), entityType, entityId],
    );
  }

  /** Every matching entry as a stream of AuditLogRow, on a connection of its own (see openStream). */
  streamEntries(filter: AuditFilter, order: AuditOrder, after: AuditPosition | undefined, bounds: LongReadBounds): Promise<Readable> {
    const { sql, params } = auditEntriesQuery(filter, order, after);
    return this.openStream(sql, params, bounds);
  }

  /** The entries with ids firstId..lastId in chain order, as a stream of StoredRow. */
  streamChain(firstId: string, lastId: string, bounds: LongReadBounds): Promise<Readable> {
    return this.openStream(`SELECT ${SELECT_CHAINED} FROM audit_log a WHERE a.id >= $1::bigint AND a.id <= $2::bigint ORDER BY a.id`, [firstId, lastId], bounds);
  }

  /** Where an entry sits in the (occurred_at, id) order, to resume after it. */
  async positionOf(id: string): Promise<AuditPosition | undefined> {
    const [row]: { occurredAt: Date }[] = await this.transactions.manager.query(
      `SELECT occurred_at AS "occurredAt" FROM audit_log WHERE id = $1::bigint`,
      [id],
    );
    return row ? { occurredAt: row.occurredAt.toISOString(), id } : undefined;
  }

  async hashOf(id: string): Promise<string | undefined> {
    const [row]: { hash: string }[] = await this.transactions.manager.query(`SELECT hash FROM audit_log WHERE id = $1::bigint`, [id]);
    return row?.hash;
  }

  async chainHead(): Promise<ChainHead> {
    const [head]: ChainHead[] = await this.transactions.manager.query(
      `SELECT last_id::text AS "lastId", last_hash AS "lastHash" FROM audit_chain_head WHERE id = 1`,
    );
    return head;
  }

  /** The id of the first entry at or after `from` (one probe of ix_audit_log_occurred_at). */
  async firstIdFrom(from: string): Promise<string | undefined> {
    const [row]: { id: string }[] = await this.transactions.manager.query(
      `SELECT a.id::text AS id FROM audit_log a WHERE a.occurred_at >= $1::timestamptz ORDER BY a.occurred_at, a.id LIMIT 1`,
      [from],
    );
    return row?.id;
  }

  /** The id of the last entry before `to`. */
  async lastIdBefore(to: string): Promise<string | undefined> {
    const [row]: { id: string }[] = await this.transactions.manager.query(
      `SELECT a.id::text AS id FROM audit_log a WHERE a.occurred_at < $1::timestamptz ORDER BY a.occurred_at DESC, a.id DESC LIMIT 1`,
      [to],
    );
    return row?.id;
  }

  /**
   * Makes sure the partitions of this month and the next `monthsAhead` exist. Gives up quickly
   * rather than queue behind a long export for the lock it needs (the next run tries again).
   */
  addPartitions(monthsAhead: number): Promise<{ month: string; outcome: 'created' | 'exists' | 'blocked' }[]> {
    return this.transactions.run(async () => {
      await this.transactions.manager.query(`SET LOCAL lock_timeout = '5s'`);
      return this.transactions.manager.query(
        `SELECT to_char(month, 'YYYY-MM') AS month, audit_log_add_partition(month::date) AS outcome
           FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'),
                                date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => $1::int),
                                interval '1 month') AS month`,
        [monthsAhead],
      );
    });
  }

  /**
   * Runs `sql` on a pooled connection of its own and streams the rows, a batch at a time, as the
   * reader asks for them: memory stays flat however many rows match. One read-only snapshot for
   * the whole read. Sorting is switched off for it so the planner walks the indexes in order
   * instead of sorting the whole result before the first row. The connection goes back to the pool
   * when the stream closes: at the end, on error, or when the reader destroys it (client gone).
   * A long read has its own, longer statement_timeout; and should its reader stall past the idle
   * timeout, PostgreSQL ends the session too (idle_in_transaction_session_timeout), a bit after the
   * service would have, so no stalled download keeps a snapshot open.
   */
  private async openStream(sql: string, params: unknown[], bounds: LongReadBounds): Promise<Readable> {
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const client = await pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    const release = (error?: Error) => {
      client.removeListener('error', onError);
      client.release(error ?? broken);
    };
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query('SET LOCAL enable_sort = off');
      await client.query(`SELECT set_config('statement_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)`, [
        String(bounds.statementTimeoutMs),
        String(bounds.idleTimeoutMs + 10_000),
      ]);
    } catch (error) {
      release(error as Error);
      throw error;
    }
    const rows = client.query(new QueryStream(sql, params, { batchSize: STREAM_BATCH }));
    rows.once('close', () => {
      // ROLLBACK also ends a transaction that a failed statement left aborted.
      client.query('ROLLBACK').then(
        () => release(),
        (error: Error) => release(error),
      );
    });
    return rows;
  }
}
