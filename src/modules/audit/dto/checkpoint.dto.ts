import { ApiProperty } from '@nestjs/swagger';
import { CHECKPOINT_PROBLEMS, type CheckpointProblem } from '../checkpoint.rules';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX } from '../../../common/pagination';
import { AUDIT_LIMITS } from '../audit.rules';

export class AuditCheckpointDto {
  @ApiProperty({ example: '1024', pattern: '^[0-9]+$', maxLength: 20, description: 'Id of the last entry of the chain when the checkpoint was signed' })
  lastId: string;

  @ApiProperty({ example: '5be0d2c4a6b8e0f1a3c5e7092b4d6f8a0c2e4a6b8d0f2a4c6e8a0b2d4f6a8c0e', minLength: 64, maxLength: 64, description: 'The hash of that entry' })
  hash: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T03:00:00.123Z', description: 'When the checkpoint was signed (UTC, milliseconds), exactly as signed' })
  occurredAt: string;

  @ApiProperty({
    example: 'q1b0mUQ2kZ0…',
    maxLength: 100,
    description: 'Base64 Ed25519 signature over the RFC 8785 canonical JSON of {hash, lastId, occurredAt} (UTF-8); check it with the SPKI key of GET /audit-logs/public-key',
  })
  signature: string;

  @ApiProperty({ example: '3f9a0c1d2e4b5a69', maxLength: 16, description: 'Which signing key: the first 16 hex characters of the SHA-256 of its DER SPKI public key (not signed)' })
  keyId: string;
}

export class AuditCheckpointPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [AuditCheckpointDto], description: 'Newest first' })
  items: AuditCheckpointDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}

export class AuditPublicKeyDto {
  @ApiProperty({ enum: ['Ed25519'], example: 'Ed25519' })
  algorithm: 'Ed25519';

  @ApiProperty({ maxLength: 16, example: '3f9a0c1d2e4b5a69', description: 'The keyId its checkpoints carry' })
  keyId: string;

  @ApiProperty({ maxLength: 113, example: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA…\n-----END PUBLIC KEY-----\n', description: 'The public key as SPKI PEM' })
  publicKey: string;
}

export class CheckpointMismatchDto {
  @ApiProperty({ maxLength: AUDIT_LIMITS.id, pattern: '^[0-9]+$', example: '1024', description: 'The checkpoint (its lastId) that does not fit the chain as it is now' })
  lastId: string;

  @ApiProperty({
    enum: CHECKPOINT_PROBLEMS,
    example: 'hash-differs',
    description:
      'hash-differs: the entry was rewritten since it was signed; entry-missing: the entry is gone; signature-invalid: the stored checkpoint was altered; unknown-key: signed by a key this service does not hold',
  })
  problem: CheckpointProblem;
}
