import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsString, IsUUID, Length, Max, Min, ValidateNested } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { IsRfc3339DateTime } from '../../../common/http/dates';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX, PageQueryDto } from '../../../common/pagination';
import {
  COMPLAINT_CATEGORIES,
  COMPLAINT_CHANNELS,
  COMPLAINT_MOODS,
  COMPLAINT_SEVERITIES,
  COMPLAINT_STATUSES,
  type ComplaintCategory,
  type ComplaintMood,
  type ComplaintSeverity,
  type ComplaintStatus,
} from '../complaint.entity';
import { trim, toBoolean } from '../../../common/http/transforms';
import { SHOWN } from '../../../common/limits';
import { TOPIC_MAX_LENGTH } from '../report-upward.rules';

export class CreateComplaintDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  customerId: string;

  @ApiProperty({ enum: COMPLAINT_CHANNELS, example: 'phone' })
  @IsIn(COMPLAINT_CHANNELS)
  channel: string;

  @ApiProperty({ enum: COMPLAINT_CATEGORIES, example: 'delivery' })
  @IsIn(COMPLAINT_CATEGORIES)
  category: ComplaintCategory;

  @ApiProperty({ enum: COMPLAINT_SEVERITIES, example: 'general', description: 'general: 1 working day; serious: 2, under the manager; major: to the manager at once, 3' })
  @IsIn(COMPLAINT_SEVERITIES)
  severity: ComplaintSeverity;

  @ApiProperty({ example: '第二批货物延迟三天到达', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiProperty({ example: '客户称第二批货物比约定晚到三天，影响产线排期。', maxLength: 10000 })
  @IsString()
  @Length(1, 10000)
  description: string;

  @ApiPropertyOptional({ example: '要求补偿运费并保证下批准时', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  customerDemand?: string;

  @ApiProperty({ enum: COMPLAINT_MOODS, example: 'upset' })
  @IsIn(COMPLAINT_MOODS)
  customerMood: ComplaintMood;

  @ApiProperty({
    format: 'date-time',
    example: '2026-11-24T10:00:00+08:00',
    description: 'When the complaint was received: at most 5 minutes ahead of the server clock and at most 90 days back',
  })
  @IsRfc3339DateTime()
  receivedAt: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'Who handles it. Serious and major complaints are led by the department manager and go to them unless another assignee is named here with an assignmentReason',
  })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ example: '部门负责人出差，由售后主管牵头', maxLength: 1000, description: 'Required when a serious or major complaint is given to someone other than the department manager' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  assignmentReason?: string;
}

export class NotifyCustomerDto {
  @ApiProperty({ enum: COMPLAINT_CHANNELS, example: 'phone', description: 'How the customer was told' })
  @IsIn(COMPLAINT_CHANNELS)
  channel: string;

  @ApiProperty({ example: '已电话告知客户补发安排及预计到货时间', maxLength: 2000, description: 'What the customer was told: progress or result' })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  summary: string;
}

export class EscalationContactsDto {
  @ApiProperty({
    maxItems: 50,
    type: [String],
    format: 'uuid',
    description: 'Who a major complaint is reported to at once (active admins or managers). Empty: every active admin',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  userIds: string[];
}

export class ListComplaintsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: COMPLAINT_STATUSES })
  @IsOptional()
  @IsIn(COMPLAINT_STATUSES)
  status?: ComplaintStatus;

  @ApiPropertyOptional({ enum: COMPLAINT_SEVERITIES })
  @IsOptional()
  @IsIn(COMPLAINT_SEVERITIES)
  severity?: ComplaintSeverity;

  @ApiPropertyOptional({ enum: COMPLAINT_CATEGORIES })
  @IsOptional()
  @IsIn(COMPLAINT_CATEGORIES)
  category?: ComplaintCategory;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'Open and past their deadline' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ format: 'date-time', description: 'Received at or after' })
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Received before' })
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;
}

export class AssignComplaintDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  assigneeId: string;
}

export class ResolveComplaintDto {
  @ApiProperty({ example: '已补偿运费，并调整物流商', maxLength: 5000 })
  @Transform(trim)
  @IsString()
  @Length(1, 5000)
  resolution: string;
}

