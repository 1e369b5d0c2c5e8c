import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, IsString, IsUUID, Length } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { CustomerSummaryDto } from './customer.dto';
import { trim } from '../../../common/http/transforms';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX } from '../../../common/pagination';

export class DeletionRequestDto {
  @ApiProperty({ example: '重复建档，已与另一档案核对', maxLength: 1000, description: 'The written reason (004 §2.4)' })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason: string;
}

export class MergePreviewRequestDto {
  @ApiProperty({ format: 'uuid', description: 'The customer that remains' })
  @IsUUID()
  survivorId: string;

  @ApiProperty({ maxItems: 20, type: [String], format: 'uuid', description: '1 to 20 customers merged into the survivor' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  mergedIds: string[];

  @ApiPropertyOptional({ type: Object, example: { industry: '3f0c6a3e-7b1d-4c55-9a0e-8d2f1b6c4e21' }, description: 'Field name → the customer whose value to keep' })
  @IsOptional()
  @IsObject()
  fieldChoices?: Record<string, string>;
}

export class MergeRequestDto extends MergePreviewRequestDto {
  @ApiProperty({ example: '同一客户重复建档', maxLength: 1000 })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason: string;
}

export class RelatedCountsDto {
  @ApiProperty({ example: 3 })
  contacts: number;

  @ApiProperty({ example: 12 })
  interactions: number;

  @ApiProperty({ example: 2, description: 'Sales opportunities' })
  opportunities: number;

  @ApiProperty({ example: 1 })
  complaints: number;

  @ApiProperty({ example: 4, description: 'Distinct tags' })
  tags: number;

  @ApiProperty({ example: 1 })
  consents: number;

  @ApiProperty({ example: 2 })
  tierChanges: number;
}

export class MergePreviewDto {
  @ApiProperty({ type: CustomerSummaryDto, description: 'The survivor as it would be after the merge' })
  result: CustomerSummaryDto;

  @ApiProperty({ type: Object, example: { industry: '3f0c6a3e-7b1d-4c55-9a0e-8d2f1b6c4e21' }, description: 'Field → the customer its value comes from' })
  sources: Record<string, string>;

  @ApiProperty({ type: RelatedCountsDto, description: 'Records that end up on the survivor' })
  moves: RelatedCountsDto;
}

export class DeletionRecordStepDto {
  @ApiProperty({ example: 1 })
  stepNo: number;

  @ApiProperty({ enum: ['department_manager', 'admin'], example: 'department_manager' })
  deciderKind: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The department whose manager decides (department_manager steps)' })
  departmentId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Who decided the step' })
  decidedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({ maxLength: 1000, type: String, nullable: true })
  comment: string | null;
}

export class DeletionRecordDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ format: 'uuid' })
  approvalId: string;

  @ApiProperty({ type: Object, description: 'The customer and its contacts (personal data masked) as they were' })
  snapshot: Record<string, unknown>;

  @ApiProperty({ maxLength: 1000 })
  reason: string;

  @ApiProperty({ format: 'uuid' })
  requestedBy: string;

  @ApiProperty({ maxItems: 2, type: [String], format: 'uuid', description: 'Who approved, in step order (each step is in `steps`)' })
  approvedBy: string[];

  @ApiProperty({ maxItems: 2, type: [DeletionRecordStepDto], description: 'Every step of the approval and its decider: two steps, two different people' })
  steps: DeletionRecordStepDto[];

  @ApiProperty({ format: 'date-time' })
  deletedAt: string;
}

export class DeletionRecordPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [DeletionRecordDto] })
  items: DeletionRecordDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}
