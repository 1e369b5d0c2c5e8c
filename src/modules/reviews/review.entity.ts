import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { DepartmentEntity } from '../departments/department.entity';
import { TagEntity } from '../tags/tag.entity';
import { TierEntity } from '../tiers/tier.entity';
import { UserEntity } from '../users/user.entity';

export const REVIEW_SCOPES = ['all', 'tier', 'tag'] as const;
export type ReviewScope = (typeof REVIEW_SCOPES)[number];
export const REVIEW_CADENCES = ['weekly', 'monthly', 'quarterly'] as const;
export type ReviewCadence = (typeof REVIEW_CADENCES)[number];

/** 定期复核: a round asks each owner to confirm their customers in scope by `dueAt`. */
@Entity('review_rounds')
@Check('ck_review_rounds_scope', `scope IN ('all', 'tier', 'tag') AND ((scope = 'tier') = (tier_id IS NOT NULL)) AND ((scope = 'tag') = (tag_id IS NOT NULL))`)
@Index('ix_review_rounds_department', ['departmentId', 'createdAt'])
export class ReviewRoundEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_review_rounds' })
  id: string;

  /** Null: every department (an admin's round). */
  @Column({ name: 'department_id', type: 'uuid', nullable: true })
  departmentId: string | null;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_review_rounds_department' })
  department?: DepartmentEntity;

  @Column({ type: 'varchar', length: 10 })
  scope: ReviewScope;

  @Column({ name: 'tier_id', type: 'uuid', nullable: true })
  tierId: string | null;

  @ManyToOne(() => TierEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'tier_id', foreignKeyConstraintName: 'fk_review_rounds_tier' })
  tier?: TierEntity;

  @Column({ name: 'tag_id', type: 'uuid', nullable: true })
  tagId: string | null;

  @ManyToOne(() => TagEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'tag_id', foreignKeyConstraintName: 'fk_review_rounds_tag' })
  tag?: TagEntity;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  /** Null for a scheduled round. */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_review_rounds_created_by' })
  creator?: UserEntity;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

/** One customer to confirm, for the owner it had when the round began. */
@Entity('review_tasks')
@Index('ix_review_tasks_round_owner', ['roundId', 'ownerId'])
@Index('ix_review_tasks_owner_open', ['ownerId', 'dueAt', 'customerId', 'roundId'], { where: 'done_at IS NULL' })
@Index('ix_review_tasks_department_open', ['departmentId', 'dueAt', 'customerId', 'roundId'], { where: 'done_at IS NULL' })
@Index('ix_review_tasks_customer_open', ['customerId'], { where: 'done_at IS NULL' })
@Index('ix_review_tasks_due', ['dueAt', 'ownerId'])
// (department_id, due_at) and (owner_id, due_at), each INCLUDE (owner_id / department_id, done_at), by migration: the KPIs' review figures, index-only
@Index('ix_review_tasks_department_due', { synchronize: false })
@Index('ix_review_tasks_owner_due', { synchronize: false })
export class ReviewTaskEntity {
  @PrimaryColumn({ name: 'round_id', type: 'uuid', primaryKeyConstraintName: 'PK_review_tasks' })
  roundId: string;

  @ManyToOne(() => ReviewRoundEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'round_id', foreignKeyConstraintName: 'fk_review_tasks_round' })
  round?: ReviewRoundEntity;

  @PrimaryColumn({ name: 'customer_id', type: 'uuid', primaryKeyConstraintName: 'PK_review_tasks' })
  customerId: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_review_tasks_customer' })
  customer?: CustomerEntity;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_review_tasks_owner' })
  owner?: UserEntity;

  @Column({ name: 'department_id', type: 'uuid' })
  departmentId: string;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ name: 'done_at', type: 'timestamptz', nullable: true })
  doneAt: Date | null;

  @Column({ name: 'done_by', type: 'uuid', nullable: true })
  doneBy: string | null;
}

/** A department's standing round: created once across instances whenever `nextRunAt` has passed. */
@Entity('review_schedules')
@Check('ck_review_schedules_cadence', `cadence IN ('weekly', 'monthly', 'quarterly')`)
@Check('ck_review_schedules_due_days', `due_days BETWEEN 1 AND 90`)
@Index('ix_review_schedules_next_run', ['nextRunAt'])
export class ReviewScheduleEntity {
  @PrimaryColumn({ name: 'department_id', type: 'uuid', primaryKeyConstraintName: 'PK_review_schedules' })
  departmentId: string;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_review_schedules_department' })
  department?: DepartmentEntity;

  @Column({ type: 'varchar', length: 10 })
  cadence: ReviewCadence;

  /** Days each scheduled round gives owners. */
  @Column({ name: 'due_days', type: 'int' })
  dueDays: number;

  @Column({ name: 'next_run_at', type: 'timestamptz' })
  nextRunAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
