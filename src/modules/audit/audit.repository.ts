import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { ChainedEntry, chainHash } from './audit.rules';

export type PendingEntry = Omit<ChainedEntry, 'id'>;

export interface EntityRefs {
  entityType: string;
  entityIds: string[];
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

const SELECT_CHAINED = `
  id::text AS id, occurred_at AS "occurredAt", actor_id AS "actorId", actor_role AS "actorRole", action,
  entity_type AS "entityType", entity_id AS "entityId", before, after, changed_fields AS "changedFields",
  reason, request_id AS "requestId", ip, user_agent AS "userAgent", prev_hash AS "prevHash", hash`;

export interface StoredEntry extends ChainedEntry {
  prevHash: string;
  hash: string;
}

type StoredRow = Omit<StoredEntry, 'occurredAt'> & { occurredAt: Date };

const toStored = (row: StoredRow): StoredEntry => ({ ...row, occurredAt: row.occurredAt.toISOString() });

@Injectable()
export class AuditRepository {
  constructor(private readonly transactions: Transactions) {}

  /**
   * Appends entries to the chain. Must run inside the caller's transaction: the chain-head row
   * lock is held until commit, so ids (and hashes) follow commit order even with many writers.
   */
  async append(entries: PendingEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const em = this.transactions.manager;
    const [head]: { lastId: string; lastHash: string }[] = await em.query(
      `SELECT last_id::text AS "lastId", last_hash AS "lastHash" FROM audit_chain_head WHERE id = 1 FOR UPDATE`,
    );
    let id = BigInt(head.lastId);
    let prevHash = head.lastHash;
    const rows = entries.map((entry) => {
      id += 1n;
      const chained: ChainedEntry = { id: id.toString(), ...entry };
      const hash = chainHash(prevHash, chained);
      const row = { ...chained, prevHash, hash };
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
         RETURNING 1)
       UPDATE audit_chain_head SET last_id = $2, last_hash = $3 WHERE id = 1`,
      [JSON.stringify(rows), id.toString(), prevHash],
    );
  }

  /**
   * Changes (not reads) recorded for the given entities, newest first, with the actor's name.
   * Each (entity_type, entity_id) pair is served by ix_audit_log_entity.
   */
  async changesOf(refs: EntityRefs[], beforeId: string | undefined, limit: number): Promise<HistoryRow[]> {
    const params: unknown[] = [];
    const clauses = refs
      .filter((ref) => ref.entityIds.length > 0)
      .map((ref) => {
        params.push(ref.entityType, ref.entityIds);
        return `(a.entity_type = $${params.length - 1} AND a.entity_id = ANY($${params.length}::text[]))`;
      });
    if (clauses.length === 0) return [];
    params.push(beforeId ?? null, limit);
    const rows: (Omit<HistoryRow, 'occurredAt'> & { occurredAt: Date })[] = await this.transactions.manager.query(
      `SELECT a.id::text AS id, a.occurred_at AS "occurredAt", a.actor_id AS "actorId", u.display_name AS "actorName",
              a.action, a.entity_type AS "entityType", a.entity_id AS "entityId", a.changed_fields AS "changedFields",
              a.before, a.after, a.reason
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
        WHERE (${clauses.join(' OR ')}) AND a.action NOT LIKE 'pii.%'
          AND ($${params.length - 1}::bigint IS NULL OR a.id < $${params.length - 1}::bigint)
        ORDER BY a.id DESC
        LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => ({ ...row, occurredAt: row.occurredAt.toISOString() }));
  }

  /** One page of the chain in id order, for verification without loading the whole table. */
  async chainPage(afterId: string, limit: number): Promise<StoredEntry[]> {
    const rows: StoredRow[] = await this.transactions.manager.query(
      `SELECT ${SELECT_CHAINED} FROM audit_log WHERE audit_log.id > $1 ORDER BY audit_log.id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(toStored);
  }
}
