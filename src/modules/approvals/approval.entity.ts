import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity';

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'cancelled', 'failed'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export const STEP_KINDS = ['department_manager', 'admin'] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export const STEP_STATUSES = ['pending', 'approved', 'rejected', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** 审批: a request with a reason and a payload, decided step by step; executed with its final approval. */
@Entity('approvals')
@Check('ck_approvals_status', `status IN ('pending', 'approved', 'rejected', 'cancelled', 'failed')`)
@Index('ix_approvals_requester', ['requesterId', 'createdAt', 'id'])
@Index('ix_approvals_status', ['status', 'createdAt', 'id'])
export class ApprovalEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 50 })
  type: string;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  status: ApprovalStatus;

  @Column({ name: 'requester_id', type: 'uuid' })
  requesterId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'requester_id', foreignKeyConstraintName: 'fk_approvals_requester' })
  requester?: UserEntity;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  result: Record<string, unknown> | null;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

@Entity('approval_steps')
@Check('ck_approval_steps_kind', `decider_kind IN ('department_manager', 'admin')`)
@Check('ck_approval_steps_status', `status IN ('pending', 'approved', 'rejected', 'skipped')`)
@Index('uq_approval_steps_order', ['approvalId', 'stepNo'], { unique: true })
@Index('ix_approval_steps_pending', ['deciderKind', 'departmentId'], { where: `status = 'pending'` })
export class ApprovalStepEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'approval_id', type: 'uuid' })
  approvalId: string;

  @ManyToOne(() => ApprovalEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'approval_id', foreignKeyConstraintName: 'fk_approval_steps_approval' })
  approval?: ApprovalEntity;

  @Column({ name: 'step_no', type: 'int' })
  stepNo: number;

  @Column({ name: 'decider_kind', type: 'varchar', length: 30 })
  deciderKind: StepKind;

  @Column({ name: 'department_id', type: 'uuid', nullable: true })
  departmentId: string | null;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  status: StepStatus;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  comment: string | null;
}
