import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { normalizeLandline } from '../customer.rules';
import { IsOptional } from '../../../common/http/optional';
import { INT32_MAX, IsDecimal } from '../../../common/http/numbers';
import { IsRfc3339DateTime, IsCalendarDate } from '../../../common/http/dates';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX, PageQueryDto } from '../../../common/pagination';
import {
  CONSENT_STATUSES,
  type ConsentStatus,
  CUSTOMER_KINDS,
  CUSTOMER_SOURCES,
  CUSTOMER_STAGES,
  CUSTOMER_STATUSES,
  type CustomerKind,
  type CustomerSource,
  type CustomerStage,
  type CustomerStatus,
} from '../customer.entity';
import { ContactDto, ContactInputDto } from './contact.dto';
import { IsCreditCode } from './validators';
import { DUE_ITEM_KINDS, type DueItemKind } from '../due-list.rules';
import { trim, upperTrim, toBoolean, toIdList } from '../../../common/http/transforms';
import { LIMITS, SHOWN, VISIBLE_TAGS_PER_GROUP } from '../../../common/limits';

export class CustomerTagDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ maxLength: 30, example: '高意向' })
  name: string;

  @ApiProperty({ format: 'uuid' })
  groupId: string;

  @ApiProperty({ maxLength: 30, example: '采购阶段' })
  groupName: string;

  @ApiProperty({ example: false, description: 'A personal tag of yours (others do not see it)' })
  personal: boolean;
}

export class NeedsDto {
  @ApiPropertyOptional({ example: '年内采购 200 台服务器', maxLength: 500, description: '采购意向' })
  @IsOptional()
  @IsString()
  @Length(0, 500)
  purchaseIntent?: string;

