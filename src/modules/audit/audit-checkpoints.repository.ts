import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import type { CheckpointClaim } from './checkpoint.rules';

export interface StoredCheckpoint extends CheckpointClaim {
  signature: string;
  keyId: string;
}

const SELECT_CHECKPOINT = `c.last_id::text AS "lastId", c.hash, c.occurred_at AS "occurredAt", c.signature, c.key_id AS "keyId"`;

type Row = Omit<StoredCheckpoint, 'occurredAt'> & { occurredAt: Date };
const fromRow = (row: Row): StoredCheckpoint => ({ ...row, occurredAt: row.occurredAt.toISOString() });

@Injectable()
export class AuditCheckpointsRepository {
  constructor(private readonly transactions: Transactions) {}

  /** The committed chain head and the database clock (milliseconds), which dates the checkpoint. */
  async headAndNow(): Promise<{ lastId: string; lastHash: string; now: string }> {
    const [row]: { lastId: string; lastHash: string; now: Date }[] = await this.transactions.manager.query(
      `SELECT last_id::text AS "lastId", last_hash AS "lastHash", date_trunc('milliseconds', clock_timestamp()) AS now
         FROM audit_chain_head WHERE id = 1`,
    );
    return { lastId: row.lastId, lastHash: row.lastHash, now: row.now.toISOString() };
  }

  async byLastId(lastId: string): Promise<StoredCheckpoint | undefined> {
    const [row]: Row[] = await this.transactions.manager.query(`SELECT ${SELECT_CHECKPOINT} FROM audit_checkpoints c WHERE c.last_id = $1::bigint`, [lastId]);
    return row ? fromRow(row) : undefined;
  }

  /** Stores a checkpoint unless one for the same head exists (another instance was quicker): then that one stays. */
  async insert(checkpoint: StoredCheckpoint): Promise<void> {
    await this.transactions.manager.query(
      `INSERT INTO audit_checkpoints (last_id, hash, occurred_at, signature, key_id) VALUES ($1::bigint, $2, $3::timestamptz, $4, $5)
       ON CONFLICT (last_id) DO NOTHING`,
      [checkpoint.lastId, checkpoint.hash, checkpoint.occurredAt, checkpoint.signature, checkpoint.keyId],
    );
  }

  /** Newest first, keyset-paginated on last_id. */
  async page(beforeLastId: string | undefined, limit: number): Promise<StoredCheckpoint[]> {
    const rows: Row[] = await this.transactions.manager.query(
      `SELECT ${SELECT_CHECKPOINT} FROM audit_checkpoints c
        WHERE ($1::bigint IS NULL OR c.last_id < $1::bigint)
        ORDER BY c.last_id DESC LIMIT $2`,
      [beforeLastId ?? null, limit],
    );
    return rows.map(fromRow);
  }

  /** The checkpoints whose entry lies in firstId..lastId (no upper bound without lastId), oldest first. */
  async inRange(firstId: string, lastId: string | undefined): Promise<StoredCheckpoint[]> {
    const rows: Row[] = await this.transactions.manager.query(
      `SELECT ${SELECT_CHECKPOINT} FROM audit_checkpoints c
        WHERE c.last_id >= $1::bigint AND ($2::bigint IS NULL OR c.last_id <= $2::bigint)
        ORDER BY c.last_id`,
      [firstId, lastId ?? null],
    );
    return rows.map(fromRow);
  }
}
