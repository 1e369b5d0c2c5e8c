import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { TierEntity } from './tier.entity';

/**
 * Every tier change of a customer, with its reason (by hand, "rule evaluation", the dormancy sweep,
 * reactivation), and whether it left the tier pinned; pinning or releasing a tier is a row too.
 */
@Entity('customer_tier_changes')
@Index('ix_customer_tier_changes_customer', ['customerId', 'changedAt'])
export class CustomerTierChangeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_customer_tier_changes_customer' })
  customer?: CustomerEntity;

  @Column({ name: 'from_tier_id', type: 'uuid', nullable: true })
  fromTierId: string | null;

  @ManyToOne(() => TierEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'from_tier_id', foreignKeyConstraintName: 'fk_customer_tier_changes_from' })
  fromTier?: TierEntity;

  @Column({ name: 'to_tier_id', type: 'uuid' })
  toTierId: string;

  @ManyToOne(() => TierEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'to_tier_id', foreignKeyConstraintName: 'fk_customer_tier_changes_to' })
  toTier?: TierEntity;

  /** The tier was set by hand and is kept by rule evaluation (until released or `pinnedUntil`). */
  @Column({ type: 'boolean', default: false })
  pinned: boolean;

  @Column({ name: 'pinned_until', type: 'timestamptz', nullable: true })
  pinnedUntil: Date | null;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'changed_by', type: 'uuid', nullable: true })
  changedBy: string | null;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt: Date;
}
