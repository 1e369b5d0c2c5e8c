import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional as IsOptionalOrNull, IsString, IsUUID, Length, Max, Min, ValidateNested } from 'class-validator';
import { IsRfc3339DateTime } from '../../../common/http/dates';
import { IsOptional } from '../../../common/http/optional';
import { toBoolean, trim } from '../../../common/http/transforms';
import { PageQueryDto } from '../../../common/pagination';
import { COMPLAINT_CATEGORIES, COMPLAINT_MOODS, COMPLAINT_SEVERITIES } from '../../complaints/complaint.entity';
import { TOPIC_MAX_LENGTH } from '../../complaints/report-upward.rules';
import type { ComplaintCategory, ComplaintMood, ComplaintSeverity } from '../../complaints';
import { CLOCKS, type ClockName, type ClockState } from '../request.rules';
import { DISPATCH_TARGETS, REQUEST_CHANNELS, REQUEST_KINDS, REQUEST_STATUSES, type DispatchTarget, type RequestKind, type RequestStatus } from '../request.entity';

const CLOCK_STATES = ['pending', 'met', 'missed'] as const;
const QUEUES = ['mine', 'department', 'all'] as const;

export class RecordRequestDto {
  @ApiProperty({ enum: REQUEST_KINDS, example: 'problem', description: 'enquiry 咨询, need 需求, suggestion 建议, problem 问题' })
  @IsIn(REQUEST_KINDS)
  kind: RequestKind;

  @ApiProperty({ enum: REQUEST_CHANNELS, example: 'wecom' })
  @IsIn(REQUEST_CHANNELS)
  channel: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The contact who asked: one of the customer\'s contacts' })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-27T17:50:00+08:00', description: 'When it was received: at most 5 minutes ahead of the server clock, at most 90 days back' })
  @IsRfc3339DateTime()
  receivedAt: string;

  @ApiProperty({ example: '设备报警无法复位', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  subject: string;

  @ApiProperty({ example: '客户称二号产线设备报警，重启后仍无法复位，影响生产。', maxLength: 10000 })
  @IsString()
  @Length(1, 10000)
  content: string;

  @ApiPropertyOptional({ example: false, description: 'A complex problem: a progress report is due every 24 hours until it is answered' })
  @IsOptional()
  @IsBoolean()
  complex?: boolean;

  @ApiPropertyOptional({ format: 'uuid', description: 'Dispatch to this person instead of the rule for the kind (not with departmentId)' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Dispatch to this department\'s queue instead of the rule for the kind (not with assigneeId)' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class CreateRequestDto extends RecordRequestDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  customerId: string;
}

export class ListRequestsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: QUEUES, description: 'mine: assigned to you; department: your department\'s queue (for service also the service queue); all (default): every request you may see' })
  @IsOptional()
  @IsIn(QUEUES)
  queue?: (typeof QUEUES)[number];

  @ApiPropertyOptional({ enum: REQUEST_STATUSES })
  @IsOptional()
  @IsIn(REQUEST_STATUSES)
  status?: RequestStatus;

  @ApiPropertyOptional({ enum: REQUEST_KINDS })
  @IsOptional()
  @IsIn(REQUEST_KINDS)
  kind?: RequestKind;

  @ApiPropertyOptional({ type: Boolean, description: 'Not closed, and its next clock has run out' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;
}

export class AcknowledgeRequestDto {
  @ApiProperty({ enum: REQUEST_CHANNELS, example: 'phone', description: 'How the customer got the first response' })
  @IsIn(REQUEST_CHANNELS)
  channel: string;

  @ApiProperty({ example: '已收到，工程师正在排查，今天 17:00 前给出处理方案', maxLength: 2000 })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  text: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the customer was told to expect the answer (when it is not given at once): a clock of its own' })
  @IsOptional()
  @IsRfc3339DateTime()
  expectedAnswerAt?: string;
}

export class ProgressRequestDto {
  @ApiProperty({ example: '已更换传感器，正在观察运行情况', maxLength: 2000 })
  @Transform(trim)
  @IsString()
  @Length(1, 2000)
  text: string;
}

export class AnswerRequestDto {
  @ApiProperty({ example: '更换传感器后设备恢复正常', maxLength: 5000 })
  @Transform(trim)
  @IsString()
  @Length(1, 5000)
  answer: string;
}

export class CloseRequestDto {
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 5, example: 5, description: 'Satisfaction from the call after the answer: required for problems' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  satisfaction?: number;

  @ApiPropertyOptional({ example: '客户对响应速度满意', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  comment?: string;
}

export class ReopenRequestDto {
  @ApiProperty({ example: '客户反馈问题复现', maxLength: 1000 })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason: string;
}

export class AssignRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A person (an active admin, manager, seller or service user); give this or departmentId' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A department queue; give this or assigneeId' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ example: '转交技术支持部处理', maxLength: 1000 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason?: string;
}

export class RequestClockDto {
  @ApiProperty({ enum: CLOCKS, description: 'first_response; expected_answer (the time told to the customer); progress (complex problems, every 24 h until answered); satisfaction (problems, 48 h after the answer)' })
  clock: ClockName;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30, description: 'When it is (or was) due; null for a settled progress clock' })
  dueAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30, description: 'When it was met or missed for good; null while it runs' })
  settledAt: string | null;

  @ApiProperty({ enum: CLOCK_STATES, description: 'pending: running; met: done in time; missed: done late or still not done past its due time' })
  state: ClockState;

  @ApiProperty({ description: 'The sweep flagged (and audited) its breach' })
  breachFlagged: boolean;
}

