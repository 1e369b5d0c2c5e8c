import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { IsCalendarDate, IsRfc3339DateTime } from '../../../common/http/dates';
import { INT32_MAX, IsDecimal } from '../../../common/http/numbers';
import { trim } from '../../../common/http/transforms';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX, PageQueryDto } from '../../../common/pagination';
import { OPPORTUNITY_SOURCES, type OpportunitySource, STAGE_OUTCOMES, type StageOutcome } from '../opportunity.entity';

export const AMOUNT_MAX = 99_999_999_999_999;
export const COMPETITORS_MAX = 20;
export const CONTACTS_MAX = 20;
export const STAGES_MAX = 20;
const STAGE_CODE = /^[a-z][a-z0-9_]{0,29}$/;

export class CompetitorDto {
  @ApiProperty({ maxLength: 200, example: '某竞品公司' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ maxLength: 2000, type: String, nullable: true, required: false, example: '报价低 10%，交付周期长' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string | null;
}

/** What both a creation and a change may carry besides the main fields. */
class OpportunityExtrasDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100, description: 'Percent; defaults to the stage\'s (a won stage is 100, a lost one 0)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  probability?: number;

  @ApiPropertyOptional({ type: [CompetitorDto], maxItems: COMPETITORS_MAX })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(COMPETITORS_MAX)
  @ValidateNested({ each: true })
  @Type(() => CompetitorDto)
  competitors?: CompetitorDto[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', maxItems: CONTACTS_MAX, description: 'Contacts of the customer involved' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CONTACTS_MAX)
  @IsUUID('all', { each: true })
  contactIds?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Defaults to the customer\'s owner; another member of the customer\'s department only by its manager or an admin' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: AMOUNT_MAX, description: 'Final amount in yuan: required when the stage becomes a won one' })
  @IsOptional()
  @IsDecimal(2)
  @Min(0)
  @Max(AMOUNT_MAX)
  finalAmount?: number;

  @ApiPropertyOptional({ maxLength: 2000, description: 'Required when the stage becomes a lost one (the reason it was lost) and when a won or lost one is reopened' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class CreateOpportunityDto extends OpportunityExtrasDto {
  @ApiProperty({ maxLength: 200, example: '二期产线改造项目' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiProperty({ enum: OPPORTUNITY_SOURCES, example: 'referral' })
  @IsIn(OPPORTUNITY_SOURCES)
  source: OpportunitySource;

  @ApiProperty({ minimum: 0, maximum: AMOUNT_MAX, example: 1200000, description: 'Expected amount in yuan (CNY), at most 2 decimals' })
  @IsDecimal(2)
  @Min(0)
  @Max(AMOUNT_MAX)
  amount: number;

  @ApiProperty({ format: 'date', example: '2027-03-31' })
  @IsCalendarDate()
  expectedCloseDate: string;

  @ApiProperty({ maxLength: 30, example: 'lead', description: 'A stage code of GET /opportunity-stages' })
  @IsString()
  @MaxLength(30)
  stage: string;

  @ApiProperty({ maxLength: 5000, example: '突出本地化服务与交付周期优势' })
  @IsString()
  @MaxLength(5000)
  strategy: string;
}

export class UpdateOpportunityDto extends OpportunityExtrasDto {
  @ApiPropertyOptional({ maxLength: 200, example: '二期产线改造项目' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  title?: string;

  @ApiPropertyOptional({ enum: OPPORTUNITY_SOURCES, example: 'referral' })
  @IsOptional()
  @IsIn(OPPORTUNITY_SOURCES)
  source?: OpportunitySource;

  @ApiPropertyOptional({ minimum: 0, maximum: AMOUNT_MAX, example: 1200000, description: 'Expected amount in yuan (CNY), at most 2 decimals' })
  @IsOptional()
  @IsDecimal(2)
  @Min(0)
  @Max(AMOUNT_MAX)
  amount?: number;

  @ApiPropertyOptional({ format: 'date', example: '2027-03-31' })
  @IsOptional()
  @IsCalendarDate()
  expectedCloseDate?: string;

  @ApiPropertyOptional({ maxLength: 30, example: 'lead', description: 'A stage code of GET /opportunity-stages' })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  stage?: string;

  @ApiPropertyOptional({ maxLength: 5000, example: '突出本地化服务与交付周期优势' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  strategy?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: INT32_MAX, description: 'The version you read (or send If-Match); a stale one gives 412 VERSION_CONFLICT' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version?: number;
}

export class ListOpportunitiesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 30 })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  stage?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customerId?: string;

  @ApiPropertyOptional({ format: 'date', description: 'expectedCloseDate before this day' })
  @IsOptional()
  @IsCalendarDate()
  closingBefore?: string;

  @ApiPropertyOptional({ maxLength: 100, description: 'Part of the title' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class PipelineQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Period start (inclusive): won/lost counted by closing time, conversion over opportunities created in the period' })
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Period end (exclusive)' })
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;
}

export class CompetitorOutDto {
  @ApiProperty({ maxLength: 200 })
  name: string;

  @ApiProperty({ maxLength: 2000, type: String, nullable: true })
  notes: string | null;
}

export class OpportunityDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ format: 'uuid' })
  departmentId: string;

  @ApiProperty({ maxLength: 200 })
  title: string;

  @ApiProperty({ enum: OPPORTUNITY_SOURCES })
  source: OpportunitySource;

  @ApiProperty({ minimum: 0, maximum: AMOUNT_MAX })
  amount: number;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: AMOUNT_MAX })
  finalAmount: number | null;

  @ApiProperty({ format: 'date', maxLength: 10 })
  expectedCloseDate: string;

  @ApiProperty({ maxLength: 30 })
  stage: string;

  @ApiProperty({ enum: STAGE_OUTCOMES })
  outcome: StageOutcome;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 })
  probability: number;

  @ApiProperty({ type: [CompetitorOutDto], maxItems: COMPETITORS_MAX })
  competitors: CompetitorOutDto[];

  @ApiProperty({ maxLength: 5000 })
  strategy: string;

  @ApiProperty({ type: [String], format: 'uuid', maxItems: CONTACTS_MAX })
  contactIds: string[];

  @ApiProperty({ maxLength: 2000, type: String, nullable: true })
  lostReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;

  @ApiProperty({ format: 'date-time', description: 'When it entered its current stage' })
  stageChangedAt: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: INT32_MAX })
  version: number;

  @ApiProperty({ format: 'uuid' })
  createdBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class OpportunityPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [OpportunityDto] })
  items: OpportunityDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}

