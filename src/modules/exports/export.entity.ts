import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** 对外提供需审批: an export of customer data, downloadable by its requester once approved, for 24 hours. */
@Entity('exports')
@Check('ck_exports_status', `status IN ('pending', 'approved', 'rejected', 'cancelled', 'failed')`)
@Index('ix_exports_requester', ['requesterId', 'createdAt'])
export class ExportEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'approval_id', type: 'uuid' })
  approvalId: string;

  @Column({ name: 'requester_id', type: 'uuid' })
  requesterId: string;

  @Column({ type: 'jsonb' })
  filter: Record<string, unknown>;

  @Column({ type: 'varchar', length: 10 })
  format: 'csv';

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  status: 'pending' | 'approved' | 'rejected' | 'cancelled' | 'failed';

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  @Column({ name: 'download_count', type: 'int', default: 0 })
  downloadCount: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
