import { Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';

/**
 * The data-quality result of one active customer (issue 17), kept by the data-quality job at most
 * a few minutes behind the record. Customers outside the active list have none.
 */
@Entity('customer_quality')
@Index('ix_customer_quality_recheck', ['recheckAt'], { where: 'recheck_at IS NOT NULL' })
@Index('ix_customer_quality_failing', ['customerId'], { where: `failing <> '{}'` })
@Index('ix_customer_quality_department_failing', ['departmentId', 'customerId'], { where: `failing <> '{}'` })
@Index('ix_customer_quality_department_owner', ['departmentId', 'ownerId'])
export class CustomerQualityEntity {
  @PrimaryColumn({ name: 'customer_id', type: 'uuid', primaryKeyConstraintName: 'PK_customer_quality' })
  customerId: string;

  @OneToOne(() => CustomerEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_customer_quality_customer' })
  customer?: CustomerEntity;

  /**
   * The customer's department and owner when the result was computed (the job follows transfers
   * within minutes): per-department figures then read this table alone, by index; the summary's
   * counts per (department, owner) are kept from these columns by triggers (quality-summary.entity).
   */
  @Column({ name: 'department_id', type: 'uuid' })
  departmentId: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  /** Rule codes failed (data-quality.rules QUALITY_RULES), in that order. */
  @Column({ type: 'varchar', length: 40, array: true, default: () => `'{}'` })
  failing: string[];

  /** Fails a completeness rule: what the completeness percentage counts. */
  @Column({ type: 'boolean', default: false })
  incomplete: boolean;

  /** The customers this one is suspected to duplicate. */
  @Column({ name: 'duplicate_ids', type: 'uuid', array: true, default: () => `'{}'` })
  duplicateIds: string[];

  /** When a timeliness rule that passed will fail: the job looks at the customer again then. */
  @Column({ name: 'recheck_at', type: 'timestamptz', nullable: true })
  recheckAt: Date | null;

  @Column({ name: 'checked_at', type: 'timestamptz' })
  checkedAt: Date;
}

/** How far the data-quality job has looked: changes after `computedFrom` are still to be taken. */
@Entity('data_quality_watermarks')
export class DataQualityWatermarkEntity {
  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'PK_data_quality_watermarks' })
  name: string;

  @Column({ name: 'computed_from', type: 'timestamptz' })
  computedFrom: Date;
}
