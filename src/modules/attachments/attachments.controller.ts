import { Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiParam, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { ApiOkArray } from '../../common/http/openapi-responses';
import type { AttachmentParent } from './attachment.entity';
import { AttachmentsService, type AttachmentDownload } from './attachments.service';
import { ATTACHMENT_DEFAULT_MAX_BYTES, AttachmentDto, ATTACHMENTS_PER_PARENT, AttachmentUploadDto } from './dto/attachment.dto';

const OPPORTUNITY_READERS = ['admin', 'manager', 'sales', 'auditor'] as const;
const OPPORTUNITY_WRITERS = ['admin', 'manager', 'sales'] as const;
const ACTIVITY_READERS = ['admin', 'manager', 'sales', 'service', 'marketing', 'auditor'] as const;
/** Those who plan activities add their material (service reads it). */
const ACTIVITY_WRITERS = ['admin', 'manager', 'sales', 'marketing'] as const;

const ATTACHMENT_ID = { name: 'attachmentId', schema: { type: 'string' as const, format: 'uuid', maxLength: 36 } };
const problem = { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } };
const UPLOAD_REFUSALS = [
  { status: 413, description: 'PAYLOAD_TOO_LARGE: over ATTACHMENT_MAX_BYTES (default 20 MB)', content: problem },
  { status: 415, description: 'UNSUPPORTED_MEDIA_TYPE: not an image, PDF, Office document, plain text or CSV by its content', content: problem },
  {
    status: 503,
    description:
      'BUSY: ATTACHMENT_MAX_CONCURRENT_UPLOADS uploads (default 4 per instance) are streaming in and the queue behind them ' +
      '(ATTACHMENT_UPLOAD_QUEUE, default 16) is full, or no turn came within ATTACHMENT_UPLOAD_QUEUE_WAIT_MS (default 2 minutes); ' +
      'answered before the body is read, nothing is stored: send the file again after Retry-After seconds. ' +
      'Also BUSY for no database connection in time, DATABASE_UNAVAILABLE, SHUTTING_DOWN as on every operation',
    content: problem,
  },
];
const FILE = {
  description: 'The file, streamed; Content-Disposition carries the original name (RFC 5987 filename* for non-ASCII names); X-Content-SHA256 its hash',
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary', maxLength: ATTACHMENT_DEFAULT_MAX_BYTES } } },
};

function send(reply: FastifyReply, file: AttachmentDownload): void {
  void reply
    .type(file.contentType)
    .header('content-length', String(file.sizeBytes))
    .header('content-disposition', file.contentDisposition)
    .header('x-content-sha256', file.sha256)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(file.body);
}

function Upload(operationId: string, parent: string) {
  return (target: object, key: string | symbol, descriptor: PropertyDescriptor) => {
    ApiOperation({ operationId, summary: `Attach a file to the ${parent} (multipart/form-data, one part named file; streamed)` })(target, key, descriptor);
    ApiConsumes('multipart/form-data')(target, key, descriptor);
    ApiBody({ type: AttachmentUploadDto })(target, key, descriptor);
    ApiCreatedResponse({ type: AttachmentDto })(target, key, descriptor);
    for (const r of UPLOAD_REFUSALS) ApiResponse(r)(target, key, descriptor);
  };
}

/** Attachments of opportunities and activities: the same store and streaming behind both. */
@ApiTags('attachments')
@Controller()
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post('opportunities/:id/attachments')
  @Roles(...OPPORTUNITY_WRITERS)
  @Upload('uploadOpportunityAttachment', 'opportunity')
  uploadOpportunityAttachment(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Req() request: FastifyRequest): Promise<AttachmentDto> {
    return this.attachments.upload(caller, 'opportunity', id, request);
  }

  @Get('opportunities/:id/attachments')
  @Roles(...OPPORTUNITY_READERS)
  @ApiOperation({ operationId: 'listOpportunityAttachments', summary: 'Attachments of the opportunity, oldest first' })
  @ApiOkArray(AttachmentDto, ATTACHMENTS_PER_PARENT, `At most ${ATTACHMENTS_PER_PARENT} attachments`)
  listOpportunityAttachments(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<AttachmentDto[]> {
    return this.attachments.list(caller, 'opportunity', id);
  }

  @Get('opportunities/:id/attachments/:attachmentId')
  @ApiParam(ATTACHMENT_ID)
  @Roles(...OPPORTUNITY_READERS)
  @ApiOperation({ operationId: 'downloadOpportunityAttachment', summary: 'Stream the file (audited)' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse(FILE)
  async downloadOpportunityAttachment(@CurrentUser() caller: AuthUser, @IdParam() id: string, @IdParam('attachmentId') attachmentId: string, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.attachments.download(caller, 'opportunity', id, attachmentId));
  }

  @Delete('opportunities/:id/attachments/:attachmentId')
  @ApiParam(ATTACHMENT_ID)
  @Roles(...OPPORTUNITY_WRITERS)
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteOpportunityAttachment', summary: 'Soft-delete an attachment (uploader, department manager or admin; audited)' })
  @ApiNoContentResponse({ description: 'Deleted (kept in the database, no longer listed or served)' })
  deleteOpportunityAttachment(@CurrentUser() caller: AuthUser, @IdParam() id: string, @IdParam('attachmentId') attachmentId: string): Promise<void> {
    return this.attachments.remove(caller, 'opportunity', id, attachmentId);
  }

  @Post('activities/:id/attachments')
  @Roles(...ACTIVITY_WRITERS)
  @Upload('uploadActivityAttachment', 'activity')
  uploadActivityAttachment(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Req() request: FastifyRequest): Promise<AttachmentDto> {
    return this.attachments.upload(caller, 'activity', id, request);
  }

  @Get('activities/:id/attachments')
  @Roles(...ACTIVITY_READERS)
  @ApiOperation({ operationId: 'listActivityAttachments', summary: 'Attachments of the activity, oldest first' })
  @ApiOkArray(AttachmentDto, ATTACHMENTS_PER_PARENT, `At most ${ATTACHMENTS_PER_PARENT} attachments`)
  listActivityAttachments(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<AttachmentDto[]> {
    return this.attachments.list(caller, 'activity', id);
  }

  @Get('activities/:id/attachments/:attachmentId')
  @ApiParam(ATTACHMENT_ID)
  @Roles(...ACTIVITY_READERS)
  @ApiOperation({ operationId: 'downloadActivityAttachment', summary: 'Stream the file (audited)' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse(FILE)
  async downloadActivityAttachment(@CurrentUser() caller: AuthUser, @IdParam() id: string, @IdParam('attachmentId') attachmentId: string, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.attachments.download(caller, 'activity', id, attachmentId));
  }

  @Delete('activities/:id/attachments/:attachmentId')
  @ApiParam(ATTACHMENT_ID)
  @Roles(...ACTIVITY_WRITERS)
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteActivityAttachment', summary: 'Soft-delete an attachment (uploader, department manager or admin; audited)' })
  @ApiNoContentResponse({ description: 'Deleted (kept in the database, no longer listed or served)' })
  deleteActivityAttachment(@CurrentUser() caller: AuthUser, @IdParam() id: string, @IdParam('attachmentId') attachmentId: string): Promise<void> {
    return this.attachments.remove(caller, 'activity', id, attachmentId);
  }
}

export type { AttachmentParent };
