import { Injectable, Logger } from '@nestjs/common';
import { PiiCipher, PiiUnreadableError } from '../../common/crypto/pii-cipher';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { CONTACT_PII_FIELDS, contactPiiPlace, type ContactPiiField } from './contact-codec';
import { DataKeyRotationRepository, type ResealedColumns, type SealedContactRow } from './data-key-rotation.repository';

export interface RotationBatch {
  /** Where the next batch starts; null when nothing was left. */
  lastId: string | null;
  rewritten: number;
  /** Values no configured key opens (or bound elsewhere): left as they are, and logged. */
  unreadable: number;
  /** Rewrites refused by a unique index: a duplicate entered while the rotation ran. Left for a person. */
  conflicts: number;
}

const COLUMNS: Record<ContactPiiField, { enc: 'mobileEnc' | 'emailEnc' | 'wechatEnc'; hash: 'mobileHash' | 'emailHash' | 'wechatHash' }> = {
  mobile: { enc: 'mobileEnc', hash: 'mobileHash' },
  email: { enc: 'emailEnc', hash: 'emailHash' },
  wechatId: { enc: 'wechatEnc', hash: 'wechatHash' },
};

/**
 * `npm run rotate-data-key`: rewrites personal data under the current data key (and bound to its
 * row), a short transaction per batch, while the service goes on serving with both keys. Values of
 * the first format (no key id, unbound) are rewritten the same way, so running it once without
 * changing the key binds existing data to its rows.
 */
@Injectable()
export class DataKeyRotationService {
  private readonly logger = new Logger('DataKeyRotation');

  constructor(
    private readonly repository: DataKeyRotationRepository,
    private readonly cipher: PiiCipher,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
  ) {}

  get keyId(): string {
    return this.cipher.keyId;
  }

  remaining(): Promise<number> {
    return this.repository.remaining(this.cipher.keyId);
  }

  async rotateBatch(afterId: string | null, size: number): Promise<RotationBatch> {
    return this.transactions.run(async () => {
      const rows = await this.repository.nextBatch(afterId, this.cipher.keyId, size);
      const batch: RotationBatch = { lastId: rows.length > 0 ? rows[rows.length - 1].id : null, rewritten: 0, unreadable: 0, conflicts: 0 };
      for (const row of rows) {
        const { columns, unreadable } = this.resealed(row);
        batch.unreadable += unreadable;
        try {
          await this.transactions.savepoint(() => this.repository.reseal(row.id, columns));
          batch.rewritten += 1;
        } catch (error) {
          if ((error as { driverError?: { code?: string } }).driverError?.code !== '23505') throw error;
          batch.conflicts += 1;
          this.logger.warn(`contact ${row.id}: its lookup hash under the new key collides with another active contact; left under the old key`);
        }
      }
      return batch;
    });
  }

  /** One audit entry for the whole rotation, written when it has finished. */
  async recordRotation(summary: { rewritten: number; unreadable: number; conflicts: number; remaining: number }): Promise<void> {
    await this.audit.record({
      action: 'pii.data_key_rotated',
      entityType: 'data_key',
      entityId: this.cipher.keyId,
      after: summary,
      actor: { id: null, role: 'system' },
    });
  }

  private resealed(row: SealedContactRow): { columns: ResealedColumns; unreadable: number } {
    const { id, ...stored } = row;
    const columns: ResealedColumns = { ...stored };
    let unreadable = 0;
    for (const field of CONTACT_PII_FIELDS) {
      const { enc, hash } = COLUMNS[field];
      const sealed = row[enc];
      if (sealed === null) continue;
      const place = contactPiiPlace(id, field);
      let plain: string;
      try {
        plain = this.cipher.decrypt(sealed, place);
      } catch (error) {
        if (!(error instanceof PiiUnreadableError)) throw error;
        unreadable += 1;
        this.logger.warn(`contact ${id} ${field}: ${error.message}; left as it is`);
        continue;
      }
      // Stored values are normalized before they are sealed, so the plaintext is the lookup key.
      columns[enc] = this.cipher.needsReencryption(sealed) ? this.cipher.encrypt(plain, place) : sealed;
      columns[hash] = this.cipher.lookupHash(plain);
    }
    return { columns, unreadable };
  }
}
