import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { DepartmentEntity } from '../departments/department.entity';
import { UserEntity } from '../users/user.entity';
// Type only: the requests entity imports this one, and the relation names it by class name.
import type { RequestEntity } from '../requests/request.entity';

export const COMPLAINT_CATEGORIES = ['product_quality', 'service_quality', 'price', 'delivery', 'other'] as const;
export const COMPLAINT_SEVERITIES = ['general', 'serious', 'major'] as const;
export const COMPLAINT_MOODS = ['calm', 'upset', 'angry'] as const;
export const COMPLAINT_STATUSES = ['received', 'assigned', 'in_progress', 'resolved', 'verified', 'closed'] as const;
export const COMPLAINT_CHANNELS = ['phone', 'email', 'visit', 'meeting', 'wecom', 'social', 'online', 'letter', 'other'] as const;

export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];
export type ComplaintSeverity = (typeof COMPLAINT_SEVERITIES)[number];
export type ComplaintMood = (typeof COMPLAINT_MOODS)[number];
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

/** 投诉: deadlines are fixed when received (a later policy change does not move them). */
@Entity('complaints')
@Check('ck_complaints_category', `category IN ('product_quality', 'service_quality', 'price', 'delivery', 'other')`)
@Check('ck_complaints_severity', `severity IN ('general', 'serious', 'major')`)
@Check('ck_complaints_mood', `customer_mood IN ('calm', 'upset', 'angry')`)
@Check('ck_complaints_status', `status IN ('received', 'assigned', 'in_progress', 'resolved', 'verified', 'closed')`)
@Check('ck_complaints_satisfaction', `satisfaction BETWEEN 1 AND 5`)
@Index('ix_complaints_customer', ['customerId', 'receivedAt', 'id'])
@Index('ix_complaints_received', ['receivedAt', 'id'])
@Index('ix_complaints_department', ['departmentId', 'receivedAt', 'id'])
@Index('ix_complaints_department_open', ['departmentId', 'receivedAt', 'id'], { where: `status IN ('received', 'assigned', 'in_progress')` })
@Index('ix_complaints_reach_elsewhere', { synchronize: false }) // GIN over reach_elsewhere where not empty, by migration
@Index('ix_complaints_assignee', ['assigneeId', 'status'])
@Index('ix_complaints_open_due', ['dueAt'], { where: `status IN ('received', 'assigned', 'in_progress')` })
@Index('ix_complaints_follow_up_due', ['followUpDueAt'], { where: `status = 'resolved'` })
@Index('uq_complaints_request', ['requestId'], { unique: true })
@Index('ix_complaints_report_upward', ['receivedAt'], { where: 'report_upward' })
@Check('ck_complaints_topic', `report_upward = (topic IS NOT NULL)`)
export class ComplaintEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_complaints_customer' })
  customer?: CustomerEntity;

  /**
   * Always the customer's department, kept so by the database (triggers of migration
   * ComplaintDepartment): never written by the application, so no path can forget it.
   */
  @Column({ name: 'department_id', type: 'uuid', insert: false, update: false })
  departmentId: string;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_complaints_department' })
  department?: DepartmentEntity;

  /**
   * The people the complaint is addressed to (assignee, escalated to) who are not in its department:
   * kept by the database like departmentId (and when a user moves department). A manager's list
   * finds the complaints addressed to them outside their department here.
   */
  @Column({ name: 'reach_elsewhere', type: 'uuid', array: true, default: () => `'{}'`, insert: false, update: false, select: false })
  reachElsewhere?: string[];

  /**
   * The customer's status, kept by the database like departmentId (migration
   * ComplaintCustomerStatus): a manager's or an admin's list checks the customer is live here
   * instead of probing the customer of every complaint. Never written by the service.
   */
  @Column({ name: 'customer_status', type: 'varchar', length: 20, insert: false, update: false, select: false })
  customerStatus?: string;

  @Column({ type: 'varchar', length: 20 })
  channel: string;

  @Column({ type: 'varchar', length: 20 })
  category: ComplaintCategory;

  @Column({ type: 'varchar', length: 10 })
  severity: ComplaintSeverity;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ name: 'customer_demand', type: 'text', nullable: true })
  customerDemand: string | null;

  @Column({ name: 'customer_mood', type: 'varchar', length: 10 })
  customerMood: ComplaintMood;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  /** Hours allowed for the satisfaction follow-up after resolution, as the policy said when received. */
  @Column({ name: 'follow_up_hours', type: 'int' })
  followUpHours: number;

  @Column({ type: 'varchar', length: 20, default: 'received' })
  status: ComplaintStatus;

  @Column({ name: 'assignee_id', type: 'uuid', nullable: true })
  assigneeId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'assignee_id', foreignKeyConstraintName: 'fk_complaints_assignee' })
  assignee?: UserEntity;

  @Column({ name: 'escalated_at', type: 'timestamptz', nullable: true })
  escalatedAt: Date | null;

  @Column({ name: 'escalated_to_id', type: 'uuid', nullable: true })
  escalatedToId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'escalated_to_id', foreignKeyConstraintName: 'fk_complaints_escalated_to' })
  escalatedTo?: UserEntity;

  /**
   * Everyone the complaint was escalated to, in order, without repeats: the department manager and,
   * for a major complaint, management (the escalation list, or every admin). Users are never
   * deleted (only deactivated), so the ids stay resolvable; the timeline keeps each escalation's own list.
   */
  @Column({ name: 'escalated_to_ids', type: 'uuid', array: true, default: () => `'{}'` })
  escalatedToIds: string[];

  /** The last time the customer was told of progress or result (notify-customer). */
  @Column({ name: 'customer_notified_at', type: 'timestamptz', nullable: true })
  customerNotifiedAt: Date | null;

  /** Resolved without the customer being told since the last status change; cleared by a reopen. */
  @Column({ name: 'customer_not_informed', type: 'boolean', default: false })
  customerNotInformed: boolean;

  /** Missed its deadline while open. */
  @Column({ type: 'boolean', default: false })
  breached: boolean;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  resolution: string | null;

  @Column({ name: 'resolution_working_minutes', type: 'int', nullable: true })
  resolutionWorkingMinutes: number | null;

  @Column({ name: 'follow_up_due_at', type: 'timestamptz', nullable: true })
  followUpDueAt: Date | null;

  @Column({ name: 'follow_up_overdue', type: 'boolean', default: false })
  followUpOverdue: boolean;

  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt: Date | null;

  @Column({ type: 'smallint', nullable: true })
  satisfaction: number | null;

  @Column({ name: 'satisfaction_comment', type: 'text', nullable: true })
  satisfactionComment: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** The customer request this complaint was escalated from (the request names it back). */
  @Column({ name: 'request_id', type: 'uuid', nullable: true })
  requestId: string | null;

  @ManyToOne('RequestEntity', { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'fk_complaints_request' })
  request?: RequestEntity;

  /** A common issue reported upward to management, under `topic` (set together, cleared together). */
  @Column({ name: 'report_upward', type: 'boolean', default: false })
  reportUpward: boolean;

  @Column({ type: 'varchar', length: 50, nullable: true })
  topic: string | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** The timeline: every status change, assignment and escalation, with who and when. */
