import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { IDEMPOTENCY_TTL_HOURS } from './idempotency.rules';

/** The namespace of the advisory locks held while a keyed request runs (first argument of the two-int form). */
const LOCK_CLASS = 18_001;

export interface StoredAnswer {
  requestHash: string;
  responseStatus: number;
  responseBody: unknown;
}

@Injectable()
export class IdempotencyRepository {
  constructor(private readonly transactions: Transactions) {}

  /** Held until the transaction ends; false when another transaction holds it (the first request still runs). */
  async tryLock(callerId: string, key: string): Promise<boolean> {
    const [row]: { locked: boolean }[] = await this.transactions.manager.query(`SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked`, [LOCK_CLASS, `${callerId}\n${key}`]);
    return row.locked;
  }

  async find(callerId: string, key: string): Promise<StoredAnswer | undefined> {
    const rows: StoredAnswer[] = await this.transactions.manager.query(
      `SELECT request_hash AS "requestHash", response_status AS "responseStatus", response_body AS "responseBody"
         FROM idempotency_keys WHERE caller_id = $1 AND key = $2 AND expires_at > now()`,
      [callerId, key],
    );
    return rows[0];
  }

  /** An expired row under the same key is replaced. */
  async store(callerId: string, key: string, answer: StoredAnswer): Promise<void> {
    await this.transactions.manager.query(
      `INSERT INTO idempotency_keys (caller_id, key, request_hash, response_status, response_body, expires_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, now() + make_interval(hours => $6))
       ON CONFLICT (caller_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, response_status = EXCLUDED.response_status,
              response_body = EXCLUDED.response_body, created_at = now(), expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.expires_at <= now()`,
      [callerId, key, answer.requestHash, answer.responseStatus, JSON.stringify(answer.responseBody ?? null), IDEMPOTENCY_TTL_HOURS],
    );
  }

  async deleteExpired(): Promise<number> {
    const [, count]: [unknown, number] = await this.transactions.manager.query(`DELETE FROM idempotency_keys WHERE expires_at <= now()`);
    return count;
  }
}
