import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'username' })
  field: string;

  @ApiProperty({ example: 'username must be 3 to 50 characters' })
  message: string;
}

/** RFC 9457 problem details, the one shape of every error response. */
export class ProblemDto {
  @ApiProperty({ example: 'https://crm.example.com/problems/validation-failed' })
  type: string;

  @ApiProperty({ example: 'The request is not valid' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'username must be 3 to 50 characters' })
  detail: string;

  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable code' })
  code: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];

  @ApiProperty({ example: '4f1c2a7e-5b8d-4a51-9a43-2f6f0c1d9e21', description: 'Same as the X-Request-Id header' })
  correlationId: string;
}
