import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { ContactEntity } from '../customers/contact.entity';
import { CustomerEntity } from '../customers/customer.entity';
import { UserEntity } from '../users/user.entity';

export const INTERACTION_CHANNELS = ['phone', 'email', 'visit', 'meeting', 'wecom', 'social', 'online'] as const;
export type InteractionChannel = (typeof INTERACTION_CHANNELS)[number];

/** 联系记录: never deleted; a correction by its author is a new version, the old text kept in the audit log. */
@Entity('interactions')
@Check('ck_interactions_channel', `channel IN ('phone', 'email', 'visit', 'meeting', 'wecom', 'social', 'online')`)
@Index('ix_interactions_customer', ['customerId', 'occurredAt', 'id'])
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

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
