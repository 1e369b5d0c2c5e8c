import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity';

/**
 * A creating POST's answer, kept 24 hours under the caller's Idempotency-Key: a retry with the same
 * key and body gets it again instead of creating a second record. Only committed answers are rows
 * (written in the transaction of the creation); a request still running holds an advisory lock.
 */
@Entity('idempotency_keys')
@Index('ix_idempotency_keys_expires', ['expiresAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'caller_id', type: 'uuid', primaryKeyConstraintName: 'PK_idempotency_keys' })
  callerId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'caller_id', foreignKeyConstraintName: 'fk_idempotency_keys_caller' })
  caller?: UserEntity;

  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'PK_idempotency_keys' })
  key: string;

  /** SHA-256 of the method, route, path parameters and canonical (RFC 8785) body. */
  @Column({ name: 'request_hash', type: 'char', length: 64 })
  requestHash: string;

  @Column({ name: 'response_status', type: 'smallint' })
  responseStatus: number;

  @Column({ name: 'response_body', type: 'jsonb' })
  responseBody: unknown;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