export class StageDto {
  @ApiProperty({ maxLength: 30, pattern: STAGE_CODE.source, example: 'lead' })
  @IsString()
  @Matches(STAGE_CODE)
  @MaxLength(30)
  code: string;

  @ApiProperty({ maxLength: 50, example: '线索' })
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  name: string;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, example: 10 })
  @IsInt()
  @Min(0)
  @Max(100)
  defaultProbability: number;

  @ApiProperty({ enum: STAGE_OUTCOMES, example: 'open' })
  @IsIn(STAGE_OUTCOMES)
  outcome: StageOutcome;
}

export class ReplaceStagesDto {
  @ApiProperty({ type: [StageDto], minItems: 3, maxItems: STAGES_MAX, description: 'Every stage, in order; a stage an opportunity is in cannot be left out (409 IN_USE)' })
  @IsArray()
  @ArrayMinSize(3)
  @ArrayMaxSize(STAGES_MAX)
  @ValidateNested({ each: true })
  @Type(() => StageDto)
  stages: StageDto[];
}

export class StageOutDto {
  @ApiProperty({ maxLength: 30 })
  code: string;

  @ApiProperty({ maxLength: 50 })
  name: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: STAGES_MAX })
  position: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 })
  defaultProbability: number;

  @ApiProperty({ enum: STAGE_OUTCOMES })
  outcome: StageOutcome;
}

export class PipelineStageDto {
  @ApiProperty({ maxLength: 30 })
  stage: string;

  @ApiProperty({ maxLength: 50 })
  name: string;

  @ApiProperty({ enum: STAGE_OUTCOMES })
  outcome: StageOutcome;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: INT32_MAX, description: 'Opportunities in this stage now' })
  count: number;

  @ApiProperty({ minimum: 0, description: 'Sum of their amounts (final amounts in a won stage), yuan' })
  total: number;

  @ApiProperty({ minimum: 0, description: 'Sum of amount × probability / 100, yuan' })
  weighted: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: INT32_MAX, description: 'Opportunities (created in the period) that reached this stage or a later one' })
  reached: number;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 1, description: 'Of those that reached the previous open stage, the share that reached this one; null for the first stage, lost stages, or none before' })
  conversionFromPrevious: number | null;
}

export class PipelineDto {
  @ApiProperty({ type: [PipelineStageDto], maxItems: STAGES_MAX })
  stages: PipelineStageDto[];

  @ApiProperty({ type: 'integer', minimum: 0, maximum: INT32_MAX, description: 'Closed as won in the period' })
  wonCount: number;

  @ApiProperty({ minimum: 0 })
  wonAmount: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: INT32_MAX, description: 'Closed as lost in the period' })
  lostCount: number;

  @ApiProperty({ minimum: 0 })
  lostAmount: number;
}

export class StageChangeDto {
  @ApiProperty({ maxLength: 30, type: String, nullable: true })
  fromStage: string | null;

  @ApiProperty({ maxLength: 30 })
  toStage: string;

  @ApiProperty({ format: 'date-time' })
  changedAt: string;

  @ApiProperty({ format: 'uuid' })
  changedBy: string;

  @ApiProperty({ maxLength: 2000, type: String, nullable: true })
  reason: string | null;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: INT32_MAX, nullable: true, description: 'Seconds spent in fromStage before this change' })
  secondsInPreviousStage: number | null;
}

export class OpportunityDetailDto extends OpportunityDto {
  @ApiProperty({ type: [StageChangeDto], maxItems: 500, description: 'Stage changes, oldest first (the newest 500)' })
  stageChanges: StageChangeDto[];
}

export class OpportunityHistoryEntryDto {
  @ApiProperty({ maxLength: 20, pattern: '^[0-9]+$', example: '1024' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actorId: string | null;

  @ApiProperty({ maxLength: 100, type: String, nullable: true, example: '李雷' })
  actorName: string | null;

  @ApiProperty({ maxLength: 100, example: 'opportunity.update' })
  action: string;

  @ApiProperty({ example: 'opportunity', enum: ['opportunity'] })
  entityType: string;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  entityId: string | null;

  @ApiProperty({ maxItems: 100, items: { type: 'string', maxLength: 100 }, type: [String], example: ['stage'] })
  changedFields: string[];

  @ApiProperty({ type: Object, nullable: true, example: { stage: 'proposal' } })
  before: Record<string, unknown> | null;

  @ApiProperty({ type: Object, nullable: true, example: { stage: 'negotiation' } })
  after: Record<string, unknown> | null;

  @ApiProperty({ maxLength: 2000, type: String, nullable: true })
  reason: string | null;
}

export class OpportunityHistoryPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [OpportunityHistoryEntryDto] })
  items: OpportunityHistoryEntryDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}
