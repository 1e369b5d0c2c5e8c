import { ApiProperty, PickType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsString, Length, ValidateNested } from 'class-validator';
import { ListCustomersQueryDto } from '../../customers/dto/customer.dto';
import { trim } from '../../../common/http/transforms';

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
  'marketable',
  'tagIds',
  'anyTagIds',
  'tierId',
] as const) {}

export class RequestExportDto {
  @ApiProperty({ type: ExportFilterDto })
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

  @ApiProperty()
  reason: string;

  @ApiProperty({ format: 'uuid' })
  requesterId: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  approvedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Downloads are possible until then (24 hours after approval)' })
  expiresAt: string | null;

  @ApiProperty({ example: 0 })
  downloadCount: number;
}
