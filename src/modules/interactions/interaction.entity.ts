import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { ContactEntity } from '../customers/contact.entity';
import { CustomerEntity } from '../customers/customer.entity';
import { UserEntity } from '../users/user.entity';

export const INTERACTION_CHANNELS = ['phone', 'email', 'visit', 'meeting', 'wecom', 'social', 'online'] as const;
export type InteractionChannel = (typeof INTERACTION_CHANNELS)[number];

/**
 * 联系记录: never deleted. This row is the current version; a correction by its author makes a new
 * one and moves the version it replaces, whole, to interaction_versions (so version 1 is there once
 * the record has been corrected, and never while it has not).
 */
@Entity('interactions')
@Check('ck_interactions_corrected', `(version = 1) = (corrected_at IS NULL)`)
@Check('ck_interactions_channel', `channel IN ('phone', 'email', 'visit', 'meeting', 'wecom', 'social', 'online')`)
@Index('ix_interactions_customer', ['customerId', 'occurredAt', 'id'])
@Index('ix_interactions_created', ['createdAt'])
@Index('ix_interactions_occurred', ['occurredAt', 'id'])
@Index('ix_interactions_author', ['authorId', 'occurredAt', 'id'])
export class InteractionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_interactions_customer' })
  customer?: CustomerEntity;

  @Column({ name: 'author_id', type: 'uuid' })
  authorId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'author_id', foreignKeyConstraintName: 'fk_interactions_author' })
  author?: UserEntity;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'varchar', length: 20 })
  channel: InteractionChannel;

  @Column({ name: 'contact_id', type: 'uuid', nullable: true })
  contactId: string | null;

  @ManyToOne(() => ContactEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_interactions_contact' })
  contact?: ContactEntity;

  @Column({ type: 'text' })
  summary: string;

  @Column({ type: 'text', nullable: true })
  feedback: string | null;

  @Column({ type: 'text', nullable: true })
  agreements: string | null;

  @Column({ name: 'next_action', type: 'text', nullable: true })
  nextAction: string | null;

  @Column({ name: 'next_action_due_at', type: 'timestamptz', nullable: true })
  nextActionDueAt: Date | null;

  /** When another interaction on the customer met this one's next action (after it, no later than its due time); kept by a trigger (KPIs). */
  @Column({ name: 'follow_up_met_at', type: 'timestamptz', nullable: true })
  followUpMetAt: Date | null;

  @VersionColumn({ default: 1 })
  version: number;

  /** Who made the current version by correcting the record; null while it is the original (version 1). */
  @Column({ name: 'corrected_by', type: 'uuid', nullable: true })
  correctedBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'corrected_by', foreignKeyConstraintName: 'fk_interactions_corrected_by' })
  corrector?: UserEntity;

  /** When the current version was made; null while it is the original. */
  @Column({ name: 'corrected_at', type: 'timestamptz', nullable: true })
  correctedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * A version of an interaction record that a correction replaced, as it was: what a correction may
 * change, and who made this version and when (null for version 1: the record's author, at its creation).
 * Append-only by use: rows are inserted by a correction and never updated.
 */
@Entity('interaction_versions')
export class InteractionVersionEntity {
  @PrimaryColumn({ name: 'interaction_id', type: 'uuid' })
  interactionId: string;

  @ManyToOne(() => InteractionEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'interaction_id', foreignKeyConstraintName: 'fk_interaction_versions_interaction' })
  interaction?: InteractionEntity;

  @PrimaryColumn({ type: 'integer' })
  version: number;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ type: 'text' })
  summary: string;

  @Column({ type: 'text', nullable: true })
  feedback: string | null;

  @Column({ type: 'text', nullable: true })
  agreements: string | null;

  @Column({ name: 'next_action', type: 'text', nullable: true })
  nextAction: string | null;

  @Column({ name: 'next_action_due_at', type: 'timestamptz', nullable: true })
  nextActionDueAt: Date | null;

  @Column({ name: 'corrected_by', type: 'uuid', nullable: true })
  correctedBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'corrected_by', foreignKeyConstraintName: 'fk_interaction_versions_corrected_by' })
  corrector?: UserEntity;

  @Column({ name: 'corrected_at', type: 'timestamptz', nullable: true })
  correctedAt: Date | null;
}
