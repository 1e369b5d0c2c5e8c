import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional as IsOptionalOrNull, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { INT32_MAX, IsDecimal } from '../../../common/http/numbers';
import { IsRfc3339DateTime } from '../../../common/http/dates';
import { INTERACTION_CHANNELS } from '../../interactions/interaction.entity';
import { trim } from '../../../common/http/transforms';

export class TierCriteriaDto {
  @ApiPropertyOptional({ type: Number, nullable: true, minimum: 0, maximum: 9_999_999_999_999, example: 10000000, description: 'Yuan per year, at most 2 decimals' })
  @IsOptionalOrNull() // null: no such criterion
  @IsDecimal(2)
  @Min(0)
  @Max(9_999_999_999_999)
  minAnnualRevenue?: number | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, type: 'integer', nullable: true, example: 3 })
  @IsOptionalOrNull() // null: no such criterion
  @IsInt()
  @Min(0)
  @Max(100)
  minCooperationYears?: number | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, type: 'integer', nullable: true, example: 80 })
  @IsOptionalOrNull() // null: no such criterion
  @IsInt()
  @Min(0)
  @Max(100)
  minPotentialScore?: number | null;

  @ApiPropertyOptional({ minimum: 0, maximum: 10000, type: 'integer', nullable: true, example: 2, description: 'Activity: at least this many interactions in the last 90 days' })
  @IsOptionalOrNull() // null: no such criterion
  @IsInt()
  @Min(0)
  @Max(10000)
  minInteractions90d?: number | null;
}

class TierFieldsDto {
  @ApiPropertyOptional({ example: '核心客户', maxLength: 50 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  name?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, example: 30, description: 'Higher is more important; unique' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  rank?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 366, example: 14, description: 'Days between contacts (沟通频率)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(366)
  contactCadenceDays?: number;

  @ApiPropertyOptional({ enum: INTERACTION_CHANNELS, example: 'phone' })
  @IsOptional()
  @IsIn(INTERACTION_CHANNELS)
  preferredChannel?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 43200, example: 120, description: 'Response target in minutes' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(60 * 24 * 30)
  responseTargetMinutes?: number;

  @ApiPropertyOptional({ example: '每两周电话沟通', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(0, 2000)
  serviceNotes?: string;

  @ApiPropertyOptional({ type: TierCriteriaDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TierCriteriaDto)
  criteria?: TierCriteriaDto;
}

export class CreateTierDto extends TierFieldsDto {
  @ApiProperty({ example: 'key', maxLength: 30, description: 'Stable code: lower-case letters, digits, _' })
  @Matches(/^[a-z][a-z0-9_]{1,29}$/, { message: 'code must be 2–30 lower-case letters, digits or _' })
  code: string;

  @ApiProperty({ example: '重点客户', maxLength: 50 })
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  declare name: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1000, example: 35 })
  @IsInt()
  @Min(1)
  @Max(1000)
  declare rank: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 366, example: 21 })
  @IsInt()
  @Min(1)
  @Max(366)
  declare contactCadenceDays: number;

  @ApiProperty({ enum: INTERACTION_CHANNELS, example: 'phone' })
  @IsIn(INTERACTION_CHANNELS)
  declare preferredChannel: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 43200, example: 240 })
  @IsInt()
  @Min(1)
  @Max(60 * 24 * 30)
  declare responseTargetMinutes: number;
}

export class UpdateTierDto extends TierFieldsDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: INT32_MAX, example: 1, description: 'The version you read; a stale one gives 412 VERSION_CONFLICT' })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version: number;
}

