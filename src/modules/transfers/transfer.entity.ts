import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { ApprovalEntity } from '../approvals/approval.entity';
import { CustomerEntity } from '../customers/customer.entity';

/** 客户移交 (transfer, approved) and 离职继承 (succession, executed at once by the manager). */
@Entity('transfers')
@Check('ck_transfers_kind', `kind IN ('transfer', 'succession')`)
@Check('ck_transfers_status', `status IN ('pending', 'completed', 'rejected', 'cancelled', 'failed')`)
@Index('ix_transfers_created', ['createdAt', 'id'])
export class TransferEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'approval_id', type: 'uuid' })
  approvalId: string;

  @ManyToOne(() => ApprovalEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'approval_id', foreignKeyConstraintName: 'fk_transfers_approval' })
  approval?: ApprovalEntity;

  @Column({ type: 'varchar', length: 20 })
  kind: 'transfer' | 'succession';

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  status: 'pending' | 'completed' | 'rejected' | 'cancelled' | 'failed';

  @Column({ name: 'to_user_id', type: 'uuid' })
  toUserId: string;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** One customer of a transfer and what became of it. A customer is in at most one pending transfer (unique index). */
@Entity('transfer_items')
@Check('ck_transfer_items_outcome', `outcome IN ('pending', 'moved', 'refused', 'cancelled', 'failed')`)
@Index('uq_transfer_items_pending', ['customerId'], { unique: true, where: `outcome = 'pending'` })
@Index('ix_transfer_items_customer', ['customerId', 'outcome'])
export class TransferItemEntity {
  @PrimaryColumn({ name: 'transfer_id', type: 'uuid' })
  transferId: string;

  @PrimaryColumn({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @ManyToOne(() => TransferEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'transfer_id', foreignKeyConstraintName: 'fk_transfer_items_transfer' })
  transfer?: TransferEntity;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_transfer_items_customer' })
  customer?: CustomerEntity;

  @Column({ name: 'from_owner_id', type: 'uuid' })
  fromOwnerId: string;

  @Column({ type: 'varchar', length: 20 })
  outcome: 'pending' | 'moved' | 'refused' | 'cancelled' | 'failed';

  /** Why it was refused or failed: TRANSFER_PENDING, TRANSFER_LIMIT, SAME_OWNER, NOT_FOUND, OWNER_CHANGED. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  reason: string | null;

  @Column({ name: 'moved_at', type: 'timestamptz', nullable: true })
  movedAt: Date | null;
}
