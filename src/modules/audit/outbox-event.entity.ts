import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An event for integrators, written by AuditRepository.append in the transaction of the change it
 * announces (beside its audit entry): a rolled-back change leaves none, a committed one always has
 * one. The webhook worker fans it out to subscribed endpoints after commit (dispatched_at).
 */
@Entity('outbox_events')
@Index('ix_outbox_events_undispatched', ['auditId'], { where: 'dispatched_at IS NULL' })
export class OutboxEventEntity {
  /** The stable id receivers deduplicate on (`webhook-id`). */
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_outbox_events' })
  id: string;

  /** The audit entry's id: commit order (ids are taken under the audit chain lock), so delivery order per entity. */
  @Column({ name: 'audit_id', type: 'bigint' })
  auditId: string;

  @Column({ type: 'varchar', length: 60 })
  event: string;

  @Column({ name: 'entity_type', type: 'varchar', length: 60 })
  entityType: string;

  @Column({ name: 'entity_id', type: 'varchar', length: 100, nullable: true })
  entityId: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  /** ids and changed fields (the audit diff: personal data already masked there). */
  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  /**
   * The unmasked values of the personal fields the payload shows masked (JSON of {before, after}),
   * sealed with the data key and bound to this row (PiiCipher, place outboxPiiPlace). Written only
   * while some webhook is granted personal data; null otherwise.
   */
  @Column({ name: 'pii_enc', type: 'text', nullable: true })
  piiEnc: string | null;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt: Date | null;
}
