import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { ComplaintEntity } from '../complaints/complaint.entity';
import { CustomerEntity } from '../customers/customer.entity';
import { ContactEntity } from '../customers/contact.entity';
import { DepartmentEntity } from '../departments/department.entity';
import { UserEntity } from '../users/user.entity';

export const REQUEST_KINDS = ['enquiry', 'need', 'suggestion', 'problem'] as const;
export const REQUEST_STATUSES = ['new', 'acknowledged', 'in_progress', 'answered', 'closed'] as const;
export const REQUEST_CHANNELS = ['phone', 'email', 'visit', 'meeting', 'wecom', 'social', 'online', 'web_chat', 'call_center', 'letter', 'other'] as const;
export const DISPATCH_TARGETS = ['owner', 'department', 'service_queue'] as const;

/** urgent_at of a request with no clock running: after everything else. */
export const URGENT_NEVER = new Date('9999-12-31T00:00:00Z');

export type RequestKind = (typeof REQUEST_KINDS)[number];
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export type DispatchTarget = (typeof DISPATCH_TARGETS)[number];

/**
 * 需求、建议、咨询、问题: a customer's request, dispatched to a person or a department queue
 * (never both), with its response clocks fixed when received or when the customer was told.
 */
@Entity('requests')
@Check('ck_requests_kind', `kind IN ('enquiry', 'need', 'suggestion', 'problem')`)
@Check('ck_requests_status', `status IN ('new', 'acknowledged', 'in_progress', 'answered', 'closed')`)
@Check('ck_requests_channel', `channel IN ('phone', 'email', 'visit', 'meeting', 'wecom', 'social', 'online', 'web_chat', 'call_center', 'letter', 'other')`)
@Check('ck_requests_satisfaction', `satisfaction BETWEEN 1 AND 5`)
@Check('ck_requests_dispatch', `assignee_id IS NULL OR department_id IS NULL`)
@Index('ix_requests_customer', ['customerId', 'receivedAt', 'id'])
@Index('ix_requests_urgency', ['urgentAt', 'id'])
@Index('ix_requests_received', ['receivedAt', 'id'])
@Index('ix_requests_assignee', ['assigneeId', 'status'])
@Index('ix_requests_department', ['departmentId', 'status'])
@Index('uq_requests_complaint', ['complaintId'], { unique: true })
@Index('ix_requests_report_upward', ['receivedAt'], { where: 'report_upward' })
@Check('ck_requests_topic', `report_upward = (topic IS NOT NULL)`)
export class RequestEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_requests' })
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_requests_customer' })
  customer?: CustomerEntity;

  @Column({ name: 'contact_id', type: 'uuid', nullable: true })
  contactId: string | null;

  @ManyToOne(() => ContactEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'contact_id', foreignKeyConstraintName: 'fk_requests_contact' })
  contact?: ContactEntity;

  @Column({ type: 'varchar', length: 12 })
  kind: RequestKind;

  @Column({ type: 'varchar', length: 20 })
  channel: string;

  @Column({ type: 'varchar', length: 200 })
  subject: string;

  @Column({ type: 'text' })
  content: string;

  @Column({ type: 'boolean', default: false })
  complex: boolean;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ type: 'varchar', length: 15, default: 'new' })
  status: RequestStatus;

  @Column({ name: 'assignee_id', type: 'uuid', nullable: true })
  assigneeId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'assignee_id', foreignKeyConstraintName: 'fk_requests_assignee' })
  assignee?: UserEntity;

  @Column({ name: 'department_id', type: 'uuid', nullable: true })
  departmentId: string | null;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_requests_department' })
  department?: DepartmentEntity;

  /** First response due, in working time of the business calendar, fixed when received. */
  @Column({ name: 'first_response_due_at', type: 'timestamptz' })
  firstResponseDueAt: Date;

  @Column({ name: 'first_response_breached', type: 'boolean', default: false })
  firstResponseBreached: boolean;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt: Date | null;

  @Column({ name: 'first_response_channel', type: 'varchar', length: 20, nullable: true })
  firstResponseChannel: string | null;

  @Column({ name: 'first_response_text', type: 'text', nullable: true })
  firstResponseText: string | null;

  /** Working minutes from receipt to the first response. */
  @Column({ name: 'first_response_working_minutes', type: 'int', nullable: true })
  firstResponseWorkingMinutes: number | null;

  /** When the customer was told to expect the answer: a clock of its own. */
  @Column({ name: 'expected_answer_at', type: 'timestamptz', nullable: true })
  expectedAnswerAt: Date | null;

  @Column({ name: 'expected_answer_breached', type: 'boolean', default: false })
  expectedAnswerBreached: boolean;

  /** Complex problems: the next progress report is due (every 24 hours until answered). */
  @Column({ name: 'progress_due_at', type: 'timestamptz', nullable: true })
  progressDueAt: Date | null;

  /** The current period's report is late (flagged by the sweep); cleared by the next report. */
  @Column({ name: 'progress_breached', type: 'boolean', default: false })
  progressBreached: boolean;

  @Column({ name: 'progress_breaches', type: 'int', default: 0 })
  progressBreaches: number;

  @Column({ name: 'last_progress_at', type: 'timestamptz', nullable: true })
  lastProgressAt: Date | null;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ type: 'text', nullable: true })
  answer: string | null;

  @Column({ name: 'satisfaction_due_at', type: 'timestamptz', nullable: true })
  satisfactionDueAt: Date | null;

  @Column({ name: 'satisfaction_breached', type: 'boolean', default: false })
  satisfactionBreached: boolean;

  @Column({ type: 'smallint', nullable: true })
  satisfaction: number | null;

  @Column({ name: 'satisfaction_comment', type: 'text', nullable: true })
  satisfactionComment: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /**
   * The sort key of the queues, most urgent first: the due time of the next clock still running
   * (missed ones included), or URGENT_NEVER when none runs (closed).
   */
  @Column({ name: 'urgent_at', type: 'timestamptz' })
  urgentAt: Date;

  /** Everyone a breach was escalated to (the assignee's manager); they see the request. */
  @Column({ name: 'escalated_to_ids', type: 'uuid', array: true, default: () => `'{}'` })
  escalatedToIds: string[];

  /** The complaint this request was escalated into (the complaint names the request back). */
  @Column({ name: 'complaint_id', type: 'uuid', nullable: true })
  complaintId: string | null;

  @ManyToOne(() => ComplaintEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'complaint_id', foreignKeyConstraintName: 'fk_requests_complaint' })
  complaint?: ComplaintEntity;

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

