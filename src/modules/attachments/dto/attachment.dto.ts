import { ApiProperty } from '@nestjs/swagger';
import { ATTACHMENT_PARENTS, type AttachmentParent } from '../attachment.entity';

/** The most attachments a parent keeps (deleted ones not counted); one more is 422 LIMIT_REACHED. */
export const ATTACHMENTS_PER_PARENT = 200;

export class AttachmentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ATTACHMENT_PARENTS })
  parentType: AttachmentParent;

  @ApiProperty({ format: 'uuid' })
  parentId: string;

  @ApiProperty({ maxLength: 255, example: '客户反馈汇总.pdf' })
  fileName: string;

  @ApiProperty({ maxLength: 100, example: 'application/pdf', description: 'Determined from the bytes' })
  contentType: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 20 * 1024 * 1024 })
  sizeBytes: number;

  @ApiProperty({ minLength: 64, maxLength: 64, pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the file, hex' })
  sha256: string;

  @ApiProperty({ format: 'uuid' })
  uploadedBy: string;

  @ApiProperty({ format: 'date-time' })
  uploadedAt: string;
}

/** The default of ATTACHMENT_MAX_BYTES: what the contract states as the bound of a file. */
export const ATTACHMENT_DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

/** The multipart body of an upload, for the contract. */
export class AttachmentUploadDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    maxLength: ATTACHMENT_DEFAULT_MAX_BYTES,
    description: 'The file (one part named file); at most ATTACHMENT_MAX_BYTES bytes (default 20 MB; one byte more is 413)',
  })
  file: unknown;
}
