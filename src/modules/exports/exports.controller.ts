import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { STREAM_BUSY_RESPONSE } from '../../common/http/openapi-responses';
import { ApiAcceptedResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { PageQueryDto } from '../../common/pagination';
import { ExportCustomerIdsPageDto, ExportDto, RequestExportDto } from './dto/export.dto';
import { ExportsService } from './exports.service';
import { Idempotent } from '../idempotency';


const REQUESTERS = ['admin', 'manager', 'sales', 'service', 'marketing'] as const;

@ApiTags('exports')
@Controller('exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Post()
  @Idempotent()
  @HttpCode(202)
  @Roles(...REQUESTERS)
  @ApiOperation({ operationId: 'requestExport', summary: 'Ask to export customer data (CSV); it goes to approval' })
  @ApiAcceptedResponse({ type: ExportDto })
  requestExport(@CurrentUser() caller: AuthUser, @Body() dto: RequestExportDto): Promise<ExportDto> {
    return this.exports.request(caller, dto);
  }

  @Get(':id')
  @Roles(...REQUESTERS, 'auditor')
  @ApiOperation({ operationId: 'getExport', summary: 'An export request and its status' })
  @ApiOkResponse({ type: ExportDto })
  getExport(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<ExportDto> {
    return this.exports.get(caller, id);
  }

  @Get(':id/customer-ids')
  @Roles(...REQUESTERS, 'auditor')
  @ApiOperation({ operationId: 'listExportCustomerIds', summary: 'Which customers the export took at approval (requester, admins, auditors)' })
  @ApiOkResponse({ type: ExportCustomerIdsPageDto })
  listExportCustomerIds(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Query() query: PageQueryDto): Promise<ExportCustomerIdsPageDto> {
    return this.exports.customerIds(caller, id, query);
  }

  @Get(':id/download')
  @Roles(...REQUESTERS)
  @ApiOperation({
    operationId: 'downloadExport',
    summary: 'Stream the approved export as CSV (UTF-8 with BOM); requester only, within 24 hours, while they keep the role and department they asked with',
    description:
      'Holds the customers taken at approval (see customer-ids), with their current values; those deleted or merged since, or no longer visible to the requester, are left out. ' +
      'Every cell starting with = + - @, a tab or a carriage return is prefixed with an apostrophe (so a mobile "+86..." reads "\'+86..."). ' +
      'Service staff receive no commercial columns (needs, notes, annualRevenue, creditCode, cooperationSince, potentialScore). ' +
      'Downloads share the long-read slots of audit exports (a quarter of DB_POOL_SIZE per instance); one whose client takes nothing for EXPORT_IDLE_TIMEOUT_MS is ended.',
  })
  @ApiConflictResponse({ type: ProblemDto, description: 'EXPORT_NOT_READY, EXPORT_REQUESTER_CHANGED' })
  @ApiResponse(STREAM_BUSY_RESPONSE)
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description:
      'The CSV file: one row per customer the approval took (GET /exports/{id}/customer-ids), each cell within the bound of its CustomerDto field. ' +
      'Streamed, with no schema and no length bound of its own.',
    content: { 'text/csv': {} },
  })
  async downloadExport(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Res() reply: FastifyReply): Promise<void> {
    const file = await this.exports.download(caller, id);
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file.filename}"`).header('cache-control', 'no-store').send(file.body);
  }
}
