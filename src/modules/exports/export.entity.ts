import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../../common/auth/roles';
import { CustomerEntity } from '../customers/customer.entity';

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

  /** The requester's role and department when they asked: approval and download both need them unchanged. */
  @Column({ name: 'requester_role', type: 'varchar', length: 20 })
  requesterRole: Role;

  @Column({ name: 'requester_department_id', type: 'uuid' })
  requesterDepartmentId: string;

  @Column({ type: 'jsonb' })
  filter: Record<string, unknown>;

  @Column({ type: 'varchar', length: 10 })
  format: 'csv';

  @Column({ type: 'text' })
  reason: string;

  /** Who the data is for, outside the company. */
  @Column({ type: 'varchar', length: 200 })
  recipient: string;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  status: 'pending' | 'approved' | 'rejected' | 'cancelled' | 'failed';

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  /** How many customers were taken at approval (export_items); null until then. */
  @Column({ name: 'row_count', type: 'int', nullable: true })
  rowCount: number | null;

  /** sha256 (hex) of the exported customer ids, sorted, joined by "\n": matches a file against its approval. */
  @Column({ name: 'ids_digest', type: 'varchar', length: 64, nullable: true })
  idsDigest: string | null;

  @Column({ name: 'download_count', type: 'int', default: 0 })
  downloadCount: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** One customer of an approved export: which customers left the company, and through which export. */
@Entity('export_items')
@Index('ix_export_items_customer', ['customerId'])
export class ExportItemEntity {
  @PrimaryColumn({ name: 'export_id', type: 'uuid' })
  exportId: string;

  @PrimaryColumn({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @ManyToOne(() => ExportEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'export_id', foreignKeyConstraintName: 'fk_export_items_export' })
  export?: ExportEntity;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_export_items_customer' })
  customer?: CustomerEntity;
}
