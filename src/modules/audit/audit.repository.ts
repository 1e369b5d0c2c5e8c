import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { ChainedEntry, chainHash } from './audit.rules';

export type PendingEntry = Omit<ChainedEntry, 'id'>;

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

  /** One page of the chain in id order, for verification without loading the whole table. */
  async chainPage(afterId: string, limit: number): Promise<StoredEntry[]> {
    const rows: StoredRow[] = await this.transactions.manager.query(
      `SELECT ${SELECT_CHAINED} FROM audit_log WHERE audit_log.id > $1 ORDER BY audit_log.id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(toStored);
  }
}