export class RequestDto {
  @ApiProperty({ format: 'uuid', maxLength: 36 })
  id: string;

  @ApiProperty({ format: 'uuid', maxLength: 36 })
  customerId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, maxLength: 36 })
  contactId: string | null;

  @ApiProperty({ enum: REQUEST_KINDS })
  kind: RequestKind;

  @ApiProperty({ enum: REQUEST_CHANNELS })
  channel: string;

  @ApiProperty({ maxLength: 200 })
  subject: string;

  @ApiProperty({ maxLength: 10000 })
  content: string;

  @ApiProperty()
  complex: boolean;

  @ApiProperty({ enum: REQUEST_STATUSES })
  status: RequestStatus;

  @ApiProperty({ format: 'date-time', maxLength: 30 })
  receivedAt: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, maxLength: 36, description: 'The person it is dispatched to' })
  assigneeId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, maxLength: 36, description: 'The department queue it is dispatched to; with neither, it is in the service queue' })
  departmentId: string | null;

  @ApiProperty({ format: 'date-time', maxLength: 30, description: 'First response due, in working time of the business calendar' })
  firstResponseDueAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30 })
  acknowledgedAt: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: 20 })
  firstResponseChannel: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: 2000 })
  firstResponseText: string | null;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 2_147_483_647, description: 'Working minutes from receipt to the first response' })
  firstResponseWorkingMinutes: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30, description: 'When the customer was told to expect the answer' })
  expectedAnswerAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30, description: 'Complex problems: the next progress report is due' })
  progressDueAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30 })
  lastProgressAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30 })
  answeredAt: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: 5000 })
  answer: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30, description: 'Problems: the satisfaction call is due (48 hours after the answer)' })
  satisfactionDueAt: string | null;

  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: 5 })
  satisfaction: number | null;

  @ApiProperty({ type: String, nullable: true, maxLength: 2000 })
  satisfactionComment: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30 })
  closedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30, description: 'The due time of the next running clock (the queues sort by it); null when none runs' })
  nextDueAt: string | null;

  @ApiProperty({ type: [RequestClockDto], maxItems: 4, description: 'Every clock that applies, its due time and whether it was met' })
  clocks: RequestClockDto[];

  @ApiProperty({ type: [String], format: 'uuid', maxItems: 100, description: 'Managers a problem\'s breach was escalated to' })
  escalatedToIds: string[];

  @ApiProperty({ type: String, format: 'uuid', nullable: true, maxLength: 36, description: 'The complaint this request was escalated into (it names the request back)' })
  complaintId: string | null;

  @ApiProperty({ description: 'Reported upward to management as a common issue (GET /requests/topics)' })
  reportUpward: boolean;

  @ApiProperty({ type: String, nullable: true, maxLength: TOPIC_MAX_LENGTH, description: 'The common issue it is reported under' })
  topic: string | null;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 2_147_483_647 })
  version: number;

  @ApiProperty({ format: 'date-time', maxLength: 30 })
  createdAt: string;

  @ApiProperty({ format: 'date-time', maxLength: 30 })
  updatedAt: string;
}