export class TierDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ maxLength: 30, example: 'core' })
  code: string;

  @ApiProperty({ maxLength: 50, example: '核心客户' })
  name: string;

  @ApiProperty({ example: 30 })
  rank: number;

  @ApiProperty({ example: 14 })
  contactCadenceDays: number;

  @ApiProperty({ maxLength: 20, example: 'phone' })
  preferredChannel: string;

  @ApiProperty({ example: 120 })
  responseTargetMinutes: number;

  @ApiProperty({ maxLength: 2000, type: String, nullable: true, example: '每两周电话沟通' })
  serviceNotes: string | null;

  @ApiProperty({ type: TierCriteriaDto })
  criteria: TierCriteriaDto;

  @ApiProperty({ example: 1 })
  version: number;
}

export class SetCustomerTierDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The tier to move the customer to; omitted, the customer keeps its tier and only `pinned` changes',
  })
  @IsOptional()
  @IsUUID()
  tierId?: string;

  @ApiPropertyOptional({
    example: true,
    description:
      'Whether rule evaluation keeps this tier. Default true when tierId is given (a tier set by hand is pinned); required without tierId: false releases the pin, true pins the current tier',
  })
  @IsOptional()
  @IsBoolean()
  pinned?: boolean;

  @ApiPropertyOptional({ format: 'date-time', description: 'The pin ends at this time (in the future, at most 5 years ahead); omitted, it holds until released' })
  @IsOptional()
  @IsRfc3339DateTime()
  pinnedUntil?: string;

  @ApiProperty({ example: '年度采购额超过一千万', minLength: 1, maxLength: 500 })
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  reason: string;
}

export class TierChangeDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ maxLength: 30, type: String, nullable: true, example: 'ordinary' })
  fromTier: string | null;

  @ApiProperty({ maxLength: 30, example: 'core' })
  toTier: string;

  @ApiProperty({ example: true, description: 'Whether this change left the tier pinned (kept by rule evaluation)' })
  pinned: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the pin ends by itself; null: until released' })
  pinnedUntil: string | null;

  @ApiProperty({ maxLength: 500, example: 'rule evaluation' })
  reason: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  changedBy: string | null;

  @ApiProperty({ format: 'date-time' })
  changedAt: string;
}

export class EvaluateTiersDto {
  @ApiProperty({ example: true, description: 'true: only propose; false: apply the proposals' })
  @IsBoolean()
  dryRun: boolean;
}

export class TierProposalDto {
  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ maxLength: 30, type: String, nullable: true, example: 'ordinary' })
  fromTier: string | null;

  @ApiProperty({ maxLength: 30, example: 'core' })
  toTier: string;

  @ApiProperty({ maxLength: 500, example: 'annualRevenue 2000000 ≥ 1000000; cooperationYears 2 ≥ 1; potentialScore 60 ≥ 50' })
  because: string;
}

export class PinnedTierDto {
  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ maxLength: 30, type: String, nullable: true, example: 'strategic', description: 'The tier set by hand, which evaluation keeps' })
  tier: string | null;

  @ApiProperty({ maxLength: 30, type: String, nullable: true, example: 'ordinary', description: 'The tier the rules would give (null: no tier\'s criteria are met)' })
  rulesTier: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the pin ends by itself; null: until released' })
  pinnedUntil: string | null;
}

export class TierEvaluationDto {
  @ApiProperty({ example: true })
  dryRun: boolean;

  @ApiProperty({ example: 120, description: 'Customers whose tier changes (or would)' })
  total: number;

  @ApiProperty({ example: 0, description: 'Changes applied (0 on a dry run)' })
  applied: number;

  @ApiProperty({ maxItems: 1000, type: [TierProposalDto], description: 'At most 1,000; see truncated' })
  proposals: TierProposalDto[];

  @ApiProperty({ example: false })
  truncated: boolean;

  @ApiProperty({ example: 3, description: 'Customers in scope whose tier is pinned: evaluation leaves them alone' })
  pinnedTotal: number;

  @ApiProperty({ maxItems: 1000, type: [PinnedTierDto], description: 'The pinned customers, apart, with the tier the rules would give; at most 1,000 (see pinnedTotal)' })
  pinned: PinnedTierDto[];
}