/** The timeline: every step, dispatch and breach, with who and when. Reassignments stay here. */
@Entity('request_events')
@Index('ix_request_events_request', ['requestId', 'occurredAt'])
export class RequestEventEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_request_events' })
  id: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId: string;

  @ManyToOne(() => RequestEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'request_id', foreignKeyConstraintName: 'fk_request_events_request' })
  request?: RequestEntity;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'clock_timestamp()' })
  occurredAt: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 30 })
  event: string;

  @Column({ name: 'from_status', type: 'varchar', length: 15, nullable: true })
  fromStatus: string | null;

  @Column({ name: 'to_status', type: 'varchar', length: 15, nullable: true })
  toStatus: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  detail: Record<string, unknown>;
}

/**
 * Where a new request goes by kind, kept as data: the customer's owner, a department's queue, or
 * the service queue (no person, no department: every service user sees it).
 */
@Entity('request_dispatch_rules')
@Check('ck_request_dispatch_rules_kind', `kind IN ('enquiry', 'need', 'suggestion', 'problem')`)
@Check('ck_request_dispatch_rules_target', `target IN ('owner', 'department', 'service_queue') AND ((target = 'department') = (department_id IS NOT NULL))`)
export class RequestDispatchRuleEntity {
  @PrimaryColumn({ type: 'varchar', length: 12, primaryKeyConstraintName: 'PK_request_dispatch_rules' })
  kind: RequestKind;

  @Column({ type: 'varchar', length: 15 })
  target: DispatchTarget;

  @Column({ name: 'department_id', type: 'uuid', nullable: true })
  departmentId: string | null;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_request_dispatch_rules_department' })
  department?: DepartmentEntity;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
