import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { DepartmentEntity } from '../departments/department.entity';
import { UserEntity } from '../users/user.entity';

export const ACTIVITY_KINDS = ['marketing_event', 'promotion', 'visit_plan', 'other'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** 活动记录 (seed 004 §3.3): a marketing event, promotion or visit plan, and afterwards how it went. */
@Entity('activities')
@Check('ck_activities_kind', `kind IN ('marketing_event', 'promotion', 'visit_plan', 'other')`)
@Check('ck_activities_period', `ends_at >= starts_at`)
@Check('ck_activities_evaluation', `evaluation BETWEEN 1 AND 5`)
@Check('ck_activities_outcome', `(happened_at IS NULL) = (evaluation IS NULL)`)
@Index('ix_activities_starts', ['startsAt', 'id'])
@Index('ix_activities_owner', ['ownerId', 'startsAt', 'id'])
@Index('ix_activities_department', ['departmentId', 'startsAt', 'id'])
export class ActivityEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_activities' })
  id: string;

  @Column({ type: 'varchar', length: 20 })
  kind: ActivityKind;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  place: string | null;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_activities_owner' })
  owner?: UserEntity;

  /** The owner's department when it was recorded: its manager sees the activity. */
  @Column({ name: 'department_id', type: 'uuid' })
  departmentId: string;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_activities_department' })
  department?: DepartmentEntity;

  @Column({ type: 'text' })
  plan: string;

  @Column({ name: 'happened_at', type: 'timestamptz', nullable: true })
  happenedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  summary: string | null;

  @Column({ type: 'smallint', nullable: true })
  evaluation: number | null;

  @Column({ name: 'feedback_summary', type: 'text', nullable: true })
  feedbackSummary: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_activities_created_by' })
  creator?: UserEntity;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** The customers an activity is for. Merges move the link to the survivor. */
@Entity('activity_customers')
@Index('ix_activity_customers_customer', ['customerId', 'activityId'])
export class ActivityCustomerEntity {
  @PrimaryColumn({ name: 'activity_id', type: 'uuid', primaryKeyConstraintName: 'PK_activity_customers' })
  activityId: string;

  @ManyToOne(() => ActivityEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'activity_id', foreignKeyConstraintName: 'fk_activity_customers_activity' })
  activity?: ActivityEntity;

  @PrimaryColumn({ name: 'customer_id', type: 'uuid', primaryKeyConstraintName: 'PK_activity_customers' })
  customerId: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_activity_customers_customer' })
  customer?: CustomerEntity;
}
