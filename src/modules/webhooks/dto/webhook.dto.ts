import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, Max, Min, IsOptional as IsOptionalOrNull, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { INT32_MAX } from '../../../common/http/numbers';
import { IsOptional } from '../../../common/http/optional';
import { CURSOR_MAX_LENGTH } from '../../../common/pagination';
import { AUDIT_LIMITS } from '../../audit/audit.rules';
import { INTEGRATOR_EVENT_NAMES } from '../../audit/outbox.rules';

const EVENT_PATTERN = '^(\\*|[a-z_]{1,30}\\.([a-z_]{1,29})?)$';
const EVENTS_DESCRIPTION = `Event names, or prefixes ending in a dot (\`customer.\`), or \`*\`. The events: ${INTEGRATOR_EVENT_NAMES.join(', ')}`;

export class CreateWebhookDto {
  @ApiProperty({ maxLength: 2000, example: 'https://erp.example.com/crm-events', description: 'https only (http when the service allows it for development); no loopback, link-local or private host unless allow-listed' })
  @IsString()
  @MaxLength(2000)
  url: string;

  @ApiProperty({ type: [String], minItems: 1, maxItems: 50, items: { type: 'string', maxLength: 60, pattern: EVENT_PATTERN }, description: EVENTS_DESCRIPTION, example: ['customer.', 'complaint.breached'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(60, { each: true })
  @Matches(new RegExp(EVENT_PATTERN), { each: true })
  events: string[];

  @ApiPropertyOptional({ type: String, maxLength: 500, nullable: true })
  @IsOptionalOrNull()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class UpdateWebhookDto {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ type: [String], minItems: 1, maxItems: 50, items: { type: 'string', maxLength: 60, pattern: EVENT_PATTERN }, description: EVENTS_DESCRIPTION })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(60, { each: true })
  @Matches(new RegExp(EVENT_PATTERN), { each: true })
  events?: string[];

  @ApiPropertyOptional({ type: String, maxLength: 500, nullable: true })
  @IsOptionalOrNull()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ description: 'true re-enables an endpoint the service disabled (and clears disabledReason)' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: INT32_MAX, example: 1, description: 'The version you read: a stale one is 412 VERSION_CONFLICT' })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version: number;
}

export class GrantWebhookPiiDto {
  @ApiProperty({ minLength: 1, maxLength: 1000, example: 'The ERP needs contacts\' mobiles to route calls (DPA 2026-14)', description: 'Why this endpoint may receive personal data: kept in the audit log' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

export class RevokeWebhookPiiDto {
  @ApiProperty({ minLength: 1, maxLength: 1000, example: 'The data processing agreement ended', description: 'Why: kept in the audit log' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  reason: string;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid', maxLength: 36 })
  id: string;

  @ApiProperty({ maxLength: 2000 })
  url: string;

  @ApiProperty({ type: [String], maxItems: 50, items: { type: 'string', maxLength: 60 } })
  events: string[];

  @ApiProperty({ type: String, nullable: true, maxLength: 500 })
  description: string | null;

  @ApiProperty()
  active: boolean;

  @ApiProperty({
    description:
      'Granted personal data by an admin (POST /webhooks/{id}/pii-grant, audited): deliveries carry unmasked personal data of changes made since piiGrantedAt. Never set at creation or by PATCH.',
  })
  pii: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30, description: 'When personal data was granted; null when it is not' })
  piiGrantedAt: string | null;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: INT32_MAX })
  version: number;

  @ApiProperty({ type: String, nullable: true, maxLength: 500, description: 'Why the service stopped delivering (410 Gone, failures for 24 hours)' })
  disabledReason: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30 })
  disabledAt: string | null;

  @ApiProperty({ format: 'date-time', maxLength: 30 })
  createdAt: string;

  @ApiProperty({ format: 'date-time', maxLength: 30 })
  updatedAt: string;
}

export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({ maxLength: 60, pattern: '^whsec_[A-Za-z0-9+/]+=*$', description: 'The signing secret (Standard Webhooks). Shown only in this response: keep it.' })
  secret: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookDto], maxItems: 100 })
  items: WebhookDto[];
}

