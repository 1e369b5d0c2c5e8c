import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, IsUUID, Length } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { trim } from '../../../common/http/transforms';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX } from '../../../common/pagination';

export class RequestTransferDto {
  @ApiProperty({ format: 'uuid', description: 'The active user who takes the customers over' })
  @IsUUID()
  toUserId: string;

  @ApiProperty({ maxItems: 500, type: [String], format: 'uuid', description: '1 to 500 customers' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  customerIds: string[];

  @ApiProperty({ example: '区域调整，华东客户统一由王芳负责', maxLength: 1000 })
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason: string;
}

export class SuccessionDto {
  @ApiProperty({ format: 'uuid', description: 'The user who no longer holds these customers (deactivated, moved to another department, or in a role that cannot own customers)' })
  @IsUUID()
  fromUserId: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  toUserId: string;

  @ApiProperty({ maxItems: 500, type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  customerIds: string[];

  @ApiPropertyOptional({ example: '原负责人离职', maxLength: 1000 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 1000)
  reason?: string;
}

export class TransferItemDto {
  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Null for a customer you cannot see (NOT_FOUND)' })
  fromOwnerId: string | null;

  @ApiProperty({ enum: ['pending', 'moved', 'refused', 'cancelled', 'failed'], example: 'pending' })
  outcome: string;

  @ApiProperty({ maxLength: 40, type: String, nullable: true, example: null, description: 'TRANSFER_PENDING, TRANSFER_LIMIT, SAME_OWNER, NOT_FOUND, or why execution failed' })
  reason: string | null;
}

export class TransferDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  approvalId: string;

  @ApiProperty({ enum: ['transfer', 'succession'] })
  kind: string;

  @ApiProperty({ enum: ['pending', 'completed', 'rejected', 'cancelled', 'failed'] })
  status: string;

  @ApiProperty({ format: 'uuid' })
  toUserId: string;

  @ApiProperty({ format: 'uuid' })
  requestedBy: string;

  @ApiProperty({ maxLength: 1000 })
  reason: string;

  @ApiProperty({ maxItems: 500, type: [TransferItemDto] })
  items: TransferItemDto[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;
}

export class TransferPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [TransferDto] })
  items: TransferDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}

export class UnassignedCustomerDto {
  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ maxLength: 200, example: '华为技术有限公司' })
  name: string;

  @ApiProperty({ format: 'uuid' })
  ownerId: string;

  @ApiProperty({ maxLength: 100, example: '李雷' })
  ownerName: string;

  @ApiProperty({ format: 'uuid' })
  departmentId: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  ownerDeactivatedAt: string | null;

  @ApiProperty({ enum: ['deactivated', 'moved', 'role changed'], description: 'Why the owner no longer holds the customer' })
  reason: 'deactivated' | 'moved' | 'role changed';
}
