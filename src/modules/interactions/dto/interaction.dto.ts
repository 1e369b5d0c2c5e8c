import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUUID, Length, MaxLength, Min, Max } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { INT32_MAX } from '../../../common/http/numbers';
import { IsRfc3339DateTime } from '../../../common/http/dates';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX, PageQueryDto } from '../../../common/pagination';
import { INTERACTION_CHANNELS, type InteractionChannel } from '../interaction.entity';
import { trim } from '../../../common/http/transforms';
import { IsSubstantive } from './validators';

/** The parts of a record its author may correct. */
class InteractionTextDto {
  @ApiPropertyOptional({ example: '客户反馈对报价基本认可', maxLength: 5000, description: 'Customer feedback' })
  @IsOptional()
  @IsString()
  @Length(0, 5000)
  feedback?: string;

  @ApiPropertyOptional({ example: '下周提供正式合同草案', maxLength: 5000, description: 'Agreements reached' })
  @IsOptional()
  @IsString()
  @Length(0, 5000)
  agreements?: string;

  @ApiPropertyOptional({ example: '发送合同草案', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @Length(0, 1000)
  nextAction?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-29T09:00:00+08:00', description: 'Becomes the customer\'s next follow-up' })
  @IsOptional()
  @IsRfc3339DateTime()
  nextActionDueAt?: string;
}

const OCCURRED_AT_RULE =
  'Not more than 5 minutes ahead of the server clock, nor more than a year before the customer was created (400 VALIDATION_FAILED naming occurredAt)';
const SUMMARY_RULE =
  'What happened: at least 5 characters after trimming (five Chinese characters are a sentence), with letters or digits, not one character repeated (400 VALIDATION_FAILED naming summary)';

export class RecordInteractionDto extends InteractionTextDto {
  @ApiProperty({ format: 'date-time', example: '2026-11-22T10:00:00+08:00', description: OCCURRED_AT_RULE })
  @IsRfc3339DateTime()
  occurredAt: string;

  @ApiProperty({ enum: INTERACTION_CHANNELS, example: 'phone' })
  @IsIn(INTERACTION_CHANNELS)
  channel: InteractionChannel;

  @ApiPropertyOptional({ format: 'uuid', description: 'The customer contact spoken to' })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiProperty({ example: '电话沟通二期采购计划，客户关注交付周期', minLength: 5, maxLength: 5000, description: SUMMARY_RULE })
  @Transform(trim)
  @IsString()
  @MaxLength(5000)
  @IsSubstantive()
  summary: string;
}

export class CorrectInteractionDto extends InteractionTextDto {
  @ApiPropertyOptional({ example: '电话沟通二期采购计划（更正：客户关注的是付款周期）', minLength: 5, maxLength: 5000, description: SUMMARY_RULE })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(5000)
  @IsSubstantive()
  summary?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-21T10:00:00+08:00',
    description: `When the contact really took place. ${OCCURRED_AT_RULE}. Moves the customer's last interaction (back, too)`,
  })
  @IsOptional()
  @IsRfc3339DateTime()
  occurredAt?: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: INT32_MAX, example: 1, description: 'The version you read; a stale one gives 412 VERSION_CONFLICT' })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version: number;
}

export class ListInteractionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'occurredAt at or after' })
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'occurredAt before' })
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Customers of this owner (narrows your scope, never widens it)' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;
}

/** What a correction may change: every version of a record has these (InteractionDto, InteractionVersionDto). */
export class InteractionContentDto {
  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ maxLength: 5000, example: '电话沟通二期采购计划，客户关注交付周期' })
  summary: string;

  @ApiProperty({ maxLength: 5000, type: String, nullable: true })
  feedback: string | null;

  @ApiProperty({ maxLength: 5000, type: String, nullable: true })
  agreements: string | null;

  @ApiProperty({ maxLength: 1000, type: String, nullable: true })
  nextAction: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  nextActionDueAt: string | null;
}

export class InteractionDto extends InteractionContentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ format: 'uuid' })
  authorId: string;

  @ApiProperty({ enum: INTERACTION_CHANNELS, example: 'phone' })
  channel: InteractionChannel;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  contactId: string | null;

  @ApiProperty({ example: 1, description: 'Above 1 when the author corrected the record; every earlier version is in GET /interactions/{id}/versions' })
  version: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Who made this version by a correction; null for the original' })
  correctedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When this version was made by a correction; null for the original' })
  correctedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class InteractionPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [InteractionDto] })
  items: InteractionDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}

/** One version of an interaction record: what a correction may change, and who made the version when. */
export class InteractionVersionDto extends InteractionContentDto {
  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ description: 'The version the record shows now (the last one)' })
  current: boolean;

  @ApiProperty({ type: String, format: 'uuid', description: "Who wrote this version: the record's author for version 1, the corrector after" })
  writtenBy: string;

  @ApiProperty({ format: 'date-time', description: 'When this version was written: the record\'s creation for version 1, its correction after' })
  writtenAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When a correction replaced this version; null for the current one' })
  supersededAt: string | null;
}