  @ApiPropertyOptional({ maxItems: 20, items: { type: 'string', maxLength: 100 }, type: [String], example: ['云服务器', '存储'], description: '产品偏好' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  productPreferences?: string[];

  @ApiPropertyOptional({ example: '100–200 万元', maxLength: 100, description: '预算范围' })
  @IsOptional()
  @IsString()
  @Length(0, 100)
  budgetRange?: string;
}

/** Fields a customer has whether created or edited. */
class CustomerFieldsDto {
  @ApiPropertyOptional({ example: '华为', maxLength: 100, description: '简称' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(0, 100)
  shortName?: string;

  @ApiPropertyOptional({ enum: CUSTOMER_KINDS, example: 'organization' })
  @IsOptional()
  @IsIn(CUSTOMER_KINDS)
  kind?: CustomerKind;

  @ApiPropertyOptional({ example: '1000+', maxLength: 50 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(0, 50)
  scale?: string;

  @ApiPropertyOptional({ example: '上海', maxLength: 50, description: '地区: suspected duplicates are looked for among customers of one region' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 50)
  region?: string;

  @ApiPropertyOptional({
    example: '021-6234 5678',
    maxLength: 30,
    description: '座机, the company\'s switchboard: stored as digits only (area code first, +86 folded to 0); another active customer with the same one is a suspected duplicate',
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? (normalizeLandline(value) ?? value) : value))
  @IsString()
  @Matches(/^\d{7,20}$/, { message: 'landline must be a phone number of 7 to 20 digits' })
  @MaxLength(30)
  landline?: string;

  @ApiPropertyOptional({ enum: CUSTOMER_SOURCES, example: 'exhibition' })
  @IsOptional()
  @IsIn(CUSTOMER_SOURCES)
  source?: CustomerSource;

  @ApiPropertyOptional({ enum: CUSTOMER_STAGES, example: 'prospect' })
  @IsOptional()
  @IsIn(CUSTOMER_STAGES)
  stage?: CustomerStage;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 5, example: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5)
  importance?: number;

  @ApiPropertyOptional({ type: NeedsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => NeedsDto)
  needs?: NeedsDto;

  @ApiPropertyOptional({ example: '展会上认识，对存储方案感兴趣', maxLength: 5000 })
  @IsOptional()
  @IsString()
  @Length(0, 5000)
  notes?: string;

  @ApiPropertyOptional({ example: '91350100M000100Y43', minLength: 18, maxLength: 18, description: '统一社会信用代码: 18 characters with a valid check character' })
  @IsOptional()
  @Transform(upperTrim)
  @IsCreditCode()
  creditCode?: string;

  @ApiPropertyOptional({ example: 12000000, minimum: 0, maximum: 9_999_999_999_999, description: 'Annual revenue with us, in yuan, at most 2 decimals (tier criterion)' })
  @IsOptional()
  @IsDecimal(2)
  @Min(0)
  @Max(9_999_999_999_999)
  annualRevenue?: number;

  @ApiPropertyOptional({ format: 'date', example: '2021-03-01', description: 'Start of the cooperation (tier criterion)' })
  @IsOptional()
  @IsCalendarDate()
  cooperationSince?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100, example: 85, description: 'Potential score (tier criterion)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  potentialScore?: number;
}

export class CreateCustomerDto extends CustomerFieldsDto {
  @ApiProperty({ example: '华为技术有限公司', minLength: 2, maxLength: 200, description: '规范全称' })
  @Transform(trim)
  @IsString()
  @Length(2, 200)
  name: string;

  @ApiProperty({ example: '制造业', maxLength: 100, description: 'A name of `GET /api/v1/industries` (a code of it is taken as its name); anything else gives 400 VALIDATION_FAILED naming `industry`' })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  industry: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Managers and admins may assign another owner (within their scope)' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @ApiProperty({ maxItems: 20, type: [ContactInputDto], description: 'At least one contact, at least one of them with a mobile number' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ContactInputDto)
  contacts: ContactInputDto[];
}

export class UpdateCustomerDto extends CustomerFieldsDto {
  @ApiPropertyOptional({
    example: '制造业',
    maxLength: 100,
    description: 'A name (or code) of `GET /api/v1/industries` when it changes; an industry the customer already has (even one no longer listed) is accepted unchanged',
  })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  industry?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Accepted only when it names the current owner. The owner changes through `POST /api/v1/transfers` (or a succession); another value gives 422 OWNER_CHANGE_NEEDS_TRANSFER',
  })
  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @ApiPropertyOptional({ example: '华为技术有限公司', minLength: 2, maxLength: 200 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(2, 200)
  name?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: INT32_MAX, example: 3, description: 'The version you read (or send If-Match); a stale one gives 412 VERSION_CONFLICT' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version?: number;

  @ApiPropertyOptional({ example: '客户战略调整', maxLength: 500, description: 'Required when changing a strategic or importance-5 customer' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export const CUSTOMER_SORTS = ['name', '-name', 'createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'lastInteractionAt', '-lastInteractionAt'] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

export class ListCustomersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: 100, example: '华为', description: 'Fuzzy match on full or short name' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  q?: string;

  @ApiPropertyOptional({ enum: CUSTOMER_STAGES })
  @IsOptional()
  @IsIn(CUSTOMER_STAGES)
  stage?: CustomerStage;

  @ApiPropertyOptional({ enum: CUSTOMER_SOURCES })
  @IsOptional()
  @IsIn(CUSTOMER_SOURCES)
  source?: CustomerSource;

  @ApiPropertyOptional({ maxLength: 100, example: '通信设备' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  industry?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Narrows the list to one owner (never widens your scope)' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({
    enum: CUSTOMER_STATUSES,
    default: 'active',
    description: '`dormant` and `archived` (the archive) are visible to managers (their department) and admins only',
  })
  @IsOptional()
  @IsIn(CUSTOMER_STATUSES)
  status?: CustomerStatus;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 5 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5)
  importance?: number;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsRfc3339DateTime()
  updatedSince?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'Only customers who granted marketing consent (always on for marketing)' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  marketable?: boolean;

  @ApiPropertyOptional({ maxItems: 20, type: [String], format: 'uuid', description: 'Customers carrying ALL of these tags (repeat the parameter or separate by commas)' })
  @IsOptional()
  @Transform(toIdList)
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  tagIds?: string[];

  @ApiPropertyOptional({ maxItems: 20, type: [String], format: 'uuid', description: 'Customers carrying ANY of these tags' })
  @IsOptional()
  @Transform(toIdList)
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  anyTagIds?: string[];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  tierId?: string;

  @ApiPropertyOptional({ type: Boolean, description: 'Only customers whose next follow-up is due now or overdue' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  followUpDue?: boolean;

  @ApiPropertyOptional({ enum: CUSTOMER_SORTS, default: 'name', description: 'A leading - sorts descending' })
  @IsOptional()
  @IsIn(CUSTOMER_SORTS)
  sort?: CustomerSort;
}

export class CustomerSummaryDto {
  @ApiProperty({ format: 'uuid', example: '3f0c6a3e-7b1d-4c55-9a0e-8d2f1b6c4e21' })
  id: string;

  @ApiProperty({ maxLength: 200, example: '华为技术有限公司' })
  name: string;

  @ApiProperty({ maxLength: 100, type: String, nullable: true, example: '华为' })
  shortName: string | null;

  @ApiProperty({ enum: CUSTOMER_KINDS, example: 'organization' })
  kind: CustomerKind;

  @ApiProperty({ maxLength: 100, type: String, nullable: true, example: '通信设备' })
  industry: string | null;

  @ApiProperty({ maxLength: 50, type: String, nullable: true, example: '1000+' })
  scale: string | null;

  @ApiProperty({ maxLength: 50, type: String, nullable: true, example: '上海' })
  region: string | null;

  @ApiProperty({ maxLength: 20, type: String, nullable: true, example: '02162345678', description: 'Digits only' })
  landline: string | null;

  @ApiProperty({ enum: CUSTOMER_SOURCES, example: 'exhibition' })
  source: CustomerSource;

  @ApiProperty({ enum: CUSTOMER_STAGES, example: 'prospect' })
  stage: CustomerStage;

  @ApiProperty({ example: 3 })
  importance: number;

  @ApiProperty({ enum: CUSTOMER_STATUSES, example: 'active' })
  status: CustomerStatus;

  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ format: 'uuid' })
  departmentId: string;

  @ApiProperty({ enum: CONSENT_STATUSES, example: 'unknown', description: 'Marketing consent' })
  marketingConsent: ConsentStatus;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  tierId: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 12000000, description: 'Commercial record: absent for the service role' })
  annualRevenue?: number | null;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, example: '2021-03-01', description: 'Commercial record: absent for the service role' })
  cooperationSince?: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 85, description: 'Commercial record: absent for the service role' })
  potentialScore?: number | null;

  @ApiProperty({ maxItems: LIMITS.tagGroups * VISIBLE_TAGS_PER_GROUP, type: [CustomerTagDto], description: 'Company tags, and your own personal tags' })
  tags: CustomerTagDto[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-20T09:30:00.000Z' })
  lastInteractionAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-27T09:00:00.000Z' })
  nextFollowUpAt: string | null;

  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T08:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T08:00:00.000Z' })
  updatedAt: string;
}

export class CustomerDto extends CustomerSummaryDto {
  @ApiPropertyOptional({ type: NeedsDto, description: 'Commercial record: absent for the service role' })
  needs?: NeedsDto;

  @ApiPropertyOptional({ maxLength: 5000, type: String, nullable: true, description: 'Commercial record: absent for the service role' })
  notes?: string | null;

  @ApiPropertyOptional({ maxLength: 18, type: String, nullable: true, example: '91350100M000100Y43', description: 'Commercial record: absent for the service role' })
  creditCode?: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  archivedAt: string | null;

  @ApiProperty({ example: false, description: 'Whether personal data in contacts is masked for you' })
  piiMasked: boolean;

  @ApiProperty({ maxItems: LIMITS.contactsPerCustomer, type: [ContactDto] })
  contacts: ContactDto[];
}

export class CustomerPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [CustomerSummaryDto] })
  items: CustomerSummaryDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null, description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}

export class DuplicateCheckDto {
  @ApiProperty({ example: '华为技术有限公司', minLength: 2, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(2, 200)
  name: string;

  @ApiPropertyOptional({ maxItems: 5, type: [String], items: { type: 'string', maxLength: 32 }, example: ['13800138000'], description: 'At most 5 per call' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5, { message: 'mobiles may name at most 5 numbers per call' })
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  mobiles?: string[];

  @ApiPropertyOptional({ maxItems: 5, type: [String], items: { type: 'string', maxLength: 254 }, example: ['zhang.wei@example.com'], description: 'At most 5 per call' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5, { message: 'emails may name at most 5 addresses per call' })
  @IsString({ each: true })
  @MaxLength(254, { each: true })
  emails?: string[];

  @ApiPropertyOptional({ example: '91350100M000100Y43', maxLength: 18 })
  @IsOptional()
  @Transform(upperTrim)
  @IsString()
  @MaxLength(18)
  creditCode?: string;
}

export const MATCHED_ON = ['name', 'mobile', 'email', 'creditCode'] as const;
export type MatchedOn = (typeof MATCHED_ON)[number];

export class DuplicateDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ maxLength: 200, example: '华为技术有限公司' })
  name: string;

  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ maxLength: 100, example: '李雷' })
  ownerName: string;

