import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CATALOG } from './error-codes';
import { PROBLEM_LIMITS } from './problem-limits';

export class FieldErrorDto {
  @ApiProperty({ example: 'username', maxLength: PROBLEM_LIMITS.field })
  field: string;

  @ApiProperty({ example: 'username must be 3 to 50 characters', maxLength: PROBLEM_LIMITS.message, description: 'Cut to its bound with …' })
  message: string;
}

/** RFC 9457 problem details, the one shape of every error response. */
export class ProblemDto {
  @ApiProperty({ example: 'https://crm.example.com/problems/validation-failed', format: 'uri', maxLength: PROBLEM_LIMITS.type })
  type: string;

  @ApiProperty({ example: 'The request is not valid', maxLength: PROBLEM_LIMITS.title })
  title: string;

  @ApiProperty({ example: 400, type: 'integer', minimum: 400, maximum: 599 })
  status: number;

  @ApiProperty({ example: 'username must be 3 to 50 characters', maxLength: PROBLEM_LIMITS.detail, description: 'Cut to its bound with …' })
  detail: string;

  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable code (new codes may be added: treat an unknown one by its status)', enum: Object.keys(ERROR_CATALOG).sort(), maxLength: PROBLEM_LIMITS.code })
  code: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], maxItems: PROBLEM_LIMITS.errors, description: 'The first 100 field errors' })
  errors?: FieldErrorDto[];

  @ApiProperty({ example: '4f1c2a7e-5b8d-4a51-9a43-2f6f0c1d9e21', description: 'Same as the X-Request-Id header', maxLength: PROBLEM_LIMITS.correlationId })
  correlationId: string;
}
