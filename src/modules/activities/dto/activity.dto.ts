import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { IsRfc3339DateTime } from '../../../common/http/dates';
import { INT32_MAX } from '../../../common/http/numbers';
import { trim } from '../../../common/http/transforms';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX, PageQueryDto } from '../../../common/pagination';
import { ACTIVITY_KINDS, type ActivityKind } from '../activity.entity';

export const ACTIVITY_CUSTOMERS_MAX = 500;

export class CreateActivityDto {
  @ApiProperty({ enum: ACTIVITY_KINDS, example: 'visit_plan' })
  @IsIn(ACTIVITY_KINDS)
  kind: ActivityKind;

  @ApiProperty({ maxLength: 200, example: '华东区重点客户拜访' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-10T09:00:00+08:00' })
  @IsRfc3339DateTime()
  startsAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-10T12:00:00+08:00', description: 'Not before startsAt' })
  @IsRfc3339DateTime()
  endsAt: string;

  @ApiPropertyOptional({ maxLength: 200, example: '上海市浦东新区客户总部' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  place?: string;

  @ApiProperty({ type: [String], format: 'uuid', minItems: 0, maxItems: ACTIVITY_CUSTOMERS_MAX, description: 'Customers it is for; each must be one you can see (404 naming customerIds otherwise)' })
  @IsArray()
  @ArrayMinSize(0)
  @ArrayMaxSize(ACTIVITY_CUSTOMERS_MAX)
  @IsUUID('all', { each: true })
  customerIds: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Defaults to you; a manager may name a member of their department, an admin anyone active' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @ApiProperty({ maxLength: 5000, example: '介绍新产品线，了解二期需求' })
  @IsString()
  @Length(1, 5000)
  plan: string;
}

export class ActivityOutcomeDto {
  @ApiProperty({ format: 'date-time', example: '2026-12-10T11:30:00+08:00' })
  @IsRfc3339DateTime()
  happenedAt: string;

  @ApiProperty({ maxLength: 5000, example: '客户对新产品线兴趣较高' })
  @IsString()
  @Length(1, 5000)
  summary: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5, example: 4 })
  @IsInt()
  @Min(1)
  @Max(5)
  evaluation: number;

  @ApiProperty({ maxLength: 5000, example: '希望月底前收到报价' })
  @IsString()
  @MaxLength(5000)
  feedbackSummary: string;
}

export class ListActivitiesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ACTIVITY_KINDS })
  @IsOptional()
  @IsIn(ACTIVITY_KINDS)
  kind?: ActivityKind;

  @ApiPropertyOptional({ format: 'date-time', description: 'startsAt at or after' })
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'startsAt before' })
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;
}

export class ActivityWarningDto {
  @ApiProperty({ enum: ['VISIT_BOOKED_LATE'] })
  code: 'VISIT_BOOKED_LATE';

  @ApiProperty({ maxLength: 300 })
  message: string;
}

export class ActivityDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ACTIVITY_KINDS })
  kind: ActivityKind;

  @ApiProperty({ maxLength: 200 })
  title: string;

  @ApiProperty({ format: 'date-time' })
  startsAt: string;

  @ApiProperty({ format: 'date-time' })
  endsAt: string;

  @ApiProperty({ maxLength: 200, type: String, nullable: true })
  place: string | null;

  @ApiProperty({ type: [String], format: 'uuid', maxItems: ACTIVITY_CUSTOMERS_MAX, description: 'Its customers that you can see (others are left out)' })
  customerIds: string[];

  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ format: 'uuid' })
  departmentId: string;

  @ApiProperty({ maxLength: 5000 })
  plan: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  happenedAt: string | null;

  @ApiProperty({ maxLength: 5000, type: String, nullable: true })
  summary: string | null;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 5, nullable: true })
  evaluation: number | null;

  @ApiProperty({ maxLength: 5000, type: String, nullable: true })
  feedbackSummary: string | null;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: INT32_MAX })
  version: number;

  @ApiProperty({ format: 'uuid' })
  createdBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class CreatedActivityDto extends ActivityDto {
  @ApiProperty({ type: [ActivityWarningDto], maxItems: 5, description: 'Accepted, but worth knowing: VISIT_BOOKED_LATE when a visit plan starts less than 3 days ahead' })
  warnings: ActivityWarningDto[];
}

export class ActivityPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [ActivityDto] })
  items: ActivityDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}