@Entity('complaint_events')
@Index('ix_complaint_events_complaint', ['complaintId', 'occurredAt'])
export class ComplaintEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'complaint_id', type: 'uuid' })
  complaintId: string;

  @ManyToOne(() => ComplaintEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'complaint_id', foreignKeyConstraintName: 'fk_complaint_events_complaint' })
  complaint?: ComplaintEntity;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  occurredAt: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 30 })
  event: string;

  @Column({ name: 'from_status', type: 'varchar', length: 20, nullable: true })
  fromStatus: string | null;

  @Column({ name: 'to_status', type: 'varchar', length: 20, nullable: true })
  toStatus: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  detail: Record<string, unknown>;
}

/** One row per severity: how long resolution may take, and whether it goes to the manager at once. */
@Entity('complaint_sla_policy')
@Check('ck_complaint_sla_policy_severity', `severity IN ('general', 'serious', 'major')`)
export class ComplaintSlaPolicyEntity {
  @PrimaryColumn({ type: 'varchar', length: 10 })
  severity: ComplaintSeverity;

  @Column({ name: 'resolve_working_days', type: 'int' })
  resolveWorkingDays: number;

  @Column({ name: 'escalate_immediately', type: 'boolean' })
  escalateImmediately: boolean;

  @Column({ name: 'follow_up_hours', type: 'int' })
  followUpHours: number;

  @Column({ type: 'text' })
  description: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** 上报名单: who a major complaint is reported to at once. Empty: every active admin. */
@Entity('complaint_escalation_contacts')
export class ComplaintEscalationContactEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_complaint_escalation_contacts_user' })
  user?: UserEntity;

  /** Order in the list as an admin gave it. */
  @Column({ type: 'smallint' })
  position: number;

  @Column({ name: 'added_by', type: 'uuid' })
  addedBy: string;

  @Column({ name: 'added_at', type: 'timestamptz', default: () => 'now()' })
  addedAt: Date;
}