export class WebhookAttemptDto {
  @ApiProperty({ format: 'date-time', maxLength: 30 })
  attemptedAt: string;

  @ApiProperty({ type: 'integer', nullable: true, minimum: 100, maximum: 599, description: 'null when no answer came (timeout, refused address, connection error)' })
  statusCode: number | null;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 600000 })
  durationMs: number;

  @ApiProperty({ type: String, nullable: true, maxLength: 500 })
  error: string | null;

  @ApiProperty({ type: String, nullable: true, maxLength: 500, description: 'The first 500 characters of the answer; null when the request carried unmasked personal data (the answer may echo it)' })
  responseExcerpt: string | null;

  @ApiProperty({ description: 'The request carried unmasked personal data (the endpoint is granted it)' })
  piiUnmasked: boolean;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid', maxLength: 36 })
  id: string;

  @ApiProperty({ format: 'uuid', maxLength: 36, description: 'The event id (webhook-id header): the same on every attempt' })
  eventId: string;

  @ApiProperty({ maxLength: 60 })
  event: string;

  @ApiProperty({ maxLength: 60 })
  entityType: string;

  @ApiProperty({ type: String, nullable: true, maxLength: 100 })
  entityId: string | null;

  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] })
  status: 'pending' | 'delivered' | 'failed';

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100000 })
  attemptCount: number;

  @ApiProperty({ format: 'date-time', maxLength: 30 })
  nextAttemptAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, maxLength: 30 })
  deliveredAt: string | null;

  @ApiProperty({ format: 'date-time', maxLength: 30 })
  createdAt: string;

  @ApiProperty({ type: [WebhookAttemptDto], maxItems: 10, description: 'The latest attempts, newest first' })
  attempts: WebhookAttemptDto[];
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto], maxItems: 100 })
  items: WebhookDeliveryDto[];

  @ApiProperty({ type: String, nullable: true, maxLength: CURSOR_MAX_LENGTH, example: null })
  nextCursor: string | null;
}

/** What `data` of every event holds: the audit entry's ids and diff (personal data masked unless the endpoint is granted it). */
export class WebhookEventDataDto {
  @ApiProperty({ format: 'uuid', maxLength: 36, description: 'The event id, also the webhook-id header: deduplicate on it (delivery is at least once)' })
  eventId: string;

  @ApiProperty({ maxLength: 60, example: 'customer' })
  entityType: string;

  @ApiProperty({ type: String, nullable: true, maxLength: 100 })
  entityId: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, maxLength: 36, description: 'Who made the change; null for the service itself (sweeps)' })
  actorId: string | null;

  @ApiProperty({ type: [String], maxItems: AUDIT_LIMITS.changedFields, items: { type: 'string', maxLength: AUDIT_LIMITS.fieldName } })
  changedFields: string[];

  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'The changed fields before the change (personal data masked as in the audit log, unless the endpoint is granted personal data)' })
  before: Record<string, unknown> | null;

  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'The changed fields after the change (personal data masked unless the endpoint is granted personal data)' })
  after: Record<string, unknown> | null;

  @ApiProperty({ type: String, nullable: true, maxLength: AUDIT_LIMITS.reason })
  reason: string | null;
}

/**
 * The body the service POSTs to a webhook endpoint (OpenAPI 3.0 has no webhooks section: this
 * schema documents it). Headers per Standard Webhooks: webhook-id, webhook-timestamp (Unix seconds),
 * webhook-signature (`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, keyed with the
 * base64-decoded secret after `whsec_`). Events of one entity arrive in order; retries keep the webhook-id.
 */
export class WebhookEventDto {
  @ApiProperty({ enum: INTEGRATOR_EVENT_NAMES, description: 'The event' })
  type: string;

  @ApiProperty({ format: 'date-time', maxLength: 30, description: 'When the change committed' })
  timestamp: string;

  @ApiProperty({ type: WebhookEventDataDto })
  data: WebhookEventDataDto;
}
