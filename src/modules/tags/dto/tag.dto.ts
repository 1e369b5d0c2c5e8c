import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { INT32_MAX } from '../../../common/http/numbers';
import { VISIBLE_TAGS_PER_GROUP } from '../../../common/limits';

/** The stored name is 1–30 characters after NFKC, trimming and collapsing spaces (checked by the service); this only bounds the raw input. */
const TAG_NAME_INPUT_MAX_LENGTH = 200;

export class CreateTagGroupDto {
  @ApiProperty({ example: '采购阶段', maxLength: TAG_NAME_INPUT_MAX_LENGTH, description: '1–30 characters, unique (case-insensitive)' })
  @IsString()
  @MaxLength(TAG_NAME_INPUT_MAX_LENGTH)
  name: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100000, example: 10, default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  order?: number;

  @ApiPropertyOptional({ example: true, default: false, description: 'A customer carries at most one tag of the group; adding another replaces it' })
  @IsOptional()
  @IsBoolean()
  exclusive?: boolean;

  @ApiPropertyOptional({ example: false, default: false, description: 'Users may add personal tags to this group (not with exclusive)' })
  @IsOptional()
  @IsBoolean()
  allowPersonal?: boolean;
}

export class UpdateTagGroupDto {
  @ApiPropertyOptional({ example: '采购阶段', maxLength: TAG_NAME_INPUT_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(TAG_NAME_INPUT_MAX_LENGTH)
  name?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100000, example: 10 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  order?: number;

  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  exclusive?: boolean;

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  allowPersonal?: boolean;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: INT32_MAX, example: 1, description: 'The version you read; a stale one gives 412 VERSION_CONFLICT' })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version: number;
}

export class CreateTagDto {
  @ApiProperty({ example: '高意向', maxLength: TAG_NAME_INPUT_MAX_LENGTH, description: '1–30 characters, unique in the group (case-insensitive)' })
  @IsString()
  @MaxLength(TAG_NAME_INPUT_MAX_LENGTH)
  name: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100000, example: 1, default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  order?: number;

  @ApiPropertyOptional({ example: false, description: 'A personal tag, seen and used by you only (the group must allow them). Always true for non-admins.' })
  @IsOptional()
  @IsBoolean()
  personal?: boolean;
}

export class UpdateTagDto {
  @ApiPropertyOptional({ example: '高意向', maxLength: TAG_NAME_INPUT_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(TAG_NAME_INPUT_MAX_LENGTH)
  name?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 100000, example: 2 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100000)
  order?: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: INT32_MAX, example: 1 })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version: number;
}

export class TagDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  groupId: string;

  @ApiProperty({ maxLength: 30, example: '高意向' })
  name: string;

  @ApiProperty({ example: 1 })
  order: number;

  @ApiProperty({ example: false })
  personal: boolean;

  @ApiProperty({ example: 1 })
  version: number;
}

export class TagGroupDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ maxLength: 30, example: '采购阶段' })
  name: string;

  @ApiProperty({ example: 10 })
  order: number;

  @ApiProperty({ example: true })
  exclusive: boolean;

  @ApiProperty({ example: false })
  allowPersonal: boolean;

  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ maxItems: VISIBLE_TAGS_PER_GROUP, type: [TagDto], description: 'Company tags and your personal ones, in order' })
  tags: TagDto[];
}

export class ChangeCustomerTagsDto {
  @ApiPropertyOptional({ maxItems: 50, type: [String], format: 'uuid', example: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  add?: string[];

  @ApiPropertyOptional({ maxItems: 50, type: [String], format: 'uuid', example: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  remove?: string[];
}

export class BulkChangeCustomerTagsDto extends ChangeCustomerTagsDto {
  @ApiProperty({ maxItems: 1000, type: [String], format: 'uuid', description: '1 to 1,000 customers' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  customerIds: string[];
}

export const BULK_RESULTS = ['updated', 'unchanged', 'not_found'] as const;

export class BulkTagResultDto {
  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ enum: BULK_RESULTS, example: 'updated', description: 'not_found: no such customer, or not one you may tag' })
  result: (typeof BULK_RESULTS)[number];
}

export class BulkTagResponseDto {
  @ApiProperty({ maxItems: 1000, type: [BulkTagResultDto] })
  results: BulkTagResultDto[];

  @ApiProperty({ example: 998 })
  updated: number;
}

export class TagRefDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ maxLength: 30, example: '高意向' })
  name: string;

  @ApiProperty({ format: 'uuid' })
  groupId: string;

  @ApiProperty({ maxLength: 30, example: '采购阶段' })
  groupName: string;

  @ApiProperty({ example: false })
  personal: boolean;
}