export class RequestTimelineEntryDto {
  @ApiProperty({ format: 'date-time', maxLength: 30 })
  occurredAt: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, maxLength: 36 })
  actorId: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: 100 })
  actorName: string | null;

  @ApiProperty({
    maxLength: 30,
    example: 'assigned',
    description: 'received, assigned (detail.from, detail.to, detail.reason), acknowledged, started, progress, answered, closed, reopened, breached (detail.clock, detail.escalatedTo)',
  })
  event: string;

  @ApiProperty({ type: String, nullable: true, maxLength: 15 })
  fromStatus: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: 15 })
  toStatus: string | null;

  @ApiProperty({ type: Object, example: { clock: 'first_response' } })
  detail: Record<string, unknown>;
}

export class RequestDetailDto extends RequestDto {
  @ApiProperty({ type: [RequestTimelineEntryDto], maxItems: 1000, description: 'Every step, dispatch and breach, oldest first (the first 1,000)' })
  timeline: RequestTimelineEntryDto[];
}

export class RequestPageDto {
  @ApiProperty({ type: [RequestDto], maxItems: 100 })
  items: RequestDto[];

  @ApiProperty({ type: String, nullable: true, maxLength: 1500, example: null })
  nextCursor: string | null;
}

export class DispatchRuleDto {
  @ApiProperty({ enum: REQUEST_KINDS })
  @IsIn(REQUEST_KINDS)
  kind: RequestKind;

  @ApiProperty({ enum: DISPATCH_TARGETS, description: 'owner: the customer\'s owner; department: departmentId\'s queue; service_queue: no person or department, every service user sees it' })
  @IsIn(DISPATCH_TARGETS)
  target: DispatchTarget;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, maxLength: 36, description: 'Required with target department, absent or null otherwise' })
  @IsOptionalOrNull()
  @IsUUID()
  departmentId?: string | null;
}

export class DispatchRulesDto {
  @ApiProperty({ type: [DispatchRuleDto], minItems: 4, maxItems: 4, description: 'One rule per kind' })
  @IsArray()
  @ArrayMinSize(4)
  @ArrayMaxSize(4)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => DispatchRuleDto)
  rules: DispatchRuleDto[];
}

export class RequestSweepResultDto {
  @ApiProperty({ type: [String], format: 'uuid', maxItems: 100_000, description: 'Requests whose first response is now flagged late' })
  firstResponse: string[];

  @ApiProperty({ type: [String], format: 'uuid', maxItems: 100_000, description: 'Requests not answered by the time told to the customer' })
  expectedAnswer: string[];

  @ApiProperty({ type: [String], format: 'uuid', maxItems: 100_000, description: 'Complex problems whose progress report is late' })
  progress: string[];

  @ApiProperty({ type: [String], format: 'uuid', maxItems: 100_000, description: 'Answered problems whose satisfaction call is late' })
  satisfaction: string[];
}

export class RequestMetricsQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Received at or after' })
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Received before' })
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Queued for the department or assigned to one of its members' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;
}

export class ClockShareDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647, description: 'Clocks settled: met, or missed (done late or past due)' })
  settled: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647 })
  met: number;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 1, example: 0.9, description: 'met / settled' })
  share: number | null;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647, description: 'Breaches flagged by the sweep' })
  breaches: number;
}

export class RequestClockSharesDto {
  @ApiProperty({ type: ClockShareDto })
  firstResponse: ClockShareDto;

  @ApiProperty({ type: ClockShareDto })
  expectedAnswer: ClockShareDto;

  @ApiProperty({ type: ClockShareDto })
  progress: ClockShareDto;

  @ApiProperty({ type: ClockShareDto })
  satisfaction: ClockShareDto;
}

