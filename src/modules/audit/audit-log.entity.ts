import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE, on every partition) and hash-chained
 * in id order, which is commit order: ids are handed out under the chain-head row lock, and so is
 * occurred_at, which never decreases in id order.
 *
 * Partitioned by month on occurred_at (migration 1795400000000), hence the two-column primary key;
 * id alone is unique by construction. Each filter index ends in (occurred_at, id), the order lists
 * and exports use.
 */
@Entity('audit_log')
@Index('ix_audit_log_entity', ['entityType', 'entityId', 'occurredAt', 'id'])
@Index('ix_audit_log_actor', ['actorId', 'occurredAt', 'id'])
@Index('ix_audit_log_occurred_at', ['occurredAt', 'id'])
@Index('ix_audit_log_request', ['requestId', 'occurredAt', 'id'])
@Index('ix_audit_log_action', { synchronize: false })
export class AuditLogEntity {
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  @PrimaryColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_role', type: 'varchar', length: 20, nullable: true })
  actorRole: string | null;

  @Column({ type: 'varchar', length: 100 })
  action: string;

  @Column({ name: 'entity_type', type: 'varchar', length: 50 })
  entityType: string;

  @Column({ name: 'entity_id', type: 'varchar', length: 100, nullable: true })
  entityId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null;

  @Column({ name: 'changed_fields', type: 'text', array: true, default: () => "'{}'" })
  changedFields: string[];

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 100, nullable: true })
  requestId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 300, nullable: true })
  userAgent: string | null;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash: string;

  @Column({ type: 'char', length: 64 })
  hash: string;
}

/** One row: the last id, hash and time of the chain. Locking it serialises appends across instances. */
@Entity('audit_chain_head')
export class AuditChainHeadEntity {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ name: 'last_id', type: 'bigint' })
  lastId: string;

  @Column({ name: 'last_hash', type: 'char', length: 64 })
  lastHash: string;

  /** The next entry's occurred_at is never earlier, so time ranges are id ranges of the chain. */
  @Column({ name: 'last_occurred_at', type: 'timestamptz' })
  lastOccurredAt: Date;
}

/**
 * Where each entry that names an entity sits, for reading one entity's entries in one probe
 * (audit_log is partitioned by month; see migration 1796400572847). Written by the statement that
 * appends the entries; append-only. Holds no content: entries are read from audit_log.
 */
@Entity('audit_entity_index')
export class AuditEntityIndexEntity {
  @PrimaryColumn({ name: 'entity_type', type: 'varchar', length: 50 })
  entityType: string;

  @PrimaryColumn({ name: 'entity_id', type: 'varchar', length: 100 })
  entityId: string;

  @PrimaryColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @PrimaryColumn({ name: 'audit_id', type: 'bigint' })
  auditId: string;

  @Column({ type: 'varchar', length: 100 })
  action: string;
}