  @ApiProperty({ enum: MATCHED_ON, example: 'name' })
  matchedOn: MatchedOn;
}

export class SimilarCustomerDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ maxLength: 200, example: '华为技术股份有限公司' })
  name: string;

  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ maxLength: 100, example: '李雷' })
  ownerName: string;

  @ApiProperty({ example: 0.72, description: 'pg_trgm similarity, 0.5 to 1' })
  similarity: number;
}

export class DuplicateCheckResultDto {
  @ApiProperty({ maxItems: SHOWN.duplicates, type: [DuplicateDto], description: 'Exact matches: creating this customer would be refused with 409' })
  duplicates: DuplicateDto[];

  @ApiProperty({ maxItems: 10, type: [SimilarCustomerDto], description: 'Similar names: warnings only' })
  similar: SimilarCustomerDto[];
}

export class ReasonDto {
  @ApiProperty({ example: '客户重新下单', minLength: 1, maxLength: 500 })
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  reason: string;
}

export class DormancySweepResultDto {
  @ApiProperty({ example: 12, description: 'How many customers became dormant' })
  changed: number;
}

export const CONSENT_CHANGES = ['granted', 'withdrawn'] as const;

export class RecordConsentDto {
  @ApiProperty({ enum: CONSENT_CHANGES, example: 'granted' })
  @IsIn(CONSENT_CHANGES)
  status: 'granted' | 'withdrawn';

