import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { CustomerEntity } from './customer.entity';

/** `removed`: the customer was deleted; the contact no longer blocks its mobile and e-mail. */
export const CONTACT_STATUSES = ['active', 'left', 'removed'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

/**
 * Mobile, e-mail and WeChat id are stored encrypted (AES-256-GCM), each with a keyed hash of
 * the normalized value beside it for exact lookup and the duplicate indexes.
 */
@Entity('contacts')
@Check('ck_contacts_status', `status IN ('active', 'left', 'removed')`)
@Index('ix_contacts_customer', ['customerId', 'isPrimary'])
@Index('uq_contacts_primary', ['customerId'], { unique: true, where: 'is_primary' })
@Index('uq_contacts_mobile', ['mobileHash'], { unique: true, where: `mobile_hash IS NOT NULL AND status = 'active'` })
@Index('uq_contacts_email', ['emailHash'], { unique: true, where: `email_hash IS NOT NULL AND status = 'active'` })
@Index('ix_contacts_updated', ['updatedAt'])
@Index('ix_contacts_wechat', ['wechatHash'], { where: 'wechat_hash IS NOT NULL' })
export class ContactEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_contacts_customer' })
  customer?: CustomerEntity;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  position: string | null;

  @Column({ name: 'mobile_enc', type: 'text', nullable: true })
  mobileEnc: string | null;

  @Column({ name: 'mobile_hash', type: 'bytea', nullable: true })
  mobileHash: Buffer | null;

  @Column({ name: 'email_enc', type: 'text', nullable: true })
  emailEnc: string | null;

  @Column({ name: 'email_hash', type: 'bytea', nullable: true })
  emailHash: Buffer | null;

  @Column({ name: 'wechat_enc', type: 'text', nullable: true })
  wechatEnc: string | null;

  @Column({ name: 'wechat_hash', type: 'bytea', nullable: true })
  wechatHash: Buffer | null;

  @Column({ name: 'is_primary', type: 'boolean', default: false })
  isPrimary: boolean;

  @Column({ type: 'varchar', length: 10, default: 'active' })
  status: ContactStatus;

  @Column({ name: 'left_at', type: 'timestamptz', nullable: true })
  leftAt: Date | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** What a contact shows (toContactDto) and what a read of it is audited by: the entity without its lookup hashes. */
export type ContactView = Omit<ContactEntity, 'customer' | 'mobileHash' | 'emailHash' | 'wechatHash'>;
