import { Injectable } from '@nestjs/common';
import { SigningKey } from '../../common/crypto/signing-key';
import { DomainError } from '../../common/errors/domain-error';
import { Cursors, PageQueryDto } from '../../common/pagination';
import { Transactions } from '../../database/transactions';
import { AuditCheckpointsRepository, type StoredCheckpoint } from './audit-checkpoints.repository';
import { checkpointMessage } from './checkpoint.rules';
import type { AuditCheckpointDto, AuditCheckpointPageDto, AuditPublicKeyDto } from './dto/checkpoint.dto';

/**
 * Signed checkpoints of the audit chain: the head, signed with a key the database does not hold,
 * so that an auditor who keeps a checkpoint can later prove nothing up to it was rewritten.
 */
@Injectable()
export class AuditCheckpointsService {
  constructor(
    private readonly repository: AuditCheckpointsRepository,
    private readonly transactions: Transactions,
    private readonly key: SigningKey,
    private readonly cursors: Cursors,
  ) {}

  /** The checkpoint of the current chain head: signed now, or the one already signed for this head. */
  async createCheckpoint(): Promise<AuditCheckpointDto> {
    const checkpoint = await this.signHead();
    if (checkpoint === undefined) throw new DomainError('AUDIT_CHAIN_EMPTY', 'The audit log has no entry yet; there is nothing to sign');
    return checkpoint;
  }

  /** The hourly job: signs the head when it moved since the last checkpoint. */
  async signScheduledCheckpoint(): Promise<Record<string, unknown>> {
    const checkpoint = await this.signHead();
    return { lastId: checkpoint?.lastId ?? null };
  }

  async list(query: PageQueryDto): Promise<AuditCheckpointPageDto> {
    const limit = query.limit ?? 20;
    const before = this.cursors.decode('audit-checkpoints', query.cursor, 1)?.[0];
    const rows = await this.repository.page(before === undefined || before === null ? undefined : String(before), limit + 1);
    return this.cursors.page('audit-checkpoints', rows, limit, toCheckpointDto, (row) => [row.lastId]);
  }

  publicKey(): AuditPublicKeyDto {
    return { algorithm: 'Ed25519', keyId: this.key.keyId, publicKey: this.key.publicKeyPem };
  }

  private signHead(): Promise<AuditCheckpointDto | undefined> {
    return this.transactions.run(async () => {
      const head = await this.repository.headAndNow();
      if (head.lastId === '0') return undefined;
      const existing = await this.repository.byLastId(head.lastId);
      if (existing) return toCheckpointDto(existing);
      const claim = { lastId: head.lastId, hash: head.lastHash, occurredAt: head.now };
      await this.repository.insert({ ...claim, signature: this.key.sign(checkpointMessage(claim)), keyId: this.key.keyId });
      // Another instance may have signed the same head meanwhile: its checkpoint is the one kept.
      return toCheckpointDto((await this.repository.byLastId(head.lastId))!);
    });
  }
}

function toCheckpointDto(row: StoredCheckpoint): AuditCheckpointDto {
  return { lastId: row.lastId, hash: row.hash, occurredAt: row.occurredAt, signature: row.signature, keyId: row.keyId };
}