  @ApiProperty({ example: 'sms', maxLength: 30, description: 'Channel the consent covers or was given through' })
  @Transform(trim)
  @IsString()
  @Length(1, 30)
  channel: string;

  @ApiProperty({ example: '2026-11-20 电话确认，录音编号 A-1093', maxLength: 1000 })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  evidence: string;
}

export class ConsentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: CONSENT_CHANGES, example: 'granted' })
  status: 'granted' | 'withdrawn';

  @ApiProperty({ maxLength: 30, example: 'sms' })
  channel: string;

  @ApiProperty({ maxLength: 1000, example: '2026-11-20 电话确认，录音编号 A-1093' })
  evidence: string;

  @ApiProperty({ format: 'uuid' })
  recordedBy: string;

  @ApiProperty({ format: 'date-time' })
  recordedAt: string;
}

export class HistoryEntryDto {
  @ApiProperty({ maxLength: 20, pattern: '^[0-9]+$', example: '1024' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actorId: string | null;

  @ApiProperty({ maxLength: 100, type: String, nullable: true, example: '李雷' })
  actorName: string | null;

  @ApiProperty({ maxLength: 100, example: 'customer.update' })
  action: string;

  @ApiProperty({ example: 'customer', enum: ['customer', 'contact', 'interaction'] })
  entityType: string;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  entityId: string | null;

  @ApiProperty({ maxItems: 100, items: { type: 'string', maxLength: 100 }, type: [String], example: ['stage'] })
  changedFields: string[];

  @ApiProperty({ type: Object, nullable: true, example: { stage: 'prospect' } })
  before: Record<string, unknown> | null;

  @ApiProperty({ type: Object, nullable: true, example: { stage: 'customer' } })
  after: Record<string, unknown> | null;

  @ApiProperty({ maxLength: 2000, type: String, nullable: true, example: '签约' })
  reason: string | null;
}

export class HistoryPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [HistoryEntryDto] })
  items: HistoryEntryDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}

