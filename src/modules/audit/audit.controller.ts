import { Controller, Get, Post, Query, Res } from '@nestjs/common';
import { STREAM_BUSY_RESPONSE } from '../../common/http/openapi-responses';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ChecksUserItself, Public, Roles, TokenSubject } from '../../common/auth/decorators';
import { PageQueryDto } from '../../common/pagination';
import { AuditCheckpointsService } from './audit-checkpoints.service';
import { AuditCheckpointDto, AuditCheckpointPageDto, AuditPublicKeyDto } from './dto/checkpoint.dto';
import { ProblemDto } from '../../common/errors/problem.dto';
import { sendDownload } from './audit-export';
import { AUDIT_READERS, AuditLogService } from './audit-log.service';
import { AuditLogPageDto, ExportAuditLogQueryDto, ListAuditLogQueryDto, VerifyChainQueryDto } from './dto/audit-log.dto';
import { ChainVerificationDto } from './dto/chain-verification.dto';


/** The whole log, for auditors and admins. Managers see their customers' history on the customer. */
@ApiTags('audit')
@Controller('audit-logs')
export class AuditController {
  constructor(
    private readonly auditLog: AuditLogService,
    private readonly checkpoints: AuditCheckpointsService,
  ) {}

  @Get()
  @Roles(...AUDIT_READERS)
  @ChecksUserItself() // a page by one entity: one statement for the user and the page
  @ApiOperation({ operationId: 'listAuditLog', summary: 'Search the audit log: filters, newest or oldest first, keyset-paginated' })
  @ApiOkResponse({ type: AuditLogPageDto })
  listAuditLog(@TokenSubject() subject: string, @Query() query: ListAuditLogQueryDto): Promise<AuditLogPageDto> {
    return this.auditLog.list(subject, query);
  }

  @Get('export')
  @Roles('auditor', 'admin')
  @ApiOperation({
    operationId: 'exportAuditLog',
    summary: 'Download the matching entries as CSV or NDJSON, streamed; resume an interrupted download with afterId',
    description: 'The download is itself recorded (audit.export, with its filters). CSV cells that a spreadsheet would run as a formula start with an apostrophe.',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({
    description:
      'The entries, oldest first by default, in the same columns as AuditLogEntryDto (each field within its bound there). ' +
      'A stream, not one JSON value: it has no schema and no length bound of its own; its size is that of the matching entries. ' +
      'Resume an interrupted download with afterId.',
    // No schema on purpose: a streamed file is not a string the server could bound (OpenAPI 3.0 lets a media type omit it).
    content: { 'text/csv': {}, 'application/x-ndjson': {} },
  })
  @ApiResponse(STREAM_BUSY_RESPONSE)
  async exportAuditLog(@Query() query: ExportAuditLogQueryDto, @Res() reply: FastifyReply): Promise<void> {
    sendDownload(reply, await this.auditLog.exportLog(query));
  }

  @Get('verify')
  @Roles('auditor', 'admin')
  @ApiOperation({ operationId: 'verifyAuditChain', summary: 'Recompute the hash chain of the audit log, or of the entries of a time range' })
  @ApiOkResponse({ type: ChainVerificationDto })
  @ApiResponse(STREAM_BUSY_RESPONSE)
  verifyAuditChain(@Query() query: VerifyChainQueryDto): Promise<ChainVerificationDto> {
    return this.auditLog.verifyChain(query);
  }

  @Get('checkpoints')
  @Roles('auditor', 'admin')
  @ApiOperation({
    operationId: 'listAuditCheckpoints',
    summary: 'Signed checkpoints of the chain, newest first, keyset-paginated',
    description: 'Keep them outside this system: a checkpoint proves that no entry up to its lastId was rewritten since, even by someone with full database access.',
  })
  @ApiOkResponse({ type: AuditCheckpointPageDto })
  listAuditCheckpoints(@Query() query: PageQueryDto): Promise<AuditCheckpointPageDto> {
    return this.checkpoints.list(query);
  }

  @Post('checkpoints')
  @Roles('auditor', 'admin')
  @ApiOperation({
    operationId: 'createAuditCheckpoint',
    summary: 'Sign the chain head now (also done hourly); answers the checkpoint already signed when the head has not moved',
  })
  @ApiCreatedResponse({ type: AuditCheckpointDto })
  createAuditCheckpoint(): Promise<AuditCheckpointDto> {
    return this.checkpoints.createCheckpoint();
  }

  @Get('public-key')
  @Public()
  @ApiOperation({
    operationId: 'getAuditPublicKey',
    summary: 'The Ed25519 public key (SPKI PEM) that checks the checkpoints\' signatures',
    description: 'Public: the key proves nothing by itself; keep a copy obtained once, and check later checkpoints against that copy.',
  })
  @ApiOkResponse({ type: AuditPublicKeyDto })
  getAuditPublicKey(): AuditPublicKeyDto {
    return this.checkpoints.publicKey();
  }
}
