import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';

export interface SealedContactRow extends ResealedColumns {
  id: string;
}

export interface ResealedColumns {
  mobileEnc: string | null;
  mobileHash: Buffer | null;
  emailEnc: string | null;
  emailHash: Buffer | null;
  wechatEnc: string | null;
  wechatHash: Buffer | null;
}

/** The rows a data-key rotation rewrites, a batch at a time. */
@Injectable()
export class DataKeyRotationRepository {
  constructor(private readonly transactions: Transactions) {}

  /**
   * The next contacts after `afterId` holding a value not sealed under the current key (`keyId`),
   * locked until the batch commits so that no edit made meanwhile is overwritten.
   */
  nextBatch(afterId: string | null, keyId: string, limit: number): Promise<SealedContactRow[]> {
    const current = `${keyId}:%`;
    return this.transactions.manager.query(
      `SELECT k.id, k.mobile_enc AS "mobileEnc", k.mobile_hash AS "mobileHash", k.email_enc AS "emailEnc", k.email_hash AS "emailHash",
              k.wechat_enc AS "wechatEnc", k.wechat_hash AS "wechatHash"
         FROM contacts k
        WHERE ($1::uuid IS NULL OR k.id > $1::uuid)
          AND (k.mobile_enc NOT LIKE $2 OR k.email_enc NOT LIKE $2 OR k.wechat_enc NOT LIKE $2)
        ORDER BY k.id
        LIMIT $3
        FOR UPDATE`,
      [afterId, current, limit],
    );
  }

  /** Rewrites the sealed values and their lookup hashes; neither version nor updated_at moves: the data did not change. */
  async reseal(id: string, columns: ResealedColumns): Promise<void> {
    await this.transactions.manager.query(
      `UPDATE contacts SET mobile_enc = $2, mobile_hash = $3, email_enc = $4, email_hash = $5, wechat_enc = $6, wechat_hash = $7 WHERE id = $1`,
      [id, columns.mobileEnc, columns.mobileHash, columns.emailEnc, columns.emailHash, columns.wechatEnc, columns.wechatHash],
    );
  }

  /** How many contacts still hold a value not sealed under `keyId`. */
  async remaining(keyId: string): Promise<number> {
    const [row]: { count: string }[] = await this.transactions.manager.query(
      `SELECT count(*) AS count FROM contacts k WHERE k.mobile_enc NOT LIKE $1 OR k.email_enc NOT LIKE $1 OR k.wechat_enc NOT LIKE $1`,
      [`${keyId}:%`],
    );
    return Number(row.count);
  }
}
