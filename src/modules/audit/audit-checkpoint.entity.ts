import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A signed statement that the audit chain ended at entry `lastId` with `hash` when it was signed
 * (`occurredAt`). The Ed25519 key lives outside the database, so rewriting the chain and
 * recomputing its hashes no longer goes unnoticed. Append-only, like the log (a trigger refuses
 * UPDATE, DELETE and TRUNCATE); one checkpoint per chain head.
 */
@Entity('audit_checkpoints')
export class AuditCheckpointEntity {
  @PrimaryColumn({ name: 'last_id', type: 'bigint', primaryKeyConstraintName: 'PK_audit_checkpoints_last_id' })
  lastId: string;

  @Column({ type: 'char', length: 64 })
  hash: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  /** Base64 Ed25519 signature of the RFC 8785 JSON of {hash, lastId, occurredAt}. */
  @Column({ type: 'varchar', length: 100 })
  signature: string;

  /** Which signing key: the first 16 hex characters of the SHA-256 of its SPKI public key. */
  @Column({ name: 'key_id', type: 'varchar', length: 16 })
  keyId: string;
}
