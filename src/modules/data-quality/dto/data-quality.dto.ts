import { INT32_MAX } from '../../../common/http/numbers';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsUUID } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX, PageQueryDto } from '../../../common/pagination';
import { QUALITY_RULES, type QualityRule } from '../data-quality.rules';

/** Most owners and departments one summary lists (a company's whole sales force fits). */
export const SUMMARY_OWNERS_MAX = 2000;
export const SUMMARY_DEPARTMENTS_MAX = 500;
/** Most suspected duplicates named per customer. */
export const DUPLICATES_SHOWN = 20;

const RULES_DESCRIPTION =
  'missing_name, missing_industry, missing_kind, missing_mobile_contact (no active contact with a mobile): completeness; ' +
  'invalid_mobile (an active contact\'s mobile does not parse or cannot be read), invalid_credit_code (fails its GB 32100 check character): accuracy; ' +
  'stage_tier_mismatch (stage strategic outside the strategic/core tiers, or stage potential inside them), strategic_without_revenue, primary_contact_left: consistency; ' +
  'contact_overdue (no update or interaction within the tier\'s contact cadence), review_overdue (not reviewed within 90 days for strategic/core, 180 days otherwise, counted from creation until a first review): timeliness; ' +
  'suspected_duplicate (another active customer in the same region whose normalised name is at least 0.8 trigram-similar, or with the same landline).';

export class ListDataQualityQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'One department (404 when it is not one you may see)' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'One owner (404 when it is not someone whose customers you may see)' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @ApiPropertyOptional({ enum: QUALITY_RULES, description: `Only customers failing this rule. ${RULES_DESCRIPTION}` })
  @IsOptional()
  @IsIn(QUALITY_RULES)
  rule?: QualityRule;
}

export class DataQualitySummaryQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'One department (404 when it is not one you may see)' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;
}

export class RecomputeDataQualityDto {
  @ApiProperty({ description: 'true: every active customer (after a tier\'s cadence changed); false: those changed since the last run, as the job does' })
  @IsBoolean()
  full: boolean;
}

export class FailingCustomerDto {
  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ maxLength: 200, example: '上海示例机械有限公司' })
  name: string;

  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ maxLength: 100, example: '王芳' })
  ownerName: string;

  @ApiProperty({ format: 'uuid' })
  departmentId: string;

  @ApiProperty({ enum: QUALITY_RULES, isArray: true, maxItems: QUALITY_RULES.length, description: RULES_DESCRIPTION })
  failing: QualityRule[];

  @ApiProperty({ type: [String], format: 'uuid', maxItems: DUPLICATES_SHOWN, description: 'The customers it is suspected to duplicate (ids only: they may be outside your scope)' })
  duplicateIds: string[];

  @ApiProperty({ format: 'date-time', description: 'When the result was computed: at most about 5 minutes behind the record' })
  checkedAt: string;
}

export class FailingCustomerPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [FailingCustomerDto] })
  items: FailingCustomerDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}

export class RuleCountDto {
  @ApiProperty({ enum: QUALITY_RULES })
  rule: QualityRule;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX, description: 'Customers failing the rule' })
  customers: number;
}

export class OwnerQualityDto {
  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ maxLength: 100 })
  ownerName: string;

  @ApiProperty({ format: 'uuid' })
  departmentId: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX, description: 'Active customers with a result' })
  customers: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX, description: 'Of those, failing at least one rule' })
  failing: number;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 100, example: 96.5, description: 'Share (%) failing no completeness rule; null without customers' })
  completeness: number | null;
}

export class DepartmentQualityDto {
  @ApiProperty({ format: 'uuid' })
  departmentId: string;

  @ApiProperty({ maxLength: 100 })
  departmentName: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX })
  customers: number;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX })
  failing: number;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 100, example: 96.5, description: 'Share (%) of active customers failing no completeness rule (missing_*), one decimal' })
  completeness: number | null;
}

export class DataQualitySummaryDto {
  @ApiProperty({ type: [RuleCountDto], maxItems: QUALITY_RULES.length, description: 'Every rule, with 0 where nobody fails it' })
  rules: RuleCountDto[];

  @ApiProperty({ type: [OwnerQualityDto], maxItems: SUMMARY_OWNERS_MAX, description: `Owners in scope with at least one active customer (at most ${SUMMARY_OWNERS_MAX})` })
  owners: OwnerQualityDto[];

  @ApiProperty({ type: [DepartmentQualityDto], maxItems: SUMMARY_DEPARTMENTS_MAX })
  departments: DepartmentQualityDto[];
}

export class RecomputeResultDto {
  @ApiProperty({ description: 'Whether every active customer was looked at' })
  full: boolean;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX, description: 'Customers whose result was computed or removed' })
  checked: number;
}