export class VerifyComplaintDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5, example: 4, description: 'Satisfaction from the follow-up call (回访)' })
  @IsInt()
  @Min(1)
  @Max(5)
  satisfaction: number;

  @ApiPropertyOptional({ example: '客户对处理速度满意', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  comment?: string;
}

export class ComplaintReasonDto {
  @ApiProperty({ example: '客户反馈问题复现', maxLength: 1000 })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason: string;
}

export class TimelineEntryDto {
  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actorId: string | null;

  @ApiProperty({ maxLength: 100, type: String, nullable: true, example: '王芳' })
  actorName: string | null;

  @ApiProperty({ maxLength: 30,
    example: 'assigned',
    description:
      'received, assigned, started, resolved, verified, closed, reopened, escalated (detail.recipients: everyone it went to), breached, follow_up_overdue, customer_notified (detail.channel, detail.summary)',
  })
  event: string;

  @ApiProperty({ maxLength: 20, type: String, nullable: true, example: 'received' })
  fromStatus: string | null;

  @ApiProperty({ maxLength: 20, type: String, nullable: true, example: 'assigned' })
  toStatus: string | null;

  @ApiProperty({ type: Object, example: { assigneeId: '0b6f3c1e-2d4a-4e8f-9a1b-3c5d7e9f1a2b' } })
  detail: Record<string, unknown>;
}

export class ComplaintDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ maxLength: 20, example: 'phone' })
  channel: string;

  @ApiProperty({ enum: COMPLAINT_CATEGORIES })
  category: ComplaintCategory;

  @ApiProperty({ enum: COMPLAINT_SEVERITIES })
  severity: ComplaintSeverity;

  @ApiProperty({ maxLength: 200 })
  title: string;

  @ApiProperty({ maxLength: 10000 })
  description: string;

  @ApiProperty({ maxLength: 2000, type: String, nullable: true })
  customerDemand: string | null;

  @ApiProperty({ enum: COMPLAINT_MOODS })
  customerMood: ComplaintMood;

  @ApiProperty({ enum: COMPLAINT_STATUSES })
  status: ComplaintStatus;

  @ApiProperty({ format: 'date-time' })
  receivedAt: string;

  @ApiProperty({ format: 'date-time', description: 'Resolution deadline, in working days from receipt' })
  dueAt: string;

  @ApiProperty({ example: false, description: 'Open past its deadline (set by the escalation sweep)' })
  breached: boolean;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  assigneeId: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  escalatedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The department manager it was escalated to' })
  escalatedToId: string | null;

  @ApiProperty({ maxItems: SHOWN.escalatedTo, type: [String], format: 'uuid', description: 'Everyone it was escalated to: the department manager and, for a major complaint, management' })
  escalatedToIds: string[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The last time the customer was told of progress or result' })
  customerNotifiedAt: string | null;

  @ApiProperty({ example: false, description: 'Resolved without the customer being told since its last status change' })
  customerNotInformed: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolvedAt: string | null;

  @ApiProperty({ maxLength: 5000, type: String, nullable: true })
  resolution: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the satisfaction follow-up is due' })
  followUpDueAt: string | null;

  @ApiProperty({ example: false })
  followUpOverdue: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  verifiedAt: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 4 })
  satisfaction: number | null;

  @ApiProperty({ maxLength: 2000, type: String, nullable: true })
  satisfactionComment: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, maxLength: 36, description: 'The customer request this complaint was escalated from' })
  requestId: string | null;

  @ApiProperty({ example: false, description: 'Reported upward to management as a common issue (GET /requests/topics)' })
  reportUpward: boolean;

  @ApiProperty({ type: String, nullable: true, maxLength: TOPIC_MAX_LENGTH, example: null, description: 'The common issue it is reported under' })
  topic: string | null;

  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class ComplaintDetailDto extends ComplaintDto {
  @ApiProperty({ maxItems: SHOWN.complaintEvents, description: `The newest ${SHOWN.complaintEvents} events, in time order`, type: [TimelineEntryDto] })
  timeline: TimelineEntryDto[];
}

export class ComplaintPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [ComplaintDto] })
  items: ComplaintDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}

export class SlaPolicyEntryDto {
  @ApiProperty({ enum: COMPLAINT_SEVERITIES, example: 'serious' })
  @IsIn(COMPLAINT_SEVERITIES)
  severity: ComplaintSeverity;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 60, example: 2, description: 'Working days to resolve' })
  @IsInt()
  @Min(0)
  @Max(60)
  resolveWorkingDays: number;

  @ApiProperty({ example: false, description: 'Report to management (the escalation list, or every admin) and the department manager as soon as it is received' })
  @IsBoolean()
  escalateImmediately: boolean;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 720, example: 48, description: 'Hours after resolution for the satisfaction follow-up (回访)' })
  @IsInt()
  @Min(1)
  @Max(24 * 30)
  followUpHours: number;

  @ApiProperty({ example: '与客户协商解决方案，部门负责人牵头', maxLength: 500 })
  @IsString()
  @Length(0, 500)
  description: string;
}

export class SlaPolicyDto {
  @ApiProperty({ maxItems: 3, type: [SlaPolicyEntryDto], description: 'One entry per severity' })
  @IsArray()
  @ArrayMinSize(3)
  @ArrayMaxSize(3)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => SlaPolicyEntryDto)
  severities: SlaPolicyEntryDto[];
}

export class SweepResultDto {
  @ApiProperty({ maxItems: SHOWN.sweepBatch, type: [String], format: 'uuid', description: 'Complaints newly marked breached and escalated' })
  breached: string[];

  @ApiProperty({ maxItems: SHOWN.sweepBatch, type: [String], format: 'uuid', description: 'Resolved complaints whose follow-up is now overdue' })
  followUpOverdue: string[];
}

export class MetricsQueryDto {
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class ComplaintMetricsDto {
  @ApiProperty({ example: 42 })
  total: number;

  @ApiProperty({ type: Object, example: { delivery: 20, price: 5 } })
  byCategory: Record<string, number>;

  @ApiProperty({ type: Object, example: { general: 30, serious: 10, major: 2 } })
  bySeverity: Record<string, number>;

  @ApiProperty({ type: Number, nullable: true, example: 0.9, description: '处理及时率: resolved by the deadline / resolved' })
  onTimeRate: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 5.5, description: 'Mean time to resolve, in working hours' })
  meanResolveWorkingHours: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 0.95, description: 'Follow-ups done within their window / follow-ups done' })
  followUpOnTimeRate: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 4.2 })
  meanSatisfaction: number | null;

  @ApiProperty({ example: 1, description: 'Resolved complaints whose customer was not told since the last status change before resolution' })
  customerNotInformed: number;
}

/** Flag (or unflag) a request or a complaint as a common issue for management. */
export class ReportUpwardDto {
  @ApiProperty({ example: true, description: 'true: report upward under `topic`; false: withdraw the report (no topic)' })
  @IsBoolean()
  reportUpward: boolean;

  @ApiPropertyOptional({ example: '交货延迟', maxLength: TOPIC_MAX_LENGTH, description: 'Required with reportUpward true, absent otherwise; items with the same topic are grouped' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, TOPIC_MAX_LENGTH)
  topic?: string;
}
