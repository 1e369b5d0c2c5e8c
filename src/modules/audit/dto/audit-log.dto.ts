import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { IsRfc3339DateTime } from '../../../common/http/dates';
import { ACTION_FILTER, AUDIT_ORDERS, type AuditOrder, EXPORT_FORMATS, type ExportFormat } from '../audit-log.rules';
import { CURSOR_MAX_LENGTH } from '../../../common/pagination';
import { AUDIT_LIMITS } from '../audit.rules';

/** The filters an auditor narrows the log with; they combine with AND. */
export class AuditLogFilterDto {
  @ApiPropertyOptional({ example: 'customer', maxLength: 50, description: 'Kind of record: customer, contact, interaction, user, department, audit_log, …' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  entityType?: string;

  @ApiPropertyOptional({ example: '0b6f7a3e-2d4c-4f8e-9a51-3c2d1e0f9a87', maxLength: 100, description: 'Id of the record; needs entityType' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  entityId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The user who acted' })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({
    example: 'customer.',
    maxLength: 100,
    description: 'An exact action (customer.update), or a prefix ending in a dot (customer.) for every action under it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(ACTION_FILTER, { message: 'action must look like customer.update, or customer. for a prefix' })
  action?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00+08:00', description: 'occurredAt at or after' })
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00+08:00', description: 'occurredAt before (exclusive)' })
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;

  @ApiPropertyOptional({ example: '4f1c2a7e-5b8d-4a51-9a43-2f6f0c1d9e21', maxLength: 100, description: 'Every record one request wrote (its X-Request-Id)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  requestId?: string;
}

export class ListAuditLogQueryDto extends AuditLogFilterDto {
  @ApiPropertyOptional({ enum: AUDIT_ORDERS, default: 'newest', example: 'newest' })
  @IsOptional()
  @IsIn(AUDIT_ORDERS)
  order?: AuditOrder;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50, example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ maxLength: 500, description: "Opaque cursor from the previous page's nextCursor", example: 'WyJuZXdlc3QiLCIyMDI2LTExLTIyVDEwOjAwOjAwLjAwMFoiLCIxMDI0Il0' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class ExportAuditLogQueryDto extends AuditLogFilterDto {
  @ApiProperty({ enum: EXPORT_FORMATS, example: 'csv', description: 'csv: UTF-8 with BOM, one header row; ndjson: one JSON entry per line' })
  @IsIn(EXPORT_FORMATS)
  format: ExportFormat;

  @ApiPropertyOptional({ enum: AUDIT_ORDERS, default: 'oldest', example: 'oldest' })
  @IsOptional()
  @IsIn(AUDIT_ORDERS)
  order?: AuditOrder;

  @ApiPropertyOptional({ example: '1024', maxLength: 18, pattern: '^[1-9][0-9]{0,17}$', description: 'Resume an interrupted export: only entries after this id, in the same order and filters' })
  @IsOptional()
  @IsString()
  @Matches(/^[1-9]\d{0,17}$/, { message: 'afterId must be the id of an audit entry' })
  afterId?: string;
}

export class VerifyChainQueryDto {
  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00+08:00', description: 'From the first entry at or after this time (default: the first entry)' })
  @IsOptional()
  @IsRfc3339DateTime()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00+08:00', description: 'To the last entry before this time (default: the last entry)' })
  @IsOptional()
  @IsRfc3339DateTime()
  to?: string;
}

export class AuditLogEntryDto {
  @ApiProperty({ maxLength: AUDIT_LIMITS.id, pattern: '^[0-9]+$', example: '1024', description: 'Position in the chain: gapless, in commit order' })
  id: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T02:00:00.000Z', description: 'Never earlier than the previous entry' })
  occurredAt: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, example: '9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f', description: 'Null for the system and unknown usernames' })
  actorId: string | null;

  @ApiProperty({ maxLength: 100, type: String, nullable: true, example: '李雷', description: 'The actor\'s current display name (not part of the hash)' })
  actorName: string | null;

  @ApiProperty({ maxLength: 20, type: String, nullable: true, example: 'sales' })
  actorRole: string | null;

  @ApiProperty({ maxLength: 100, example: 'customer.update' })
  action: string;

  @ApiProperty({ maxLength: 50, example: 'customer' })
  entityType: string;

  @ApiProperty({ maxLength: 100, type: String, nullable: true, example: '0b6f7a3e-2d4c-4f8e-9a51-3c2d1e0f9a87' })
  entityId: string | null;

  @ApiProperty({ maxItems: AUDIT_LIMITS.changedFields, items: { type: 'string', maxLength: AUDIT_LIMITS.fieldName }, type: [String], example: ['stage', 'version'] })
  changedFields: string[];

  @ApiProperty({ type: Object, nullable: true, example: { stage: 'prospect', version: 1 } })
  before: Record<string, unknown> | null;

  @ApiProperty({ type: Object, nullable: true, example: { stage: 'customer', version: 2 } })
  after: Record<string, unknown> | null;

  @ApiProperty({ maxLength: AUDIT_LIMITS.reason, type: String, nullable: true, example: '签约' })
  reason: string | null;

  @ApiProperty({ maxLength: 100, type: String, nullable: true, example: '4f1c2a7e-5b8d-4a51-9a43-2f6f0c1d9e21' })
  requestId: string | null;

  @ApiProperty({ maxLength: 64, type: String, nullable: true, example: '10.0.3.17' })
  ip: string | null;

  @ApiProperty({ maxLength: 300, type: String, nullable: true, example: 'Mozilla/5.0' })
  userAgent: string | null;

  @ApiProperty({ example: '3b7f0c2a9d4e5f61728394a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f', minLength: 64, maxLength: 64, description: 'Hash of the previous entry (64 zeros before the first)' })
  prevHash: string;

  @ApiProperty({ example: '5be0d2c4a6b8e0f1a3c5e7092b4d6f8a0c2e4a6b8d0f2a4c6e8a0b2d4f6a8c0e', minLength: 64, maxLength: 64, description: 'SHA-256(prevHash || RFC 8785 JSON of the entry without actorName and the hashes)' })
  hash: string;
}

export class AuditLogPageDto {
  @ApiProperty({ maxItems: 500, type: [AuditLogEntryDto] })
  items: AuditLogEntryDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null })
  nextCursor: string | null;
}
