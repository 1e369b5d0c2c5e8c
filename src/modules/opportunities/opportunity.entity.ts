import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { DepartmentEntity } from '../departments/department.entity';
import { UserEntity } from '../users/user.entity';

export const STAGE_OUTCOMES = ['open', 'won', 'lost'] as const;
export type StageOutcome = (typeof STAGE_OUTCOMES)[number];

export const OPPORTUNITY_SOURCES = ['exhibition', 'cold_visit', 'referral', 'inbound', 'website', 'wecom', 'existing_customer', 'other'] as const;
export type OpportunitySource = (typeof OPPORTUNITY_SOURCES)[number];

/** A sales stage (销售阶段), kept as data: ordered, with a default probability and whether it closes the opportunity. */
@Entity('opportunity_stages')
@Check('ck_opportunity_stages_outcome', `outcome IN ('open', 'won', 'lost')`)
@Check('ck_opportunity_stages_probability', `default_probability BETWEEN 0 AND 100`)
export class OpportunityStageEntity {
  @PrimaryColumn({ type: 'varchar', length: 30, primaryKeyConstraintName: 'PK_opportunity_stages' })
  code: string;

  @Column({ type: 'varchar', length: 50 })
  name: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ name: 'default_probability', type: 'smallint' })
  defaultProbability: number;

  @Column({ type: 'varchar', length: 4 })
  outcome: StageOutcome;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export interface Competitor {
  name: string;
  notes: string | null;
}

/** 销售机会: owned by its customer's owner unless a manager names another member of the department. */
@Entity('opportunities')
@Check('ck_opportunities_probability', `probability BETWEEN 0 AND 100`)
@Check('ck_opportunities_amount', `amount >= 0 AND (final_amount IS NULL OR final_amount >= 0)`)
@Index('ix_opportunities_created', ['createdAt', 'id'])
@Index('ix_opportunities_customer', ['customerId', 'createdAt', 'id'])
@Index('ix_opportunities_owner', ['ownerId', 'createdAt', 'id'])
@Index('ix_opportunities_department', ['departmentId', 'createdAt', 'id'])
export class OpportunityEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_opportunities' })
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_opportunities_customer' })
  customer?: CustomerEntity;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_opportunities_owner' })
  owner?: UserEntity;

  /** Always the customer's department: transfers, successions and merges keep it so. */
  @Column({ name: 'department_id', type: 'uuid' })
  departmentId: string;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_opportunities_department' })
  department?: DepartmentEntity;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'varchar', length: 20 })
  source: OpportunitySource;

  /** Yuan (CNY), expected; a string from the driver to keep precision. */
  @Column({ type: 'numeric', precision: 16, scale: 2 })
  amount: string;

  /** Yuan (CNY), set when won. */
  @Column({ name: 'final_amount', type: 'numeric', precision: 16, scale: 2, nullable: true })
  finalAmount: string | null;

  @Column({ name: 'expected_close_date', type: 'date' })
  expectedCloseDate: string;

  @Column({ type: 'varchar', length: 30 })
  stage: string;

  @ManyToOne(() => OpportunityStageEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'stage', foreignKeyConstraintName: 'fk_opportunities_stage' })
  stageRow?: OpportunityStageEntity;

  @Column({ type: 'smallint' })
  probability: number;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  competitors: Competitor[];

  @Column({ type: 'text' })
  strategy: string;

  @Column({ name: 'contact_ids', type: 'uuid', array: true, default: () => `'{}'` })
  contactIds: string[];

  @Column({ name: 'lost_reason', type: 'text', nullable: true })
  lostReason: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'stage_changed_at', type: 'timestamptz', default: () => 'now()' })
  stageChangedAt: Date;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_opportunities_created_by' })
  creator?: UserEntity;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * Every stage an opportunity entered, with its time (the first row is its creation), so that stage
 * durations and conversion between stages can be computed. Append-only by use.
 */
@Entity('opportunity_stage_changes')
@Index('ix_opportunity_stage_changes_opportunity', ['opportunityId', 'changedAt'])
@Index('ix_opportunity_stage_changes_changed', ['changedAt'])
export class OpportunityStageChangeEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_opportunity_stage_changes' })
  id: string;

  @Column({ name: 'opportunity_id', type: 'uuid' })
  opportunityId: string;

  @ManyToOne(() => OpportunityEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'opportunity_id', foreignKeyConstraintName: 'fk_opportunity_stage_changes_opportunity' })
  opportunity?: OpportunityEntity;

  @Column({ name: 'from_stage', type: 'varchar', length: 30, nullable: true })
  fromStage: string | null;

  @Column({ name: 'to_stage', type: 'varchar', length: 30 })
  toStage: string;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  changedAt: Date;

  @Column({ name: 'changed_by', type: 'uuid' })
  changedBy: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'changed_by', foreignKeyConstraintName: 'fk_opportunity_stage_changes_changed_by' })
  changer?: UserEntity;

  @Column({ type: 'text', nullable: true })
  reason: string | null;
}
