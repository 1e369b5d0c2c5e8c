import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The KPI rollup (issue 17): one row per owner, company-time-zone day and the owner's department
 * at the time, with the counters of what happened on that day to customers they held then. Kept by
 * database triggers on interactions, complaints and transfer_items (migration KpiDaily1796660000000),
 * so every path that writes those tables counts, in the writing transaction.
 */
@Entity('kpi_daily')
@Index('ix_kpi_daily_department', ['departmentId', 'day'])
export class KpiDailyEntity {
  @PrimaryColumn({ name: 'owner_id', type: 'uuid', primaryKeyConstraintName: 'PK_kpi_daily' })
  ownerId: string;

  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_kpi_daily' })
  day: string;

  @PrimaryColumn({ name: 'department_id', type: 'uuid', primaryKeyConstraintName: 'PK_kpi_daily' })
  departmentId: string;

  @Column({ type: 'integer', default: 0 }) interactions: number;
  @Column({ name: 'follow_ups_due', type: 'integer', default: 0 }) followUpsDue: number;
  @Column({ name: 'follow_ups_on_time', type: 'integer', default: 0 }) followUpsOnTime: number;
  @Column({ name: 'complaints_received', type: 'integer', default: 0 }) complaintsReceived: number;
  @Column({ name: 'complaints_resolved', type: 'integer', default: 0 }) complaintsResolved: number;
  @Column({ name: 'complaints_resolved_on_time', type: 'integer', default: 0 }) complaintsResolvedOnTime: number;
  @Column({ name: 'resolution_minutes_sum', type: 'bigint', default: 0 }) resolutionMinutesSum: string;
  @Column({ name: 'resolution_minutes_count', type: 'integer', default: 0 }) resolutionMinutesCount: number;
  @Column({ name: 'satisfaction_sum', type: 'integer', default: 0 }) satisfactionSum: number;
  @Column({ name: 'satisfaction_count', type: 'integer', default: 0 }) satisfactionCount: number;
  @Column({ name: 'transfers_in', type: 'integer', default: 0 }) transfersIn: number;
  @Column({ name: 'transfers_out', type: 'integer', default: 0 }) transfersOut: number;
  @Column({ name: 'department_transfers_in', type: 'integer', default: 0 }) departmentTransfersIn: number;
  @Column({ name: 'department_transfers_out', type: 'integer', default: 0 }) departmentTransfersOut: number;
}

/**
 * Who held a customer until when: one row per change of customers.owner_id or department_id
 * (written by a trigger on customers, whatever the path). kpi_holder(customer, at) reads it to
 * credit an event to the owner and department of the time.
 */
@Entity('customer_holders')
@Index('ix_customer_holders_customer', ['customerId', 'until', 'id'])
export class CustomerHolderEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint', primaryKeyConstraintName: 'PK_customer_holders' })
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @Column({ name: 'department_id', type: 'uuid' })
  departmentId: string;

  /** The moment this owner and department stopped holding the customer. */
  @Column({ type: 'timestamptz' })
  until: Date;
}