export const FOLLOW_UP_SCOPES = ['mine', 'department', 'all'] as const;

export const FOLLOW_UP_STATUSES = ['active', 'dormant'] as const;

export class DueFollowUpsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FOLLOW_UP_SCOPES, default: 'mine', description: 'Always within what your role may see' })
  @IsOptional()
  @IsIn(FOLLOW_UP_SCOPES)
  scope?: (typeof FOLLOW_UP_SCOPES)[number];

  @ApiPropertyOptional({ format: 'date-time', description: 'Due at or before this time (default: now)' })
  @IsOptional()
  @IsRfc3339DateTime()
  before?: string;
  @ApiPropertyOptional({
    enum: FOLLOW_UP_STATUSES,
    default: 'active',
    description: 'dormant: archived customers due for a re-activation attempt (the dormant tier\'s cadence from the last attempt); the archive is for managers and admins, others get an empty list',
  })
  @IsOptional()
  @IsIn(FOLLOW_UP_STATUSES)
  status?: (typeof FOLLOW_UP_STATUSES)[number];
}

export class TierRefDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ maxLength: 30, example: 'core' })
  code: string;

  @ApiProperty({ maxLength: 50, example: '核心客户' })
  name: string;
}

export class DueFollowUpDto {
  @ApiProperty({
    enum: DUE_ITEM_KINDS,
    description: 'follow_up: the customer is due for contact under its tier\'s cadence (dueAt = nextFollowUpAt). review: an open review task of the owner (roundId), due at dueAt; done by POST /customers/{id}/review or an edit by the owner',
  })
  kind: DueItemKind;

  @ApiProperty({ format: 'uuid', type: String, nullable: true, description: 'The review round (kind review); null for a follow-up' })
  roundId: string | null;

  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ maxLength: 200, example: '华为技术有限公司' })
  name: string;

  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ maxLength: 100, example: '李雷' })
  ownerName: string;

  @ApiProperty({ example: false, description: 'The owner was deactivated: the customer awaits a successor (离职继承)' })
  unowned: boolean;

  @ApiProperty({ format: 'uuid' })
  departmentId: string;

  @ApiProperty({ type: TierRefDto, nullable: true })
  tier: TierRefDto | null;

  @ApiProperty({ maxLength: 20, type: String, nullable: true, example: 'phone' })
  preferredChannel: string | null;

  @ApiProperty({ format: 'date-time', description: 'When the item fell due: the follow-up time, or the review task\'s due time. The list is ordered by it, then kind (follow_up first), customer and round' })
  dueAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The customer\'s next follow-up (for a follow-up, dueAt); null when none is planned' })
  nextFollowUpAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastInteractionAt: string | null;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX, example: 3, description: 'Whole days since dueAt' })
  daysOverdue: number;
}

export class DueFollowUpPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [DueFollowUpDto] })
  items: DueFollowUpDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}