export class RequestMetricsDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647 })
  total: number;

  @ApiProperty({ type: Object, example: { problem: 12, enquiry: 30 }, description: 'Count by kind' })
  byKind: Record<string, number>;

  @ApiProperty({ type: Object, example: { wecom: 20, phone: 22 }, description: 'Count by channel' })
  byChannel: Record<string, number>;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 2_147_483_647, description: 'Median first-response time, working minutes' })
  firstResponseP50: number | null;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 2_147_483_647, description: '90th percentile first-response time, working minutes' })
  firstResponseP90: number | null;

  @ApiProperty({ type: RequestClockSharesDto })
  clocks: RequestClockSharesDto;

  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: 5, example: 4.5 })
  meanSatisfaction: number | null;
}

/** What the complaint needs beyond the request: its category, severity and the customer's mood; title and description default to the request's. */
export class EscalateRequestDto {
  @ApiProperty({ enum: COMPLAINT_CATEGORIES, example: 'service_quality' })
  @IsIn(COMPLAINT_CATEGORIES)
  category: ComplaintCategory;

  @ApiProperty({ enum: COMPLAINT_SEVERITIES, example: 'general', description: 'As for any complaint: fixes its deadline, who leads it and whether management hears of it at once' })
  @IsIn(COMPLAINT_SEVERITIES)
  severity: ComplaintSeverity;

  @ApiProperty({ enum: COMPLAINT_MOODS, example: 'angry' })
  @IsIn(COMPLAINT_MOODS)
  customerMood: ComplaintMood;

  @ApiPropertyOptional({ example: '客户对三次报修未解决表示不满', maxLength: 200, description: 'Default: the request\'s subject' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  title?: string;

  @ApiPropertyOptional({ maxLength: 10000, description: 'Default: the request\'s content' })
  @IsOptional()
  @IsString()
  @Length(1, 10000)
  description?: string;

  @ApiPropertyOptional({ example: '要求上门检修并赔偿停产损失', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  customerDemand?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'As for any complaint: who handles it (serious and major ones go to the department manager unless another is named with an assignmentReason)' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  assignmentReason?: string;

  @ApiProperty({ example: '客户明确表示要投诉', maxLength: 1000, description: 'Why the request became a complaint (audited on both)' })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason: string;
}

export const TOPICS_SHOWN = 100;
export const TOPIC_SAMPLES = 5;

export class RequestTopicsQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Received at or after (default: 30 days before `to`)' })
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Received before (default: now)' })
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;
}

export class RequestTopicDto {
  @ApiProperty({ maxLength: TOPIC_MAX_LENGTH, example: '交货延迟' })
  topic: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647, description: 'Requests reported under the topic' })
  requests: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647, description: 'Complaints reported under the topic' })
  complaints: number;

  @ApiProperty({ format: 'date-time', maxLength: 30, description: 'The earliest receipt among them' })
  firstSeenAt: string;

  @ApiProperty({ format: 'date-time', maxLength: 30, description: 'The latest receipt among them' })
  lastSeenAt: string;

  @ApiProperty({ type: [String], format: 'uuid', maxItems: TOPIC_SAMPLES, description: `Up to ${TOPIC_SAMPLES} of the requests, latest first` })
  sampleRequestIds: string[];

  @ApiProperty({ type: [String], format: 'uuid', maxItems: TOPIC_SAMPLES, description: `Up to ${TOPIC_SAMPLES} of the complaints, latest first` })
  sampleComplaintIds: string[];
}

export class CountByKeyDto {
  @ApiProperty({ maxLength: 20, example: 'delivery' })
  key: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647 })
  count: number;
}

export class RequestTopicsDto {
  @ApiProperty({ format: 'date-time', maxLength: 30 })
  from: string;

  @ApiProperty({ format: 'date-time', maxLength: 30 })
  to: string;

  @ApiProperty({ type: [RequestTopicDto], maxItems: TOPICS_SHOWN, description: `Topics of the items reported upward, most items first (the first ${TOPICS_SHOWN})` })
  topics: RequestTopicDto[];

  @ApiProperty({ type: [CountByKeyDto], maxItems: COMPLAINT_CATEGORIES.length, description: 'Complaint categories in the period (all complaints, flagged or not), most frequent first' })
  complaintCategories: CountByKeyDto[];

  @ApiProperty({ type: [CountByKeyDto], maxItems: REQUEST_KINDS.length, description: 'Request kinds in the period (all requests, flagged or not), most frequent first' })
  requestKinds: CountByKeyDto[];
}
