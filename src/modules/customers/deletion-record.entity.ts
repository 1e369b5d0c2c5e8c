import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What a deleted customer was, kept when the deletion is executed (004 §2.4). */
@Entity('deletion_records')
@Index('ix_deletion_records_deleted', ['deletedAt', 'id'])
export class DeletionRecordEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @Column({ name: 'approval_id', type: 'uuid' })
  approvalId: string;

  @Column({ type: 'jsonb' })
  snapshot: Record<string, unknown>;

  @Column({ type: 'text' })
  reason: string;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy: string;

  @Column({ name: 'approved_by', type: 'uuid', array: true })
  approvedBy: string[];

  @Column({ name: 'deleted_at', type: 'timestamptz', default: () => 'now()' })
  deletedAt: Date;
}
