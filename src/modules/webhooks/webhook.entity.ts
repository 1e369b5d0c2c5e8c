import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { OutboxEventEntity } from '../audit/outbox-event.entity';

/** An integrator's endpoint: where events it subscribed to are POSTed, signed with its secret. */
@Entity('webhooks')
@Check('ck_webhooks_pii_granted', `pii = (pii_granted_at IS NOT NULL)`)
export class WebhookEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_webhooks' })
  id: string;

  @Column({ type: 'varchar', length: 2000 })
  url: string;

  /** Exact event names, or prefixes ending in a dot (`customer.`). */
  @Column({ type: 'varchar', length: 60, array: true })
  events: string[];

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** The Standard Webhooks `whsec_` secret, sealed with the PII cipher (bound to this row). */
  @Column({ name: 'secret_enc', type: 'text' })
  secretEnc: string;

  /** Why the service stopped delivering (410 Gone, 24 hours of failures); cleared when an admin re-activates it. */
  @Column({ name: 'disabled_reason', type: 'varchar', length: 500, nullable: true })
  disabledReason: string | null;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  /**
   * Granted by an admin (POST /webhooks/:id/pii-grant, audited with a reason): deliveries carry the
   * unmasked personal data of changes that happened since piiGrantedAt. Never set at creation.
   */
  @Column({ type: 'boolean', default: false })
  pii: boolean;

  @Column({ name: 'pii_granted_at', type: 'timestamptz', nullable: true })
  piiGrantedAt: Date | null;

  @Column({ type: 'integer', default: 1 })
  version: number;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** One event for one endpoint: pending until a 2xx, failed after 24 hours (or a 410). */
@Entity('webhook_deliveries')
@Unique('uq_webhook_deliveries_event', ['webhookId', 'eventId'])
@Index('ix_webhook_deliveries_due', ['nextAttemptAt'], { where: `status = 'pending'` })
@Index('ix_webhook_deliveries_order', ['webhookId', 'entityKey', 'seq'], { where: `status = 'pending'` })
@Index('ix_webhook_deliveries_list', ['webhookId', 'seq'])
@Index('ix_webhook_deliveries_event', ['eventId'])
@Check('ck_webhook_deliveries_status', `status IN ('pending', 'delivered', 'failed')`)
export class WebhookDeliveryEntity {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'PK_webhook_deliveries' })
  id: string;

  @Column({ name: 'webhook_id', type: 'uuid' })
  webhookId: string;

  @ManyToOne(() => WebhookEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'webhook_id', foreignKeyConstraintName: 'fk_webhook_deliveries_webhook' })
  webhook?: WebhookEntity;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @ManyToOne(() => OutboxEventEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'fk_webhook_deliveries_event' })
  event?: OutboxEventEntity;

  /** The event's audit id: deliveries of one entity go out in this order. */
  @Column({ type: 'bigint' })
  seq: string;

  /** `entity_type:entity_id`: the unit of ordering. */
  @Column({ name: 'entity_key', type: 'varchar', length: 170 })
  entityKey: string;

  @Column({ type: 'varchar', length: 10, default: 'pending' })
  status: 'pending' | 'delivered' | 'failed';

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  /** Claimed by a worker until then (it crashed if this passed without news). */
  @Column({ name: 'leased_until', type: 'timestamptz', nullable: true })
  leasedUntil: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;
}

/** One POST of a delivery, as the admin sees it. */
@Entity('webhook_attempts')
@Index('ix_webhook_attempts_delivery', ['deliveryId', 'id'])
export class WebhookAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_webhook_attempts' })
  id: string;

  @Column({ name: 'delivery_id', type: 'uuid' })
  deliveryId: string;

  @ManyToOne(() => WebhookDeliveryEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'delivery_id', foreignKeyConstraintName: 'fk_webhook_attempts_delivery' })
  delivery?: WebhookDeliveryEntity;

  @Column({ name: 'attempted_at', type: 'timestamptz', default: () => 'now()' })
  attemptedAt: Date;

  /** The receiver's HTTP status; null when none came (refused address, timeout, connection error). */
  @Column({ name: 'status_code', type: 'smallint', nullable: true })
  statusCode: number | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error: string | null;

  @Column({ name: 'response_excerpt', type: 'varchar', length: 500, nullable: true })
  responseExcerpt: string | null;

  /** The POST carried unmasked personal data (a granted endpoint): its answer may echo it, so no excerpt is kept. */
  @Column({ name: 'pii_unmasked', type: 'boolean', default: false })
  piiUnmasked: boolean;
}
