import { INT32_MAX } from '../../../common/http/numbers';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Equals, IsIn, IsInt, IsObject, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { IsRfc3339DateTime } from '../../../common/http/dates';
import { IsOptional } from '../../../common/http/optional';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX, PageQueryDto } from '../../../common/pagination';
import { UpdateCustomerDto } from '../../customers';
import { REVIEW_CADENCES, REVIEW_SCOPES, type ReviewCadence, type ReviewScope } from '../review.entity';

/** Most owners one progress report lists. */
export const PROGRESS_OWNERS_MAX = 5000;
export const DUE_SCOPES = ['mine', 'department'] as const;

export class CreateReviewRoundDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Managers: their own department (the default; another is 404). Admins: any, or every department when left out' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-31T18:00:00+08:00', description: 'When owners must have confirmed their customers; in the future' })
  @IsRfc3339DateTime()
  dueAt: string;

  @ApiProperty({ enum: REVIEW_SCOPES, description: 'all: every active customer of the department(s); tier: those in tierId; tag: those carrying the company tag tagId' })
  @IsIn(REVIEW_SCOPES)
  scope: ReviewScope;

  @ApiPropertyOptional({ format: 'uuid', description: 'With scope tier only' })
  @IsOptional()
  @IsUUID()
  tierId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'With scope tag only: a company tag' })
  @IsOptional()
  @IsUUID()
  tagId?: string;
}

export class ReviewRoundDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true, description: 'null: every department' })
  departmentId: string | null;

  @ApiProperty({ enum: REVIEW_SCOPES })
  scope: ReviewScope;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  tierId: string | null;

  @ApiProperty({ format: 'uuid', type: String, nullable: true })
  tagId: string | null;

  @ApiProperty({ format: 'date-time' })
  dueAt: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX, description: 'Review tasks the round created (one per customer in scope, for its owner)' })
  tasks: number;
}

export class OwnerProgressDto {
  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ maxLength: 100 })
  ownerName: string;

  @ApiProperty({ format: 'uuid' })
  departmentId: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX, description: 'Confirmed (however late)' })
  done: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX, description: 'Not confirmed, due time passed' })
  overdue: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX, description: 'Not confirmed, not yet due' })
  open: number;
}

export class ReviewProgressDto extends ReviewRoundDto {
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX })
  done: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX })
  overdue: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX })
  open: number;

  @ApiProperty({
    type: [OwnerProgressDto],
    maxItems: PROGRESS_OWNERS_MAX,
    description: 'Per owner, within what you see: admins and auditors everyone, a manager their department, a seller themselves',
  })
  owners: OwnerProgressDto[];
}

export class ConfirmReviewDto {
  @ApiProperty({ enum: [true], description: 'The owner confirms the record is current (as it is, or once `changes` are applied)' })
  @Equals(true)
  confirmed: true;

  @ApiPropertyOptional({
    type: UpdateCustomerDto,
    description: 'Edits to apply first, exactly as PATCH /customers/{id} takes them (its version rule included: changes.version or If-Match); the edit counts as the review',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => UpdateCustomerDto)
  changes?: UpdateCustomerDto;
}

export class ReviewConfirmationDto {
  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ format: 'date-time' })
  reviewedAt: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: INT32_MAX, description: 'The customer\'s new version (a review is a change of the record)' })
  version: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX, description: 'Open review tasks of this customer it completed' })
  tasksDone: number;
}

export class DueReviewTasksQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DUE_SCOPES, default: 'mine', description: 'department: managers and admins (their department\'s owners\' tasks)' })
  @IsOptional()
  @IsIn(DUE_SCOPES)
  scope?: (typeof DUE_SCOPES)[number];
}

export class DueReviewTaskDto {
  @ApiProperty({ format: 'uuid' })
  roundId: string;

  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ maxLength: 200 })
  name: string;

  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ format: 'date-time' })
  dueAt: string;

  @ApiProperty({ description: 'Due time passed' })
  overdue: boolean;
}

export class DueReviewTaskPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [DueReviewTaskDto] })
  items: DueReviewTaskDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}

export class PutReviewScheduleDto {
  @ApiProperty({ enum: REVIEW_CADENCES })
  @IsIn(REVIEW_CADENCES)
  cadence: ReviewCadence;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 90, example: 7, description: 'Days each scheduled round gives owners' })
  @IsInt()
  @Min(1)
  @Max(90)
  dueDays: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'First round (default: now, i.e. at the next run of the job, within 5 minutes)' })
  @IsOptional()
  @IsRfc3339DateTime()
  firstRunAt?: string;
}

export class ReviewScheduleDto {
  @ApiProperty({ format: 'uuid' })
  departmentId: string;

  @ApiProperty({ enum: REVIEW_CADENCES })
  cadence: ReviewCadence;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1, maximum: 90 })
  dueDays: number;

  @ApiProperty({ format: 'date-time' })
  nextRunAt: string;
}
