import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsObject, IsString, Length, ValidateNested } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { ListCustomersQueryDto } from '../../customers/dto/customer.dto';
import { ROLES } from '../../../common/auth/roles';
import { trim } from '../../../common/http/transforms';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX } from '../../../common/pagination';

/** The customer list's filters; the export holds what the requester may see, and no more. */
export class ExportFilterDto extends PickType(ListCustomersQueryDto, [
  'q',
  'stage',
  'source',
  'industry',
  'ownerId',
  'departmentId',
  'status',
  'importance',
  'updatedSince',
  'tagIds',
  'anyTagIds',
  'tierId',
] as const) {
  // In a JSON body a boolean is a boolean: the list's query form also takes the strings "true"/"false".
  @ApiPropertyOptional({ type: Boolean, description: 'Only customers who granted marketing consent (always on for marketing)' })
  @IsOptional()
  @IsBoolean()
  marketable?: boolean;
}

export class RequestExportDto {
  @ApiProperty({
    type: ExportFilterDto,
    description:
      "Who approves follows from it: the requester's department manager when a manager or sales rep exports their own department " +
      '(no departmentId, or their own); an admin for everything else (another department, company-wide, any request by service, marketing or an admin)',
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ExportFilterDto)
  filter: ExportFilterDto;

  @ApiProperty({ enum: ['csv'], example: 'csv' })
  @IsIn(['csv'])
  format: 'csv';

  @ApiProperty({ example: '提供给物流合作方做季度配送计划', maxLength: 1000, description: 'Why the data leaves the company' })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason: string;

  @ApiProperty({ example: '顺丰速运华东区（联系人 王芳）', minLength: 1, maxLength: 200, description: 'Who the data is for, outside the company' })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  recipient: string;
}

export class ExportDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  approvalId: string;

  @ApiProperty({ enum: ['pending', 'approved', 'rejected', 'cancelled', 'failed'] })
  status: string;

  @ApiProperty({ type: ExportFilterDto })
  filter: Record<string, unknown>;

  @ApiProperty({ enum: ['csv'] })
  format: string;

  @ApiProperty({ maxLength: 1000 })
  reason: string;

  @ApiProperty({ maxLength: 200, description: 'Who the data is for' })
  recipient: string;

  @ApiProperty({ format: 'uuid' })
  requesterId: string;

  @ApiProperty({ enum: ROLES, description: "The requester's role when they asked; approval and download need it unchanged" })
  requesterRole: string;

  @ApiProperty({ format: 'uuid', description: "The requester's department when they asked; approval and download need it unchanged" })
  requesterDepartmentId: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  approvedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Downloads are possible until then (24 hours after approval)' })
  expiresAt: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 42, description: 'How many customers the approval took (their ids: GET /exports/{id}/customer-ids); null until approved' })
  rowCount: number | null;

  @ApiProperty({ maxLength: 64, pattern: '^[0-9a-f]{64}$',
    type: String,
    nullable: true,
    example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    description: 'sha256 (hex) of the exported customer ids, sorted, joined by "\\n"; null until approved',
  })
  idsDigest: string | null;

  @ApiProperty({ example: 0 })
  downloadCount: number;
}

export class ExportCustomerIdsPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [String], format: 'uuid', description: 'Ids of the customers the export took at approval, in id order' })
  items: string[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}
