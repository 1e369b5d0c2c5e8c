import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';
import { ProblemDto } from '../errors/problem.dto';

/** `Retry-After` in seconds: a whole number, at most a day. */
export const RETRY_AFTER_HEADER = {
  description: 'Seconds to wait before retrying',
  schema: { type: 'integer' as const, format: 'int32', minimum: 0, maximum: 86_400 },
};

/**
 * The 503 of a streamed download, spelled out so that the stream's media types (CSV, NDJSON) do
 * not rub off on its error response.
 */
export const STREAM_BUSY_RESPONSE = {
  status: 503,
  description:
    'AUDIT_READS_BUSY: too many exports (audit or customer) or verifications at once on this instance; BUSY: no database connection in time; ' +
    'DATABASE_UNAVAILABLE: the database is unreachable; SHUTTING_DOWN: this instance is draining',
  headers: { 'Retry-After': RETRY_AFTER_HEADER },
  content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
};

/**
 * A 200 whose body is a JSON array of `model`, with the bound the server keeps on its length
 * (`@ApiOkResponse({ type: [Model] })` cannot say maxItems).
 */
export const ApiOkArray = (model: Type<unknown>, maxItems: number, description?: string) =>
  applyDecorators(
    ApiExtraModels(model),
    ApiOkResponse({ ...(description ? { description } : {}), schema: { type: 'array', maxItems, items: { $ref: getSchemaPath(model) } } }),
  );
