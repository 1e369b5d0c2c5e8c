import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, Length } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX, PageQueryDto } from '../../../common/pagination';
import { APPROVAL_STATUSES, type ApprovalStatus, STEP_KINDS, STEP_STATUSES } from '../approval.entity';
import { trim } from '../../../common/http/transforms';
import { PROBLEM_LIMITS } from '../../../common/errors/problem-limits';
import { LIMITS } from '../../../common/limits';

export const APPROVAL_TYPES = ['customer.delete', 'customer.merge', 'customer.export', 'customer.transfer', 'customer.succession'] as const;

export class ListApprovalsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: APPROVAL_STATUSES })
  @IsOptional()
  @IsIn(APPROVAL_STATUSES)
  status?: ApprovalStatus;

  @ApiPropertyOptional({ enum: APPROVAL_TYPES })
  @IsOptional()
  @IsIn(APPROVAL_TYPES)
  type?: string;

  @ApiPropertyOptional({ enum: ['requested', 'to-decide'], default: 'requested', description: 'Your requests, or the ones waiting for your decision' })
  @IsOptional()
  @IsIn(['requested', 'to-decide'])
  view?: 'requested' | 'to-decide';
}

export class DecisionDto {
  @ApiProperty({ example: '同意，注意交接未结投诉', maxLength: 1000 })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  comment: string;
}

export class ApprovalStepDto {
  @ApiProperty({ example: 1 })
  stepNo: number;

  @ApiProperty({ enum: STEP_KINDS, example: 'department_manager' })
  deciderKind: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  departmentId: string | null;

  @ApiProperty({ enum: STEP_STATUSES, example: 'approved' })
  status: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  decidedBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;

  @ApiProperty({ maxLength: 1000, type: String, nullable: true })
  comment: string | null;
}

export class ApprovalDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: APPROVAL_TYPES, example: 'customer.transfer' })
  type: string;

  @ApiProperty({ enum: APPROVAL_STATUSES, example: 'pending' })
  status: ApprovalStatus;

  @ApiProperty({ format: 'uuid' })
  requesterId: string;

  @ApiProperty({ maxLength: 1000, example: '区域调整' })
  reason: string;

  @ApiProperty({ type: Object, description: 'What is asked for, by type' })
  payload: Record<string, unknown>;

  @ApiProperty({ type: Object, nullable: true, description: 'What the execution did' })
  result: Record<string, unknown> | null;

  @ApiProperty({ maxLength: PROBLEM_LIMITS.detail, type: String, nullable: true, description: 'Why execution failed (status failed)' })
  failureReason: string | null;

  @ApiProperty({ maxItems: LIMITS.departments, description: 'One per department whose manager decides (a transfer), or a fixed few (at most 2 for other types)', type: [ApprovalStepDto] })
  steps: ApprovalStepDto[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;
}

export class ApprovalPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [ApprovalDto] })
  items: ApprovalDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}
